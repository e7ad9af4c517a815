// The escape suite's output (native/attack/): `ATTACK <name> <verdict> <evidence>` per attack,
// and the same verdicts as `attack.<name>=<verdict>:<evidence>` fields of its RESULT line, which
// is what reaches the runner from every environment.

export const ATTACK_VERDICTS = ['contained', 'escaped', 'skipped'] as const;
export type AttackVerdict = (typeof ATTACK_VERDICTS)[number];

/** One attack's outcome in one environment. */
export interface AttackOutcome {
  /** e.g. 'tiocsti', 'mknod-device' (native/attack/main.c ATTACKS). */
  name: string;
  verdict: AttackVerdict;
  /** What the attack saw: the call and its errno, or what it reached; no spaces. */
  evidence: string;
}

/** The RESULT field prefix that carries a verdict. */
export const ATTACK_FIELD_PREFIX = 'attack.';

const isVerdict = (v: string): v is AttackVerdict => (ATTACK_VERDICTS as readonly string[]).includes(v);

/** Parses `ATTACK tiocsti contained open(/dev/tty)=ENXIO`; undefined if the line is not one. */
export function parseAttackLine(line: string): AttackOutcome | undefined {
  const m = /^ATTACK\s+(\S+)\s+(\S+)(?:\s+(\S.*))?$/.exec(line.trim());
  if (!m || !isVerdict(m[2]!)) return undefined;
  return { name: m[1]!, verdict: m[2], evidence: m[3] ?? '' };
}

/** Verdicts out of a parsed RESULT line's fields (`attack.<name>=<verdict>:<evidence>`), in order. */
export function attacksFromResult(fields: Record<string, string>): AttackOutcome[] {
  const out: AttackOutcome[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (!key.startsWith(ATTACK_FIELD_PREFIX)) continue;
    const colon = value.indexOf(':');
    const verdict = colon < 0 ? value : value.slice(0, colon);
    if (!isVerdict(verdict)) continue;
    out.push({
      name: key.slice(ATTACK_FIELD_PREFIX.length),
      verdict,
      evidence: colon < 0 ? '' : value.slice(colon + 1),
    });
  }
  return out;
}

/** What "escaped" means for each attack of native/attack/ (a unit test keeps the two in step). */
export const ATTACK_MEANINGS: Readonly<Record<string, string>> = {
  tiocsti: "the caller's terminal is its controlling tty: TIOCSTI could type commands into it",
  'pgrp-signal':
    "its session or process group leader is outside its pid namespace: kill(0) reaches the caller's group",
  userns: 'unshare(CLONE_NEWUSER) succeeded: a fresh user namespace, the first step of most kernel exploits',
  'mount-cgroup': 'it mounted cgroup2 or cgroup v1 (directly, or after unshare -U -r -m)',
  'cgroup-limit':
    'it could write its own pids/memory limit (rewritten with its current value, so nothing changed)',
  'mknod-device':
    'a device node it made (hwrng, /dev/mem, loop0, loop-control, console) opened: no devices cgroup',
  keyctl: "keyctl answered: the kernel keyrings are shared with the host's user",
  bpf: 'BPF_PROG_LOAD of a trivial socket filter succeeded',
  ptrace:
    'it passed the ptrace access check on a process that is not its own (/proc/<pid>/mem opened, no attach)',
  'kexec-load': 'kexec_load got past the CAP_SYS_BOOT check (invalid flags, nothing loaded)',
  'module-load': 'finit_module got past the CAP_SYS_MODULE check (fd -1, nothing loaded)',
  'perf-event': 'a system-wide perf event (pid -1, CPU 0) opened: it can observe the whole kernel',
  swapon: 'swapon got past the CAP_SYS_ADMIN check (a missing file, nothing enabled)',
  reboot: 'reboot got past the CAP_SYS_BOOT check (a wrong magic, nothing happened)',
  'clock-set': 'clock_adjtime got past the CAP_SYS_TIME check (an invalid tick, the clock is untouched)',
  iopl: 'iopl(3) succeeded: raw hardware I/O ports',
  'open-by-handle':
    'open_by_handle_at got past the CAP_DAC_READ_SEARCH check (the "shocker" escape: any inode by handle)',
  'sysrq-trigger': '/proc/sysrq-trigger opened for writing (nothing written)',
  'proc-sys-write': '/proc/sys/kernel/core_pattern (or vm/drop_caches) opened for writing (nothing written)',
  'sys-write': 'a global /sys knob (KSM, THP, power state) opened for writing (nothing written)',
  'inheritable-caps': 'CapInh is not empty (the CVE-2022-24769 pattern)',
  'no-new-privs': 'NoNewPrivs is 0: a setuid binary inside could gain privileges',
  'raw-socket': 'an AF_PACKET socket opened in a network namespace with more than lo (no traffic sent)',
  'net-visible': "an interface other than lo is visible (the host's, or a bridge)",
  'pids-limit': 'it forked 256 sleeping children without hitting a pids limit (all reaped)',
  'disk-fill': 'it wrote the whole bound (--fill-mib, default 256 MiB) to / without ENOSPC (file deleted)',
  'tmp-fill': 'it wrote the whole bound to /tmp without ENOSPC (file deleted)',
  'shm-fill': 'it wrote the whole bound to /dev/shm without ENOSPC (file deleted)',
};
