// Summary -> CSV: one row per (kind, env, workload, N, metric) with the full distribution and
// the ratio to bare; numbers unformatted (ns, bytes) so spreadsheets can compute with them.
import { stringify } from 'csv-stringify/sync';
import type { Summary } from '../results/types.js';

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
  'vs_env',
  'ratio',
  'ratio_ci_low',
  'ratio_ci_high',
] as const;

const num = (v: number | undefined) =>
  v === undefined || !Number.isFinite(v) ? '' : String(Number(v.toPrecision(10)));

export function exportCsv(summary: Summary): string {
  const rows = summary.rows.map((r) => [
    r.kind,
    r.env,
    r.workload,
    String(r.density),
    r.metric,
    r.unit,
    String(r.dist.n),
    String(r.failed),
    num(r.dist.median),
    num(r.dist.mean),
    num(r.dist.sd),
    num(r.dist.min),
    num(r.dist.max),
    num(r.dist.p95),
    num(r.dist.cv),
    num(r.dist.ciLow),
    num(r.dist.ciHigh),
    String(r.dist.outliers.length),
    r.vsBaseline?.env ?? '',
    num(r.vsBaseline?.ratio),
    num(r.vsBaseline?.ciLow),
    num(r.vsBaseline?.ciHigh),
  ]);
  return stringify([[...CSV_COLUMNS], ...rows]);
}
