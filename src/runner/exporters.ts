// Exporters turn results into bytes; they never touch the filesystem (results-writer.ts does).
import { stringify } from 'csv-stringify/sync';
import type { Summary } from '../results/types.js';

export function summaryJson(summary: Summary): string {
  return JSON.stringify(summary, null, 2) + '\n';
}

export const CSV_COLUMNS = [
  'kind',
  'env',
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
  'vs_baseline_env',
  'ratio',
  'ratio_ci_low',
  'ratio_ci_high',
] as const;

/** One row per summary row; empty cells where a value does not apply (no baseline, no samples). */
export function summaryCsv(summary: Summary): string {
  const rows = summary.rows.map((r) => {
    const d = r.dist;
    const num = (v: number) => (Number.isFinite(v) ? v : '');
    return [
      r.kind,
      r.env,
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
      r.vsBaseline ? num(r.vsBaseline.ratio) : '',
      r.vsBaseline ? num(r.vsBaseline.ciLow) : '',
      r.vsBaseline ? num(r.vsBaseline.ciHigh) : '',
    ];
  });
  return stringify([[...CSV_COLUMNS], ...rows]);
}
