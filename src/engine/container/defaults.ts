// Policy: the mounts, masked/read-only paths, device nodes and capabilities every container gets —
// the defaults runc and Docker apply (runc libcontainer/specconv/example.go, moby oci/defaults.go).

/** Docker's default capability set, by number (linux/capability.h). */
export const DEFAULT_CAPABILITIES: Record<string, number> = {
  CAP_CHOWN: 0,
  CAP_DAC_OVERRIDE: 1,
  CAP_FOWNER: 3,
  CAP_FSETID: 4,
  CAP_KILL: 5,
  CAP_SETGID: 6,
  CAP_SETUID: 7,
  CAP_SETPCAP: 8,
  CAP_NET_BIND_SERVICE: 10,
  CAP_NET_RAW: 13,
  CAP_SYS_CHROOT: 18,
  CAP_MKNOD: 27,
  CAP_AUDIT_WRITE: 29,
  CAP_SETFCAP: 31,
};

/** The set as the 64-bit mask /proc/<pid>/status prints (CapEff: 00000000a80425fb). */
export function capabilityMask(caps: Record<string, number> = DEFAULT_CAPABILITIES): bigint {
  let mask = 0n;
  for (const bit of Object.values(caps)) mask |= 1n << BigInt(bit);
  return mask;
}

export interface DeviceNode {
  path: string;
  mode: number;
  major: number;
  minor: number;
}

/** /dev holds exactly these nodes (on a fresh tmpfs). */
export const DEFAULT_DEVICES: DeviceNode[] = [
  { path: '/dev/null', mode: 0o666, major: 1, minor: 3 },
  { path: '/dev/zero', mode: 0o666, major: 1, minor: 5 },
  { path: '/dev/full', mode: 0o666, major: 1, minor: 7 },
  { path: '/dev/random', mode: 0o666, major: 1, minor: 8 },
  { path: '/dev/urandom', mode: 0o666, major: 1, minor: 9 },
  { path: '/dev/tty', mode: 0o666, major: 5, minor: 0 },
];

export const DEFAULT_SYMLINKS: Array<[target: string, path: string]> = [
  ['/proc/self/fd', '/dev/fd'],
  ['/proc/self/fd/0', '/dev/stdin'],
  ['/proc/self/fd/1', '/dev/stdout'],
  ['/proc/self/fd/2', '/dev/stderr'],
];

/** runc's default maskedPaths. */
export const MASKED_PATHS = [
  '/proc/acpi',
  '/proc/asound',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];

/** runc's default readonlyPaths. */
export const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

export interface MountOp {
  type: string;
  source: string;
  destination: string;
  /** Helper flag list (ro,nosuid,nodev,noexec,relatime,strictatime,noatime,rec). */
  flags: string[];
  data: string;
}

/** Filesystems mounted after the rootfs, in order (the masks need /proc and /sys first). */
export const DEFAULT_MOUNTS: MountOp[] = [
  { type: 'proc', source: 'proc', destination: '/proc', flags: ['nosuid', 'nodev', 'noexec'], data: '' },
  {
    type: 'tmpfs',
    source: 'tmpfs',
    destination: '/dev',
    flags: ['nosuid', 'strictatime'],
    data: 'mode=755,size=65536k',
  },
  {
    type: 'tmpfs',
    source: 'shm',
    destination: '/dev/shm',
    flags: ['nosuid', 'nodev', 'noexec'],
    data: 'mode=1777,size=65536k',
  },
  // Every tmpfs has a size: pages a container writes there are RAM, and must be bounded.
  {
    type: 'tmpfs',
    source: 'tmpfs',
    destination: '/tmp',
    flags: ['nosuid', 'nodev'],
    data: 'mode=1777,size=65536k',
  },
  {
    type: 'sysfs',
    source: 'sysfs',
    destination: '/sys',
    flags: ['ro', 'nosuid', 'nodev', 'noexec'],
    data: '',
  },
];
