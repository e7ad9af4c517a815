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

#include "attack.h"
#include "../say.h"

static long g_timeout_s = 20;

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

