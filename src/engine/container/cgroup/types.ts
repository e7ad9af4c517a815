// One cgroup interface, two drivers (v1.ts, v2.ts): create with limits, stats, kill-all, remove.
import type { Limits } from '../../environment.js';
import type { Bytes, Nanoseconds } from '../../../units.js';

export interface CgroupStats {
  memoryBytes: Bytes;
  /** High-water mark (v1 max_usage_in_bytes, v2 memory.peak); undefined where the kernel lacks it. */
  memoryPeakBytes: Bytes | undefined;
  cpuNs: Nanoseconds;
  pids: number;
  oomKills: number;
}

export interface Cgroup {
  /** Name below the driver's parent ('ctvm/<name>'). */
  readonly name: string;
  /** cgroup.procs files the helper writes the container's pid to (one per v1 hierarchy). */
  readonly procsFiles: string[];
  /**
   * v2: the cgroup dir the helper attaches the BPF device program to (`devices` keyword, before
   * the command starts); v1: undefined, the driver wrote devices.deny/allow at create.
   */
  readonly deviceProgramDir: string | undefined;
  /** Every pid in the cgroup and its sub-cgroups (host pid namespace). */
  pids(): number[];
  stats(): CgroupStats;
  /** Kills every process in the cgroup and its sub-cgroups, waits until empty. Idempotent. */
  killAll(): Promise<void>;
  /** Removes the cgroup dirs and any sub-cgroups, deepest first (kills first). Idempotent. */
  remove(): Promise<void>;
}

export interface CgroupDriver {
  readonly version: 'v1' | 'v2';
  /** Creates `<parent>/<name>` and applies the limits; on failure nothing is left behind. */
  create(name: string, limits: Limits): Cgroup;
  /** Opens an existing cgroup (gc), or undefined when no dir for it exists. */
  open(name: string): Cgroup | undefined;
  /** Names of the cgroups below the parent (gc). */
  list(): string[];
}

/** runc's conversion of a v2 weight (1..10000) to v1 shares (2..262144), inverted. */
export function weightToShares(weight: number): number {
  return Math.round(2 + ((weight - 1) * 262142) / 9999);
}

export const CFS_PERIOD_US = 100_000;
