// Every live instance this process started, so none outlives it: stop() on Ctrl-C/SIGTERM,
// and a synchronous last-resort kill + temp-dir removal on process exit. The runner and the CLI
// share this one registry (Firecracker's rule: whatever makes a VM kills it).
import { rmSync } from 'node:fs';

export interface Reapable {
  readonly name: string;
  /** Graceful, idempotent teardown. */
  stop(reason?: string): Promise<void>;
  /** Synchronous last resort for process exit: SIGKILL + remove temp files. */
  killSync(): void;
}

const live = new Set<Reapable>();
let handlersInstalled = false;

export function track(r: Reapable): () => void {
  installHandlers();
  live.add(r);
  return () => live.delete(r);
}

export function liveCount(): number {
  return live.size;
}

/** Stops every live instance (used by signal handlers and by callers that abort a run). */
export async function reapAll(reason = 'reaped'): Promise<void> {
  await Promise.allSettled([...live].map((r) => r.stop(reason)));
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    // `on`, not `once`: while we reap, our listener must stay registered, or another library's
    // handler (execa's signal-exit) sees itself alone and re-raises the signal, killing us mid-cleanup.
    const handler = () => {
      const bounded = new Promise((r) => setTimeout(r, 3000).unref());
      void Promise.race([reapAll(`signal ${sig}`), bounded]).finally(() => {
        for (const r of live) r.killSync();
        process.off(sig, handler);
        // Re-raise so the exit status still says "killed by signal" (unless others handle it).
        if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
      });
    };
    process.on(sig, handler);
  }
  process.on('exit', () => {
    for (const r of live) r.killSync();
  });
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
