// Two-sided permutation test on the difference of medians (Good 2005, "Permutation, Parametric
// and Bootstrap Tests of Hypotheses"), Monte Carlo with a fixed seed; p includes the observed.
import { median } from './describe.js';
import { mulberry32 } from './random.js';

export function permutationTest(
  a: readonly number[],
  b: readonly number[],
  opts: { seed?: number; permutations?: number } = {},
): number {
  if (a.length === 0 || b.length === 0) return 1;
  const observed = Math.abs(median(a) - median(b));
  const pooled = [...a, ...b];
  const rng = mulberry32(opts.seed ?? 4242);
  const n = opts.permutations ?? 5000;
  let extreme = 0;
  for (let i = 0; i < n; i++) {
    for (let j = pooled.length - 1; j > 0; j--) {
      const k = Math.floor(rng() * (j + 1));
      [pooled[j], pooled[k]] = [pooled[k]!, pooled[j]!];
    }
    const d = Math.abs(median(pooled.slice(0, a.length)) - median(pooled.slice(a.length)));
    if (d >= observed - 1e-12 * Math.abs(observed)) extreme++;
  }
  return (extreme + 1) / (n + 1);
}
