// `ctvm gc` for lxc instances whose ctvm was SIGKILLed: the launcher takes lxc-execute and the
// workload down with it, but LXC's host-wide traces stay — the instance's private lxcpath under
// /run/ctvm/lxc.d, its lock dir under /run/lxc, and the cgroups lxc.monitor.<name> and
// lxc.payload.<name> in every hierarchy. An instance is debris when the owner recorded in its
// lxcpath (owner.json, written before lxc-execute starts) is dead; anything still running in its
// cgroups is killed first. Nothing of a live owner's, and nothing LXC made for others, is touched.
import { existsSync, readFileSync, readdirSync, rmdirSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { errorMessage } from '../../errors.js';
import { isYoung, ownerAlive, type OwnerIdentity } from '../container/state-dir.js';
import { LXC_STATE_DIR, removeLxcInstance } from './environment.js';

export interface LxcGcReport {
  reaped: string[];
  kept: string[];
  errors: string[];
}

/** An lxcpath without owner.json younger than this is a launch in progress, not debris. */
const YOUNG_MS = 60_000;
const CGROUP_ROOT = '/sys/fs/cgroup';

function owner(dir: string): OwnerIdentity | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'owner.json'), 'utf8')) as OwnerIdentity;
  } catch {
    return undefined;
  }
}

/** The instance's cgroup dirs in every hierarchy (v1) or the unified root (v2), deepest first. */
export function lxcCgroupDirs(name: string, root = CGROUP_ROOT): string[] {
  const tops: string[] = [];
  const bases = [root, ...safeList(root).map((h) => join(root, h))];
  for (const base of bases)
    for (const kind of ['monitor', 'payload']) {
      const d = join(base, `lxc.${kind}.${name}`);
      if (existsSync(d)) tops.push(d);
    }
  const out: string[] = [];
  const walk = (d: string) => {
    let entries: Dirent[] = [];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      /* gone meanwhile */
    }
    for (const e of entries) if (e.isDirectory()) walk(join(d, e.name)); // sub-cgroups first
    out.push(d);
  };
  for (const t of tops) walk(t);
  return out;
}

function safeList(d: string): string[] {
  try {
    return readdirSync(d);
  } catch {
    return [];
  }
}

/** SIGKILLs every process left in the instance's cgroups, then removes them (deepest first). */
function killAndRemoveCgroups(name: string): string[] {
  const errors: string[] = [];
  const dirs = lxcCgroupDirs(name);
  for (const d of dirs)
    for (const pid of readFileSafe(join(d, 'cgroup.procs')).split('\n').filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  for (const d of dirs) {
    let lastErr: unknown;
    // A killed process leaves its cgroup a moment after the signal.
    for (let i = 0; i < 50; i++) {
      try {
        rmdirSync(d);
        lastErr = undefined;
        break;
      } catch (err) {
        lastErr = err;
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
          lastErr = undefined;
          break;
        }
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
      }
    }
    if (lastErr) errors.push(`lxc: cannot remove cgroup ${d}: ${errorMessage(lastErr)}`);
  }
  return errors;
}

function readFileSafe(p: string): string {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return '';
  }
}

export async function gcLxc(stateDir = LXC_STATE_DIR): Promise<LxcGcReport> {
  const report: LxcGcReport = { reaped: [], kept: [], errors: [] };
  for (const name of safeList(stateDir)) {
    const dir = join(stateDir, name);
    const o = owner(dir);
    if (o ? ownerAlive(o) : isYoung(dir, YOUNG_MS)) {
      report.kept.push(name);
      continue;
    }
    report.errors.push(...killAndRemoveCgroups(name));
    try {
      await removeLxcInstance(dir, name);
      report.reaped.push(name);
    } catch (err) {
      report.errors.push(`lxc: ${name}: ${errorMessage(err)}`);
    }
  }
  return report;
}
