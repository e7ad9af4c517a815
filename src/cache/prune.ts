// The content-addressed caches that grow with use: .cache/rootfs/<hash>/ (one per set of host
// programs / probe build) and .cache/initramfs/<hash>.cpio[.gz] (one per rootfs + argv). Each
// entry is touched when it is used (markUsed), so `ctvm gc --cache-days N` can remove the ones
// nobody used for N days — never one that a live instance leases (every state dir's owner.json
// names what its instance reads: a container's overlay lower, an OCI bundle's root, a VM's
// initramfs) or that a mount in any mount namespace refers to, and never the guest kernel
// (set-up owns that), nor one a live process used (lease.ts: a run between its instances).
// A container's overlay lives in its own mount namespace, which /proc/self/mountinfo does not show.
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, rmSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE_DIR, STATE_DIR } from '../paths.js';
import { ownerAlive, type OwnerIdentity } from '../engine/container/state-dir.js';
import { holdLease } from './lease.js';

export const PRUNABLE = ['rootfs', 'initramfs'] as const;

export interface PruneReport {
  removed: string[];
  kept: number;
  freedBytes: number;
}

/** Best effort: a cache hit refreshes the entry's mtime (its "last used") and leases it to us. */
export function markUsed(path: string): void {
  holdLease(path);
  try {
    const now = new Date();
    utimesSync(path, now, now);
  } catch {
    /* read-only cache or gone: it is only a hint for pruning */
  }
}

/**
 * Removes cache entries unused for `maxAgeDays`; one that a lease or a mount names is kept.
 * `mountinfo` and `leases` default to every mount namespace's and every state dir's.
 */
export function pruneCaches(opts: {
  maxAgeDays: number;
  cacheDir?: string;
  nowMs?: number;
  mountinfo?: string;
  leases?: string[];
  stateRoot?: string;
}): PruneReport {
  const root = opts.cacheDir ?? CACHE_DIR;
  const now = opts.nowMs ?? Date.now();
  const mounts = opts.mountinfo ?? allMountinfo();
  const leases = opts.leases ?? leasedPaths(opts.stateRoot ?? STATE_DIR);
  const inUse = (path: string): boolean => names(mounts, path) || leases.some((l) => within(l, path));
  const report: PruneReport = { removed: [], kept: 0, freedBytes: 0 };
  for (const kind of PRUNABLE) {
    const dir = join(root, kind);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const st = lstatSync(path);
      const unusedDays = (now - st.mtimeMs) / 86_400_000;
      if (unusedDays < opts.maxAgeDays || inUse(path)) {
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

/**
 * Every path a state dir's owner.json leases (`uses`). An instance's lease holds whatever its
 * owner's state (`ctvm gc` reaps dead owners' dirs before it prunes, and a dir it could not reap
 * may still have users); a process's lease (lease.ts) only while that process lives.
 */
export function leasedPaths(stateRoot = STATE_DIR): string[] {
  const out: string[] = [];
  let names: string[];
  try {
    names = readdirSync(stateRoot);
  } catch {
    return out;
  }
  for (const name of names) {
    try {
      const rec = JSON.parse(readFileSync(join(stateRoot, name, 'owner.json'), 'utf8')) as {
        kind?: unknown;
        uses?: unknown;
      } & OwnerIdentity;
      if (rec.kind === 'lease' && !ownerAlive(rec)) continue;
      if (Array.isArray(rec.uses)) out.push(...rec.uses.filter((u): u is string => typeof u === 'string'));
    } catch {
      /* no record (yet), or not a dir */
    }
  }
  return out;
}

/** The mount tables of all mount namespaces (one reader per namespace), concatenated. */
export function allMountinfo(procRoot = '/proc'): string {
  const seen = new Set<string>();
  let out = '';
  for (const pid of ['self', ...readdirSync(procRoot).filter((d) => /^\d+$/.test(d))]) {
    try {
      const ns = readlinkSync(join(procRoot, pid, 'ns/mnt'));
      if (seen.has(ns)) continue;
      out += readFileSync(join(procRoot, pid, 'mountinfo'), 'utf8');
      seen.add(ns);
    } catch {
      /* exited meanwhile, or a kernel thread */
    }
  }
  return out;
}

/** True when `text` names `path` as a whole path (not `path` + more characters of a name). */
function names(text: string, path: string): boolean {
  for (let i = text.indexOf(path); i >= 0; i = text.indexOf(path, i + 1)) {
    const next = text[i + path.length];
    if (next === undefined || /[\s/,:=]/.test(next)) return true;
  }
  return false;
}

/** `lease` is `path` or lies below it. */
function within(lease: string, path: string): boolean {
  return lease === path || lease.startsWith(path + '/');
}

function sizeOf(path: string): number {
  const st = lstatSync(path);
  if (!st.isDirectory()) return st.size;
  let n = 0;
  for (const name of readdirSync(path)) n += sizeOf(join(path, name));
  return n;
}
