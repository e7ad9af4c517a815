// Descriptive statistics of one metric: pure functions over plain number arrays.
// Quantiles use linear interpolation between order statistics (Hyndman-Fan type 7: numpy's
// default, Python's statistics.quantiles(method='inclusive')).
import type { Distribution } from '../results/types.js';
import { bootstrapMedianCI } from './bootstrap.js';
import { madOutliers } from './outliers.js';

/** A sorted copy; the brand keeps unsorted arrays out of quantile(). */
export type Sorted = readonly number[] & { readonly __sorted: true };

export function sortAsc(values: readonly number[]): Sorted {
  return [...values].sort((a, b) => a - b) as unknown as Sorted;
}

export function quantile(sorted: Sorted, q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function median(values: readonly number[]): number {
  return quantile(sortAsc(values), 0.5);
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

/** Sample standard deviation (n - 1), 0 for a single value. */
export function stddev(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  let s = 0;
  for (const v of values) s += (v - m) ** 2;
  return Math.sqrt(s / (values.length - 1));
}

export function describe(
  values: readonly number[],
  opts: { seed?: number; resamples?: number } = {},
): Distribution {
  const sorted = sortAsc(values);
  const m = mean(values);
  const sd = stddev(values);
  const [ciLow, ciHigh] = bootstrapMedianCI(values, opts);
  return {
    n: values.length,
    median: quantile(sorted, 0.5),
    mean: m,
    sd,
    min: sorted[0] ?? NaN,
    max: sorted[sorted.length - 1] ?? NaN,
    p95: quantile(sorted, 0.95),
    cv: m === 0 ? 0 : sd / Math.abs(m),
    ciLow,
    ciHigh,
    outliers: madOutliers(values),
  };
}
