// Instances the runner launched, stopped together on SIGINT/SIGTERM (and by the runner on error).
// A signal aborts the shared AbortSignal first so the run loop stops taking samples, then every
// live instance is stopped; the runner finalises its results and the CLI exits 130/143.
import type { Instance } from './environment.js';

const live = new Set<Pick<Instance, 'name' | 'stop'>>();
let controller = new AbortController();
let installed = false;
let caught: NodeJS.Signals | null = null;
let signalsSeen = 0;
/** Engines may re-raise a signal after their own cleanup, so only a third one forces an exit. */
const FORCE_EXIT_AFTER = 3;

export function track(inst: Pick<Instance, 'name' | 'stop'>): () => void {
  installHandlers();
  live.add(inst);
  return () => live.delete(inst);
}

export function liveInstances(): number {
  return live.size;
}

/** Aborted when SIGINT/SIGTERM arrives; the run loop checks it between samples. */
export function interruptSignal(): AbortSignal {
  installHandlers();
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

function installHandlers(): void {
  if (installed) return;
  installed = true;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      signalsSeen++;
      if (signalsSeen >= FORCE_EXIT_AFTER) {
        // The user insists; leave now (engines SIGKILL their instances from their exit hooks).
        process.exit(128 + (sig === 'SIGINT' ? 2 : 15));
      }
      if (caught) return;
      caught = sig;
      controller.abort(new Error(`interrupted by ${sig}`));
      void stopAll(`signal ${sig}`);
    });
  }
}
