// Reaps what crashed runs left: for every state dir whose owner process is dead, kill the
// processes in its cgroup, remove the cgroup, detach any mount below the dir, delete the dir;
// then remove ctvm cgroups that have no state dir at all. Live owners' instances are never touched.
// Only dirs named like containers are theirs: VMs' (vm.*, see ../vm/gc.ts) and anything else
// under STATE_DIR are left to their own reapers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { STATE_DIR } from '../../paths.js';
import { errorMessage } from '../../errors.js';
import type { CgroupDriver } from './cgroup/types.js';
import { pruneEmptyParents } from './cgroup/fs.js';

/** Every cgroup parent ctvm creates: the engine's, the OCI runtimes', docker's, bench/container-start's. */
export const CTVM_CGROUP_PARENTS = ['ctvm', 'ctvm-oci', 'ctvm-docker', 'ctvm-bench'];
import {
  CONTAINER_NAME,
  isYoung,
  listStateDirs,
  ownerAlive,
  readOwner,
  removeStateDir,
} from './state-dir.js';

export interface GcReport {
  reaped: string[];
  kept: string[];
  orphanCgroups: string[];
  unmounted: string[];
  errors: string[];
}

/** A state dir without owner.json younger than this is a launch in progress, not debris. */
const YOUNG_MS = 30_000;

export async function gcContainers(opts: {
  /** One driver per cgroup parent in use: ours ('ctvm') and the OCI runtimes' ('ctvm-oci'). */
  drivers: CgroupDriver[];
  stateRoot?: string;
  prefix?: string;
}): Promise<GcReport> {
  const root = opts.stateRoot ?? STATE_DIR;
  const mine = (n: string): boolean => n.startsWith(opts.prefix ?? '');
  const report: GcReport = { reaped: [], kept: [], orphanCgroups: [], unmounted: [], errors: [] };
  const names = listStateDirs(root).filter((n) => CONTAINER_NAME.test(n) && mine(n));
  for (const name of names) {
    const owner = readOwner(name, root);
    if (owner ? ownerAlive(owner) : isYoung(join(root, name), YOUNG_MS)) {
      report.kept.push(name);
      continue;
    }
    try {
      for (const d of opts.drivers) await d.open(name)?.remove();
      report.unmounted.push(...(await detachMountsBelow(join(root, name))));
      removeStateDir(name, root);
      report.reaped.push(name);
    } catch (err) {
      report.errors.push(`${name}: ${errorMessage(err)}`);
    }
  }
  // Cleanup removes the cgroup before the state dir, so a cgroup without one is always debris.
  const live = new Set(listStateDirs(root));
  for (const driver of opts.drivers)
    for (const name of driver.list().filter(mine)) {
      if (live.has(name)) continue;
      try {
        await driver.open(name)?.remove();
        report.orphanCgroups.push(name);
      } catch (err) {
        report.errors.push(`cgroup ${name}: ${errorMessage(err)}`);
      }
    }
  // Empty parents ('ctvm', 'ctvm-oci', the bench's) go too; ones still in use stay (EBUSY).
  if (!opts.prefix) report.orphanCgroups.push(...pruneEmptyParents(CTVM_CGROUP_PARENTS));
  return report;
}

/** Host mounts below `dir` (none in normal operation: the overlay lives in the child's mount ns). */
export function mountsBelow(dir: string, mountinfo = readFileSync('/proc/self/mountinfo', 'utf8')): string[] {
  const out: string[] = [];
  for (const line of mountinfo.split('\n')) {
    const mp = line.split(' ')[4]?.replace(/\\040/g, ' ');
    if (mp && (mp === dir || mp.startsWith(dir + '/'))) out.push(mp);
  }
  return out.sort((a, b) => b.length - a.length); // deepest first
}

async function detachMountsBelow(dir: string): Promise<string[]> {
  const mounts = mountsBelow(dir);
  for (const mp of mounts) await execa('umount', ['-l', mp]); // PRIVILEGED: umount needs CAP_SYS_ADMIN
  return mounts;
}
