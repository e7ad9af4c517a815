// Percentile bootstrap (Efron & Tibshirani 1993, ch. 13) for the median and for ratios of medians.
import { mulberry32, type Rng } from './random.js';
import { quantile, sortAsc } from './quantile.js';

/** Resamples per bootstrap unless a caller asks for another count (reports say how many). */
export const DEFAULT_RESAMPLES = 2000;
const DEFAULT_SEED = 12345;

function resampleMedian(values: readonly number[], rng: Rng, buf: number[]): number {
  for (let i = 0; i < values.length; i++) buf[i] = values[Math.floor(rng() * values.length)]!;
  return quantile(sortAsc(buf), 0.5);
}

/** 95% CI of the median; [v, v] for one value, [NaN, NaN] for none. */
export function bootstrapMedianCI(
  values: readonly number[],
  opts: { seed?: number; resamples?: number; level?: number } = {},
): [number, number] {
  if (values.length === 0) return [NaN, NaN];
  if (values.length === 1) return [values[0]!, values[0]!];
  const rng = mulberry32(opts.seed ?? DEFAULT_SEED);
  const n = opts.resamples ?? DEFAULT_RESAMPLES;
  const buf = new Array<number>(values.length);
  const meds: number[] = [];
  for (let i = 0; i < n; i++) meds.push(resampleMedian(values, rng, buf));
  const alpha = (1 - (opts.level ?? 0.95)) / 2;
  const s = sortAsc(meds);
  return [quantile(s, alpha), quantile(s, 1 - alpha)];
}

/** Ratio median(a)/median(b) with a 95% CI from resampling a and b independently. */
export function ratioOfMediansCI(
  a: readonly number[],
  b: readonly number[],
  opts: { seed?: number; resamples?: number; level?: number } = {},
): { ratio: number; ciLow: number; ciHigh: number } {
  const ratio = quantile(sortAsc(a), 0.5) / quantile(sortAsc(b), 0.5);
  if (a.length < 2 || b.length < 2) return { ratio, ciLow: ratio, ciHigh: ratio };
  const rng = mulberry32(opts.seed ?? DEFAULT_SEED);
  const n = opts.resamples ?? DEFAULT_RESAMPLES;
  const bufA = new Array<number>(a.length);
  const bufB = new Array<number>(b.length);
  const ratios: number[] = [];
  for (let i = 0; i < n; i++) ratios.push(resampleMedian(a, rng, bufA) / resampleMedian(b, rng, bufB));
  const alpha = (1 - (opts.level ?? 0.95)) / 2;
  const s = sortAsc(ratios.filter(Number.isFinite));
  return { ratio, ciLow: quantile(s, alpha), ciHigh: quantile(s, 1 - alpha) };
}
