// Policy: the seccomp profile every container gets — in the OCI `linux.seccomp` format, equal in
// effect to Docker's default profile for Docker's default capability set (no CAP_SYS_ADMIN):
// an allow list with EPERM for everything else — so no mount, unshare/setns/clone with namespace
// flags, keyctl, bpf, perf_event_open, kexec, module loading, swapon, reboot, clock setting,
// personality tricks, AF_VSOCK sockets, userfaultfd, ... — and the helper's line format for it.
import { UsageError } from '../../errors.js';
import { DEFAULT_CAPABILITIES } from './defaults.js';

/** OCI runtime-spec `linux.seccomp` (the fields ctvm reads and writes). */
export interface OciSeccomp {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  syscalls?: OciSyscallRule[];
}

export interface OciSyscallRule {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: Array<{ index: number; value: number; valueTwo?: number; op: string }>;
}

const EPERM = 1;
const ENOSYS = 38;
const AF_VSOCK = 40;
/** CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET: clone() with none of these. */
const CLONE_NAMESPACE_FLAGS = 0x7e020000;

// What ordinary programs need, by purpose. Everything not named is EPERM.
const ALLOWED = {
  files:
    'access faccessat faccessat2 chdir fchdir getcwd chmod fchmod fchmodat chown fchown fchownat lchown ' +
    'chown32 fchown32 lchown32 creat open openat openat2 close close_range dup dup2 dup3 fcntl fcntl64 ' +
    'flock fsync fdatasync sync syncfs sync_file_range fadvise64 fadvise64_64 fallocate ftruncate ' +
    'ftruncate64 truncate truncate64 getdents getdents64 link linkat symlink symlinkat unlink unlinkat ' +
    'rename renameat renameat2 mkdir mkdirat rmdir mknod mknodat readlink readlinkat lseek _llseek ' +
    'read readv pread64 preadv preadv2 write writev pwrite64 pwritev pwritev2 sendfile sendfile64 ' +
    'splice tee vmsplice copy_file_range readahead stat stat64 lstat lstat64 fstat fstat64 fstatat64 ' +
    'newfstatat statx statfs statfs64 fstatfs fstatfs64 umask utime utimes utimensat ' +
    'utimensat_time64 futimesat name_to_handle_at getxattr lgetxattr fgetxattr listxattr llistxattr ' +
    'flistxattr setxattr lsetxattr fsetxattr removexattr lremovexattr fremovexattr ' +
    'inotify_init inotify_init1 inotify_add_watch inotify_rm_watch fanotify_mark',
  memory:
    'brk mmap mmap2 munmap mremap mprotect madvise mincore msync mlock mlock2 mlockall munlock ' +
    'munlockall remap_file_pages membarrier memfd_create memfd_secret pkey_alloc pkey_free ' +
    'pkey_mprotect process_mrelease',
  processes:
    'execve execveat exit exit_group fork vfork wait4 waitid waitpid getpid getppid gettid getpgid ' +
    'getpgrp setpgid getsid setsid kill tkill tgkill pidfd_open pidfd_send_signal prctl arch_prctl ' +
    'modify_ldt set_tid_address set_thread_area get_thread_area set_robust_list get_robust_list ' +
    'rseq capget capset getrlimit setrlimit ugetrlimit prlimit64 getrusage times getpriority ' +
    'setpriority ioprio_get ioprio_set sched_yield sched_getaffinity sched_setaffinity ' +
    'sched_getattr sched_setattr sched_getparam sched_setparam sched_getscheduler ' +
    'sched_setscheduler sched_get_priority_max sched_get_priority_min sched_rr_get_interval ' +
    'sched_rr_get_interval_time64 getcpu restart_syscall seccomp uname sysinfo ' +
    'landlock_add_rule landlock_create_ruleset landlock_restrict_self chroot',
  // Within the pid namespace only; the same as Docker allows on kernels >= 4.8.
  tracing: 'ptrace process_vm_readv process_vm_writev',
  credentials:
    'getuid getuid32 geteuid geteuid32 getgid getgid32 getegid getegid32 getresuid getresuid32 ' +
    'getresgid getresgid32 getgroups getgroups32 setuid setuid32 setgid setgid32 setreuid setreuid32 ' +
    'setregid setregid32 setresuid setresuid32 setresgid setresgid32 setfsuid setfsuid32 setfsgid ' +
    'setfsgid32 setgroups setgroups32',
  signals:
    'rt_sigaction rt_sigprocmask rt_sigreturn sigreturn rt_sigpending rt_sigsuspend rt_sigtimedwait ' +
    'rt_sigtimedwait_time64 rt_sigqueueinfo rt_tgsigqueueinfo sigaltstack sigprocmask signalfd ' +
    'signalfd4 pause alarm',
  time:
    'clock_gettime clock_gettime64 clock_getres clock_getres_time64 clock_nanosleep ' +
    'clock_nanosleep_time64 gettimeofday time nanosleep getitimer setitimer timer_create ' +
    'timer_delete timer_getoverrun timer_gettime timer_gettime64 timer_settime timer_settime64 ' +
    'timerfd_create timerfd_gettime timerfd_gettime64 timerfd_settime timerfd_settime64 adjtimex ' +
    'clock_adjtime clock_adjtime64',
  waiting:
    'poll ppoll ppoll_time64 select _newselect pselect6 pselect6_time64 epoll_create epoll_create1 ' +
    'epoll_ctl epoll_ctl_old epoll_wait epoll_wait_old epoll_pwait epoll_pwait2 eventfd eventfd2 ' +
    'futex futex_time64 futex_waitv io_setup io_destroy io_submit io_cancel io_getevents ' +
    'io_pgetevents io_pgetevents_time64 io_uring_setup io_uring_enter io_uring_register',
  ipc:
    'pipe pipe2 ioctl ipc msgget msgsnd msgrcv msgctl semget semop semtimedop semtimedop_time64 ' +
    'semctl shmget shmat shmdt shmctl mq_open mq_unlink mq_timedsend mq_timedsend_time64 ' +
    'mq_timedreceive mq_timedreceive_time64 mq_notify mq_getsetattr',
  network:
    'socketpair socketcall bind connect listen accept accept4 getsockname getpeername getsockopt ' +
    'setsockopt shutdown send sendto sendmsg sendmmsg recv recvfrom recvmsg recvmmsg recvmmsg_time64',
  random: 'getrandom',
};

const defaults = new Map<string, OciSeccomp>();

/**
 * The default profile for a capability set (ours: DEFAULT_CAPABILITIES, without CAP_SYS_ADMIN).
 * One frozen object per set, so its helper text (seccompToHelper) is built once per process and
 * not inside a measured start (cold, ~370 rules took milliseconds of JavaScript per launch).
 */
export function defaultSeccompProfile(caps: string[] = Object.keys(DEFAULT_CAPABILITIES)): OciSeccomp {
  const key = [...caps].sort().join(',');
  let p = defaults.get(key);
  if (!p) defaults.set(key, (p = deepFreeze(buildDefault(caps))));
  return p;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

function buildDefault(caps: string[]): OciSeccomp {
  const rules: OciSyscallRule[] = [
    { names: Object.values(ALLOWED).flatMap((g) => g.split(' ')), action: 'SCMP_ACT_ALLOW' },
    // Every socket family but AF_VSOCK (a channel to the hypervisor's host).
    { names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: AF_VSOCK, op: 'SCMP_CMP_NE' }] },
    // personality(): PER_LINUX, PER_LINUX32, UNAME26, both, and the query (0xffffffff) only.
    ...[0, 8, 0x20000, 0x20008, 0xffffffff].map((value): OciSyscallRule => ({
      names: ['personality'],
      action: 'SCMP_ACT_ALLOW',
      args: [{ index: 0, value, op: 'SCMP_CMP_EQ' }],
    })),
  ];
  if (caps.includes('CAP_SYS_ADMIN'))
    rules.push({
      names: ['clone', 'clone3', 'mount', 'umount2', 'unshare', 'setns', 'sethostname', 'setdomainname'],
      action: 'SCMP_ACT_ALLOW',
    });
  else
    rules.push(
      // clone() without namespace flags (threads, fork); clone3 hides its flags in memory that a
      // filter cannot read, so it gets ENOSYS and libc falls back to clone().
      {
        names: ['clone'],
        action: 'SCMP_ACT_ALLOW',
        args: [{ index: 0, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }],
      },
      { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS },
    );
  return {
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: EPERM,
    architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
    syscalls: rules,
  };
}

const ACTIONS: Record<string, (errno: number | undefined) => string> = {
  SCMP_ACT_ALLOW: () => 'allow',
  SCMP_ACT_ERRNO: (e) => `errno:${e ?? EPERM}`,
  SCMP_ACT_KILL: () => 'kill',
  SCMP_ACT_KILL_THREAD: () => 'kill',
  SCMP_ACT_KILL_PROCESS: () => 'kill_process',
  SCMP_ACT_TRAP: () => 'trap',
  SCMP_ACT_LOG: () => 'log',
  SCMP_ACT_TRACE: (e) => `trace:${e ?? EPERM}`,
};
const OPS: Record<string, string> = {
  SCMP_CMP_NE: 'ne',
  SCMP_CMP_LT: 'lt',
  SCMP_CMP_LE: 'le',
  SCMP_CMP_EQ: 'eq',
  SCMP_CMP_GE: 'ge',
  SCMP_CMP_GT: 'gt',
  SCMP_CMP_MASKED_EQ: 'masked_eq',
};

function action(what: string, name: string, errno: number | undefined): string {
  const f = ACTIONS[name];
  if (!f)
    throw new UsageError(`seccomp: unknown action '${name}' in ${what}`, {
      hint: Object.keys(ACTIONS).join(', '),
    });
  return f(errno);
}

/**
 * The helper's line format (native/nsexec/seccomp.c) for an OCI profile. Throws UsageError on
 * anything the helper would reject, naming the rule. OCI's masked_eq: `value` is the mask and
 * `valueTwo` the value compared; the helper takes them in that order.
 */
export function seccompToHelper(p: OciSeccomp): string {
  let text = helperText.get(p);
  if (text === undefined) helperText.set(p, (text = toHelper(p)));
  return text;
}
const helperText = new WeakMap<OciSeccomp, string>();

function toHelper(p: OciSeccomp): string {
  const lines = [`default ${action('defaultAction', p.defaultAction, p.defaultErrnoRet)}`];
  for (const a of p.architectures ?? []) lines.push(`arch ${a.replace(/^SCMP_ARCH_/, '').toLowerCase()}`);
  for (const [i, r] of (p.syscalls ?? []).entries()) {
    const act = action(`syscalls[${i}]`, r.action, r.errnoRet ?? p.defaultErrnoRet);
    const args = r.args ?? [];
    if (args.length > 6) throw new UsageError(`seccomp: syscalls[${i}] has more than 6 argument conditions`);
    const conds = args.map((a) => {
      const op = OPS[a.op];
      if (!op || !Number.isInteger(a.index) || a.index < 0 || a.index > 5)
        throw new UsageError(`seccomp: syscalls[${i}] has a bad argument condition ${JSON.stringify(a)}`);
      return `${a.index} ${op} ${BigInt(a.value)} ${BigInt(a.valueTwo ?? 0)}`;
    });
    for (const name of r.names) {
      if (!/^[a-z0-9_]+$/.test(name)) throw new UsageError(`seccomp: bad syscall name '${name}'`);
      lines.push(['rule', act, name, ...conds].join(' '));
    }
  }
  return lines.join('\n');
}
