/*
 * ctvm-attack: the escape suite, a hostile-but-bounded workload. Static, like ctvm-probe, so the
 * same bytes run as a host process (bare, the reference), in a container rootfs and inside a
 * VM's initramfs.
 *
 * Usage: ctvm-attack [--fill-mib N] [--timeout-s N] all | list | <attack>...
 *
 * Protocol (stdout):
 *   READY                                          first, before any attack
 *   ATTACK <name> contained|escaped|skipped <evidence>   one line per attack, in order
 *   RESULT mode=attack ns=.. escaped=.. contained=.. skipped=.. attack.<name>=<verdict>:<evidence> ...
 * The RESULT line repeats every verdict so that each environment's existing RESULT transport
 * carries them to the runner (src/workload/attack-protocol.ts parses both forms). Evidence never
 * holds spaces. Exit status 0 whenever the suite ran (an escape is a finding, not a failure).
 *
 * Each attack runs in a forked child with a deadline (SIGKILL after --timeout-s, default 20 s)
 * and PDEATHSIG, so one attack's namespace changes never leak into the next, a hung or OOM-killed
 * attack still yields a line, and nothing outlives the suite. "escaped" means the operation got
 * past the permission check the environment should impose; every probe is chosen so that getting
 * past that check changes nothing: invalid arguments after the check (kexec_load, finit_module,
 * swapon, reboot, clock_adjtime), opens without writes (sysrq, core_pattern, /sys, devices),
 * rewriting a cgroup limit with its own current value, the ptrace access check through
 * /proc/<pid>/mem (no attach),
 * and fill files unlinked as soon as they are created (the space returns when the child exits).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <linux/reboot.h>
#include <sys/timex.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef KEXEC_ARCH_DEFAULT
#define KEXEC_ARCH_DEFAULT 0
#endif

static long g_fill_mib = 256;
static long g_timeout_s = 20;
static pid_t g_suite_pid;

/* ---- verdict of the attack running in this (child) process -------------------------------- */

static const char *g_verdict = "skipped";
static char g_evidence[200] = "no-verdict";

static void verdict(const char *v, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  g_verdict = v;
  vsnprintf(g_evidence, sizeof g_evidence, fmt, ap);
  va_end(ap);
}
#define CONTAINED(...) verdict("contained", __VA_ARGS__)
#define ESCAPED(...) verdict("escaped", __VA_ARGS__)
#define SKIPPED(...) verdict("skipped", __VA_ARGS__)

static const char *en(int e) {
  const char *n = strerrorname_np(e);
  return n ? n : "E?";
}

/* Denied by a filter or a missing capability: the answers a contained environment gives. */
static int denied(int e) { return e == EPERM || e == EACCES; }

/* ENOSYS: this kernel lacks the call (or a filter answers so): nothing to judge. */
#define NOSYS_SKIP(call)                                                  \
  do {                                                                    \
    if (errno == ENOSYS) return SKIPPED("%s=ENOSYS,not-in-kernel-or-filtered", call); \
  } while (0)

#include "say.h"

static int write_file(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = write(fd, text, strlen(text));
  int e = errno;
  close(fd);
  errno = e;
  return n == (ssize_t)strlen(text) ? 0 : -1;
}

static int read_file(const char *path, char *buf, size_t size) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, size - 1);
  int e = errno;
  close(fd);
  if (n < 0) {
    errno = e;
    return -1;
  }
  buf[n] = '\0';
  return 0;
}

/* The value of "Key:" in /proc/self/status, or NULL. */
static const char *status_field(const char *key, char *out, size_t size) {
  static char buf[8192];
  if (read_file("/proc/self/status", buf, sizeof buf) < 0) return NULL;
  size_t klen = strlen(key);
  for (char *line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
    if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
      char *v = line + klen + 1;
      while (*v == ' ' || *v == '\t') v++;
      size_t n = strcspn(v, "\n");
      if (n >= size) n = size - 1;
      memcpy(out, v, n);
      out[n] = '\0';
      return out;
    }
  }
  return NULL;
}

/* ---- the attacks ---------------------------------------------------------------------------- */

/* Item 1: a controlling terminal shared with the caller is what TIOCSTI injects into. We do not
 * inject: having the caller's tty as our controlling terminal is the finding. */
static void a_tiocsti(void) {
  int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return CONTAINED("open(/dev/tty)=%s", en(errno));
  pid_t sid = -1;
  int r = ioctl(fd, TIOCGSID, &sid);
  int e = errno;
  close(fd);
  char legacy[16] = "?";
  if (read_file("/proc/sys/dev/tty/legacy_tiocsti", legacy, sizeof legacy) == 0) legacy[strcspn(legacy, "\n")] = 0;
  if (r < 0) return CONTAINED("open(/dev/tty)=ok,TIOCGSID=%s", en(e));
  if (sid == getsid(0)) return ESCAPED("controlling-tty-shared,tty-sid=%d,legacy_tiocsti=%s", sid, legacy);
  return CONTAINED("tty-sid=%d!=sid=%d", sid, getsid(0));
}

/* Item 1: a session or process-group leader outside our pid namespace reads as 0; kill(0, sig)
 * and the terminal's job control then reach the host. We never send the signal. */
static void a_pgrp_signal(void) {
  pid_t sid = getsid(0), pgid = getpgrp();
  if (sid == 0 || pgid == 0) return ESCAPED("leader-outside-pidns,sid=%d,pgid=%d", sid, pgid);
  return CONTAINED("sid=%d,pgid=%d", sid, pgid);
}

static void a_userns(void) {
  if (unshare(CLONE_NEWUSER) < 0) return CONTAINED("unshare(CLONE_NEWUSER)=%s", en(errno));
  ESCAPED("unshare(CLONE_NEWUSER)=0");
}

/* A mount namespace of our own whose mounts are private (nothing propagates to the host), via a
 * new user namespace when CAP_SYS_ADMIN is missing (`unshare -U -r -m`). NULL (errno set) if not:
 * the callers mount nothing then. */
static const char *own_mount_ns(void) {
  const char *how = "mountns";
  if (unshare(CLONE_NEWNS) < 0) {
    uid_t uid = getuid();
    gid_t gid = getgid();
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0) return NULL;
    char map[64];
    write_file("/proc/self/setgroups", "deny");
    snprintf(map, sizeof map, "0 %u 1", uid);
    if (write_file("/proc/self/uid_map", map) < 0) return NULL;
    snprintf(map, sizeof map, "0 %u 1", gid);
    if (write_file("/proc/self/gid_map", map) < 0) return NULL;
    how = "userns+mountns";
  }
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) return NULL;
  return how;
}

static int cgroup_path(const char *ctrl, char *out, size_t size);

/* A v1 controller is mounted only where its hierarchy already exists (we are in it): mounting it
 * on a v2-only kernel would create a new v1 hierarchy and take the controller from v2. */
static int mount_v1(const char *ctrl) {
  char rel[256];
  if (cgroup_path(ctrl, rel, sizeof rel) < 0) {
    errno = ENOENT;
    return -1;
  }
  return mount("none", "/tmp", "cgroup", 0, ctrl);
}

/* Item 2: `unshare -U -r -m; mount -t cgroup2` (and v1), the first step to raising our limits. */
static void a_mount_cgroup(void) {
  const char *how = own_mount_ns();
  if (!how) return CONTAINED("unshare(NEWUSER|NEWNS)=%s", en(errno));
  if (mount("none", "/tmp", "cgroup2", 0, NULL) == 0) return ESCAPED("%s,mount(cgroup2)=0", how);
  int e2 = errno;
  if (mount_v1("pids") == 0) return ESCAPED("%s,mount(cgroup,pids)=0", how);
  int e1 = errno; /* ENOENT: no v1 pids hierarchy on this kernel, not tried */
  int tmpfs = mount("none", "/tmp", "tmpfs", 0, "size=1m") == 0; /* for the evidence: mounts work at all */
  CONTAINED("%s,mount(cgroup2)=%s,mount(cgroup)=%s,mount(tmpfs)=%s", how, en(e2), en(e1), tmpfs ? "ok" : en(errno));
}

/* Our cgroup's path for a v1 controller (or v2 when ctrl is NULL), from /proc/self/cgroup. */
static int cgroup_path(const char *ctrl, char *out, size_t size) {
  char buf[4096];
  if (read_file("/proc/self/cgroup", buf, sizeof buf) < 0) return -1;
  char *lsave = NULL;
  for (char *line = strtok_r(buf, "\n", &lsave); line; line = strtok_r(NULL, "\n", &lsave)) {
    char *c1 = strchr(line, ':');
    char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (!c2) continue;
    *c2 = '\0';
    const char *ctrls = c1 + 1;
    int match = !ctrl && ctrls[0] == '\0';
    if (ctrl) {
      char copy[256], *save = NULL;
      snprintf(copy, sizeof copy, "%s", ctrls);
      for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
        if (strcmp(t, ctrl) == 0) match = 1;
    }
    if (match) {
      snprintf(out, size, "%s", c2 + 1);
      return 0;
    }
  }
  return -1;
}

/* Rewrites <dir>/<file> with its own current value: proves we could write any value (raising
 * the limit, as the reproduction did: 64 -> 200), while changing nothing. */
static int rewrite_limit(const char *dir, const char *file, char *what, size_t size) {
  char path[512], value[64];
  snprintf(path, sizeof path, "%s/%s", dir, file);
  if (read_file(path, value, sizeof value) < 0) return -1;
  value[strcspn(value, "\n")] = '\0';
  if (write_file(path, value) < 0) return -1;
  snprintf(what, size, "rewrote-%s=%s", file, value);
  return 0;
}

static int try_limits(const char *mnt, const char *ctrl, char *what, size_t size) {
  static const char *files[] = {"pids.max", "memory.limit_in_bytes", "memory.max"};
  char rel[256] = "", dir[512];
  if (cgroup_path(ctrl, rel, sizeof rel) == 0) {
    snprintf(dir, sizeof dir, "%s%s", mnt, rel);
    for (size_t i = 0; i < sizeof files / sizeof *files; i++)
      if (rewrite_limit(dir, files[i], what, size) == 0) return 0;
  }
  for (size_t i = 0; i < sizeof files / sizeof *files; i++)
    if (rewrite_limit(mnt, files[i], what, size) == 0) return 0;
  return -1;
}

/* Item 2: can we write our own pids/memory limit through any cgroupfs we reach or can mount? */
static void a_cgroup_limit(void) {
  char what[160];
  static const char *existing[][2] = {
      {"/sys/fs/cgroup/pids", "pids"}, {"/sys/fs/cgroup/memory", "memory"}, {"/sys/fs/cgroup", NULL}};
  for (size_t i = 0; i < 3; i++)
    if (try_limits(existing[i][0], existing[i][1], what, sizeof what) == 0)
      return ESCAPED("%s:%s", existing[i][0], what);
  const char *how = own_mount_ns();
  if (!how) return CONTAINED("no-writable-cgroupfs,unshare=%s", en(errno));
  if (mount_v1("pids") == 0) {
    if (try_limits("/tmp", "pids", what, sizeof what) == 0) return ESCAPED("%s,mount(cgroup,pids):%s", how, what);
    umount2("/tmp", MNT_DETACH);
  }
  if (mount_v1("memory") == 0) {
    if (try_limits("/tmp", "memory", what, sizeof what) == 0)
      return ESCAPED("%s,mount(cgroup,memory):%s", how, what);
    umount2("/tmp", MNT_DETACH);
  }
  if (mount("none", "/tmp", "cgroup2", 0, NULL) == 0) {
    if (try_limits("/tmp", NULL, what, sizeof what) == 0) return ESCAPED("%s,mount(cgroup2):%s", how, what);
  }
  CONTAINED("%s,no-limit-writable,last=%s", how, en(errno));
}

/* Item 3: a device node made with CAP_MKNOD opens only if a devices cgroup does not deny it. */
static void a_mknod_device(void) {
  static const struct { unsigned maj, min; const char *what; } devs[] = {
      {10, 183, "hwrng"}, {1, 1, "mem"}, {7, 0, "loop0"}, {10, 237, "loop-control"}, {5, 1, "console"}};
  static const char *dirs[] = {"/tmp", "/dev/shm", "/dev", ""};
  char last[96] = "no-writable-dir";
  for (size_t d = 0; d < sizeof dirs / sizeof *dirs; d++) {
    char path[128];
    snprintf(path, sizeof path, "%s/.ctvm-attack-%d-dev", dirs[d], (int)g_suite_pid);
    for (size_t i = 0; i < sizeof devs / sizeof *devs; i++) {
      unlink(path);
      if (mknod(path, S_IFCHR | 0600, makedev(devs[i].maj, devs[i].min)) < 0) {
        snprintf(last, sizeof last, "mknod(c%u:%u)=%s", devs[i].maj, devs[i].min, en(errno));
        if (errno == EPERM) return CONTAINED("%s", last);
        break; /* this directory refuses nodes: try the next */
      }
      int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
      int e = errno;
      unlink(path);
      if (fd >= 0) {
        close(fd);
        return ESCAPED("mknod+open(c%u:%u,%s,in=%s)=ok", devs[i].maj, devs[i].min, devs[i].what,
                       dirs[d][0] ? dirs[d] : "/");
      }
      snprintf(last, sizeof last, "open(c%u:%u,in=%s)=%s", devs[i].maj, devs[i].min, dirs[d][0] ? dirs[d] : "/",
               en(e));
    }
  }
  CONTAINED("%s", last);
}

static void a_keyctl(void) {
  long id = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
  if (id >= 0) return ESCAPED("keyctl(GET_KEYRING_ID,session)=%ld", id);
  if (denied(errno)) return CONTAINED("keyctl=%s", en(errno));
  ESCAPED("keyctl-reachable=%s", en(errno));
}

static void a_bpf(void) {
  struct bpf_insn prog[] = {
      {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
      {.code = BPF_JMP | BPF_EXIT},
  };
  union bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
  attr.insns = (uint64_t)(uintptr_t)prog;
  attr.insn_cnt = 2;
  attr.license = (uint64_t)(uintptr_t) "GPL";
  long fd = syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof attr);
  if (fd < 0) return CONTAINED("bpf(PROG_LOAD,socket_filter)=%s", en(errno));
  close((int)fd);
  ESCAPED("bpf(PROG_LOAD,socket_filter)=fd");
}

/* Is `pid` us or one of our ancestors (what we may trace without leaving our own sandbox)? */
static int is_ancestor(pid_t pid) {
  pid_t p = getpid();
  for (int depth = 0; p > 0 && depth < 64; depth++) {
    if (p == pid) return 1;
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)p);
    if (read_file(path, buf, sizeof buf) < 0) return 0;
    char *rp = strrchr(buf, ')');
    int ppid = 0;
    if (!rp || sscanf(rp + 2, "%*c %d", &ppid) != 1) return 0;
    p = ppid;
  }
  return 0;
}

/* Docker allows ptrace of one's own processes; the escape is reaching a process that is not
 * ours. Targets: user processes that are neither us nor our ancestors (with a pid namespace
 * there are none). Opening /proc/<pid>/mem passes the same PTRACE_MODE_ATTACH check as
 * PTRACE_ATTACH but never stops or touches the target: we neither attach nor read. */
static void a_ptrace(void) {
  char path[64], cmd[64], last[96] = "no-foreign-process-visible";
  int tries = 0;
  for (pid_t pid = 1; pid < 65536 && tries < 16; pid++) {
    snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
    if (read_file(path, cmd, sizeof cmd) < 0 || cmd[0] == '\0') continue; /* none, or a kernel thread */
    if (is_ancestor(pid)) continue;
    tries++;
    snprintf(path, sizeof path, "/proc/%d/mem", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      close(fd);
      return ESCAPED("ptrace-access(open(/proc/%d/mem),%s)=ok", (int)pid, cmd);
    }
    snprintf(last, sizeof last, "ptrace-access(/proc/%d/mem,tried=%d)=%s", (int)pid, tries, en(errno));
  }
  CONTAINED("%s", last);
}

static void a_kexec_load(void) {
  /* Invalid flags: EINVAL only after the CAP_SYS_BOOT check; nothing is loaded or unloaded. */
  if (syscall(SYS_kexec_load, 0UL, 0UL, NULL, 0x100UL | KEXEC_ARCH_DEFAULT) == 0) return ESCAPED("kexec_load=0");
  NOSYS_SKIP("kexec_load");
  if (denied(errno)) return CONTAINED("kexec_load=%s", en(errno));
  ESCAPED("kexec_load(bad-flags)=%s,past-permission-check", en(errno));
}

static void a_module_load(void) {
  /* fd -1: EBADF only after the CAP_SYS_MODULE check. */
  if (syscall(SYS_finit_module, -1, "", 0) == 0) return ESCAPED("finit_module=0");
  NOSYS_SKIP("finit_module");
  if (denied(errno)) return CONTAINED("finit_module=%s", en(errno));
  ESCAPED("finit_module(fd=-1)=%s,past-permission-check", en(errno));
}

static void a_perf_event(void) {
  struct perf_event_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.size = sizeof attr;
  attr.type = PERF_TYPE_SOFTWARE;
  attr.config = PERF_COUNT_SW_CPU_CLOCK;
  attr.disabled = 1;
  /* System-wide on CPU 0: observing the host, not ourselves. */
  long fd = syscall(SYS_perf_event_open, &attr, -1, 0, -1, 0UL);
  if (fd < 0) return CONTAINED("perf_event_open(pid=-1,cpu=0)=%s", en(errno));
  close((int)fd);
  ESCAPED("perf_event_open(pid=-1,cpu=0)=fd");
}

static void a_swapon(void) {
  /* A missing path: ENOENT only after the CAP_SYS_ADMIN check. */
  if (swapon("/.ctvm-attack-no-such-swap", 0) == 0) return ESCAPED("swapon=0");
  if (denied(errno)) return CONTAINED("swapon=%s", en(errno));
  ESCAPED("swapon(missing-file)=%s,past-permission-check", en(errno));
}

static void a_reboot(void) {
  /* A wrong magic2: EINVAL only after the CAP_SYS_BOOT check; nothing reboots or changes. */
  if (syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, 0, LINUX_REBOOT_CMD_CAD_OFF, NULL) == 0) return ESCAPED("reboot=0");
  if (denied(errno)) return CONTAINED("reboot(CAD_OFF)=%s", en(errno));
  ESCAPED("reboot(CAD_OFF,bad-magic)=%s,past-permission-check", en(errno));
}

static void a_clock_set(void) {
  /* ADJ_TICK with tick 0: EINVAL only after the CAP_SYS_TIME check; the clock is untouched. */
  struct timex tx;
  memset(&tx, 0, sizeof tx);
  tx.modes = ADJ_TICK;
  tx.tick = 0;
  if (syscall(SYS_clock_adjtime, CLOCK_REALTIME, &tx) >= 0) return ESCAPED("clock_adjtime=ok");
  if (denied(errno)) return CONTAINED("clock_adjtime(ADJ_TICK)=%s", en(errno));
  ESCAPED("clock_adjtime(ADJ_TICK,tick=0)=%s,past-permission-check", en(errno));
}

static void open_wronly(const char *const *paths, size_t n) {
  char last[160] = "none-present";
  for (size_t i = 0; i < n; i++) {
    int fd = open(paths[i], O_WRONLY | O_CLOEXEC | O_NOCTTY);
    if (fd >= 0) {
      close(fd); /* nothing written */
      return ESCAPED("open(%s,O_WRONLY)=ok", paths[i]);
    }
    if (errno != ENOENT) snprintf(last, sizeof last, "open(%s,O_WRONLY)=%s", paths[i], en(errno));
  }
  if (strcmp(last, "none-present") == 0) return SKIPPED("%s", last);
  CONTAINED("%s", last);
}

static void a_sysrq(void) {
  static const char *const p[] = {"/proc/sysrq-trigger"};
  open_wronly(p, 1);
}

static void a_proc_sys(void) {
  static const char *const p[] = {"/proc/sys/kernel/core_pattern", "/proc/sys/vm/drop_caches"};
  open_wronly(p, 2);
}

static void a_sys_write(void) {
  static const char *const p[] = {"/sys/kernel/mm/ksm/run", "/sys/kernel/mm/transparent_hugepage/enabled",
                                  "/sys/power/state", "/sys/kernel/uevent_helper"};
  open_wronly(p, 4);
}

static long mem_available_mib(void) {
  char buf[4096];
  if (read_file("/proc/meminfo", buf, sizeof buf) < 0) return -1;
  char *p = strstr(buf, "MemAvailable:");
  return p ? strtol(p + 13, NULL, 10) / 1024 : -1;
}

/* Items 6: writes up to --fill-mib into `dir`. The file is unlinked right after it is created, so
 * its space returns as soon as this child exits, even if killed (OOM, deadline). Stops early when
 * the kernel (not a limit) runs short: MemAvailable under 64 MiB is the environment's RAM. */
static void fill(const char *dir) {
  char path[256];
  snprintf(path, sizeof path, "%s/.ctvm-attack-%d-fill", dir, (int)g_suite_pid);
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  const char *shown = dir[0] ? dir : "/";
  if (fd < 0) return errno == ENOENT ? SKIPPED("no-%s", shown) : CONTAINED("open(%s)=%s", shown, en(errno));
  unlink(path);
  static char block[1 << 20];
  memset(block, 0x5a, sizeof block);
  for (long mib = 0; mib < g_fill_mib; mib++) {
    long avail = mem_available_mib();
    if (avail >= 0 && avail < 64) {
      close(fd);
      return CONTAINED("%s:stopped-at=%ldMiB,MemAvailable=%ldMiB", shown, mib, avail);
    }
    for (size_t off = 0; off < sizeof block;) {
      ssize_t w = write(fd, block + off, sizeof block - off);
      if (w < 0) {
        int e = errno;
        close(fd);
        return CONTAINED("%s:write=%s-at=%ldMiB", shown, en(e), mib);
      }
      off += (size_t)w;
    }
  }
  if (fsync(fd) < 0 && (errno == ENOSPC || errno == EDQUOT)) {
    int e = errno;
    close(fd);
    return CONTAINED("%s:fsync=%s-at=%ldMiB", shown, en(e), g_fill_mib);
  }
  close(fd);
  ESCAPED("%s:wrote-bound=%ldMiB-no-limit", shown, g_fill_mib);
}

static void a_disk_fill(void) { fill(""); }
static void a_tmp_fill(void) { fill("/tmp"); }
static void a_shm_fill(void) { fill("/dev/shm"); }

/* Item 9 (CVE-2022-24769 pattern). */
static void a_inheritable_caps(void) {
  char v[32];
  if (!status_field("CapInh", v, sizeof v)) return SKIPPED("no-CapInh-in-/proc/self/status");
  if (strtoull(v, NULL, 16) != 0) return ESCAPED("CapInh=%s", v);
  CONTAINED("CapInh=%s", v);
}

static void a_no_new_privs(void) {
  char v[32];
  if (!status_field("NoNewPrivs", v, sizeof v)) return SKIPPED("no-NoNewPrivs-in-/proc/self/status");
  if (strcmp(v, "0") == 0) return ESCAPED("NoNewPrivs=0");
  CONTAINED("NoNewPrivs=%s", v);
}

/* Names of the interfaces other than lo, comma-separated ("" if none). */
static void other_interfaces(char *out, size_t size) {
  out[0] = '\0';
  struct if_nameindex *ifs = if_nameindex();
  if (!ifs) return;
  for (struct if_nameindex *i = ifs; i->if_index; i++) {
    if (strcmp(i->if_name, "lo") == 0) continue;
    size_t len = strlen(out);
    snprintf(out + len, size - len, "%s%s", len ? "," : "", i->if_name);
  }
  if_freenameindex(ifs);
}

/* A packet socket sees every frame of its network namespace: an escape when that namespace has
 * more than lo (the host's interfaces, or a bridge). No traffic is sent or read. */
static void a_raw_socket(void) {
  /* Without /proc/net/packet af_packet is not loaded: socket() would make the kernel load the
   * module (a vector of its own, and a hang in a guest without modprobe): not triggered. */
  if (access("/proc/net/packet", F_OK) < 0) return SKIPPED("af_packet-not-loaded,no-autoload-attempted");
  int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
  if (fd < 0) return CONTAINED("socket(AF_PACKET)=%s", en(errno));
  close(fd);
  char ifs[128];
  other_interfaces(ifs, sizeof ifs);
  if (ifs[0]) return ESCAPED("socket(AF_PACKET)=ok,interfaces=%s", ifs);
  CONTAINED("socket(AF_PACKET)=ok,only-lo");
}

static void a_net_visible(void) {
  char ifs[128];
  other_interfaces(ifs, sizeof ifs);
  if (ifs[0]) return ESCAPED("interfaces=%s", ifs);
  CONTAINED("only-lo");
}

/* Hardware I/O ports (Docker denies iopl/ioperm): the privilege ends with this child. */
static void a_iopl(void) {
  if (iopl(3) == 0) return ESCAPED("iopl(3)=0");
  NOSYS_SKIP("iopl");
  CONTAINED("iopl(3)=%s", en(errno));
}

/* The "shocker" escape: open_by_handle_at reaches any inode of a filesystem by its handle,
 * outside the container's root, with CAP_DAC_READ_SEARCH. A zeroed handle: the capability check
 * comes first (EPERM), past it the kernel only finds the handle stale or invalid. */
static void a_open_by_handle(void) {
  struct {
    struct file_handle fh;
    unsigned char buf[8];
  } h;
  memset(&h, 0, sizeof h);
  h.fh.handle_bytes = 8;
  h.fh.handle_type = 1; /* FILEID_INO32_GEN */
  int mfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int fd = open_by_handle_at(mfd, &h.fh, O_RDONLY | O_CLOEXEC);
  int e = errno;
  close(mfd);
  if (fd >= 0) {
    close(fd);
    return ESCAPED("open_by_handle_at(zeroed-handle)=ok");
  }
  errno = e;
  NOSYS_SKIP("open_by_handle_at");
  if (denied(e)) return CONTAINED("open_by_handle_at=%s", en(e));
  ESCAPED("open_by_handle_at(zeroed-handle)=%s,past-CAP_DAC_READ_SEARCH-check", en(e));
}

/* A bounded fork burst: 256 sleeping children at most, all killed and reaped before returning. */
#define FORK_BOUND 256
static void a_pids_limit(void) {
  static pid_t kids[FORK_BOUND];
  int n = 0, e = 0;
  for (; n < FORK_BOUND; n++) {
    pid_t p = fork();
    if (p == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      pause();
      _exit(0);
    }
    if (p < 0) {
      e = errno;
      break;
    }
    kids[n] = p;
  }
  for (int i = 0; i < n; i++) kill(kids[i], SIGKILL);
  for (int i = 0; i < n; i++) waitpid(kids[i], NULL, 0);
  if (n < FORK_BOUND) return CONTAINED("fork=%s-after=%d", en(e), n);
  ESCAPED("forked-bound=%d-no-pids-limit", FORK_BOUND);
}

static const struct attack {
  const char *name;
  void (*run)(void);
  int fill; /* runs up to --fill-mib of writes: a longer deadline */
} ATTACKS[] = {
    {"tiocsti", a_tiocsti, 0},
    {"pgrp-signal", a_pgrp_signal, 0},
    {"userns", a_userns, 0},
    {"mount-cgroup", a_mount_cgroup, 0},
    {"cgroup-limit", a_cgroup_limit, 0},
    {"mknod-device", a_mknod_device, 0},
    {"keyctl", a_keyctl, 0},
    {"bpf", a_bpf, 0},
    {"ptrace", a_ptrace, 0},
    {"kexec-load", a_kexec_load, 0},
    {"module-load", a_module_load, 0},
    {"perf-event", a_perf_event, 0},
    {"swapon", a_swapon, 0},
    {"reboot", a_reboot, 0},
    {"clock-set", a_clock_set, 0},
    {"iopl", a_iopl, 0},
    {"open-by-handle", a_open_by_handle, 0},
    {"sysrq-trigger", a_sysrq, 0},
    {"proc-sys-write", a_proc_sys, 0},
    {"sys-write", a_sys_write, 0},
    {"inheritable-caps", a_inheritable_caps, 0},
    {"no-new-privs", a_no_new_privs, 0},
    {"raw-socket", a_raw_socket, 0},
    {"net-visible", a_net_visible, 0},
    {"pids-limit", a_pids_limit, 0},
    {"disk-fill", a_disk_fill, 1},
    {"tmp-fill", a_tmp_fill, 1},
    {"shm-fill", a_shm_fill, 1},
};
#define N_ATTACKS (sizeof ATTACKS / sizeof *ATTACKS)

/* ---- the suite: one forked child per attack ------------------------------------------------- */

static void sanitize(char *s) {
  for (; *s; s++)
    if (*s == ' ' || *s == '\t' || *s == '\n' || (unsigned char)*s < 0x20) *s = '_';
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Runs one attack in a child; fills `line` with "<verdict> <evidence>". */
static void run_one(const struct attack *a, char *line, size_t size) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) < 0) {
    snprintf(line, size, "skipped pipe=%s", en(errno));
    return;
  }
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    snprintf(line, size, "skipped fork=%s", en(errno));
    return;
  }
  if (pid == 0) {
    close(fds[0]);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    write_file("/proc/self/oom_score_adj", "1000"); /* under a memory limit, the attack dies first */
    a->run();
    char out[256];
    snprintf(out, sizeof out, "%s %s", g_verdict, g_evidence);
    sanitize(out + strlen(g_verdict) + 1);
    strcat(out, "\n");
    (void)!write(fds[1], out, strlen(out));
    _exit(0);
  }
  close(fds[1]);
  char buf[256] = "";
  size_t got = 0;
  uint64_t deadline = now_ns() + (uint64_t)(a->fill ? 3 : 1) * (uint64_t)g_timeout_s * 1000000000ull;
  int timed_out = 0;
  for (;;) {
    uint64_t t = now_ns();
    if (t >= deadline) {
      timed_out = 1;
      break;
    }
    struct pollfd p = {.fd = fds[0], .events = POLLIN};
    int r = poll(&p, 1, (int)((deadline - t) / 1000000ull) + 1);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;
    ssize_t n = read(fds[0], buf + got, sizeof buf - 1 - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += (size_t)n;
    if (got >= sizeof buf - 1) break;
  }
  close(fds[0]);
  if (timed_out) kill(pid, SIGKILL);
  /* Reaped without sleeping and without blocking: a child can hang in its exit (tearing down a
   * mount namespace that holds a cgroup mount never finished in a TCG guest whose timers did not
   * fire, where even sleep(1) hung). Its verdict is already read; a child still exiting is left to
   * finish on its own (PDEATHSIG; in a container the pid namespace ends with us). */
  int status = 0, reaped = 0;
  for (long spins = 0; spins < 200000 && !reaped; spins++) {
    pid_t w = waitpid(pid, &status, WNOHANG);
    if (w == pid) reaped = 1;
    else if (w < 0 && errno != EINTR) break;
    else sched_yield();
  }
  if (!reaped) {
    kill(pid, SIGKILL);
    status = 0;
  }
  buf[got] = '\0';
  buf[strcspn(buf, "\n")] = '\0';
  if (timed_out) snprintf(line, size, "skipped timeout-after=%lds", (a->fill ? 3 : 1) * g_timeout_s);
  else if (buf[0]) snprintf(line, size, "%s", buf);
  else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS)
    snprintf(line, size, "contained killed-by-SIGSYS(seccomp)");
  else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL && a->fill)
    snprintf(line, size, "contained killed-by-SIGKILL(memory-limit)");
  else if (WIFSIGNALED(status))
    snprintf(line, size, "skipped killed-by-signal-%d", WTERMSIG(status));
  else
    snprintf(line, size, "skipped no-verdict-exit-%d", WEXITSTATUS(status));
}

static long number(const char *flag, const char *s) {
  char *end = NULL;
  long v = s ? strtol(s, &end, 10) : -1;
  if (!s || !end || *end || v <= 0 || v > 1 << 20) {
    dprintf(2, "ctvm-attack: %s expects a positive number, got '%s'\n", flag, s ? s : "");
    exit(64);
  }
  return v;
}

int main(int argc, char **argv) {
  int i = 1;
  for (; i < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
    if (strcmp(argv[i], "--fill-mib") == 0) g_fill_mib = number(argv[i], argv[i + 1]);
    else if (strcmp(argv[i], "--timeout-s") == 0) g_timeout_s = number(argv[i], argv[i + 1]);
    else {
      dprintf(2, "ctvm-attack: unknown option '%s' (--fill-mib N, --timeout-s N)\n", argv[i]);
      return 64;
    }
  }
  if (i >= argc || strcmp(argv[i], "list") == 0) {
    for (size_t k = 0; k < N_ATTACKS; k++) printf("%s\n", ATTACKS[k].name);
    return i >= argc ? 64 : 0;
  }
  int all = strcmp(argv[i], "all") == 0;
  for (int j = i; !all && j < argc; j++) {
    size_t k = 0;
    while (k < N_ATTACKS && strcmp(ATTACKS[k].name, argv[j]) != 0) k++;
    if (k == N_ATTACKS) {
      dprintf(2, "ctvm-attack: unknown attack '%s' (ctvm-attack list)\n", argv[j]);
      return 64;
    }
  }
  g_suite_pid = getpid();
  signal(SIGPIPE, SIG_IGN);
  say("READY\n");
  uint64_t t0 = now_ns();
  static char result[8192];
  int counts[3] = {0, 0, 0};
  size_t rlen = 0;
  for (size_t k = 0; k < N_ATTACKS; k++) {
    int wanted = all;
    for (int j = i; !wanted && j < argc; j++) wanted = strcmp(ATTACKS[k].name, argv[j]) == 0;
    if (!wanted) continue;
    char line[256], out[320];
    run_one(&ATTACKS[k], line, sizeof line);
    snprintf(out, sizeof out, "ATTACK %s %s\n", ATTACKS[k].name, line);
    say(out);
    counts[strncmp(line, "escaped", 7) == 0 ? 0 : strncmp(line, "contained", 9) == 0 ? 1 : 2]++;
    char *sp = strchr(line, ' ');
    if (sp) *sp = ':';
    rlen += (size_t)snprintf(result + rlen, sizeof result - rlen, " attack.%s=%s", ATTACKS[k].name, line);
    if (rlen >= sizeof result) rlen = sizeof result - 1;
  }
  char head[160];
  snprintf(head, sizeof head, "RESULT mode=attack ns=%llu escaped=%d contained=%d skipped=%d",
           (unsigned long long)(now_ns() - t0), counts[0], counts[1], counts[2]);
  say(head);
  say(result);
  say("\n");
  return 0;
}
