// Kernel samepage merging (/sys/kernel/mm/ksm): read its counters, switch it on for a density
// level and put the host's own settings back afterwards. The settings we replace are saved in
// STATE_DIR/ksm.json (with our pid and start time) *before* anything is written, so a run killed
// with SIGKILL leaves a record that `ctvm gc` uses to restore them once we are dead.
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ownerAlive, selfOwner, type OwnerIdentity } from '../engine/container/state-dir.js';
import { threadsCpuNs } from '../measure/cpu.js';
import { STATE_DIR } from '../paths.js';
import type { Nanoseconds } from '../units.js';

export const KSM_DIR = '/sys/kernel/mm/ksm';

/** The tunables ctvm changes; everything else in KSM_DIR is left alone. */
export const KSM_TUNABLES = ['pages_to_scan', 'sleep_millisecs', 'run'] as const;
export type KsmSettings = Record<(typeof KSM_TUNABLES)[number], number>;

export interface KsmStats {
  pagesShared: number;
  pagesSharing: number;
  fullScans: number;
  /** Cumulative pages ksmd looked at (kernels >= 6.8; undefined before). */
  pagesScanned?: number;
}

interface SavedRecord extends OwnerIdentity {
  format: 1;
  saved: KsmSettings;
  savedAt: string;
}

export interface KsmPaths {
  /** The sysfs dir (tests point it at a temp dir). */
  dir: string;
  /** Where the saved settings live until restored. */
  recordFile: string;
}

export const defaultKsmPaths = (): KsmPaths => ({ dir: KSM_DIR, recordFile: join(STATE_DIR, 'ksm.json') });

export function ksmAvailable(p: KsmPaths = defaultKsmPaths()): boolean {
  return existsSync(join(p.dir, 'run'));
}

function readNum(p: KsmPaths, name: string): number {
  const text = readFileSync(join(p.dir, name), 'utf8').trim();
  const n = Number(text);
  if (!Number.isFinite(n)) throw new Error(`${join(p.dir, name)}: expected a number, got '${text}'`);
  return n;
}

function writeNum(p: KsmPaths, name: string, value: number): void {
  try {
    writeFileSync(join(p.dir, name), `${value}\n`);
  } catch (err) {
    throw new Error(`write ${value} to ${join(p.dir, name)}: ${(err as Error).message}`, { cause: err });
  }
}

export function readKsmSettings(p: KsmPaths = defaultKsmPaths()): KsmSettings {
  return Object.fromEntries(KSM_TUNABLES.map((k) => [k, readNum(p, k)])) as KsmSettings;
}

export function readKsmStats(p: KsmPaths = defaultKsmPaths()): KsmStats {
  return {
    pagesShared: readNum(p, 'pages_shared'),
    pagesSharing: readNum(p, 'pages_sharing'),
    fullScans: readNum(p, 'full_scans'),
    ...(existsSync(join(p.dir, 'pages_scanned')) ? { pagesScanned: readNum(p, 'pages_scanned') } : {}),
  };
}

/** Writes `s` back: scan rate first, `run` last, so ksmd never runs at our rate with their switch. */
function applySettings(p: KsmPaths, s: KsmSettings): void {
  for (const k of KSM_TUNABLES) if (readNum(p, k) !== s[k]) writeNum(p, k, s[k]);
}

function readRecord(p: KsmPaths): SavedRecord | undefined {
  try {
    return JSON.parse(readFileSync(p.recordFile, 'utf8')) as SavedRecord;
  } catch {
    return undefined;
  }
}

/** KSM switched on by us, until restore() (idempotent) puts the saved settings back. */
export interface KsmSession {
  readonly saved: KsmSettings;
  restore(): void;
}

/**
 * Saves the current settings (to disk first), then runs ksmd at `scan` rate. Refuses while another
 * live ctvm holds KSM; a dead holder's settings are restored first (as gc would).
 */
export function enableKsm(
  scan: { pagesToScan: number; sleepMs: number },
  p: KsmPaths = defaultKsmPaths(),
): KsmSession {
  if (!ksmAvailable(p)) throw new Error(`${p.dir} does not exist: this kernel has no KSM`);
  const held = readRecord(p);
  if (held && ownerAlive(held))
    throw new Error(`KSM is in use by another ctvm process (pid ${held.ownerPid}, record ${p.recordFile})`);
  if (held) restoreRecord(p, held);
  const saved = readKsmSettings(p);
  const record: SavedRecord = { format: 1, ...selfOwner(), saved, savedAt: new Date().toISOString() };
  mkdirSync(join(p.recordFile, '..'), { recursive: true, mode: 0o700 });
  const tmp = `${p.recordFile}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(record, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, p.recordFile);
  let restored = false;
  const session: KsmSession = {
    saved,
    restore() {
      if (restored) return;
      restored = true;
      restoreRecord(p, record);
    },
  };
  try {
    applySettings(p, { pages_to_scan: scan.pagesToScan, sleep_millisecs: scan.sleepMs, run: 1 });
  } catch (err) {
    session.restore();
    throw err;
  }
  return session;
}

function restoreRecord(p: KsmPaths, r: SavedRecord): void {
  applySettings(p, r.saved);
  rmSync(p.recordFile, { force: true });
}

/** For `ctvm gc`: restores the settings a dead ctvm saved. Returns what it did, if anything. */
export function gcKsm(p: KsmPaths = defaultKsmPaths()): string | undefined {
  const r = readRecord(p);
  if (!r) return undefined;
  if (ownerAlive(r)) return undefined;
  restoreRecord(p, r);
  return `restored KSM settings saved by dead pid ${r.ownerPid}: ${KSM_TUNABLES.map((k) => `${k}=${r.saved[k]}`).join(' ')}`;
}

/** Host CPU time of the ksmd kernel thread so far (schedstat, ns), or undefined when there is none. */
export function ksmdCpuNs(): Nanoseconds | undefined {
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'ksmd')
        return threadsCpuNs(Number(pid)) ?? undefined;
    } catch {
      continue;
    }
  }
  return undefined;
}

/** The bracketed choice of /sys/kernel/mm/transparent_hugepage/enabled: always | madvise | never. */
export function thpMode(file = '/sys/kernel/mm/transparent_hugepage/enabled'): string | undefined {
  try {
    return /\[(\w+)\]/.exec(readFileSync(file, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}
