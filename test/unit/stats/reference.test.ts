// src/stats against reference values computed independently by Python's statistics module
// (test/fixtures/stats/make-reference.py -> reference.json).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_DIR } from '../../../src/paths.js';
import {
  describe as describeStats,
  bootstrapMedianCI,
  permutationTest,
  madOutliers,
} from '../../../src/stats/index.js';

interface Ref {
  values: number[];
  n: number;
  median: number;
  mean: number;
  sd: number;
  min: number;
  max: number;
  p95: number;
  cv: number;
  outliers: number[];
}
const raw = JSON.parse(
  readFileSync(join(PROJECT_DIR, 'test/fixtures/stats/reference.json'), 'utf8'),
) as Record<string, unknown>;
const perm = raw._permutation as Record<string, { a: number[]; b: number[]; p: number }>;
const cases = Object.entries(raw).filter(([k]) => !k.startsWith('_')) as [string, Ref][];

const close = (actual: number, expected: number, what: string) => {
  const tol = 1e-9 * Math.max(1, Math.abs(expected));
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} != ${expected}`);
};

for (const [name, ref] of cases) {
  test(`describe() matches Python statistics: ${name}`, () => {
    const d = describeStats(ref.values);
    assert.equal(d.n, ref.n);
    for (const k of ['median', 'mean', 'sd', 'min', 'max', 'p95', 'cv'] as const)
      close(d[k], ref[k], `${name}.${k}`);
    assert.deepEqual(d.outliers, ref.outliers, `${name}.outliers`);
    assert.deepEqual(madOutliers(ref.values), ref.outliers);
  });
}

test('the outlier case really flags the outlier (fixture sanity)', () => {
  const ref = cases.find(([n]) => n === 'with-outlier')![1];
  assert.deepEqual(ref.outliers, [6]);
});

test('bootstrap CI of the median brackets the median, is seeded and narrows with n', () => {
  const ref = cases.find(([n]) => n === 'lognormal-200')![1];
  const [lo, hi] = bootstrapMedianCI(ref.values, { seed: 1 });
  assert.ok(lo <= ref.median && ref.median <= hi, `${lo} <= ${ref.median} <= ${hi}`);
  assert.deepEqual(bootstrapMedianCI(ref.values, { seed: 1 }), [lo, hi]);
  const [lo20, hi20] = bootstrapMedianCI(ref.values.slice(0, 20), { seed: 1 });
  assert.ok(hi - lo < hi20 - lo20, 'CI from 200 values is narrower than from 20');
  assert.deepEqual(bootstrapMedianCI([]).map(Number.isNaN), [true, true]);
  assert.deepEqual(bootstrapMedianCI([7]), [7, 7]);
});

for (const [name, c] of Object.entries(perm)) {
  test(`permutation test p-value is within Monte Carlo error of the exact p: ${name}`, () => {
    const p = permutationTest(c.a, c.b, { permutations: 20000 });
    assert.ok(Math.abs(p - c.p) < 0.01, `p=${p}, exact=${c.p}`);
  });
}
