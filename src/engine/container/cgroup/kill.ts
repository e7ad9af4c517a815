// Shared teardown helpers: SIGKILL a list of pids (ignoring the already-gone), wait for empty,
// and rmdir a cgroup tree bottom-up.
import { join } from 'node:path';
import { cgroupTree, readPids, sleepMs } from './fs.js';

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

/**
 * The usual teardown without listing any directory (a readdir per hierarchy costs ~0.3 ms of a
 * container start): when no top cgroup holds a task, rmdir each. A sub-cgroup makes its parent's
 * rmdir fail (EBUSY), so this can never skip one; false then, and the caller kills and removes
 * the whole tree (removeTree tolerates the tops already gone).
 */
export function removeIfBare(tops: string[], rmdir: (dir: string) => void): boolean {
  if (tops.some((dir) => readPids(join(dir, 'cgroup.procs')).length > 0)) return false;
  try {
    for (const dir of tops) rmdir(dir);
    return true;
  } catch {
    return false;
  }
}

/**
 * Removes `top` and every sub-cgroup below it, deepest first (a cgroup with children is EBUSY).
 * The cgroups must be empty of tasks. EBUSY right after the last task exits is transient (the
 * kernel is still releasing it), so each rmdir is retried for ~100 ms.
 */
export async function removeTree(top: string, rmdir: (dir: string) => void): Promise<void> {
  for (const dir of cgroupTree(top)) {
    for (let i = 0; ; i++) {
      try {
        rmdir(dir);
        break;
      } catch (err) {
        if (i >= 50 || !/EBUSY/.test(String(err))) throw err;
        await sleepMs(2);
      }
    }
  }
}
