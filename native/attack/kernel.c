/* Attacks on the host through the kernel: terminal, signals, namespaces, cgroups, devices,
 * keys, BPF, ptrace, kexec, modules, perf, swap, reboot, clock. */
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

#include "attack.h"

/* ---- the attacks ---------------------------------------------------------------------------- */

/* Item 1: a controlling terminal shared with the caller is what TIOCSTI injects into. We do not
 * inject: having the caller's tty as our controlling terminal is the finding. */
void a_tiocsti(void) {
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
void a_pgrp_signal(void) {
  pid_t sid = getsid(0), pgid = getpgrp();
  if (sid == 0 || pgid == 0) return ESCAPED("leader-outside-pidns,sid=%d,pgid=%d", sid, pgid);
  return CONTAINED("sid=%d,pgid=%d", sid, pgid);
}

void a_userns(void) {
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
void a_mount_cgroup(void) {
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
void a_cgroup_limit(void) {
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
void a_mknod_device(void) {
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

void a_keyctl(void) {
  long id = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
  if (id >= 0) return ESCAPED("keyctl(GET_KEYRING_ID,session)=%ld", id);
  if (denied(errno)) return CONTAINED("keyctl=%s", en(errno));
  ESCAPED("keyctl-reachable=%s", en(errno));
}

void a_bpf(void) {
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
void a_ptrace(void) {
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

void a_kexec_load(void) {
  /* Invalid flags: EINVAL only after the CAP_SYS_BOOT check; nothing is loaded or unloaded. */
  if (syscall(SYS_kexec_load, 0UL, 0UL, NULL, 0x100UL | KEXEC_ARCH_DEFAULT) == 0) return ESCAPED("kexec_load=0");
  NOSYS_SKIP("kexec_load");
  if (denied(errno)) return CONTAINED("kexec_load=%s", en(errno));
  ESCAPED("kexec_load(bad-flags)=%s,past-permission-check", en(errno));
}

void a_module_load(void) {
  /* fd -1: EBADF only after the CAP_SYS_MODULE check. */
  if (syscall(SYS_finit_module, -1, "", 0) == 0) return ESCAPED("finit_module=0");
  NOSYS_SKIP("finit_module");
  if (denied(errno)) return CONTAINED("finit_module=%s", en(errno));
  ESCAPED("finit_module(fd=-1)=%s,past-permission-check", en(errno));
}

void a_perf_event(void) {
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

void a_swapon(void) {
  /* A missing path: ENOENT only after the CAP_SYS_ADMIN check. */
  if (swapon("/.ctvm-attack-no-such-swap", 0) == 0) return ESCAPED("swapon=0");
  if (denied(errno)) return CONTAINED("swapon=%s", en(errno));
  ESCAPED("swapon(missing-file)=%s,past-permission-check", en(errno));
}

void a_reboot(void) {
  /* A wrong magic2: EINVAL only after the CAP_SYS_BOOT check; nothing reboots or changes. */
  if (syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, 0, LINUX_REBOOT_CMD_CAD_OFF, NULL) == 0) return ESCAPED("reboot=0");
  if (denied(errno)) return CONTAINED("reboot(CAD_OFF)=%s", en(errno));
  ESCAPED("reboot(CAD_OFF,bad-magic)=%s,past-permission-check", en(errno));
}

void a_clock_set(void) {
  /* ADJ_TICK with tick 0: EINVAL only after the CAP_SYS_TIME check; the clock is untouched. */
  struct timex tx;
  memset(&tx, 0, sizeof tx);
  tx.modes = ADJ_TICK;
  tx.tick = 0;
  if (syscall(SYS_clock_adjtime, CLOCK_REALTIME, &tx) >= 0) return ESCAPED("clock_adjtime=ok");
  if (denied(errno)) return CONTAINED("clock_adjtime(ADJ_TICK)=%s", en(errno));
  ESCAPED("clock_adjtime(ADJ_TICK,tick=0)=%s,past-permission-check", en(errno));
}
