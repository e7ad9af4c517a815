// Descriptive statistics of one metric: pure functions over plain number arrays (quantiles and
// the median are in quantile.ts).
import type { Distribution } from '../results/types.js';
import { bootstrapMedianCI } from './bootstrap.js';
import { madOutliers } from './outliers.js';
import { quantile, sortAsc } from './quantile.js';

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

/** Below this many samples a bootstrap CI is not shown: it would only echo the data back. */
export const MIN_N_FOR_CI = 3;

/**
 * Whether a CI of `n` values is worth showing: enough samples, and not a collapsed bootstrap
 * (an interval of zero width although the values differ).
 */
export function ciIsMeaningful(n: number, ciLow: number, ciHigh: number, spread: number): boolean {
  if (n < MIN_N_FOR_CI || !Number.isFinite(ciLow) || !Number.isFinite(ciHigh)) return false;
  return !(ciLow === ciHigh && spread > 0);
}

/** Descriptive statistics; the CI is [NaN, NaN] ("no CI") when ciIsMeaningful says no. */
export function describe(
  values: readonly number[],
  opts: { seed?: number; resamples?: number } = {},
): Distribution {
  const sorted = sortAsc(values);
  const m = mean(values);
  const sd = stddev(values);
  const [low, high] = bootstrapMedianCI(values, opts);
  const min = sorted[0] ?? NaN;
  const max = sorted[sorted.length - 1] ?? NaN;
  const ci = ciIsMeaningful(values.length, low, high, max - min);
  // One value has no spread to speak of: NaN (shown as "–", an empty CSV cell), not 0.
  const spreadKnown = values.length >= 2;
  return {
    n: values.length,
    median: quantile(sorted, 0.5),
    mean: m,
    sd: spreadKnown ? sd : NaN,
    min,
    max,
    p95: quantile(sorted, 0.95),
    cv: !spreadKnown ? NaN : m === 0 ? 0 : sd / Math.abs(m),
    ciLow: ci ? low : NaN,
    ciHigh: ci ? high : NaN,
    outliers: madOutliers(values),
  };
}
