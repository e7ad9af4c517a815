/* ctvm-nsexec: the mechanism half of the ctvm container engine (policy lives in TypeScript).
 * `ctvm-nsexec ARGS -- CMD` runs one launch; `ctvm-nsexec serve SOCK` stays resident and forks a
 * launcher per request read on stdin (so the caller spawns one process, once).
 * Creates namespaces, performs the mounts it is told to in order, pivot_root()s, joins the
 * child to its cgroups, drops capabilities and execs. Reports per-phase
 * CLOCK_MONOTONIC timestamps, errors (stage, op, errno, path) and the exit status as text lines
 * on fd NSEXEC_STATUS_FD. Protocol: native/README.md. Constants: native/nsexec.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/openat2.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nsexec.h"
#include "nsexec-devices.h"
#include "nsexec-seccomp.h"

#define MAX_OPS 128
#define MAX_ENV 256
#define MAX_CGROUPS 16
#define MAX_MARKS 8
#define MAX_MARK_LEN 64

enum op_kind { OP_MOUNT, OP_DEV, OP_SYMLINK };
struct op {
  enum op_kind kind;
  const char *a, *b, *c, *d, *e; /* mount: type src dst flags data | dev: path mode maj min | symlink: target path */
};

static struct {
  int ns_flags, newcgroup, lo_up, no_new_privs, have_caps;
  uint64_t caps;
  const char *root, *hostname, *cwd;
  const char *seccomp;               /* profile text (nsexec-seccomp.c), or NULL: no filter */
  const char *scratch, *scratch_size; /* tmpfs for the overlay's upper/work, or NULL */
  const char *devices_dir, *devices_rules; /* cgroup v2 device program (nsexec-devices.c) */
  struct op ops[MAX_OPS];
  int nops;
  char *env[MAX_ENV + 1];
  int nenv;
  const char *cgroup_procs[MAX_CGROUPS];
  int ncgroups;
  struct mark { const char *name, *prefix; size_t len; int seen; } marks[MAX_MARKS];
  int nmarks;
  char **argv;
} cfg;

static const char *stage = "parent";
static pid_t child_pid = -1;

static uint64_t mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* One write() per line: lines stay whole even though parent and child share the pipe.
 * A launcher defers its lines until the exec/clone point and sends them in one write(): each
 * write wakes the caller, whose work would compete for the CPU with the launch being measured. */
static char deferred[8192];
static size_t ndeferred;
static int defer_reports;
/* A spare's pipe to the server, on which it says "taken" once its launch no longer starts. */
static int taken_fd = -1;

static void write_status(const char *buf, size_t n) {
  while (write(NSEXEC_STATUS_FD, buf, n) < 0 && errno == EINTR) {
  }
}

static void flush_reports(void) {
  if (ndeferred) write_status(deferred, ndeferred);
  ndeferred = 0;
}

static void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void report(const char *fmt, ...) {
  char buf[4096];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if (n > (int)sizeof buf - 2) n = sizeof buf - 2;
  buf[n++] = '\n';
  if (defer_reports && ndeferred + n <= sizeof deferred) {
    memcpy(deferred + ndeferred, buf, n);
    ndeferred += n;
    return;
  }
  flush_reports();
  write_status(buf, n);
}

/* From here on (the parent after the child's exec) every line goes out at once. */
static void stop_deferring(void) {
  flush_reports();
  defer_reports = 0;
}

static void phase(const char *name) { report("%c %s %llu", NSEXEC_MSG_TIME, name, (unsigned long long)mono_ns()); }

static void fail(const char *op, const char *path, int code) {
  const char *name = strerrorname_np(errno);
  defer_reports = 0; /* this line and everything before it go out now */
  report("%c %s %s %s %s", NSEXEC_MSG_ERROR, stage, op, name ? name : "EUNKNOWN", path ? path : "-");
  _exit(code);
}

static void usage(const char *what) {
  errno = EINVAL;
  fail("argv", what, NSEXEC_EXIT_USAGE);
}

/* ---- argv parsing (see README: keyword arguments, then "--" and the command) ---- */

static int ns_flag(const char *name) {
  static const struct { const char *n; int f; } t[] = {
      {"pid", CLONE_NEWPID}, {"mnt", CLONE_NEWNS}, {"uts", CLONE_NEWUTS},
      {"ipc", CLONE_NEWIPC}, {"net", CLONE_NEWNET}, {"cgroup", CLONE_NEWCGROUP}};
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
    if (strcmp(t[i].n, name) == 0) return t[i].f;
  usage(name);
  return 0;
}

static void parse_ns(char *list) {
  for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
    int f = ns_flag(tok);
    if (f == CLONE_NEWCGROUP) cfg.newcgroup = 1; /* unshared after the cgroup join, see child() */
    else cfg.ns_flags |= f;
  }
}

static void add_op(enum op_kind kind, char **v) {
  if (cfg.nops == MAX_OPS) usage("too many mounts");
  struct op *o = &cfg.ops[cfg.nops++];
  o->kind = kind;
  o->a = v[0];
  o->b = v[1];
  o->c = kind == OP_SYMLINK ? NULL : v[2];
  o->d = kind == OP_SYMLINK ? NULL : v[3];
  o->e = kind == OP_MOUNT ? v[4] : NULL;
}

static void parse_args(int argc, char **argv) {
  int i = 1;
  while (i < argc) {
    const char *k = argv[i];
    int left = argc - i - 1;
#define NEED(n) do { if (left < (n)) usage(k); } while (0)
    if (strcmp(k, "--") == 0) { cfg.argv = &argv[i + 1]; break; }
    else if (strcmp(k, "ns") == 0) { NEED(1); parse_ns(argv[i + 1]); i += 2; }
    else if (strcmp(k, "root") == 0) { NEED(1); cfg.root = argv[i + 1]; i += 2; }
    else if (strcmp(k, "mount") == 0) { NEED(5); add_op(OP_MOUNT, &argv[i + 1]); i += 6; }
    else if (strcmp(k, "dev") == 0) { NEED(4); add_op(OP_DEV, &argv[i + 1]); i += 5; }
    else if (strcmp(k, "symlink") == 0) { NEED(2); add_op(OP_SYMLINK, &argv[i + 1]); i += 3; }
    else if (strcmp(k, "hostname") == 0) { NEED(1); cfg.hostname = argv[i + 1]; i += 2; }
    else if (strcmp(k, "seccomp") == 0) { NEED(1); cfg.seccomp = argv[i + 1]; i += 2; }
    else if (strcmp(k, "scratch") == 0) { NEED(2); cfg.scratch = argv[i + 1]; cfg.scratch_size = argv[i + 2]; i += 3; }
    else if (strcmp(k, "cwd") == 0) { NEED(1); cfg.cwd = argv[i + 1]; i += 2; }
    else if (strcmp(k, "lo") == 0) { cfg.lo_up = 1; i += 1; }
    else if (strcmp(k, "nonewprivs") == 0) { cfg.no_new_privs = 1; i += 1; }
    else if (strcmp(k, "caps") == 0) { NEED(1); cfg.caps = strtoull(argv[i + 1], NULL, 16); cfg.have_caps = 1; i += 2; }
    else if (strcmp(k, "env") == 0) { NEED(1); if (cfg.nenv == MAX_ENV) usage("env"); cfg.env[cfg.nenv++] = argv[i + 1]; i += 2; }
    else if (strcmp(k, "devices") == 0) { NEED(2); cfg.devices_dir = argv[i + 1]; cfg.devices_rules = argv[i + 2]; i += 3; }
    else if (strcmp(k, "cgroup") == 0) { NEED(1); if (cfg.ncgroups == MAX_CGROUPS) usage("cgroup"); cfg.cgroup_procs[cfg.ncgroups++] = argv[i + 1]; i += 2; }
    else if (strcmp(k, "mark") == 0) {
      NEED(2);
      size_t len = strlen(argv[i + 2]);
      if (cfg.nmarks == MAX_MARKS || len == 0 || len > MAX_MARK_LEN || strchr(argv[i + 1], ' ')) usage("mark");
      cfg.marks[cfg.nmarks++] = (struct mark){argv[i + 1], argv[i + 2], len, 0};
      i += 3;
    }
    else usage(k);
#undef NEED
  }
  if (!cfg.argv || !cfg.argv[0]) usage("missing -- COMMAND");
  /* No root = no filesystem work: mounts, devs, symlinks are paths inside a root. */
  if (!cfg.root && (cfg.nops || cfg.scratch)) usage("mount/dev/symlink/scratch without root");
  cfg.env[cfg.nenv] = NULL;
}

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

static void do_mount(const struct op *o) {
  int rec;
  unsigned long flags = mount_flags(o->d, &rec);
  const char *data = strcmp(o->e, "-") == 0 ? NULL : o->e;
  if (strcmp(o->c, "/") == 0) { /* the root itself: a host path ctvm made, not one inside */
    if (mount(o->b, cfg.root, o->a, flags, data) < 0) fail("mount root", cfg.root, NSEXEC_EXIT_SETUP);
    if (root_fd >= 0) close(root_fd);
    if ((root_fd = open(cfg.root, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) fail("open", cfg.root, NSEXEC_EXIT_SETUP);
    return;
  }
  if (root_fd < 0 && (root_fd = open(cfg.root, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) fail("open", cfg.root, NSEXEC_EXIT_SETUP);
  if (strcmp(o->a, "mask") == 0) return do_mask(o->c);
  if (strcmp(o->a, "ro") == 0) return do_readonly(o->c, flags);
  int bind = strcmp(o->a, "bind") == 0;
  int fd = bind ? bind_target(o->b, o->c) : mkdir_in_root(o->c);
  const char *dst = fd_path(fd);
  if (bind) {
    if (mount(o->b, dst, NULL, MS_BIND | (rec ? MS_REC : 0), NULL) < 0) fail("mount bind", o->b, NSEXEC_EXIT_SETUP);
    if (flags) { /* MS_BIND ignores flags on the first call: remount the new mount's top */
      close(fd);
      if ((fd = resolve_in_root(o->c, 0)) < 0) fail("openat2", o->c, NSEXEC_EXIT_SETUP);
      remount(fd_path(fd), o->c, flags);
    }
  } else if (mount(o->b, dst, o->a, flags, data) < 0) {
    char op[64];
    snprintf(op, sizeof op, "mount %s", o->a);
    fail(op, o->c, NSEXEC_EXIT_SETUP);
  }
  close(fd);
}

static void do_dev(const struct op *o) {
  char base[4096];
  int dir = parent_in_root(o->a, base, sizeof base);
  mode_t mode = (mode_t)strtoul(o->b, NULL, 8);
  dev_t dev = makedev(strtoul(o->c, NULL, 10), strtoul(o->d, NULL, 10));
  if (mknodat(dir, base, S_IFCHR | mode, dev) < 0) fail("mknod", o->a, NSEXEC_EXIT_SETUP);
  int fd = openat(dir, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  /* mknod obeys the umask; chmod through the node's own fd (an O_PATH fd: via /proc). */
  if (fd < 0 || chmod(fd_path(fd), mode) < 0) fail("chmod", o->a, NSEXEC_EXIT_SETUP);
  close(fd);
  close(dir);
}

static void do_symlink(const struct op *o) {
  char base[4096];
  int dir = parent_in_root(o->b, base, sizeof base);
  if (symlinkat(o->a, dir, base) < 0 && errno != EEXIST) fail("symlink", o->b, NSEXEC_EXIT_SETUP);
  close(dir);
}

/* "scratch DIR SIZE": the writable layer's own tmpfs, of SIZE, in our mount namespace only (it
 * dies with the container: nothing to unmount on the host, and writes past SIZE get ENOSPC). */
static void mount_scratch(void) {
  char opts[128], path[4096];
  snprintf(opts, sizeof opts, "size=%s,mode=0700", cfg.scratch_size);
  if (mount("tmpfs", cfg.scratch, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0) fail("mount tmpfs", cfg.scratch, NSEXEC_EXIT_SETUP);
  for (int i = 0; i < 2; i++) {
    snprintf(path, sizeof path, "%s/%s", cfg.scratch, i ? "work" : "upper");
    if (mkdir(path, 0755) < 0) fail("mkdir", path, NSEXEC_EXIT_SETUP);
  }
}

/* pivot_root(".", ".") then detach the old root: runc's trick, no temporary directory needed. */
static void pivot(void) {
  if (chdir(cfg.root) < 0) fail("chdir", cfg.root, NSEXEC_EXIT_SETUP);
  if (syscall(SYS_pivot_root, ".", ".") < 0) fail("pivot_root", cfg.root, NSEXEC_EXIT_SETUP);
  if (umount2(".", MNT_DETACH) < 0) fail("umount2", "old root", NSEXEC_EXIT_SETUP);
  if (chdir("/") < 0) fail("chdir", "/", NSEXEC_EXIT_SETUP);
}

static void lo_up(void) {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct ifreq ifr;
  if (s < 0) fail("socket", "AF_INET", NSEXEC_EXIT_SETUP);
  memset(&ifr, 0, sizeof ifr);
  strcpy(ifr.ifr_name, "lo");
  if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) fail("ioctl SIOCGIFFLAGS", "lo", NSEXEC_EXIT_SETUP);
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) fail("ioctl SIOCSIFFLAGS", "lo", NSEXEC_EXIT_SETUP);
  close(s);
}

/* Bounding set first (needs CAP_SETPCAP, which capset may remove), then ambient, then capset. */
static void drop_caps(void) {
  for (int c = 0; c < 64; c++)
    if (!(cfg.caps & (1ull << c)) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
      fail("prctl PR_CAPBSET_DROP", "-", NSEXEC_EXIT_SETUP);
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
    fail("prctl PR_CAP_AMBIENT_CLEAR_ALL", "-", NSEXEC_EXIT_SETUP);
  struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2];
  for (int i = 0; i < 2; i++) {
    uint32_t v = (uint32_t)(cfg.caps >> (32 * i));
    data[i].effective = data[i].permitted = v;
    data[i].inheritable = 0; /* as runc: a file's inheritable caps must not regain dropped ones (CVE-2022-24769) */
  }
  if (syscall(SYS_capset, &hdr, data) < 0) fail("capset", "-", NSEXEC_EXIT_SETUP);
}

static void exec_command(void) {
  const char *cmd = cfg.argv[0];
  if (strchr(cmd, '/')) {
    phase("exec");
    execve(cmd, cfg.argv, cfg.env);
    fail("execve", cmd, NSEXEC_EXIT_EXEC);
  }
  const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  for (int i = 0; i < cfg.nenv; i++)
    if (strncmp(cfg.env[i], "PATH=", 5) == 0) path = cfg.env[i] + 5;
  char dirs[4096], full[4096];
  snprintf(dirs, sizeof dirs, "%s", path);
  phase("exec");
  for (char *d = strtok(dirs, ":"); d; d = strtok(NULL, ":")) {
    snprintf(full, sizeof full, "%s/%s", d, cmd);
    execve(full, cfg.argv, cfg.env);
  }
  errno = ENOENT;
  fail("execve", cmd, NSEXEC_EXIT_EXEC);
}

/* ---- where the child starts ----
 * A new task goes to the idlest CPU, i.e. not ours, although we are about to sleep until it
 * execs: that costs a cross-CPU wake-up (~0.15 ms in a VM, where it is an IPI to a halted vCPU).
 * So we pin ourselves to this CPU around the clone, and the child takes back the CPUs we had
 * before it runs anything else: the command runs with exactly the caller's affinity. */
static cpu_set_t own_cpus;
static int pinned;

static void pin_here(void) {
  cpu_set_t here;
  int cpu = sched_getcpu();
  if (cpu < 0 || sched_getaffinity(0, sizeof own_cpus, &own_cpus) < 0) return;
  CPU_ZERO(&here);
  CPU_SET(cpu, &here);
  pinned = sched_setaffinity(0, sizeof here, &here) == 0;
}

/* In the child first (before anything can fail), and in the parent once the child has gone. */
static void unpin(void) {
  if (pinned) (void)sched_setaffinity(0, sizeof own_cpus, &own_cpus);
}

/* ---- marks: the command's stdout through us, so that we (a blocking reader) stamp its lines ----
 * With `mark` keywords the command's stdout is a pipe to this launcher, which copies every chunk
 * to its own stdout (the caller's stream) and reports "T <name> <ns>" the first time a complete
 * line starting with a mark's prefix arrives, right after read() returns and before the copy.
 * The caller's event loop (woken late, busy, on another CPU) is then not part of the figure. */
static int relay_fds[2] = {-1, -1}; /* pipe: the command writes [1], we read [0] */

/* In the child, first thing: stdout becomes the pipe (the read end closes at exec). */
static void relay_child(void) {
  if (relay_fds[1] >= 0 && dup2(relay_fds[1], STDOUT_FILENO) < 0) fail("dup2", "stdout", NSEXEC_EXIT_SETUP);
}

static char line_head[MAX_MARK_LEN];
static size_t line_len; /* bytes of the current line seen so far (line_head keeps the first ones) */

static void scan_marks(const char *b, size_t n, uint64_t at) {
  for (size_t i = 0; i < n; i++) {
    if (b[i] != '\n') {
      if (line_len < sizeof line_head) line_head[line_len] = b[i];
      line_len++;
      continue;
    }
    for (int m = 0; m < cfg.nmarks; m++) {
      struct mark *k = &cfg.marks[m];
      if (!k->seen && line_len >= k->len && memcmp(line_head, k->prefix, k->len) == 0) {
        k->seen = 1;
        /* Not held back: the copy below wakes the caller now anyway, and it wants both. */
        int keep = defer_reports;
        defer_reports = 0;
        report("%c %s %llu", NSEXEC_MSG_TIME, k->name, (unsigned long long)at);
        defer_reports = keep;
      }
    }
    line_len = 0;
  }
}

/* One chunk from the pipe to our stdout; 0 at EOF. Output nobody reads any more is dropped, so
 * the command never blocks on us. */
static char relay_buf[65536]; /* static: a spare writes it once while idle (page faults) */
static int relay_once(void) {
  static int sink_ok = 1;
  ssize_t n = read(relay_fds[0], relay_buf, sizeof relay_buf);
  if (n < 0) return errno == EINTR || errno == EAGAIN ? 1 : 0;
  if (n == 0) return 0;
  scan_marks(relay_buf, (size_t)n, mono_ns());
  for (ssize_t off = 0; sink_ok && off < n;) {
    ssize_t w = write(STDOUT_FILENO, relay_buf + off, (size_t)(n - off));
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) sink_ok = 0;
    else off += w;
  }
  return 1;
}

/* Compiled by the launcher before the clone (so a bad profile fails before anything exists);
 * installed by the child last, right before execve, which the profile must allow. */
static struct sock_fprog seccomp_prog;

static void compile_seccomp(void) {
  const char *what = "-";
  int rc = cfg.seccomp ? nsexec_seccomp_compile(cfg.seccomp, &seccomp_prog, &what) : 0;
  if (rc < 0) {
    errno = -rc;
    fail("seccomp compile", what, NSEXEC_EXIT_SETUP);
  }
}

static void install_seccomp(void) {
  if (cfg.seccomp && nsexec_seccomp_install(&seccomp_prog) < 0) fail("seccomp install", "-", NSEXEC_EXIT_SETUP);
}

/* Opened while host paths are still visible (before pivot_root); written after. */
static int cgroup_fds[MAX_CGROUPS];

static void open_cgroups(void) {
  for (int i = 0; i < cfg.ncgroups; i++)
    if ((cgroup_fds[i] = open(cfg.cgroup_procs[i], O_WRONLY | O_CLOEXEC)) < 0)
      fail("open cgroup.procs", cfg.cgroup_procs[i], NSEXEC_EXIT_SETUP);
}

/* "0" = the writing task: the child joins by itself, so its (suspended) parent has no part in it. */
static void join_cgroups(void) {
  for (int i = 0; i < cfg.ncgroups; i++) {
    if (write(cgroup_fds[i], "0", 1) != 1) fail("write cgroup.procs", cfg.cgroup_procs[i], NSEXEC_EXIT_SETUP);
    close(cgroup_fds[i]);
  }
}

/* Runs on its own stack in the helper's address space (CLONE_VM | CLONE_VFORK, see main path):
 * only syscalls and our own formatting code; the parent is suspended until execve or _exit. */
static int child(void *unused) {
  (void)unused;
  stage = "child";
  unpin();
  /* Our own session and process group, and so no controlling terminal: TIOCSTI on /dev/tty, or
   * kill(0, ...), cannot reach the caller's terminal or process group. */
  if (setsid() < 0) fail("setsid", "-", NSEXEC_EXIT_SETUP);
  relay_child();
  /* If the helper dies (its caller was SIGKILLed), the whole pid namespace goes with it. */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) fail("prctl PR_SET_PDEATHSIG", "-", NSEXEC_EXIT_SETUP);
  phase("namespaces");
  open_cgroups();
  if ((cfg.ns_flags & CLONE_NEWNS) && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    fail("mount private", "/", NSEXEC_EXIT_SETUP);
  if (cfg.scratch) mount_scratch();
  for (int i = 0; i < cfg.nops; i++) {
    const struct op *o = &cfg.ops[i];
    if (o->kind == OP_MOUNT) do_mount(o);
    else if (o->kind == OP_DEV) do_dev(o);
    else do_symlink(o);
  }
  if (cfg.root) {
    phase("rootfs");
    pivot();
    phase("pivot");
  }
  if (cfg.hostname && sethostname(cfg.hostname, strlen(cfg.hostname)) < 0) fail("sethostname", cfg.hostname, NSEXEC_EXIT_SETUP);
  if (cfg.lo_up) lo_up();
  /* PRIVILEGED: cgroup.procs writes. Before exec: the command never runs outside its cgroups. */
  join_cgroups();
  /* After the join, so the namespace's cgroup root is the container's cgroup, not the host's. */
  if (cfg.newcgroup && unshare(CLONE_NEWCGROUP) < 0) fail("unshare CLONE_NEWCGROUP", "-", NSEXEC_EXIT_SETUP);
  phase("cgroup");
  if (cfg.cwd && chdir(cfg.cwd) < 0) fail("chdir", cfg.cwd, NSEXEC_EXIT_SETUP);
  if (cfg.have_caps) drop_caps();
  if (cfg.no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) fail("prctl PR_SET_NO_NEW_PRIVS", "-", NSEXEC_EXIT_SETUP);
  install_seccomp();
  exec_command();
  return 0; /* not reached */
}

/* ---- no namespaces, no root, no cgroups ("plain": the bare environment): vfork + exec ---- */

static int plain(void) {
  return !cfg.root && !cfg.ns_flags && !cfg.newcgroup && !cfg.ncgroups && !cfg.hostname && !cfg.lo_up;
}

/* vfork: the child borrows our address space until execve, so the exec does not have to tear
 * down a private copy (measured on this host: fork+exec 3.5 ms to main(), vfork+exec 2.1 ms,
 * which is what posix_spawn and so hyperfine do). The child only makes syscalls, reports a
 * failure and _exits, or execs; we are suspended meanwhile. */
static pid_t plain_child(void) {
  pid_t pid = vfork();
  if (pid != 0) {
    stage = "parent"; /* the child wrote our (shared) memory */
    return pid;
  }
  stage = "child";
  phase("forked");
  unpin();
  relay_child();
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) fail("prctl PR_SET_PDEATHSIG", "-", NSEXEC_EXIT_SETUP);
  if (cfg.cwd && chdir(cfg.cwd) < 0) fail("chdir", cfg.cwd, NSEXEC_EXIT_SETUP);
  if (cfg.have_caps) drop_caps();
  if (cfg.no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) fail("prctl PR_SET_NO_NEW_PRIVS", "-", NSEXEC_EXIT_SETUP);
  install_seccomp();
  exec_command();
  return 0; /* not reached */
}

/* ---- parent: seccomp compile, clone, wait (relaying stdout), report exit ---- */

/* A launcher's lines so far (its own and, through the shared memory, the child's up to execve)
 * go out STATUS_HOLD_MS after the exec or when the command ends, whichever is first: not while
 * the command is starting, when waking the caller would compete with the start being timed.
 * The timestamps inside the lines are unaffected; only the caller learns the pid a bit later. */
#define STATUS_HOLD_MS 20
static void release_hold(void) {
  if (taken_fd >= 0) {
    /* Not when the request arrived: waking the server then (on this CPU, as the kernel prefers
     * for a sync wake-up) delayed the launch by ~0.2 ms. It refills its pool after this. */
    (void)!write(taken_fd, "t", 1);
    close(taken_fd);
    taken_fd = -1;
  }
  flush_reports(); /* the end lines (T exited, U, X) will go out together as well */
}

/* Waits for the command's end (reaped into *status, *ru), relaying its stdout meanwhile if marks
 * are on, and releasing our held lines STATUS_HOLD_MS after the exec or at the end. */
static void wait_command(pid_t pid, int *status, struct rusage *ru) {
  int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
  uint64_t release_at = mono_ns() + STATUS_HOLD_MS * 1000000ull;
  int relaying = relay_fds[0] >= 0, held = 1;
  /* Without a pidfd (kernel < 5.3) we cannot wait for both: relay to EOF, then wait. */
  while (pidfd >= 0 || relaying) {
    uint64_t now = mono_ns();
    if (held && now >= release_at) release_hold(), held = 0;
    struct pollfd p[2] = {{relaying ? relay_fds[0] : -1, POLLIN, 0}, {pidfd, POLLIN, 0}};
    int r = poll(p, 2, held ? (int)((release_at - now) / 1000000ull) + 1 : -1);
    if (r < 0 && errno != EINTR) break;
    if (r <= 0) continue;
    if (p[0].revents && !relay_once()) relaying = 0;
    if (p[1].revents) break; /* ended: reaped below */
  }
  if (pidfd >= 0) close(pidfd);
  while (wait4(pid, status, 0, ru) < 0)
    if (errno != EINTR) fail("waitpid", "-", NSEXEC_EXIT_SETUP);
  if (held) release_hold();
}

static unsigned long long rusage_ns(const struct rusage *ru) {
  return ((unsigned long long)(ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1000000ull +
          (unsigned long long)(ru->ru_utime.tv_usec + ru->ru_stime.tv_usec)) * 1000ull;
}

static void forward(int sig) {
  if (child_pid > 0) kill(child_pid, sig);
}

/* One launch (protocol v1): argv in, status lines on fd 3, exit status = the command's. Runs in a
 * fresh process: the one-shot ctvm-nsexec, or a launcher forked by serve(). */
static int run_oneshot(int argc, char **argv) {
  if (fcntl(NSEXEC_STATUS_FD, F_SETFD, FD_CLOEXEC) < 0) return NSEXEC_EXIT_USAGE; /* no status fd */
  phase("helper");
  parse_args(argc, argv);
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) fail("prctl PR_SET_PDEATHSIG", "-", NSEXEC_EXIT_SETUP);
  if (cfg.nmarks && pipe2(relay_fds, O_CLOEXEC) < 0) fail("pipe2", "-", NSEXEC_EXIT_SETUP);
  compile_seccomp();
  /* PRIVILEGED (bpf). Before the clone: the command never runs in its cgroup without the filter. */
  const char *op;
  if (cfg.devices_dir && devices_bpf_attach(cfg.devices_dir, cfg.devices_rules, &op) < 0) fail(op, cfg.devices_dir, NSEXEC_EXIT_SETUP);
  pid_t pid;
  pin_here();
  if (plain()) {
    pid = plain_child();
    if (pid < 0) fail("vfork", "-", NSEXEC_EXIT_SETUP);
  } else {
    /* Namespaces created atomically by clone. CLONE_VM | CLONE_VFORK (what posix_spawn does):
     * the child borrows our memory, so neither clone nor its execve copy or tear down an
     * address space (here that is ~1.4 ms of a container start); we sleep until it execs. */
    static char stack[256 * 1024] __attribute__((aligned(16)));
    pid = clone(child, stack + sizeof stack, CLONE_VM | CLONE_VFORK | cfg.ns_flags | SIGCHLD, NULL);
    if (pid < 0) fail("clone", "-", NSEXEC_EXIT_SETUP);
    stage = "parent"; /* the child wrote our (shared) memory */
  }
  unpin();
  child_pid = pid;
  /* The command has its own copies of stdout/stderr now: drop ours so that the caller sees EOF
   * when the command (not also this waiting launcher) is done with them. Relaying, our stdout is
   * the caller's stream and the pipe's write end is the command's alone. */
  int nul = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (relay_fds[1] >= 0) close(relay_fds[1]), relay_fds[1] = -1;
  else if (nul >= 0) dup2(nul, STDOUT_FILENO);
  if (nul >= 0) dup2(nul, STDERR_FILENO), close(nul);
  struct sigaction sa = {0};
  sa.sa_handler = forward;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
  report("%c %d", NSEXEC_MSG_PID, pid);
  int status;
  struct rusage ru;
  wait_command(pid, &status, &ru);
  phase("exited");
  report("%c %llu", NSEXEC_MSG_RUSAGE, rusage_ns(&ru));
  int code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
  if (WIFSIGNALED(status)) report("%c signal %d", NSEXEC_MSG_EXIT, WTERMSIG(status));
  else report("%c code %d", NSEXEC_MSG_EXIT, WEXITSTATUS(status));
  stop_deferring();
  /* Output still held open by someone the command left behind (bare: a daemon) still reaches
   * the caller, after our report; the caller waits for that EOF as it would without us. */
  if (relay_fds[0] >= 0)
    while (relay_once()) {
    }
  return code;
}

/* ---- serve: the resident launcher (protocol v2, native/README.md) ----
 * Node pays ~10 ms to spawn any process on this host (fork of a big process); this small static
 * process forks in well under a millisecond. So Node starts it once and asks it for launches.
 * Fast path: a pre-forked "spare" launcher that has already connected its status/out/err streams
 * to the caller's socket; the caller writes the request straight to the spare's status connection
 * (no hop through the server, no connect or fork on the critical path). Slow path (no idle spare,
 * e.g. a burst of concurrent launches): the request goes to our stdin and we fork a launcher. */

#define MAX_ARGS 4096
#define SPARE_IDLE_MS 20

static int inherit_out_fd = -1; /* the caller's stdout, passed to us as fd NSEXEC_INHERIT_FD */
static int inherit_err_fd = -1; /* our own stderr (the caller's), kept apart: launchers reuse fd 2 */
static const char *sock_path;
#define SPARES NSEXEC_SPARES
static pid_t spare_pid[SPARES] = {-1, -1}; /* idle spares, -1 = none */
static int spare_fd[SPARES] = {-1, -1};    /* read ends of the pipes on which they say "taken" */

struct request {
  unsigned long long id;
  char out[16], err[16];
  int argc;           /* including argv[0] */
  char *argv[MAX_ARGS + 2];
};

static void reply(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void reply(const char *fmt, ...) {
  char buf[128];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (write(STDOUT_FILENO, buf, n) != n) _exit(0); /* the caller is gone */
}

/* One "L <id> <out> <err> <argc>\n" + argc NUL-terminated strings at buf[0..len): returns its
 * length with *r filled (argv points into buf), 0 if incomplete. Exits on garbage (a caller bug:
 * the caller then sees the stream close). */
static size_t parse_request(char *buf, size_t len, struct request *r) {
  char *end = buf + len, *nl = memchr(buf, '\n', len);
  if (!nl) return 0;
  *nl = 0;
  int n = sscanf(buf, "L %llu %15s %15s %d", &r->id, r->out, r->err, &r->argc);
  *nl = '\n';
  if (n != 4 || r->argc < 1 || r->argc > MAX_ARGS) _exit(NSEXEC_EXIT_USAGE);
  char *p = nl + 1;
  r->argv[0] = "ctvm-nsexec";
  for (int i = 0; i < r->argc; i++) {
    char *z = memchr(p, 0, end - p);
    if (!z) return 0;
    r->argv[i + 1] = p;
    p = z + 1;
  }
  r->argv[++r->argc] = NULL;
  return p - buf;
}

/* A connection to the caller's socket announcing "<tag> <kind>\n", or -1. */
static int connect_stream(const char *tag, const char *kind) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  snprintf(addr.sun_path, sizeof addr.sun_path, "%s", sock_path);
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0 || connect(s, (struct sockaddr *)&addr, sizeof addr) < 0) return -1;
  char hdr[64];
  int n = snprintf(hdr, sizeof hdr, "%s %s\n", tag, kind);
  return write(s, hdr, n) == n ? s : -1;
}

/* Moves fd onto target (0-3) and marks nothing close-on-exec (run_oneshot marks fd 3). */
static void place(int fd, int target) {
  if (fd < 0 || (fd != target && dup2(fd, target) < 0)) _exit(NSEXEC_EXIT_SETUP);
  if (fd != target && fd > 3) close(fd);
}

/* fd 1 or 2 for an output mode: the connected stream (pipe), the caller's fd, or /dev/null. */
static void output_mode(int target, const char *mode, int inherit) {
  if (strcmp(mode, "ignore") == 0) place(open("/dev/null", O_WRONLY | O_CLOEXEC), target);
  else if (strcmp(mode, "inherit") == 0) place(fcntl(inherit, F_DUPFD_CLOEXEC, 4), target);
  /* "pipe": the stream connected earlier stays. Replacing it closes it: the caller sees EOF. */
}

/* A launcher runs SCHED_FIFO (priority 1) once its set-up is done, so that whenever it wakes —
 * for the request, when the child execs, for each chunk of output it stamps and relays, for the
 * exit — it runs at once instead of after whatever the caller or the command is doing on that
 * CPU: the stamps are then within microseconds of the event. SCHED_RESET_ON_FORK: the command
 * (and anything it forks) runs under the normal policy, exactly as without us. It sleeps for all
 * but microseconds per event, so it takes nothing measurable from the command. Best effort:
 * without CAP_SYS_NICE, or in a cpu cgroup without an RT budget, it stays SCHED_OTHER. */
static void launcher_priority(void) {
  struct sched_param rt = {.sched_priority = 1};
  (void)sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &rt);
}

/* First thing in every forked launcher: undo the server's signal set-up, die with the server. */
static void launcher_init(pid_t server) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  signal(SIGCHLD, SIG_DFL); signal(SIGINT, SIG_DFL); signal(SIGHUP, SIG_DFL); signal(SIGPIPE, SIG_DFL);
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != server) _exit(NSEXEC_EXIT_SETUP);
  place(open("/dev/null", O_RDONLY | O_CLOEXEC), 0); /* also drops our request pipe */
}

/* fds 0-3 are wired and the request is parsed: apply output modes, run it. Never returns. */
static void launcher_run(struct request *r, uint64_t start_ns) {
  defer_reports = 1;
  output_mode(1, r->out, inherit_out_fd);
  output_mode(2, r->err, inherit_err_fd);
  if (inherit_out_fd > 3) close(inherit_out_fd);
  if (inherit_err_fd > 3 && inherit_err_fd != inherit_out_fd) close(inherit_err_fd);
  report("%c launcher %llu", NSEXEC_MSG_TIME, (unsigned long long)start_ns);
  _exit(run_oneshot(r->argc, r->argv));
}

/* Slow path, in a launcher forked for request r: connect the streams tagged with its id. */
static void launcher_forked(struct request *r) {
  uint64_t start_ns = mono_ns();
  launcher_priority();
  char tag[32];
  snprintf(tag, sizeof tag, "%llu", r->id);
  place(connect_stream(tag, "status"), 3); /* first: later failures can be reported on it */
  place(strcmp(r->out, "pipe") == 0 ? connect_stream(tag, "out") : open("/dev/null", O_WRONLY), 1);
  place(strcmp(r->err, "pipe") == 0 ? connect_stream(tag, "err") : open("/dev/null", O_WRONLY), 2);
  launcher_run(r, start_ns);
}

/* Faults in the stack pages that the launch's calls will use: a frame below ours, touched through
 * a volatile lvalue (a memset of it is a dead store that -O2 deletes), then left for them. */
static __attribute__((noinline)) void warm_stack(void) {
  volatile char pages[32768];
  for (size_t i = 0; i < sizeof pages; i += 4096) pages[i] = 0;
}

/* Fast path: the spare touches the memory and runs the code a launch needs (so its page faults
 * happen now, not during the launch), connects "spare <pid>" streams, then waits for a request
 * on fd 3. */
static void spare_main(int taken) {
  static struct request r;
  static char buf[1 << 16];
  memset(&r, 0, sizeof r);
  memset(&cfg, 0, sizeof cfg);
  memset(buf, 0, sizeof buf);
  warm_stack();
  /* The code a launch runs first, run once now: the first sscanf/vsnprintf and vDSO clock read
   * in a fresh fork cost ~0.3 ms here (page faults cost tens of microseconds each in this VM).
   * The buffers a launch writes are written now too. (mlockall(MCL_CURRENT) would fault in all
   * ~1 MB, which made the pool refill that runs next to the following launch cost milliseconds.) */
  static char warm[] = "L 0 pipe pipe 1\nx";
  char line[64];
  parse_request(warm, sizeof warm, &r);
  snprintf(line, sizeof line, "%c %s %llu", NSEXEC_MSG_TIME, "warm", (unsigned long long)mono_ns());
  memset(&r, 0, sizeof r);
  memset(deferred, 0, sizeof deferred);
  memset(relay_buf, 0, sizeof relay_buf);
  launcher_priority();
  /* Connected last: the caller takes our third connection as "refilled, and quiet". */
  char tag[32];
  snprintf(tag, sizeof tag, "spare %d", (int)getpid());
  place(connect_stream(tag, "status"), 3);
  place(connect_stream(tag, "out"), 1);
  place(connect_stream(tag, "err"), 2);
  size_t len = 0;
  for (;;) {
    ssize_t n = read(NSEXEC_STATUS_FD, buf + len, sizeof buf - len - 1);
    if (n <= 0) _exit(0); /* the caller closed us (it is going away): nothing to do */
    len += n;
    if (parse_request(buf, len, &r) > 0) break;
    if (len == sizeof buf - 1) _exit(NSEXEC_EXIT_USAGE); /* requests that big take the slow path */
  }
  uint64_t start_ns = mono_ns();
  taken_fd = taken; /* "taken" goes to the server once the command runs (release_hold) */
  launcher_run(&r, start_ns);
}

static int have_all_spares(void) {
  for (int i = 0; i < SPARES; i++)
    if (spare_pid[i] < 0) return 0;
  return 1;
}

/* Tops the pool up: called when a launch ended (the caller is busy with its exit, so the fork
 * and the new spare's set-up land between launches) or after SPARE_IDLE_MS without a full pool;
 * never the moment a spare is taken, when that work would compete with the launch itself. */
static void refill_spares(void) {
  for (int i = 0; i < SPARES; i++) {
    int p[2];
    if (spare_pid[i] > 0 || pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0) continue;
    pid_t server = getpid();
    pid_t pid = fork();
    if (pid == 0) {
      launcher_init(server);
      close(p[0]);
      spare_main(p[1]);
    }
    close(p[1]);
    if (pid < 0) { close(p[0]); return; }
    spare_pid[i] = pid;
    spare_fd[i] = p[0];
  }
}

static void forget_spare(int i) {
  close(spare_fd[i]);
  spare_pid[i] = -1;
  spare_fd[i] = -1;
}

/* Slow path: fork a launcher for request r; "S <id> <pid>" so the caller can match its pid. */
static void spawn_launch(struct request *r) {
  pid_t server = getpid();
  pid_t pid = fork();
  if (pid == 0) {
    launcher_init(server);
    launcher_forked(r);
  }
  if (pid < 0) {
    const char *name = strerrorname_np(errno);
    reply("%c %llu %s\n", NSEXEC_REPLY_FAILED, r->id, name ? name : "EUNKNOWN");
    return;
  }
  reply("%c %llu %d\n", NSEXEC_REPLY_STARTED, r->id, (int)pid);
}

/* Reaps every finished child: "D <pid> <wait status> <CPU ns of it and its reaped children>".
 * Returns whether a launch ended (a moment when a fork competes with nothing we measure). */
static int reap(void) {
  int status, ended = 0;
  struct rusage ru;
  pid_t pid;
  while ((pid = wait4(-1, &status, WNOHANG, &ru)) > 0) {
    ended = 1;
    for (int i = 0; i < SPARES; i++) {
      if (pid != spare_pid[i]) continue;
      /* A spare that was taken says "t" once its command runs; a short launch can end before we
       * read it. Only a spare with nothing said died idle (its caller sees EOF): no launch ended. */
      char t;
      ended = read(spare_fd[i], &t, 1) == 1;
      forget_spare(i);
    }
    reply("%c %d %d %llu\n", NSEXEC_REPLY_DONE, (int)pid, status, rusage_ns(&ru));
  }
  return ended;
}

/* Launches every complete request in buf[0..len); returns the bytes consumed. */
static size_t handle_requests(char *buf, size_t len) {
  static struct request r;
  size_t used = 0, n;
  while ((n = parse_request(buf + used, len - used, &r)) > 0) {
    spawn_launch(&r);
    used += n;
  }
  return used;
}

static void on_sigchld(int sig) { (void)sig; } /* only interrupts ppoll */

static int serve(const char *sock) {
  sock_path = sock;
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) return NSEXEC_EXIT_SETUP;
  signal(SIGINT, SIG_IGN); /* Ctrl-C is the caller's to handle; we die with it (PDEATHSIG) */
  signal(SIGHUP, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  inherit_out_fd = fcntl(NSEXEC_INHERIT_FD, F_DUPFD_CLOEXEC, 10); /* fds 0-3 are for launchers */
  close(NSEXEC_INHERIT_FD);
  /* Launchers put their "err" stream on fd 2: "inherit" must reach the stderr we were given. */
  inherit_err_fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 10);
  if (inherit_out_fd < 0) inherit_out_fd = inherit_err_fd; /* no fd 3 given: "inherit" = our stderr */
  /* SIGCHLD only arrives inside ppoll: no race between the WNOHANG loop and the wait. */
  sigset_t chld, orig;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, &orig);
  struct sigaction sa = {0};
  sa.sa_handler = on_sigchld;
  sigaction(SIGCHLD, &sa, NULL);
  size_t cap = 65536, len = 0;
  char *buf = malloc(cap);
  refill_spares();
  for (;;) {
    if (reap()) refill_spares();
    struct pollfd pfd[1 + SPARES] = {{STDIN_FILENO, POLLIN, 0}};
    for (int i = 0; i < SPARES; i++) pfd[1 + i] = (struct pollfd){spare_pid[i] > 0 ? spare_fd[i] : -1, POLLIN, 0};
    struct timespec idle = {0, SPARE_IDLE_MS * 1000000L};
    int r = ppoll(pfd, 1 + SPARES, have_all_spares() ? NULL : &idle, &orig);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return NSEXEC_EXIT_SETUP;
    if (r == 0) { refill_spares(); continue; }
    for (int i = 0; i < SPARES; i++)
      if (pfd[1 + i].revents) forget_spare(i); /* taken (or died: reaped above) */
    if (!pfd[0].revents) continue;
    if (len == cap && !(buf = realloc(buf, cap *= 2))) return NSEXEC_EXIT_SETUP;
    ssize_t n = read(STDIN_FILENO, buf + len, cap - len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return 0; /* the caller closed stdin (or died): launchers die with us */
    len += n;
    size_t used = handle_requests(buf, len);
    memmove(buf, buf + used, len - used);
    len -= used;
  }
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "serve") == 0) return serve(argv[2]);
  return run_oneshot(argc, argv);
}
