import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareSides, exitCodeFor } from '../../../src/regress/compare.js';
import { groupLabel } from '../../../src/results/read.js';
import { hasRatio } from '../../../src/results/metrics.js';
import { loadThresholds } from '../../../src/regress/thresholds.js';
import { BAD, BASE, SAME_A, SAME_B, SLOW, fixtureSide, synthSide } from './helpers.js';
import { join } from 'node:path';

const DOCS_THRESHOLDS = join(import.meta.dirname, '../../../docs/ci/thresholds.yaml');

test('a run compared with itself: no regression, every ratio exactly 1 (none where values can be <= 0), exit 0', () => {
  const c = compareSides(fixtureSide(BASE), fixtureSide(BASE), {});
  assert.equal(c.rows.length, 27);
  assert.equal(c.regressions, 0);
  assert.equal(c.improvements, 0);
  for (const r of c.rows) {
    assert.equal(r.ratio, hasRatio(r.metric) ? 1 : NaN, groupLabel(r));
    assert.equal(r.verdict, 'unchanged', groupLabel(r));
  }
  assert.equal(exitCodeFor(c), 0);
});

test('container slowed 40% (a tighter CPU limit): exit 1 naming exactly the slowed metrics', () => {
  const c = compareSides(fixtureSide(BASE), fixtureSide(SLOW), {});
  const flagged = c.rows
    .filter((r) => r.verdict === 'regression')
    .map(groupLabel)
    .sort();
  assert.deepEqual(flagged, [
    'work/container/cpu workNs',
    'work/container/mem throughputMBps', // bigger is better: a drop is the regression
    'work/container/mem workNs',
  ]);
  const cpu = c.rows.find((r) => groupLabel(r) === 'work/container/cpu workNs')!;
  assert.ok(cpu.ratio > 1.3 && cpu.ratio < 1.5, `ratio ${cpu.ratio}`);
  assert.ok(cpu.ciLow > 1.05, 'CI excludes "no change"');
  assert.ok(cpu.pValue < 0.01);
  assert.match(cpu.reason, /p=.* < 0\.01 and \+40\.\d% worse > noise floor 5%/);
  // CPU time is what a CPU limit does not change: not flagged.
  assert.notEqual(c.rows.find((r) => groupLabel(r) === 'work/container/cpu cpuNs')!.verdict, 'regression');
  assert.equal(exitCodeFor(c), 1);
});

test('two fixture runs from the same distribution (CV 2-15%) do not flag: which gate held', () => {
  for (const [a, b] of [
    [BASE, SAME_A],
    [BASE, SAME_B],
    [SAME_A, SAME_B],
  ] as const) {
    const c = compareSides(fixtureSide(a), fixtureSide(b), {});
    assert.equal(c.regressions, 0);
    assert.equal(exitCodeFor(c), 0);
    // With these seeds the permutation test alone holds (every p >= 0.01): the 5% floor is not
    // needed for them. The simulation below shows where the floor starts to matter.
    for (const r of c.rows) assert.ok(!(r.pValue < 0.01), `${groupLabel(r)} p=${r.pValue}`);
  }
});

test('A/A simulation: p < 0.01 is calibrated per group; the floor trims the per-run rate', () => {
  // 40 pairs of runs drawn from the same distributions (27 groups each, n=10 per side).
  const rows = [];
  for (let i = 0; i < 40; i++) {
    rows.push(
      ...compareSides(
        synthSide({ seed: 9000 + 2 * i }),
        synthSide({ seed: 9001 + 2 * i }),
        {},
        { permutations: 2000, resamples: 200 },
      ).rows,
    );
  }
  const judged = rows.filter((r) => Number.isFinite(r.pValue));
  const significant = judged.filter((r) => r.pValue < 0.01);
  const rate = significant.length / judged.length;
  // About 1% of groups reach p < 0.01 by chance (two-sided, so ~0.5% in the bad direction).
  assert.ok(rate < 0.02, `per-group p<0.01 rate ${rate}`);
  const flaggedAt = (floor: number) => significant.filter((r) => r.worseBy > floor).length;
  console.log(
    `# A/A: ${judged.length} groups, ${significant.length} with p<0.01; flagged at floor 0%: ${flaggedAt(0)}, 5%: ${flaggedAt(0.05)}, 10%: ${flaggedAt(0.1)}, 15%: ${flaggedAt(0.15)}`,
  );
  // Honest limit: with CV up to 15% and n=10 anything that reaches p<0.01 has already moved
  // ~5-15%, so a 5% floor removes little; per-group floors near the metric's noise do.
  assert.ok(flaggedAt(0.15) <= flaggedAt(0.05) && flaggedAt(0.05) <= flaggedAt(0));
  assert.ok(flaggedAt(0.05) / judged.length < 0.01, 'bad-direction false positives per group < 1%');
});

test('docs/ci/thresholds.yaml: flags the 40% slow-down; A/A pairs flag in <= 5% of runs', () => {
  const t = loadThresholds(DOCS_THRESHOLDS);
  const slow = compareSides(fixtureSide(BASE), fixtureSide(SLOW), t);
  assert.equal(slow.regressions, 3);
  let runsFlagged = 0;
  const pairs = 40;
  for (let i = 0; i < pairs; i++) {
    const c = compareSides(synthSide({ seed: 7000 + 2 * i }), synthSide({ seed: 7001 + 2 * i }), t, {
      permutations: 2000,
      resamples: 200,
    });
    if (c.regressions) runsFlagged++;
  }
  console.log(`# A/A with docs/ci/thresholds.yaml: ${runsFlagged}/${pairs} run pairs flagged`);
  assert.ok(runsFlagged / pairs <= 0.05, `${runsFlagged}/${pairs} A/A run pairs flagged`);
});

test('pooling: a candidate against 3 pooled runs has n=30 on the base side', () => {
  // With the default 5% floor, start/vm/noop exitNs (CV 6%) also flags here (p=0.0099, +6.4%):
  // an A/A false positive that the documented per-env floors exist for.
  const t = loadThresholds(DOCS_THRESHOLDS);
  const pooled = {
    label: 'pool',
    runs: [BASE, SAME_A, SAME_B].map((d) => fixtureSide(d).runs[0]!),
    samples: [BASE, SAME_A, SAME_B].flatMap((d) => fixtureSide(d).samples),
  };
  const c = compareSides(pooled, fixtureSide(SLOW), t);
  assert.ok(c.rows.every((r) => r.baseN === 30 && r.candN === 10));
  assert.equal(c.regressions, 3);
});

test('incomplete candidate with only-failed vm samples: harness problem, exit 3', () => {
  const c = compareSides(fixtureSide(BASE), fixtureSide(join(BAD, 'incomplete-vm-failed')), {});
  assert.equal(exitCodeFor(c), 3);
  assert.ok(c.problems.some((p) => /is incomplete/.test(p)));
  assert.ok(
    c.problems.some((p) => /^start\/vm\/noop -: all 10 candidate samples failed$/.test(p)),
    c.problems.join('\n'),
  );
  assert.ok(c.warnings.some((w) => /start\/vm\/noop startNs: in the base only/.test(w)));
});
