// One launch's lifecycle in the launcher session, as a discriminated union with checked moves
// (like container/lifecycle.ts): awaiting-pid -> running -> status-drained -> reaped -> done.
// `reaped` = the launch's end is known (the server's D, the status stream's X, or a failure); it
// is `done` once its status stream is drained and its connections are routed (or given up).

/** How one launcher ended. `error` says why there is no status report (launcher or server lost). */
export interface LaunchEnd {
  exitCode: number | undefined;
  signal: NodeJS.Signals | undefined;
  /** CPU of the launcher and every child it reaped (rusage), from the server; undefined if lost. */
  cpuNs: number | undefined;
  /** Host monotonic time we learned the launcher ended (its status closed after X, or D). */
  reapedAtNs: number | undefined;
  error?: string;
}

export type LaunchState =
  /** Request made; the launcher's pid not known yet (the server's S reply, or a spare's). */
  | { kind: 'awaiting-pid' }
  | { kind: 'running' }
  /** Its status stream ended without an X line: the end comes with the server's D. */
  | { kind: 'status-drained' }
  /** The end is known; `drained` = status stream over, `forced` = stop waiting for anything. */
  | { kind: 'reaped'; end: LaunchEnd; drained: boolean; forced: boolean }
  | { kind: 'done'; end: LaunchEnd };

export type LaunchStateKind = LaunchState['kind'];

const NEXT: Record<LaunchStateKind, LaunchStateKind[]> = {
  // The status stream may connect, and even end, before the S reply naming the pid is read.
  'awaiting-pid': ['running', 'status-drained', 'reaped'],
  running: ['status-drained', 'reaped'],
  'status-drained': ['reaped'],
  // reaped -> reaped: drained, forced, or the server's D replacing the end learnt from X.
  reaped: ['reaped', 'done'],
  done: [],
};

export function canTransition(from: LaunchStateKind, to: LaunchStateKind): boolean {
  return NEXT[from].includes(to);
}

/** `to`, or a thrown bug naming both states. */
export function transition(from: LaunchState, to: LaunchState): LaunchState {
  if (!canTransition(from.kind, to.kind))
    throw new Error(`launch state: ${from.kind} -> ${to.kind} is not allowed`);
  return to;
}
