// `ctvm gc` for LXD: a daemon dir whose owner (the ctvm that started it) is dead is debris: its
// daemon, the containers' monitors and processes, their cgroups, the mounts LXD made below the dir
// (shmounts, devlxd, ...) and the dir itself go (daemon.ts removeLxdDir). Live owners' are kept.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage } from '../../errors.js';
import { isYoung, ownerAlive } from '../container/state-dir.js';
import { LXD_STATE_ROOT, removeLxdDir, type LxdOwnerRecord } from './daemon.js';

export interface LxdGcReport {
  reaped: string[];
  kept: string[];
  errors: string[];
}

/** A dir without owner.json younger than this is a daemon being started, not debris. */
const YOUNG_MS = 30_000;

export function gcLxd(root = LXD_STATE_ROOT): LxdGcReport {
  const report: LxdGcReport = { reaped: [], kept: [], errors: [] };
  let names: string[] = [];
  try {
    names = readdirSync(root);
  } catch {
    return report;
  }
  for (const name of names.sort()) {
    const dir = join(root, name);
    let owner: LxdOwnerRecord | undefined;
    try {
      owner = JSON.parse(readFileSync(join(dir, 'owner.json'), 'utf8')) as LxdOwnerRecord;
    } catch {
      owner = undefined;
    }
    if (owner ? ownerAlive(owner) : isYoung(dir, YOUNG_MS)) {
      report.kept.push(name);
      continue;
    }
    try {
      removeLxdDir(dir, owner?.daemonPid);
      report.reaped.push(name);
    } catch (err) {
      report.errors.push(`lxd ${name}: ${errorMessage(err)}`);
    }
  }
  return report;
}
