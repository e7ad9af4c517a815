import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_RULE, loadThresholds, parseThresholds, ruleFor } from '../../../src/regress/thresholds.js';
import { UsageError } from '../../../src/errors.js';
import type { GroupId } from '../../../src/results/read.js';

const g = (over: Partial<GroupId> = {}): GroupId => ({
  kind: 'start',
  env: 'vm',
  workload: 'noop',
  density: 1,
  metric: 'startNs',
  ...over,
});

test('no file: the built-in default rule (5% floor, alpha 0.01)', () => {
  assert.deepEqual(ruleFor({}, g()), DEFAULT_RULE);
  assert.equal(DEFAULT_RULE.noiseFloor, 0.05);
  assert.equal(DEFAULT_RULE.alpha, 0.01);
});

test('precedence: default < metrics.<name> < matching groups[], later groups win; * globs', () => {
  const t = parseThresholds(
    {
      default: { noiseFloor: 0.07 },
      metrics: { startNs: { noiseFloor: 0.1, minAbsolute: 1000 } },
      groups: [
        { match: { env: 'vm', kind: 'start' }, noiseFloor: 0.15 },
        { match: { env: 'oci:*' }, ignore: true },
        { match: { env: 'vm', metric: 'start*' }, alpha: 0.001 },
      ],
    },
    'inline',
  );
  assert.deepEqual(ruleFor(t, g()), { noiseFloor: 0.15, alpha: 0.001, minAbsolute: 1000, ignore: false });
  assert.deepEqual(ruleFor(t, g({ env: 'container' })), {
    noiseFloor: 0.1,
    alpha: 0.01,
    minAbsolute: 1000,
    ignore: false,
  });
  assert.equal(ruleFor(t, g({ env: 'oci:runc' })).ignore, true);
  assert.equal(ruleFor(t, g({ env: 'oci.runc' })).ignore, false, 'the dot is literal, only * is a wildcard');
  assert.equal(ruleFor(t, g({ metric: 'pssBytes', kind: 'idle', env: 'bare' })).noiseFloor, 0.07);
});

test('bad thresholds: UsageError (exit 2) naming the file and the path of the bad value', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ctvm-regress-thr-'));
  try {
    const file = join(dir, 't.yaml');
    writeFileSync(file, 'metrics:\n  startNs: { noiseFloor: "ten percent" }\n');
    assert.throws(
      () => loadThresholds(file),
      (err: unknown) => {
        assert.ok(err instanceof UsageError);
        assert.equal(err.exitCode, 2);
        assert.match(err.message, new RegExp(`thresholds file ${file}: at metrics\\.startNs\\.noiseFloor: `));
        return true;
      },
    );
    writeFileSync(file, 'default: { noisefloor: 0.1 }\n');
    assert.throws(() => loadThresholds(file), /at default: .*noisefloor/);
    writeFileSync(file, 'default: [\n');
    assert.throws(() => loadThresholds(file), /does not parse/);
    assert.throws(
      () => loadThresholds(join(dir, 'nope.json')),
      /cannot read thresholds file .*nope\.json: ENOENT/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the documented example file parses', () => {
  const t = loadThresholds(join(import.meta.dirname, '../../../docs/ci/thresholds.yaml'));
  assert.equal(ruleFor(t, g()).noiseFloor, 0.15);
  assert.equal(ruleFor(t, g({ kind: 'idle', metric: 'idleCpuPerSec' })).minAbsolute, 0.005);
});
