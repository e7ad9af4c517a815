// A process-lifetime lease on cache entries: every entry this process used (markUsed) is named in
// STATE_DIR/lease.<pid>.XXXXXX/owner.json until it exits, so `gc --cache-days` also keeps a run's
// rootfs and initramfs between its instances (a live instance leases its own in its state dir).
// Valid while the process lives. Best effort: without a writable STATE_DIR (not root) the
// entry's mtime is the only hint.
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { STATE_DIR } from '../paths.js';
import { isYoung, ownerAlive, readOwner, selfOwner, writeRecord } from '../engine/container/state-dir.js';

export const LEASE_DIR_PREFIX = 'lease.';
/** A lease dir younger than this may still be getting its record. */
const YOUNG_MS = 60_000;

const held = new Set<string>();
let dir: string | undefined;

/** Adds `path` to this process's lease (one small write the first time a path is seen). */
export function holdLease(path: string, stateRoot = STATE_DIR): void {
  if (held.has(path)) return;
  held.add(path);
  try {
    if (!dir) {
      mkdirSync(stateRoot, { recursive: true, mode: 0o700 });
      // A process killed by a signal never runs its 'exit' handler: its dir is swept here
      // (and by `ctvm gc`); until then prune ignores it (leasedPaths checks the owner).
      reapDeadLeases(stateRoot);
      const made = mkdtempSync(join(stateRoot, `${LEASE_DIR_PREFIX}${process.pid}.`));
      process.once('exit', () => rmSync(made, { recursive: true, force: true }));
      dir = made;
    }
    writeRecord(dir, { format: 1, kind: 'lease', ...selfOwner(), uses: [...held] });
  } catch {
    /* no shared state dir for us: the mtime markUsed set still protects for --cache-days >= 1 */
  }
}

/** Removes lease dirs whose owner is dead (a SIGKILLed run); returns them. */
export function reapDeadLeases(stateRoot = STATE_DIR): string[] {
  const out: string[] = [];
  let names: string[];
  try {
    names = readdirSync(stateRoot).filter((n) => n.startsWith(LEASE_DIR_PREFIX));
  } catch {
    return out;
  }
  for (const name of names) {
    const path = join(stateRoot, name);
    const owner = readOwner(name, stateRoot); // only its owner fields are read
    if (owner ? ownerAlive(owner) : isYoung(path, YOUNG_MS)) continue;
    rmSync(path, { recursive: true, force: true });
    out.push(path);
  }
  return out;
}
