// Reaps what dead owners' VMs left: for every VM state dir whose owner is dead, SIGKILL its qemu
// (only the process whose pid AND start time the record names, or one whose command line names
// the dir) and remove the dir. Also removes the /tmp/ctvm-vm-* dirs older versions made, once no
// process refers to them, without following links (a world-writable dir: see removeLegacyDir).
import { readFileSync, readdirSync, rmSync, rmdirSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errorMessage } from '../../errors.js';
import { isYoung, ownerAlive, processStartTicks } from '../container/state-dir.js';
import { privateDirProblem } from '../../util/private-dir.js';
import { listVmStateDirs, readVmRecord, vmStateRoot } from './vm-state.js';

export interface VmGcReport {
  /** State dirs (and legacy temp dirs) removed. */
  reaped: string[];
  /** qemu pids killed. */
  killed: number[];
  /** Dirs of live owners, or of a launch in progress, or legacy dirs a process still uses. */
  kept: string[];
  errors: string[];
}

/** A dir younger than this without a complete record (or a legacy one) may be a launch in progress. */
const YOUNG_MS = 60_000;
const KILL_WAIT_MS = 5000;
const LEGACY_PREFIX = 'ctvm-vm-';

export async function gcVms(opts: { stateRoot?: string; legacyRoot?: string } = {}): Promise<VmGcReport> {
  const report: VmGcReport = { reaped: [], killed: [], kept: [], errors: [] };
  for (const dir of listVmStateDirs(opts.stateRoot ?? vmStateRoot())) {
    const record = readVmRecord(dir);
    if (record ? ownerAlive(record) : isYoung(dir, YOUNG_MS)) {
      report.kept.push(dir);
      continue;
    }
    try {
      const victims = new Set(pidsReferring(dir));
      if (record?.qemuPid !== undefined && processStartTicks(record.qemuPid) === record.qemuStartTicks)
        victims.add(record.qemuPid);
      for (const pid of victims) await killAndWait(pid);
      report.killed.push(...victims);
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
      report.reaped.push(dir);
    } catch (err) {
      report.errors.push(`${dir}: ${errorMessage(err)}`);
    }
  }
  reapLegacyDirs(opts.legacyRoot ?? tmpdir(), report);
  return report;
}

/** Old versions' /tmp/ctvm-vm-<name>-XXXXXX: removed once no process (qemu) names it. */
function reapLegacyDirs(root: string, report: VmGcReport): void {
  let names: string[];
  try {
    names = readdirSync(root)
      .filter((n) => n.startsWith(LEGACY_PREFIX))
      .sort();
  } catch {
    return;
  }
  for (const name of names) {
    const dir = join(root, name);
    try {
      if (!ownedPrivateDir(dir) || isYoung(dir, YOUNG_MS)) continue;
      if (pidsReferring(dir).length) {
        report.kept.push(dir);
        continue;
      }
      if (removeLegacyDir(dir)) report.reaped.push(dir);
      else report.kept.push(`${dir} (holds files ctvm did not make: remove them yourself)`);
    } catch (err) {
      report.errors.push(`${dir}: ${errorMessage(err)}`);
    }
  }
}

/**
 * A real directory (not a link) that we own and nobody else may write: in a sticky $TMPDIR no
 * other user can then rename it or change what is inside, so removing by name is safe.
 */
function ownedPrivateDir(dir: string): boolean {
  return privateDirProblem(dir) === undefined;
}

/**
 * Removes only what ctvm put there (the QMP socket), then the dir itself; never recursively.
 * False when something else is inside (not ours to delete).
 */
function removeLegacyDir(dir: string): boolean {
  try {
    unlinkSync(join(dir, 'qmp.sock'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  try {
    rmdirSync(dir);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOTEMPTY') return false;
    throw err;
  }
}

/** Live pids whose command line names `dir` (qemu's -qmp argument holds its socket path). */
export function pidsReferring(dir: string, procRoot = '/proc'): number[] {
  const needle = Buffer.from(dir + '/');
  const out: number[] = [];
  for (const d of readdirSync(procRoot)) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    try {
      if (readFileSync(join(procRoot, d, 'cmdline')).includes(needle) && !isZombie(Number(d)))
        out.push(Number(d));
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

async function killAndWait(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return; // gone already
  }
  const deadline = Date.now() + KILL_WAIT_MS;
  while (Date.now() < deadline) {
    if (processStartTicks(pid) === undefined || isZombie(pid)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`pid ${pid} still running ${KILL_WAIT_MS} ms after SIGKILL`);
}

function isZombie(pid: number): boolean {
  try {
    return /^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}
