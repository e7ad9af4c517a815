// `ctvm gc` for scratch disks: images of dead ctvm processes (ctvm-disk-<pid>-<n>.img in
// SCRATCH_DIR) are unmounted, their loop devices detached and the files removed. Live owners'
// images are kept.
import { readdirSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { SCRATCH_DIR, SCRATCH_PREFIX } from './scratch-spec.js';
import { pidAlive } from '../util/pid-alive.js';

export interface DiskGcReport {
  removed: string[];
  kept: string[];
  errors: string[];
}

/** The owner pid of a scratch image or its mount dir, or undefined for a name that is not ours. */
export function scratchOwner(name: string): number | undefined {
  const m = new RegExp(`^${SCRATCH_PREFIX}(\\d+)-\\d+\\.img(?:\\.mnt)?$`).exec(name);
  return m ? Number(m[1]) : undefined;
}

export async function gcScratchDisks(dir = SCRATCH_DIR): Promise<DiskGcReport> {
  const report: DiskGcReport = { removed: [], kept: [], errors: [] };
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return report; // no scratch disk was ever made here
  }
  for (const name of names.sort()) {
    const owner = scratchOwner(name);
    if (owner === undefined || name.endsWith('.mnt')) continue;
    if (pidAlive(owner)) {
      report.kept.push(name);
      continue;
    }
    const image = join(dir, name);
    const mnt = `${image}.mnt`;
    await execa('umount', [mnt], { reject: false });
    // Every loop device still backed by this file (a crash between losetup and mount, too).
    const loops = await execa('losetup', ['-n', '-O', 'NAME', '-j', image], { reject: false });
    for (const dev of loops.stdout.split('\n').filter(Boolean))
      await execa('losetup', ['-d', dev.trim()], { reject: false });
    try {
      rmdirSync(mnt);
    } catch {
      /* none */
    }
    try {
      rmSync(image);
      report.removed.push(name);
    } catch (err) {
      report.errors.push(`${image}: ${(err as Error).message}`);
    }
  }
  try {
    rmdirSync(dir);
  } catch {
    /* live owners' images remain */
  }
  return report;
}
