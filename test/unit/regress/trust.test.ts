// #12 "silent success" in compare: `ignore: true` wins over failed/too-few verdicts, "nothing
// judged" is a harness problem (exit 3, never a green check), --min-n, and base/candidate that ran
// on other ground (accelerator, CPU, kernel, qemu) are warned about, exit 2 with --strict.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { compareSides, exitCodeFor, type CompareSide } from '../../../src/regress/compare.js';
import { judgeGroup } from '../../../src/regress/judge.js';
import { DEFAULT_RULE } from '../../../src/regress/thresholds.js';
import { EXPORTERS } from '../../../src/regress/export/index.js';
import { BAD, BASE, fixtureSide } from './helpers.js';

const OPTS = { permutations: 500, resamples: 200 };

test('ignore: true is checked first: an only-failed or too-small group is "ignored", not failed', () => {
  const g = { kind: 'start', env: 'vm', workload: 'noop', density: 1, metric: 'startNs' } as const;
  const rule = { ...DEFAULT_RULE, ignore: true };
  assert.equal(
    judgeGroup(g, { values: [1, 2, 3], failed: 0 }, { values: [], failed: 4 }, rule).verdict,
    'ignored',
  );
  assert.equal(
    judgeGroup(g, { values: [1], failed: 0 }, { values: [2], failed: 0 }, rule).verdict,
    'ignored',
  );
});

test('ignoring the groups that only failed keeps exit 3 away; without ignore it is exit 3', () => {
  const bad = fixtureSide(join(BAD, 'incomplete-vm-failed'));
  const cand: CompareSide = { ...bad, runs: bad.runs.map((r) => ({ ...r, status: 'complete' as const })) };
  assert.equal(exitCodeFor(compareSides(fixtureSide(BASE), cand, {}, OPTS)), 3);
  const c = compareSides(fixtureSide(BASE), cand, { groups: [{ match: { env: 'vm' }, ignore: true }] }, OPTS);
  assert.deepEqual(c.problems, []);
  assert.notEqual(exitCodeFor(c), 3);
});

test('nothing judged (every group too small, or below --min-n): exit 3 and a ⚠ headline', () => {
  const full = fixtureSide(BASE);
  const tiny: CompareSide = { ...full, samples: full.samples.filter((s) => s.repetition < 2) };
  const c = compareSides(tiny, tiny, {}, OPTS);
  assert.ok(c.rows.length > 0 && c.rows.every((r) => r.verdict === 'insufficient'));
  assert.equal(exitCodeFor(c), 3);
  assert.ok(
    c.problems.some((p) => /^nothing judged/.test(p)),
    c.problems.join('\n'),
  );
  assert.doesNotMatch(EXPORTERS.md(c), /white_check_mark/);

  const minN = compareSides(full, full, {}, { ...OPTS, minN: 1000 });
  assert.equal(minN.judged, 0);
  assert.equal(exitCodeFor(minN), 3);
  assert.ok(minN.problems.some((p) => /--min-n 1000/.test(p)));
  assert.equal(exitCodeFor(compareSides(full, full, {}, OPTS)), 0);
});

test('other accelerator / CPU / kernel / qemu: a warning, and exit 2 with --strict', () => {
  const base = fixtureSide(BASE);
  const meta = base.runs[0]!;
  const other: CompareSide = {
    ...base,
    runs: [
      {
        ...meta,
        host: { ...meta.host!, host: { ...meta.host!.host, cpuModel: 'Other CPU', kernel: '9.9.9' } },
        tools: { ...meta.tools, qemu: '99.0' },
        environments: { ...meta.environments, vm: { used: true, facts: { accel: 'kvm' } } },
      },
    ],
  };
  const withVm = (s: CompareSide): CompareSide => ({
    ...s,
    runs: s.runs.map((r) => ({
      ...r,
      environments: { ...r.environments, vm: { used: true, facts: { accel: 'tcg' } } },
    })),
  });
  const c = compareSides(withVm(base), other, {}, OPTS);
  for (const what of [
    'vm accelerator differs: base tcg, candidate kvm',
    'CPU model differs',
    'host kernel differs',
    'qemu version differs',
  ])
    assert.ok(
      c.warnings.some((w) => w.startsWith(what)),
      `${what}: ${c.warnings.join(' | ')}`,
    );
  assert.equal(exitCodeFor(c), 0);
  assert.equal(exitCodeFor(compareSides(withVm(base), other, {}, { ...OPTS, strict: true })), 2);
  assert.deepEqual(compareSides(base, base, {}, { ...OPTS, strict: true }).mismatches, []);
});
