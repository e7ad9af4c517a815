// samples.jsonl -> summary rows: one distribution per (kind, env, workload, density, metric),
// warm-up samples excluded, failed samples counted, and each env's median relative to `bare`.
import type { SampleRecord, Summary, SummaryRow } from '../results/types.js';
import { hasRatio, metricInfo } from '../results/metrics.js';
import { groupKey, instanceKey } from '../results/read.js';
import { MIN_N_FOR_CI, describe } from './describe.js';
import { ratioOfMediansCI } from './bootstrap.js';

export const BASELINE_ENV = 'bare';

export function summarize(
  runId: string,
  samples: readonly SampleRecord[],
  opts: { seed?: number } = {},
): Summary {
  const groups = new Map<
    string,
    { first: SampleRecord; ok: SampleRecord[]; failed: number; accel?: string }
  >();
  for (const s of samples) {
    if (s.warmup) continue;
    const k = instanceKey(s);
    const g = groups.get(k) ?? { first: s, ok: [], failed: 0 };
    g.accel ??= s.accel;
    if (s.ok) g.ok.push(s);
    else g.failed++;
    groups.set(k, g);
  }
  const values = new Map<string, number[]>();
  const rows: SummaryRow[] = [];
  for (const g of groups.values()) {
    const metrics = [...new Set(g.ok.flatMap((s) => Object.keys(s.metrics)))].sort();
    if (metrics.length === 0) {
      rows.push({
        kind: g.first.kind,
        env: g.first.env,
        workload: g.first.workload,
        density: g.first.density,
        metric: '-',
        ...(g.accel ? { accel: g.accel } : {}),
        unit: '-',
        failed: g.failed,
        dist: describe([]),
      });
      continue;
    }
    for (const metric of metrics) {
      const vals = g.ok
        .map((s) => s.metrics[metric])
        .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
      values.set(groupKey({ ...g.first, metric }), vals);
      rows.push({
        kind: g.first.kind,
        env: g.first.env,
        workload: g.first.workload,
        density: g.first.density,
        metric,
        ...(g.accel ? { accel: g.accel } : {}),
        unit: metricInfo(metric).unit,
        failed: g.failed,
        dist: describe(vals, opts),
      });
    }
  }
  for (const row of rows) {
    if (row.env === BASELINE_ENV || row.metric === '-' || !hasRatio(row.metric)) continue;
    const base = values.get(groupKey({ ...row, env: BASELINE_ENV }));
    const mine = values.get(groupKey(row));
    if (!base?.length || !mine?.length) continue;
    const r = ratioOfMediansCI(mine, base, opts);
    // A ratio CI from fewer than MIN_N_FOR_CI values per side is not an interval: leave it out.
    const ci = Math.min(mine.length, base.length) >= MIN_N_FOR_CI;
    row.vsBaseline = {
      env: BASELINE_ENV,
      ratio: r.ratio,
      ciLow: ci ? r.ciLow : NaN,
      ciHigh: ci ? r.ciHigh : NaN,
    };
  }
  rows.sort((a, b) => instanceKey(a).localeCompare(instanceKey(b)) || a.metric.localeCompare(b.metric));
  return { runId, rows };
}
