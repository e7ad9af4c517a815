// summarize(): grouping, warm-up exclusion, failed counts and the ratio vs bare.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summarize } from '../../../src/stats/index.js';
import type { SampleRecord } from '../../../src/results/types.js';

function rec(env: string, startNs: number, extra: Partial<SampleRecord> = {}): SampleRecord {
  return {
    runId: 'r',
    seq: 0,
    kind: 'start',
    env,
    workload: 'noop',
    repetition: 0,
    warmup: false,
    density: 1,
    ok: true,
    metrics: { startNs },
    timeMs: 0,
    ...extra,
  };
}

test('warm-up samples are excluded, failures counted, ratio is median(env)/median(bare)', () => {
  const samples = [
    rec('bare', 1e6, { warmup: true }),
    rec('bare', 2e6),
    rec('bare', 4e6),
    rec('bare', 3e6),
    rec('vm', 300e6),
    rec('vm', 200e6),
    rec('vm', 0, { ok: false, error: 'timed out', metrics: {} }),
    rec('vm', 100e6),
  ];
  const s = summarize('r', samples);
  const bare = s.rows.find((r) => r.env === 'bare' && r.metric === 'startNs')!;
  const vm = s.rows.find((r) => r.env === 'vm' && r.metric === 'startNs')!;
  assert.equal(bare.dist.n, 3);
  assert.equal(bare.dist.median, 3e6);
  assert.equal(vm.dist.n, 3);
  assert.equal(vm.failed, 1);
  assert.equal(vm.unit, 'ns');
  assert.equal(vm.vsBaseline?.env, 'bare');
  assert.equal(vm.vsBaseline?.ratio, 200e6 / 3e6);
  assert.ok(vm.vsBaseline!.ciLow <= vm.vsBaseline!.ratio && vm.vsBaseline!.ratio <= vm.vsBaseline!.ciHigh);
  assert.equal(bare.vsBaseline, undefined);
});

test('a group with only failed samples still gets a row with its failure count', () => {
  const s = summarize('r', [rec('container', 0, { ok: false, error: 'x', metrics: {} })]);
  assert.equal(s.rows.length, 1);
  assert.equal(s.rows[0]!.failed, 1);
  assert.equal(s.rows[0]!.dist.n, 0);
});
