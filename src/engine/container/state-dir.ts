// Per-instance state under STATE_DIR/<name>: owner.json (who launched it, so `ctvm gc` reaps only
// instances whose owner is dead, and which cache entries it uses: a lease `gc --cache-days`
// honours) and the overlay's upper/work dirs and mount point.
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { STATE_DIR } from '../../paths.js';
import { CtvmError } from '../../errors.js';
import type { InstanceLayout } from './nsexec-args.js';
import type { ContainerSpec } from './spec.js';

/** Container names (spec.ts): a state dir named otherwise is not a container's (e.g. a VM's). */
export const CONTAINER_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

export interface OwnerRecord {
  format: 1;
  name: string;
  ownerPid: number;
  /** Field 22 of /proc/<pid>/stat: tells a live owner from a reused pid. */
  ownerStartTicks: number;
  cgroupDriver: 'v1' | 'v2';
  createdAt: string;
  /** Host paths the instance reads while it runs (its rootfs = overlay lower, bind sources). */
  uses?: string[];
}

/** Who owns an instance: the pid and its start time, so a reused pid is not taken for it. */
export type OwnerIdentity = Pick<OwnerRecord, 'ownerPid' | 'ownerStartTicks'>;

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

/** This process as an owner. */
export function selfOwner(): OwnerIdentity {
  return { ownerPid: process.pid, ownerStartTicks: SELF_START };
}

/** What a container or OCI instance leases from the cache while it runs. */
export function leasedPaths(spec: Pick<ContainerSpec, 'rootfs' | 'mounts'>): string[] {
  return [spec.rootfs, ...spec.mounts.map((m) => m.source)];
}

/** Writes `record` as `<dir>/owner.json` atomically (a reader never sees half a record). */
export function writeRecord(dir: string, record: object): void {
  const tmp = join(dir, 'owner.json.tmp');
  writeFileSync(tmp, JSON.stringify(record) + '\n', { mode: 0o600 });
  renameSync(tmp, join(dir, 'owner.json'));
}

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
  uses: string[] = [],
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
    ...selfOwner(),
    cgroupDriver,
    createdAt: new Date().toISOString(),
    uses,
  };
  writeRecord(layout.stateDir, owner);
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
export function ownerAlive(o: OwnerIdentity): boolean {
  return processStartTicks(o.ownerPid) === o.ownerStartTicks;
}

/** True when `dir` changed less than `ms` ago (a launch in progress rather than debris). */
export function isYoung(dir: string, ms: number): boolean {
  try {
    return Date.now() - statSync(dir).mtimeMs < ms;
  } catch {
    return false;
  }
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
