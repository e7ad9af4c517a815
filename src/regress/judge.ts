// Judges one metric group, base vs candidate: medians, ratio with bootstrap CI, permutation p,
// and the verdict. A regression needs BOTH p < alpha AND a bad-direction change above the noise
// floor (and above minAbsolute): significance alone flags trivial shifts on quiet metrics, size
// alone flags noise on loud ones (the same two-gate rule as Firecracker's tools/ab_test.py).
import { bootstrapMedianCI, median, ratioOfMediansCI } from '../stats/index.js';
import { permutationTest } from '../stats/permutation.js';
import { hasRatio, metricInfo } from '../results/metrics.js';
import type { GroupId } from '../results/read.js';
import type { Rule } from './thresholds.js';

export type Verdict =
  | 'regression' //  significant and worse by more than the floor
  | 'improvement' // significant and better by more than the floor
  | 'below-floor' // significant, but the change is inside the noise floor
  | 'unchanged' //   not significant
  | 'insufficient' // too few samples for the test to ever reach p < alpha
  | 'ignored' //     the thresholds file says not to judge it
  | 'missing' //     in the base, not in the candidate
  | 'new' //         in the candidate only
  | 'failed'; //     the candidate has only failed samples here

export interface JudgedRow extends GroupId {
  unit: string;
  smallerIsBetter: boolean;
  baseN: number;
  candN: number;
  baseFailed: number;
  candFailed: number;
  baseMedian: number;
  candMedian: number;
  /** The candidate's measured values (hyperfine's `times`). */
  candValues: number[];
  /** Bootstrap 95% CI of the candidate median (what trackers show as its range). */
  candMedianCI: [number, number];
  /** candidate median / base median, with its bootstrap 95% CI. */
  ratio: number;
  ciLow: number;
  ciHigh: number;
  /** Two-sided permutation p on the rank-sum statistic (src/stats/permutation.ts). */
  pValue: number;
  /** Relative change in the bad direction: +0.40 = 40% worse, -0.10 = 10% better. */
  worseBy: number;
  rule: Rule;
  verdict: Verdict;
  /** One line saying which gate decided the verdict. */
  reason: string;
}

const SEED = 20240607;

/** Smallest two-sided p a permutation test on n1 + n2 values can produce: 2 / C(n1+n2, n1). */
export function minAchievableP(n1: number, n2: number): number {
  let c = 1;
  for (let i = 1; i <= Math.min(n1, n2); i++) c = (c * (n1 + n2 - i + 1)) / i;
  return Math.min(1, 2 / c);
}

function ratioOf(candMedian: number, baseMedian: number): number {
  if (baseMedian === 0) return candMedian === 0 ? 1 : Infinity;
  return candMedian / baseMedian;
}

const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;

export function judgeGroup(
  id: GroupId,
  base: { values: number[]; failed: number },
  cand: { values: number[]; failed: number },
  rule: Rule,
  opts: { permutations?: number; resamples?: number; minN?: number } = {},
): JudgedRow {
  const info = metricInfo(id.metric);
  const baseMedian = median(base.values);
  const candMedian = median(cand.values);
  // No ratio for metrics that can be <= 0 (idle CPU reads 0, a MemAvailable drop can be negative):
  // NaN, shown as "-"; the verdict uses worseBy, the change relative to |base|, which stays valid.
  const ratio = hasRatio(id.metric) ? ratioOf(candMedian, baseMedian) : NaN;
  const ci = !hasRatio(id.metric)
    ? { ciLow: NaN, ciHigh: NaN }
    : baseMedian !== 0 && base.values.length > 1 && cand.values.length > 1
      ? ratioOfMediansCI(cand.values, base.values, { seed: SEED, resamples: opts.resamples ?? 2000 })
      : { ciLow: ratio, ciHigh: ratio };
  // Relative to |base| so a negative base (memAvailableDropBytes can be < 0) keeps the sign right.
  const rel =
    baseMedian === 0
      ? candMedian === 0
        ? 0
        : Math.sign(candMedian) * Infinity
      : (candMedian - baseMedian) / Math.abs(baseMedian);
  const worseBy = info.smallerIsBetter ? rel : -rel;
  const row: JudgedRow = {
    ...id,
    unit: info.unit,
    smallerIsBetter: info.smallerIsBetter,
    baseN: base.values.length,
    candN: cand.values.length,
    baseFailed: base.failed,
    candFailed: cand.failed,
    baseMedian,
    candMedian,
    candValues: cand.values,
    candMedianCI: bootstrapMedianCI(cand.values, { seed: SEED, resamples: opts.resamples ?? 2000 }),
    ratio,
    ciLow: ci.ciLow,
    ciHigh: ci.ciHigh,
    pValue: NaN,
    worseBy: Number.isNaN(worseBy) ? 0 : worseBy,
    rule,
    verdict: 'unchanged',
    reason: '',
  };
  // Ignored first: a group the thresholds file excludes must not fail the comparison either way.
  if (rule.ignore) return { ...row, verdict: 'ignored', reason: 'ignored by the thresholds file' };
  if (cand.values.length === 0) {
    return {
      ...row,
      verdict: cand.failed > 0 ? 'failed' : 'missing',
      reason: cand.failed > 0 ? `all ${cand.failed} candidate samples failed` : 'not in the candidate run',
    };
  }
  if (base.values.length === 0) return { ...row, verdict: 'new', reason: 'not in the base run' };
  const minN = opts.minN ?? 0;
  if (base.values.length < minN || cand.values.length < minN)
    return { ...row, verdict: 'insufficient', reason: `n=${row.baseN}+${row.candN}: below --min-n ${minN}` };
  const minP = minAchievableP(base.values.length, cand.values.length);
  if (minP >= rule.alpha) {
    return {
      ...row,
      verdict: 'insufficient',
      reason: `n=${row.baseN}+${row.candN}: p can never be < ${rule.alpha} (min ${minP.toPrecision(2)})`,
    };
  }
  row.pValue = permutationTest(cand.values, base.values, {
    seed: SEED,
    permutations: opts.permutations ?? 5000,
  });
  return { ...row, ...verdictOf(row, rule) };
}

function verdictOf(row: JudgedRow, rule: Rule): { verdict: Verdict; reason: string } {
  const p = `p=${row.pValue.toPrecision(2)}`;
  if (!(row.pValue < rule.alpha)) return { verdict: 'unchanged', reason: `${p} >= ${rule.alpha}` };
  const absChange = Math.abs(row.candMedian - row.baseMedian);
  const size = Math.abs(row.worseBy);
  const floor = `noise floor ${(rule.noiseFloor * 100).toFixed(0)}%`;
  if (size <= rule.noiseFloor)
    return { verdict: 'below-floor', reason: `${p} but ${pct(row.worseBy)} worse is inside the ${floor}` };
  if (absChange <= rule.minAbsolute) {
    return {
      verdict: 'below-floor',
      reason: `${p}, ${pct(row.worseBy)}, but |change| ${absChange.toPrecision(3)} <= minAbsolute ${rule.minAbsolute}`,
    };
  }
  if (row.worseBy > 0)
    return { verdict: 'regression', reason: `${p} < ${rule.alpha} and ${pct(row.worseBy)} worse > ${floor}` };
  return {
    verdict: 'improvement',
    reason: `${p} < ${rule.alpha} and ${pct(-row.worseBy)} better > ${floor}`,
  };
}
