// `ctvm gc` for docker: every daemon dir whose owner is dead (a SIGKILLed ctvm) is torn down as a
// run would have done it: ctvm's own dockerd, containerd, shims and containers stopped, mounts
// and cgroups removed, the dir deleted; on a daemon the user named, only ctvm's containers and
// imported images go. Live owners' dirs are never touched. Then, if no daemon dir is left, the
// host-wide dirs ctvm's daemons made (daemon.ts DOCKER_TRACES_DIR).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage } from '../../errors.js';
import { isYoung, ownerAlive } from '../container/state-dir.js';
import { DockerApi } from './api.js';
import { DOCKER_STATE_DIR, readDaemonRecord, removeHostTraces, teardown } from './daemon.js';

export interface DockerGcReport {
  /** Daemon dirs removed. */
  reaped: string[];
  /** Pids stopped (dockerd, containerd, shims). */
  killed: string[];
  kept: string[];
  errors: string[];
}

/** A dir without a record younger than this is a daemon being set up, not debris. */
const YOUNG_MS = 60_000;

export async function gcDocker(root = DOCKER_STATE_DIR): Promise<DockerGcReport> {
  const report: DockerGcReport = { reaped: [], killed: [], kept: [], errors: [] };
  let names: string[];
  try {
    names = readdirSync(root).sort();
  } catch {
    names = [];
  }
  for (const name of names) {
    const dir = join(root, name);
    const record = readDaemonRecord(dir);
    if (record ? ownerAlive(record) : isYoung(dir, YOUNG_MS)) {
      report.kept.push(dir);
      continue;
    }
    try {
      if (record?.kind === 'external' && record.socketPath) {
        const api = new DockerApi(record.socketPath);
        if (await api.ping()) {
          for (const c of await api.containersLabelled(`ctvm.session=${name}`)) await api.forceRemove(c);
          for (const ref of record.images) await api.removeImage(ref);
        }
      }
      report.killed.push(...(await teardown(dir, record)));
      report.reaped.push(dir);
    } catch (err) {
      report.errors.push(`${dir}: ${errorMessage(err)}`);
    }
  }
  // Docker's host-wide dirs that a daemon made and a straggler refilled after the last one out.
  if (root === DOCKER_STATE_DIR) removeHostTraces();
  return report;
}
