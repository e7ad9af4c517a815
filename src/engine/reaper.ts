// The one registry of live instances in this process, so none outlives it (Firecracker's rule:
// whatever makes an instance kills it). Engines track what they start; on SIGINT/SIGTERM/SIGHUP
// the shared AbortSignal is aborted first (the run loop stops taking samples), then every live
// instance is stopped (bounded), and a synchronous killSync() is the last resort on exit.
// A caller that owns the interruption (the runner: it finalises results, then the CLI exits
// 130/143) claims it with interruptSignal(); otherwise the signal is re-raised after cleanup so
// the process still dies "killed by signal" (e.g. `ctvm vm run` on Ctrl-C).
import { rmSync } from 'node:fs';

export interface Reapable {
  readonly name: string;
  /** Graceful, idempotent teardown. */
  stop(reason?: string): Promise<void>;
  /** Synchronous last resort on process exit: SIGKILL + remove temp files. */
  killSync?(): void;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** How long graceful stops may take after a signal before killSync takes over. */
const STOP_BUDGET_MS = 3000;
/** Engines may re-raise a signal after their own cleanup, so only a third one forces an exit. */
const FORCE_EXIT_AFTER = 3;

const live = new Set<Reapable>();
let controller = new AbortController();
let installed = false;
let claimed = false;
let caught: NodeJS.Signals | null = null;
let signalsSeen = 0;

export function track(r: Reapable): () => void {
  installHandlers();
  live.add(r);
  return () => live.delete(r);
}

export function liveInstances(): number {
  return live.size;
}

/** Aborted when a signal arrives; the run loop checks it between samples. Claims the interruption. */
export function interruptSignal(): AbortSignal {
  installHandlers();
  claimed = true;
  return controller.signal;
}

export function caughtSignal(): NodeJS.Signals | null {
  return caught;
}

export async function stopAll(reason: string): Promise<void> {
  await Promise.allSettled([...live].map((i) => i.stop(reason)));
}

/** For tests: forget a previous interruption. */
export function resetInterrupt(): void {
  caught = null;
  signalsSeen = 0;
  controller = new AbortController();
}

/** Helper for killSync implementations. */
export function killAndRemove(pid: number | undefined, dir: string | undefined): void {
  if (pid !== undefined) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
}

function killAllSync(): void {
  for (const r of live) r.killSync?.();
}

function onSignal(sig: NodeJS.Signals): void {
  signalsSeen++;
  if (signalsSeen >= FORCE_EXIT_AFTER) {
    // The user insists: leave now; the exit hook SIGKILLs what is still live.
    process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGHUP' ? 1 : 15));
  }
  if (caught) return;
  caught = sig;
  controller.abort(new Error(`interrupted by ${sig}`));
  const budget = new Promise((r) => setTimeout(r, STOP_BUDGET_MS).unref());
  void Promise.race([stopAll(`signal ${sig}`), budget]).finally(() => {
    killAllSync();
    if (claimed) return;
    // Nobody finalises this interruption: die by the signal, unless another handler takes it.
    // (Our listener stays registered while we reap, or another library's exit handler — execa's
    // signal-exit — would see itself alone and re-raise the signal, killing us mid-cleanup.)
    for (const s of SIGNALS) process.off(s, onSignal);
    if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
  });
}

function installHandlers(): void {
  if (installed) return;
  installed = true;
  for (const sig of SIGNALS) process.on(sig, onSignal);
  process.on('exit', killAllSync);
}
