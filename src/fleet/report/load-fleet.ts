// A fleet as the report sees it: fleet.json plus, per host that produced a run, the loaded run,
// its report model and Figure 12.1 stacks, and the host's fingerprint.
import { join } from 'node:path';
import { loadReportRun } from '../../report/index.js';
import { buildModel, type ReportModel, type ReportRun } from '../../report/model.js';
import { stacks, type Stacks } from '../../report/stacks.js';
import { readManifest, type FleetManifest, type HostStatus } from '../manifest.js';
import { fingerprint, type Fingerprint } from './fingerprint.js';

export interface FleetHost {
  name: string;
  status: HostStatus;
  /** Present when the host produced samples (complete or incomplete). */
  run?: { loaded: ReportRun; model: ReportModel; stacks: Stacks; fingerprint: Fingerprint };
}

export interface LoadedFleet {
  dir: string;
  manifest: FleetManifest;
  hosts: FleetHost[];
  warnings: string[];
}

export function loadFleet(dir: string): LoadedFleet {
  const manifest = readManifest(dir);
  const warnings: string[] = [];
  const hosts = Object.entries(manifest.hosts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, status]): FleetHost => {
      if (status.status === 'failed') return { name, status };
      const loaded = loadReportRun(join(dir, name));
      warnings.push(...loaded.warnings.map((w) => `${name}: ${w}`));
      const model = buildModel(loaded);
      return {
        name,
        status,
        run: { loaded, model, stacks: stacks(model), fingerprint: fingerprint(loaded) },
      };
    });
  return { dir, manifest, hosts, warnings };
}

export const measuredHosts = (f: LoadedFleet) =>
  f.hosts.filter((h): h is FleetHost & { run: NonNullable<FleetHost['run']> } => h.run !== undefined);
