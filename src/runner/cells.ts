// The (workload, environment) cells a scenario leaves out (#14): where an environment's type
// cannot give a workload what it needs (a lab network, the scratch disk), that cell is not
// planned and run.json records why (RunMeta.skippedCells). A pure function of the scenario, so a
// resumed run plans exactly the cells its first part did.
import type { SkippedCell } from '../results/types.js';
import { workloadNeeds } from '../workload/io-workloads.js';
import { needVerdict } from './io-options.js';

interface CellScenario {
  environments: readonly { id: string; type: string; options: Record<string, unknown> }[];
  workloads: readonly { name: string }[];
}

/** Every skipped cell, in scenario order (workload, then environment). */
export function skippedCells(s: CellScenario): SkippedCell[] {
  const out: SkippedCell[] = [];
  for (const w of s.workloads)
    for (const e of s.environments) {
      const reasons = workloadNeeds(w.name).flatMap((need) => {
        const v = needVerdict(need, e.type, e.options);
        return v && 'skip' in v ? [v.skip] : [];
      });
      if (reasons.length > 0) out.push({ env: e.id, workload: w.name, reason: reasons.join('; ') });
    }
  return out;
}

/** `workload env` keys of the skipped cells, for the planner. */
export function skippedKeys(s: CellScenario): Set<string> {
  return new Set(skippedCells(s).map((c) => cellKey(c.workload, c.env)));
}

export const cellKey = (workload: string, env: string): string => `${workload}\u0000${env}`;

/** `sockperf in crun skipped: environment type oci:crun has no lab network …`, for warnings and `ctvm report`. */
export function formatSkippedCell(c: SkippedCell): string {
  return `${c.workload} in ${c.env} skipped: ${c.reason}`;
}
