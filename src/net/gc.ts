// `ctvm gc` for the lab network: every netns named by ctvm (`ctvm-lab-<pid>`, `ctvm-in-<pid>-<n>`,
// `ctvm-in-probe-<pid>`) whose owner process is dead is deleted; with it go its bridge, veths and
// taps (they live only inside those namespaces). Live owners' namespaces are kept.
import { readdirSync } from 'node:fs';
import { execa } from 'execa';
import { INSTANCE_PREFIX, LAB_PREFIX, NETNS_DIR } from './lab.js';
import { pidAlive } from '../util/pid-alive.js';

export interface NetGcReport {
  removed: string[];
  kept: string[];
  errors: string[];
}

/** The owner pid of a ctvm netns name, or undefined for a name that is not ours. */
export function netnsOwner(name: string): number | undefined {
  const m = new RegExp(`^(?:${LAB_PREFIX}|${INSTANCE_PREFIX}(?:probe-)?)(\\d+)(?:-\\d+)?$`).exec(name);
  return m ? Number(m[1]) : undefined;
}

export async function gcNetwork(dir = NETNS_DIR): Promise<NetGcReport> {
  const report: NetGcReport = { removed: [], kept: [], errors: [] };
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return report; // no netns was ever named on this host
  }
  for (const name of names.sort()) {
    const owner = netnsOwner(name);
    if (owner === undefined) continue;
    if (pidAlive(owner)) {
      report.kept.push(name);
      continue;
    }
    const r = await execa('ip', ['netns', 'del', name], { reject: false });
    if (r.exitCode === 0) report.removed.push(name);
    else report.errors.push(`ip netns del ${name}: ${r.stderr.trim()}`);
  }
  return report;
}
