// Shared kill helpers: SIGKILL a list of pids (ignoring the already-gone) and wait for empty.
import { sleepMs } from './fs.js';

export function killPids(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* ESRCH: it exited by itself in the meantime */
    }
  }
}

/** Polls until `pids()` is empty; throws after `timeoutMs` naming what is still there. */
export async function waitEmpty(what: string, pids: () => number[], timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 1; ; delay = Math.min(delay * 2, 20)) {
    const left = pids();
    if (left.length === 0) return;
    if (Date.now() > deadline)
      throw new Error(`${what}: pids ${left.join(' ')} still present after ${timeoutMs} ms`);
    await sleepMs(delay);
  }
}
