// The one abstraction the runner knows: an Environment launches Instances of a prepared workload.
// Every engine (bare, chroot, container, oci:*, lxc, docker, lxd, vm) implements it; nothing else is special-cased.
import type { Bytes, Nanoseconds } from '../units.js';
import type { HostFacts } from '../host/facts.js';

export type { Availability } from '../host/availability.js';
import type { Availability } from '../host/availability.js';

/** A workload ready to run: the same rootfs tree and command go to every environment. */
export interface PreparedWorkload {
  /** Catalog name: 'noop', 'idle', 'cpu', 'mem', 'syscall', 'io', 'host:sysbench', ... */
  name: string;
  /** Absolute path of the workload rootfs (read-only; container overlay lower, VM initramfs source). */
  rootfsDir: string;
  /** Content hash of the rootfs tree (cache key for bundles and initramfs images). */
  rootfsHash: string;
  /** Command inside the rootfs, argv[0] absolute (e.g. ['/bin/ctvm-probe', 'cpu', '200']). */
  argv: string[];
  env: Record<string, string>;
  /** sha256 of argv[0]'s file in the rootfs, so every environment can prove it ran the same bytes. */
  binarySha256: string;
}

export interface Limits {
  memoryBytes?: Bytes;
  /** CPU quota as a fraction of CPUs (0.5 = half a CPU). */
  cpus?: number;
  /** Relative CPU weight, cgroup v2 scale 1..10000 (v1 shares are derived). */
  cpuWeight?: number;
  pids?: number;
  /** cpuset list, e.g. "0" or "0-1". */
  cpuset?: string;
}

export interface LaunchOptions {
  workload: PreparedWorkload;
  /** Unique per instance; used for state dirs, cgroup names, sockets. Matches /^[a-z0-9-]+$/. */
  instanceName: string;
  /** The instance is killed when it has not exited this long after launch (0 = no timeout). */
  timeoutMs: number;
  limits?: Limits;
  /** Environment-specific options from the scenario (vm: vcpus, memory, machine, accel; ...). */
  options?: Record<string, unknown>;
}

export interface Phase {
  /** e.g. 'spawn', 'namespaces', 'cgroup', 'pivot', 'exec', 'qmp', 'console', 'init', 'ready', 'exit'. */
  name: string;
  /** Host CLOCK_MONOTONIC, ns. */
  atNs: Nanoseconds;
}

/** Host monotonic timestamps; `launchNs` is when launch() was called (the start of start latency). */
export interface PhaseTimeline {
  launchNs: Nanoseconds;
  phases: Phase[];
  /** Extra facts measured on the way (e.g. guestUptimeAtInitNs). */
  facts: Record<string, number>;
}

export interface ReadyInfo {
  atNs: Nanoseconds;
}

/** A `RESULT k=v ...` line printed by the workload at its end, stamped with host arrival time. */
export interface ResultLine {
  atNs: Nanoseconds;
  fields: Record<string, string>;
}

export interface ExitInfo {
  atNs: Nanoseconds;
  code: number | null;
  signal: string | null;
  timedOut: boolean;
  oomKilled: boolean;
  /** Set when the harness stopped it (stop() called before it exited by itself). */
  stoppedBy?: string;
  result?: ResultLine;
  /** Last lines of output (stdout+stderr or serial console), for error messages. */
  outputTail: string[];
}

export interface MemorySample {
  /** Proportional set size of everything this instance keeps resident on the host. */
  pssBytes: Bytes;
  rssBytes: Bytes;
  /** cgroup memory.current / memory.usage_in_bytes, where a cgroup exists. */
  cgroupBytes?: Bytes;
  /** What the guest kernel reports (VM only). */
  guestTotalBytes?: Bytes;
  guestAvailableBytes?: Bytes;
  /** PSS of the daemon(s) the instance needs but shares with every other instance (docker:
   *  dockerd + containerd; lxd: its daemon): the "engine" figure, not included in pssBytes. */
  enginePssBytes?: Bytes;
  /** VM only: qemu's PSS split by mapping kind (Guest OS + app | kernel image | Hypervisor). */
  split?: { guestRamBytes: Bytes; kernelImageBytes: Bytes; hypervisorBytes: Bytes };
  /**
   * Engine-specific parts, recorded as metrics under these names (each in results/metrics.ts):
   * e.g. gVisor's sentry + gofer inside pssBytes, or the runtime parent process outside it.
   */
  parts?: Record<string, Bytes>;
}

export interface CpuSample {
  /** Host CPU time (user+system) charged to this instance so far. */
  cpuNs: Nanoseconds;
  atNs: Nanoseconds;
}

export interface Instance {
  readonly name: string;
  readonly events: PhaseTimeline;
  /** Network `bridge`: the instance's address on the lab bridge (clients run in the lab netns). */
  readonly labIp?: string;
  /** Resolves when READY reaches the host; rejects if the instance exits or fails first. */
  readonly ready: Promise<ReadyInfo>;
  /** Resolves once the instance is gone and cleaned up (never rejects; failures are in ExitInfo). */
  readonly exited: Promise<ExitInfo>;
  sampleMemory(): Promise<MemorySample>;
  sampleCpu(): Promise<CpuSample>;
  /** Idempotent: kills everything the instance started and removes what it created. */
  stop(reason?: string): Promise<void>;
}

/** What an environment holds for a whole run (a daemon); closed once, after the last sample. */
export interface EnvironmentSession {
  close(): Promise<void>;
}

export interface Environment {
  readonly id: string;
  probe(host: HostFacts): Promise<Availability>;
  /** Per-run resources every instance shares (docker: ctvm's own dockerd, or the user's daemon
   *  named in `options`; lxd: ctvm's own daemon). The runner opens it before prepare() and closes it after the last
   *  sample, also after an interruption. Optional. */
  session?(options?: Record<string, unknown>): Promise<EnvironmentSession>;
  /** One-time per workload (build bundle / initramfs); cached. */
  prepare(workload: PreparedWorkload, options?: Record<string, unknown>): Promise<void>;
  launch(opts: LaunchOptions): Promise<Instance>;
  /** Facts to record in results (e.g. { accel: 'tcg', machine: 'microvm' }). */
  describe?(options?: Record<string, unknown>): Promise<Record<string, string>>;
}
