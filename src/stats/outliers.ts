// Outlier flags by modified Z-score on the MAD (Iglewicz & Hoaglin 1993, "How to Detect and
// Handle Outliers"; the same rule hyperfine uses). Flagged, never dropped.
import { median } from './quantile.js';

export const MODIFIED_Z_THRESHOLD = 3.5;

/** Modified Z-scores 0.6745 (x - median) / MAD; all 0 when MAD is 0. */
export function modifiedZScores(values: readonly number[]): number[] {
  const med = median(values);
  const mad = median(values.map((v) => Math.abs(v - med)));
  if (mad === 0 || !Number.isFinite(mad)) return values.map(() => 0);
  return values.map((v) => (0.6745 * (v - med)) / mad);
}

/** Indices of values whose |modified Z| exceeds 3.5. */
export function madOutliers(values: readonly number[], threshold = MODIFIED_Z_THRESHOLD): number[] {
  return modifiedZScores(values).flatMap((z, i) => (Math.abs(z) > threshold ? [i] : []));
}
