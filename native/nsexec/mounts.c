/* The child's filesystem work before pivot_root: mounts, device nodes and symlinks inside the
 * new root, resolved so that a hostile rootfs cannot redirect them onto the host. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "config.h"
#include "launch.h"
#include "nsexec.h"
#include "report.h"

/* ---- child: setsid, mounts, pivot_root, hostname, lo, cgroup join, caps, seccomp, exec ---- */

static unsigned long mount_flags(const char *list, int *rec) {
  static const struct { const char *n; unsigned long f; } t[] = {
      {"ro", MS_RDONLY}, {"nosuid", MS_NOSUID}, {"nodev", MS_NODEV}, {"noexec", MS_NOEXEC},
      {"relatime", MS_RELATIME}, {"strictatime", MS_STRICTATIME}, {"noatime", MS_NOATIME}};
  char buf[256];
  unsigned long flags = 0;
  *rec = 0;
  if (strcmp(list, "-") == 0) return 0;
  snprintf(buf, sizeof buf, "%s", list);
  for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
    size_t i;
    if (strcmp(tok, "rec") == 0) { *rec = 1; continue; }
    for (i = 0; i < sizeof t / sizeof t[0]; i++)
      if (strcmp(t[i].n, tok) == 0) { flags |= t[i].f; break; }
    if (i == sizeof t / sizeof t[0]) usage(tok);
  }
  return flags;
}

/* ---- paths inside the root: resolved as if the root were "/" (CVE-2021-30465) ----
 * A hostile rootfs may hold symlinks (`/mnt -> /etc` or `../../..`) where we mount, mknod or
 * create. Every path inside the container is therefore resolved with openat2(RESOLVE_IN_ROOT)
 * from an fd of the root, directories are created one component at a time below an fd that was
 * resolved that way, and mounts go onto /proc/self/fd/N of the resolved fd, as runc does. The
 * host's /proc is still ours to use here: the pivot comes after. */
static int root_fd = -1;

static int resolve_in_root(const char *path, int flags) {
  struct open_how how = {.flags = (uint64_t)(O_PATH | O_CLOEXEC | flags),
                         .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
  while (*path == '/') path++;
  return (int)syscall(SYS_openat2, root_fd, *path ? path : ".", &how, sizeof how);
}

static const char *fd_path(int fd) {
  static char buf[4][32]; /* a mount call takes two at most */
  static int next;
  char *b = buf[next++ % 4];
  snprintf(b, sizeof buf[0], "/proc/self/fd/%d", fd);
  return b;
}

/* mkdir -p of `path` inside the root; returns an O_PATH fd of the directory. */
static int mkdir_in_root(const char *path) {
  char prefix[4096] = "", comp[4096];
  int dir = resolve_in_root("/", O_DIRECTORY);
  if (dir < 0) fail("openat2", "/", NSEXEC_EXIT_SETUP);
  for (const char *p = path; *p;) {
    while (*p == '/') p++;
    size_t n = strcspn(p, "/");
    if (n == 0) break;
    snprintf(comp, sizeof comp, "%.*s", (int)n, p);
    if (strlen(prefix) + n + 2 > sizeof prefix) { errno = ENAMETOOLONG; fail("mkdir", path, NSEXEC_EXIT_SETUP); }
    strcat(prefix, "/");
    strcat(prefix, comp);
    p += n;
    if (mkdirat(dir, comp, 0755) < 0 && errno != EEXIST) fail("mkdirat", prefix, NSEXEC_EXIT_SETUP);
    close(dir);
    /* From the root again: a symlink just met resolves inside the root, never on the host. */
    if ((dir = resolve_in_root(prefix, O_DIRECTORY)) < 0) fail("openat2", prefix, NSEXEC_EXIT_SETUP);
  }
  return dir;
}

/* The parent directory of `path` (created if missing) and its last component. */
static int parent_in_root(const char *path, char *base, size_t size) {
  char parent[4096];
  snprintf(parent, sizeof parent, "%s", path);
  char *slash = strrchr(parent, '/');
  snprintf(base, size, "%s", slash ? slash + 1 : parent);
  if (slash) *slash = 0;
  if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
    errno = EINVAL;
    fail("path", path, NSEXEC_EXIT_SETUP);
  }
  return mkdir_in_root(parent);
}

static void remount(const char *dst, const char *what, unsigned long flags) {
  if (mount(NULL, dst, NULL, MS_BIND | MS_REMOUNT | flags, NULL) < 0) fail("remount", what, NSEXEC_EXIT_SETUP);
}

/* "mask": hide a path (runc's maskedPaths): /dev/null over a file, a read-only tmpfs over a dir. */
static void do_mask(const char *path) {
  struct stat st;
  int fd = resolve_in_root(path, 0);
  if (fd < 0 && errno == ENOENT) return;
  if (fd < 0 || fstat(fd, &st) < 0) fail("openat2", path, NSEXEC_EXIT_SETUP);
  if (S_ISDIR(st.st_mode)) {
    if (mount("tmpfs", fd_path(fd), "tmpfs", MS_RDONLY, "size=0") < 0) fail("mount tmpfs", path, NSEXEC_EXIT_SETUP);
  } else {
    /* The container's own /dev/null (made by an earlier dev op), not the host's devtmpfs node. */
    int null_fd = resolve_in_root("/dev/null", 0);
    if (null_fd < 0) fail("openat2", "/dev/null", NSEXEC_EXIT_SETUP);
    if (mount(fd_path(null_fd), fd_path(fd), NULL, MS_BIND, NULL) < 0) fail("mount bind /dev/null", path, NSEXEC_EXIT_SETUP);
    close(null_fd);
  }
  close(fd);
}

/* runc's readonlyPaths: bind the path onto itself, then remount the new mount read-only. */
static void do_readonly(const char *path, unsigned long flags) {
  int fd = resolve_in_root(path, 0);
  if (fd < 0 && errno == ENOENT) return;
  if (fd < 0) fail("openat2", path, NSEXEC_EXIT_SETUP);
  if (mount(fd_path(fd), fd_path(fd), NULL, MS_BIND | MS_REC, NULL) < 0) fail("mount bind", path, NSEXEC_EXIT_SETUP);
  close(fd);
  if ((fd = resolve_in_root(path, 0)) < 0) fail("openat2", path, NSEXEC_EXIT_SETUP); /* the new mount's top */
  remount(fd_path(fd), path, MS_RDONLY | flags);
  close(fd);
}

/* The mount point for a bind of `src`: a directory, or an empty file when src is not one. */
static int bind_target(const char *src, const char *path) {
  struct stat st;
  if (stat(src, &st) < 0) fail("stat", src, NSEXEC_EXIT_SETUP);
  if (S_ISDIR(st.st_mode)) return mkdir_in_root(path);
  char base[4096];
  int parent = parent_in_root(path, base, sizeof base);
  int f = openat(parent, base, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (f < 0 && errno != EEXIST) fail("openat", path, NSEXEC_EXIT_SETUP);
  if (f >= 0) close(f);
  close(parent);
  int fd = resolve_in_root(path, 0);
  if (fd < 0) fail("openat2", path, NSEXEC_EXIT_SETUP);
  return fd;
}

static void do_mount(const struct op *op) {
  const typeof(op->mount) *o = &op->mount;
  int rec;
  unsigned long flags = mount_flags(o->flags, &rec);
  const char *data = strcmp(o->data, "-") == 0 ? NULL : o->data;
  if (strcmp(o->dst, "/") == 0) { /* the root itself: a host path ctvm made, not one inside */
    if (mount(o->src, cfg.root, o->type, flags, data) < 0) fail("mount root", cfg.root, NSEXEC_EXIT_SETUP);
    if (root_fd >= 0) close(root_fd);
    if ((root_fd = open(cfg.root, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) fail("open", cfg.root, NSEXEC_EXIT_SETUP);
    return;
  }
  if (root_fd < 0 && (root_fd = open(cfg.root, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) fail("open", cfg.root, NSEXEC_EXIT_SETUP);
  if (strcmp(o->type, "mask") == 0) return do_mask(o->dst);
  if (strcmp(o->type, "ro") == 0) return do_readonly(o->dst, flags);
  int bind = strcmp(o->type, "bind") == 0;
  int fd = bind ? bind_target(o->src, o->dst) : mkdir_in_root(o->dst);
  const char *dst = fd_path(fd);
  if (bind) {
    if (mount(o->src, dst, NULL, MS_BIND | (rec ? MS_REC : 0), NULL) < 0) fail("mount bind", o->src, NSEXEC_EXIT_SETUP);
    if (flags) { /* MS_BIND ignores flags on the first call: remount the new mount's top */
      close(fd);
      if ((fd = resolve_in_root(o->dst, 0)) < 0) fail("openat2", o->dst, NSEXEC_EXIT_SETUP);
      remount(fd_path(fd), o->dst, flags);
    }
  } else if (mount(o->src, dst, o->type, flags, data) < 0) {
    char op[64];
    snprintf(op, sizeof op, "mount %s", o->type);
    fail(op, o->dst, NSEXEC_EXIT_SETUP);
  }
  close(fd);
}

static void do_dev(const struct op *op) {
  const typeof(op->dev) *o = &op->dev;
  char base[4096];
  int dir = parent_in_root(o->path, base, sizeof base);
  mode_t mode = (mode_t)strtoul(o->mode, NULL, 8);
  dev_t dev = makedev(strtoul(o->major, NULL, 10), strtoul(o->minor, NULL, 10));
  if (mknodat(dir, base, S_IFCHR | mode, dev) < 0) fail("mknod", o->path, NSEXEC_EXIT_SETUP);
  int fd = openat(dir, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  /* mknod obeys the umask; chmod through the node's own fd (an O_PATH fd: via /proc). */
  if (fd < 0 || chmod(fd_path(fd), mode) < 0) fail("chmod", o->path, NSEXEC_EXIT_SETUP);
  close(fd);
  close(dir);
}

static void do_symlink(const struct op *op) {
  const typeof(op->symlink) *o = &op->symlink;
  char base[4096];
  int dir = parent_in_root(o->path, base, sizeof base);
  if (symlinkat(o->target, dir, base) < 0 && errno != EEXIST) fail("symlink", o->path, NSEXEC_EXIT_SETUP);
  close(dir);
}

void apply_op(const struct op *o) {
  if (o->kind == OP_MOUNT) do_mount(o);
  else if (o->kind == OP_DEV) do_dev(o);
  else do_symlink(o);
}

/* "scratch DIR SIZE": the writable layer's own tmpfs, of SIZE, in our mount namespace only (it
 * dies with the container: nothing to unmount on the host, and writes past SIZE get ENOSPC). */
void mount_scratch(void) {
  char opts[128], path[4096];
  snprintf(opts, sizeof opts, "size=%s,mode=0700", cfg.scratch_size);
  if (mount("tmpfs", cfg.scratch, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0) fail("mount tmpfs", cfg.scratch, NSEXEC_EXIT_SETUP);
  for (int i = 0; i < 2; i++) {
    snprintf(path, sizeof path, "%s/%s", cfg.scratch, i ? "work" : "upper");
    if (mkdir(path, 0755) < 0) fail("mkdir", path, NSEXEC_EXIT_SETUP);
  }
}

/* pivot_root(".", ".") then detach the old root: runc's trick, no temporary directory needed. */
void pivot(void) {
  if (chdir(cfg.root) < 0) fail("chdir", cfg.root, NSEXEC_EXIT_SETUP);
  if (syscall(SYS_pivot_root, ".", ".") < 0) fail("pivot_root", cfg.root, NSEXEC_EXIT_SETUP);
  if (umount2(".", MNT_DETACH) < 0) fail("umount2", "old root", NSEXEC_EXIT_SETUP);
  if (chdir("/") < 0) fail("chdir", "/", NSEXEC_EXIT_SETUP);
}
