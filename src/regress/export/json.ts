// JSON exporter: the whole Comparison, numbers unformatted, plus the exit code it implies.
import { exitCodeFor, type Comparison } from '../compare.js';
import { groupLabel } from '../../results/read.js';

export const COMPARE_JSON_FORMAT = 1;

const finite = (x: number) => (Number.isFinite(x) ? x : null);

export function exportJson(c: Comparison): string {
  const out = {
    format: COMPARE_JSON_FORMAT,
    exitCode: exitCodeFor(c),
    base: c.base,
    candidate: c.candidate,
    regressions: c.regressions,
    improvements: c.improvements,
    problems: c.problems,
    warnings: c.warnings,
    rows: c.rows.map((r) => ({
      group: groupLabel(r),
      kind: r.kind,
      env: r.env,
      workload: r.workload,
      density: r.density,
      metric: r.metric,
      unit: r.unit,
      smallerIsBetter: r.smallerIsBetter,
      base: { n: r.baseN, failed: r.baseFailed, median: finite(r.baseMedian) },
      candidate: { n: r.candN, failed: r.candFailed, median: finite(r.candMedian) },
      ratio: finite(r.ratio),
      ratioCI: [finite(r.ciLow), finite(r.ciHigh)],
      pValue: finite(r.pValue),
      worseBy: finite(r.worseBy),
      rule: r.rule,
      verdict: r.verdict,
      reason: r.reason,
    })),
  };
  return JSON.stringify(out, null, 2) + '\n';
}
