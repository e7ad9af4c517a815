// Per-instance state under STATE_DIR/<name>: owner.json (who launched it, so `ctvm gc` reaps only
// instances whose owner is dead) and the overlay's upper/work dirs and mount point.
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { STATE_DIR } from '../../paths.js';
import { CtvmError } from '../../errors.js';
import type { InstanceLayout } from './nsexec-args.js';

export interface OwnerRecord {
  format: 1;
  name: string;
  ownerPid: number;
  /** Field 22 of /proc/<pid>/stat: tells a live owner from a reused pid. */
  ownerStartTicks: number;
  cgroupDriver: 'v1' | 'v2';
  createdAt: string;
}

/** Start time of a pid in clock ticks since boot, or undefined when it is not running. */
export function processStartTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[19]);
  } catch {
    return undefined;
  }
}

const SELF_START = processStartTicks(process.pid) ?? 0;

export function layoutFor(name: string, stateRoot = STATE_DIR): InstanceLayout {
  const stateDir = join(stateRoot, name);
  return {
    stateDir,
    rootDir: join(stateDir, 'rootfs'),
    scratchDir: join(stateDir, 'rw'),
    upperDir: join(stateDir, 'rw', 'upper'),
    workDir: join(stateDir, 'rw', 'work'),
  };
}

/** Creates the state dir exclusively (a second instance with the same name fails, naming it). */
export function createStateDir(
  name: string,
  cgroupDriver: 'v1' | 'v2',
  stateRoot = STATE_DIR,
): InstanceLayout {
  const layout = layoutFor(name, stateRoot);
  mkdirSync(stateRoot, { recursive: true, mode: 0o700 });
  try {
    mkdirSync(layout.stateDir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST')
      throw new CtvmError(`container '${name}' already exists (${layout.stateDir})`, {
        hint: 'pick another name, or run `ctvm gc` if its owner is gone',
      });
    throw err;
  }
  for (const d of [layout.rootDir, layout.scratchDir]) mkdirSync(d);
  const owner: OwnerRecord = {
    format: 1,
    name,
    ownerPid: process.pid,
    ownerStartTicks: SELF_START,
    cgroupDriver,
    createdAt: new Date().toISOString(),
  };
  writeFileSync(join(layout.stateDir, 'owner.json'), JSON.stringify(owner) + '\n');
  return layout;
}

export function readOwner(name: string, stateRoot = STATE_DIR): OwnerRecord | undefined {
  try {
    return JSON.parse(readFileSync(join(stateRoot, name, 'owner.json'), 'utf8')) as OwnerRecord;
  } catch {
    return undefined;
  }
}

/** True when the record's owner process is still the same live process. */
export function ownerAlive(o: OwnerRecord): boolean {
  return processStartTicks(o.ownerPid) === o.ownerStartTicks;
}

/** Instance dirs only: names a container may have ([a-z0-9-]), so launch.d and the like are not. */
export function listStateDirs(stateRoot = STATE_DIR): string[] {
  try {
    return readdirSync(stateRoot)
      .filter((n) => /^[a-z0-9][a-z0-9-]*$/.test(n))
      .sort();
  } catch {
    return [];
  }
}

export function removeStateDir(name: string, stateRoot = STATE_DIR): void {
  rmSync(join(stateRoot, name), { recursive: true, force: true, maxRetries: 3 });
}
