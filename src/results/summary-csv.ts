// Summary -> CSV, the one exporter behind results/<run>/summary.csv and reports/<run>/summary.csv:
// one row per (kind, env, workload, N, metric), tagged with the run id and a VM's accelerator, with
// the full distribution and the ratio to the baseline env (none for metrics that can be <= 0);
// numbers unformatted and at full precision (ns, bytes) so spreadsheets can compute.
import { stringify } from 'csv-stringify/sync';
import type { Summary } from './types.js';

export const CSV_COLUMNS = [
  'run_id',
  'kind',
  'env',
  'accel',
  'workload',
  'density',
  'metric',
  'unit',
  'n',
  'failed',
  'median',
  'mean',
  'sd',
  'min',
  'max',
  'p95',
  'cv',
  'ci_low',
  'ci_high',
  'outliers',
  'vs_env',
  'ratio',
  'ratio_ci_low',
  'ratio_ci_high',
] as const;

/** Empty cells where a value does not apply (no baseline, no samples). */
const num = (v: number | undefined): number | '' => (v === undefined || !Number.isFinite(v) ? '' : v);

export function summaryCsv(summary: Summary): string {
  const rows = summary.rows.map((r) => {
    const d = r.dist;
    return [
      summary.runId,
      r.kind,
      r.env,
      r.accel ?? '',
      r.workload,
      r.density,
      r.metric,
      r.unit,
      d.n,
      r.failed,
      num(d.median),
      num(d.mean),
      num(d.sd),
      num(d.min),
      num(d.max),
      num(d.p95),
      num(d.cv),
      num(d.ciLow),
      num(d.ciHigh),
      d.outliers.length,
      r.vsBaseline?.env ?? '',
      num(r.vsBaseline?.ratio),
      num(r.vsBaseline?.ciLow),
      num(r.vsBaseline?.ciHigh),
    ];
  });
  return stringify([[...CSV_COLUMNS], ...rows]);
}
