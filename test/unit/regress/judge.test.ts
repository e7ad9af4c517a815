import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeGroup, minAchievableP } from '../../../src/regress/judge.js';
import { DEFAULT_RULE } from '../../../src/regress/thresholds.js';
import { formatRatio } from '../../../src/regress/format.js';
import type { GroupId } from '../../../src/results/read.js';

const id = (metric: string): GroupId => ({
  kind: 'work',
  env: 'container',
  workload: 'cpu',
  density: 1,
  metric,
});
const vals = (...v: number[]) => ({ values: v, failed: 0 });
const base = [100, 101, 99, 102, 98, 100, 101, 99, 100, 100];

test('minAchievableP: 2 / C(n1+n2, n1)', () => {
  assert.equal(minAchievableP(3, 3), 0.1);
  assert.equal(minAchievableP(5, 5), 2 / 252);
  assert.ok(minAchievableP(10, 10) < 1e-4);
});

test('too few samples: "insufficient", never a regression, and says why', () => {
  const r = judgeGroup(id('workNs'), vals(100, 101, 99), vals(200, 201, 199), DEFAULT_RULE);
  assert.equal(r.verdict, 'insufficient');
  assert.match(r.reason, /n=3\+3: p can never be < 0.01 \(min 0\.10\)/);
});

test('smaller-is-better: +30% is a regression, -30% an improvement', () => {
  const up = judgeGroup(id('workNs'), vals(...base), vals(...base.map((v) => v * 1.3)), DEFAULT_RULE);
  assert.equal(up.verdict, 'regression');
  assert.ok(Math.abs(up.worseBy - 0.3) < 1e-9);
  const down = judgeGroup(id('workNs'), vals(...base), vals(...base.map((v) => v * 0.7)), DEFAULT_RULE);
  assert.equal(down.verdict, 'improvement');
});

test('bigger-is-better (throughputMBps): a drop is the regression', () => {
  const r = judgeGroup(id('throughputMBps'), vals(...base), vals(...base.map((v) => v * 0.7)), DEFAULT_RULE);
  assert.equal(r.smallerIsBetter, false);
  assert.equal(r.verdict, 'regression');
  assert.ok(Math.abs(r.worseBy - 0.3) < 1e-9);
});

test('significant but small: "below-floor"; minAbsolute gate', () => {
  const shifted = base.map((v) => v * 1.03 + 0.5);
  const r = judgeGroup(id('workNs'), vals(...base), vals(...shifted), DEFAULT_RULE);
  assert.ok(r.pValue < 0.01);
  assert.equal(r.verdict, 'below-floor');
  assert.match(r.reason, /inside the noise floor 5%/);
  const abs = judgeGroup(id('workNs'), vals(...base), vals(...base.map((v) => v * 1.3)), {
    ...DEFAULT_RULE,
    minAbsolute: 50,
  });
  assert.equal(abs.verdict, 'below-floor');
  assert.match(abs.reason, /minAbsolute 50/);
});

test('zero medians (idle CPU of a sleeping process): unchanged, change 0, no ratio printed', () => {
  const r = judgeGroup(id('idleCpuPerSec'), vals(0, 0, 0, 0, 0, 0), vals(0, 0, 0, 0, 0, 0), DEFAULT_RULE);
  assert.equal(r.verdict, 'unchanged');
  assert.equal(r.worseBy, 0);
  assert.equal(formatRatio(r), '-');
});

test('metrics that can be <= 0 (MemAvailable drop, idle CPU) get no ratio; the verdict still works', () => {
  // A drop from -1 MiB to +1 MiB would be "ratio -1": meaningless, so none is given.
  const drop = judgeGroup(
    id('memAvailableDropBytes'),
    vals(-1e6, -1.1e6, -0.9e6, -1e6, -1.05e6, -0.95e6),
    vals(1e6, 1.1e6, 0.9e6, 1e6, 1.05e6, 0.95e6),
    DEFAULT_RULE,
  );
  assert.ok(Number.isNaN(drop.ratio) && Number.isNaN(drop.ciLow) && Number.isNaN(drop.ciHigh));
  assert.equal(formatRatio(drop), '-');
  assert.equal(drop.verdict, 'regression', 'more memory taken is worse, whatever the sign');
  const cpu = judgeGroup(
    id('idleCpuPerSec'),
    vals(0.01, 0.011, 0.009, 0.01, 0.012, 0.01),
    vals(0, 0, 0, 0, 0, 0),
    DEFAULT_RULE,
  );
  assert.equal(formatRatio(cpu), '-');
  assert.match(formatRatio(judgeGroup(id('workNs'), vals(...base), vals(...base), DEFAULT_RULE)), /^1\.000/);
});

test('missing / failed / new groups', () => {
  assert.equal(
    judgeGroup(id('workNs'), vals(...base), { values: [], failed: 0 }, DEFAULT_RULE).verdict,
    'missing',
  );
  assert.equal(
    judgeGroup(id('workNs'), vals(...base), { values: [], failed: 4 }, DEFAULT_RULE).verdict,
    'failed',
  );
  assert.equal(
    judgeGroup(id('workNs'), { values: [], failed: 0 }, vals(...base), DEFAULT_RULE).verdict,
    'new',
  );
});

test('rank-sum permutation test: mid-ranks, full separation, identical samples', async () => {
  const { midRanks, permutationTest: rankSumPermutationTest } =
    await import('../../../src/stats/permutation.js');
  assert.deepEqual(midRanks([10, 20, 20, 5]), [2, 3.5, 3.5, 1]);
  const p = rankSumPermutationTest(
    base,
    base.map((v) => v * 1.3),
    { permutations: 5000 },
  );
  assert.equal(p, 1 / 5001, 'no random split is as extreme as full separation (exact p = 2/184756)');
  assert.equal(rankSumPermutationTest(base, base), 1);
  // Exact two-sided p for 3 vs 3 fully separated is 2/20 = 0.1; Monte Carlo lands near it.
  const p33 = rankSumPermutationTest([1, 2, 3], [4, 5, 6], { permutations: 20000 });
  assert.ok(Math.abs(p33 - 0.1) < 0.01, `p33=${p33}`);
});

test('negative base median (memAvailableDropBytes): a bigger drop is still "worse"', () => {
  const r = judgeGroup(
    id('memAvailableDropBytes'),
    vals(-2, -2.1, -1.9, -2, -2.2, -1.8, -2, -2.05, -1.95, -2),
    vals(15, 15.2, 14.8, 15, 15.1, 14.9, 15, 15.3, 14.7, 15),
    DEFAULT_RULE,
  );
  assert.ok(r.worseBy > 0, `worseBy ${r.worseBy}`);
  assert.equal(r.verdict, 'regression');
});
