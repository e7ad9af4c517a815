/* One launch: compile seccomp, attach the device filter, clone the child into its namespaces
 * (or vfork it, for a plain launch), and in the child: mounts (mounts.c), pivot_root, hostname,
 * lo, cgroup join, capabilities, no_new_privs, seccomp, exec. The parent waits (relaying output,
 * relay.c) and reports the command's end. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "devices.h"
#include "launch.h"
#include "nsexec.h"
#include "report.h"
#include "seccomp.h"

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

/* PRIVILEGED (setns needs CAP_SYS_ADMIN): join a network namespace ctvm prepared beforehand (its
 * lab veth already configured, src/net/), so the command never runs before its network exists. */
static void join_netns(void) {
  if (!cfg.netns) return;
  int fd = open(cfg.netns, O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail("open netns", cfg.netns, NSEXEC_EXIT_SETUP);
  if (setns(fd, CLONE_NEWNET) < 0) fail("setns CLONE_NEWNET", cfg.netns, NSEXEC_EXIT_SETUP);
  close(fd);
}

/* The child's last steps, the same with or without namespaces: working directory, capabilities,
 * no_new_privs, seccomp (last: the filter must allow only what follows), exec. Never returns. */
static void enter_command(void) {
  if (cfg.cwd && chdir(cfg.cwd) < 0) fail("chdir", cfg.cwd, NSEXEC_EXIT_SETUP);
  if (cfg.have_caps) drop_caps();
  if (cfg.no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) fail("prctl PR_SET_NO_NEW_PRIVS", "-", NSEXEC_EXIT_SETUP);
  install_seccomp();
  exec_command();
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
  join_netns(); /* a host path: before pivot_root; before the sysfs mount, which shows this netns */
  if ((cfg.ns_flags & CLONE_NEWNS) && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    fail("mount private", "/", NSEXEC_EXIT_SETUP);
  if (cfg.scratch) mount_scratch();
  for (int i = 0; i < cfg.nops; i++) apply_op(&cfg.ops[i]);
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
  enter_command();
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
  join_netns();
  enter_command();
  return 0; /* not reached */
}

/* Waits for the command's end (reaped into *status, *ru), relaying its stdout meanwhile if marks
 * are on, and releasing our held lines STATUS_HOLD_MS after the exec or at the end. */
static void wait_command(pid_t pid, int *status, struct rusage *ru) {
  int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
  uint64_t release_at = mono_ns() + STATUS_HOLD_MS * 1000000ull;
  int relaying = relay_fds[0] >= 0, held = 1;
  relay_holding = relaying;
  /* Without a pidfd (kernel < 5.3) we cannot wait for both: relay to EOF, then wait. */
  while (pidfd >= 0 || relaying) {
    uint64_t now = mono_ns();
    if (held && now >= release_at) relay_release(), release_hold(), held = 0;
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
  if (held) relay_release(), release_hold(); /* output before the status lines, as unheld */
}


static pid_t child_pid = -1;

static void forward(int sig) {
  if (child_pid > 0) kill(child_pid, sig);
}

/* One launch (protocol v1): argv in, status lines on fd 3, exit status = the command's. Runs in a
 * fresh process: the one-shot ctvm-nsexec, or a launcher forked by serve(). */
int run_oneshot(int argc, char **argv) {
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
