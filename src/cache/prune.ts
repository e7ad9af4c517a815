// The content-addressed caches that grow with use: .cache/rootfs/<hash>/ (one per set of host
// programs / probe build) and .cache/initramfs/<hash>.cpio[.gz] (one per rootfs + argv). Each
// entry is touched when it is used (markUsed), so `ctvm gc --cache-days N` can remove the ones
// nobody used for N days — never one that a mount still refers to (a live container's overlay
// lower), and never the guest kernel (set-up owns that).
import { existsSync, lstatSync, readdirSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE_DIR } from '../paths.js';

export const PRUNABLE = ['rootfs', 'initramfs'] as const;

export interface PruneReport {
  removed: string[];
  kept: number;
  freedBytes: number;
}

/** Best effort: a cache hit refreshes the entry's mtime (its "last used"). */
export function markUsed(path: string): void {
  try {
    const now = new Date();
    utimesSync(path, now, now);
  } catch {
    /* read-only cache or gone: it is only a hint for pruning */
  }
}

/** Removes cache entries unused for `maxAgeDays`; a path named in a mount is kept. */
export function pruneCaches(opts: {
  maxAgeDays: number;
  cacheDir?: string;
  nowMs?: number;
  mountinfo?: string;
}): PruneReport {
  const root = opts.cacheDir ?? CACHE_DIR;
  const now = opts.nowMs ?? Date.now();
  const mounts = opts.mountinfo ?? readFileSync('/proc/self/mountinfo', 'utf8');
  const report: PruneReport = { removed: [], kept: 0, freedBytes: 0 };
  for (const kind of PRUNABLE) {
    const dir = join(root, kind);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const st = lstatSync(path);
      const unusedDays = (now - st.mtimeMs) / 86_400_000;
      if (unusedDays < opts.maxAgeDays || mounts.includes(path)) {
        report.kept++;
        continue;
      }
      report.freedBytes += sizeOf(path);
      rmSync(path, { recursive: true, force: true });
      report.removed.push(`${kind}/${name}`);
    }
  }
  return report;
}

function sizeOf(path: string): number {
  const st = lstatSync(path);
  if (!st.isDirectory()) return st.size;
  let n = 0;
  for (const name of readdirSync(path)) n += sizeOf(join(path, name));
  return n;
}
