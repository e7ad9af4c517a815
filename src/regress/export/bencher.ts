// Bencher Metric Format exporter (`bencher run --adapter json`): {benchmark: {measure: {value,
// lower_value, upper_value}}}, one benchmark per candidate group, the measure named by the metric,
// values in the metric's own unit (ns, bytes). Bounds are the bootstrap 95% CI of the median,
// left out below MIN_N_FOR_CI samples (no CI then, as everywhere else in ctvm).
import type { Comparison } from '../compare.js';
import { MIN_N_FOR_CI } from '../../stats/index.js';
import { seriesBenchmark } from '../series.js';

export interface BencherMetric {
  value: number;
  lower_value?: number;
  upper_value?: number;
}

export type BencherMetricFormat = Record<string, Record<string, BencherMetric>>;

export function toBencherMetrics(c: Comparison): BencherMetricFormat {
  const out: BencherMetricFormat = {};
  for (const r of c.rows) {
    if (r.candN === 0 || !Number.isFinite(r.candMedian)) continue;
    const metric: BencherMetric = { value: r.candMedian };
    const [lo, hi] = r.candMedianCI;
    if (r.candN >= MIN_N_FOR_CI && Number.isFinite(lo) && Number.isFinite(hi)) {
      metric.lower_value = lo;
      metric.upper_value = hi;
    }
    const bench = seriesBenchmark(r, c.candidate.accels);
    (out[bench] ??= {})[r.metric] = metric;
  }
  return out;
}

export function exportBencher(c: Comparison): string {
  return JSON.stringify(toBencherMetrics(c), null, 2) + '\n';
}
