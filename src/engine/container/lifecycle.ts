// Container lifecycle as a discriminated union: launching -> running -> exited -> removed.
// Transitions are predicates, so an illegal move is a bug that names both states.
import type { Nanoseconds } from '../../units.js';
import type { SystemError } from '../../errors.js';
import type { CgroupStats } from './cgroup/types.js';

export interface ContainerExit {
  atNs: Nanoseconds;
  code: number | null;
  signal: string | null;
  oomKilled: boolean;
  timedOut: boolean;
  /** Set when stop() was called before the container exited by itself. */
  stoppedBy?: string;
  /** A setup step of the helper failed (stage, op, errno, path): the command never ran. */
  setupError?: SystemError;
  /** Cgroup counters read just before the cgroup was removed. */
  stats?: CgroupStats;
  /**
   * An OCI runtime in the foreground removed its cgroup as it exited: `stats` is only what was
   * last read while it ran, so the final CPU time is unknown (reported as not measured, never 0).
   */
  countersLost?: true;
  /** Removing the cgroup failed (left for `ctvm gc`); the message names the dir. */
  cleanupError?: string;
}

export type ContainerState =
  | { status: 'launching' }
  | { status: 'running'; pid: number }
  | { status: 'exited'; exit: ContainerExit }
  | { status: 'removed'; exit: ContainerExit };

const NEXT: Record<ContainerState['status'], Array<ContainerState['status']>> = {
  launching: ['running', 'exited'],
  running: ['exited'],
  exited: ['removed'],
  removed: [],
};

export function canTransition(from: ContainerState['status'], to: ContainerState['status']): boolean {
  return NEXT[from].includes(to);
}

export function transition(from: ContainerState, to: ContainerState): ContainerState {
  if (!canTransition(from.status, to.status))
    throw new Error(`container state: ${from.status} -> ${to.status} is not allowed`);
  return to;
}

export function isActive(s: ContainerState): boolean {
  return s.status === 'launching' || s.status === 'running';
}
