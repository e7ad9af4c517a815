// Results writer and exporters: append+fsync per sample, torn tail repair, CSV shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunWriter, readSamples, readMeta } from '../../../src/runner/results-writer.js';
import { summaryCsv, CSV_COLUMNS } from '../../../src/runner/exporters.js';
import { summarize } from '../../../src/stats/index.js';
import type { RunMeta, SampleRecord } from '../../../src/results/types.js';

const rec = (seq: number, env = 'bare', startNs = 1e6 + seq): SampleRecord => ({
  runId: 'r',
  seq,
  kind: 'start',
  env,
  workload: 'noop',
  repetition: seq,
  warmup: false,
  density: 1,
  ok: true,
  metrics: { startNs },
  timeMs: 0,
});

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'ctvm-writer-test-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('every appended sample is on disk immediately, one JSON object per line', () => {
  withDir((dir) => {
    const w = RunWriter.create(dir);
    w.appendSample(rec(0));
    assert.equal(readFileSync(join(dir, 'samples.jsonl'), 'utf8').split('\n').length, 2);
    w.appendSample(rec(1));
    assert.deepEqual(
      readSamples(dir).map((r) => r.seq),
      [0, 1],
    );
    w.close();
  });
});

test('a torn last line is dropped and cut off with repair, so later appends stay parseable', () => {
  withDir((dir) => {
    const w = RunWriter.create(dir);
    w.appendSample(rec(0));
    w.appendSample(rec(1));
    w.close();
    appendFileSync(join(dir, 'samples.jsonl'), '{"runId":"r","seq":2,"kin');
    assert.deepEqual(
      readSamples(dir).map((r) => r.seq),
      [0, 1],
    );
    readSamples(dir, { repair: true });
    const w2 = new RunWriter(dir);
    w2.appendSample(rec(3));
    w2.close();
    const lines = readFileSync(join(dir, 'samples.jsonl'), 'utf8').trim().split('\n');
    assert.deepEqual(
      lines.map((l) => (JSON.parse(l) as SampleRecord).seq),
      [0, 1, 3],
    );
  });
});

test('run.json is replaced atomically and reads back', () => {
  withDir((dir) => {
    const w = RunWriter.create(dir);
    const meta = { runId: 'r', status: 'incomplete', seed: 5 } as unknown as RunMeta;
    w.writeMeta(meta);
    w.writeMeta({ ...meta, status: 'complete' });
    assert.equal(readMeta(dir).status, 'complete');
  });
});

test('summary.csv has the header and one row per summary row with the baseline ratio', () => {
  const s = summarize('r', [rec(0), rec(1), rec(2), rec(3, 'vm', 5e6), rec(4, 'vm', 6e6)]);
  // No quoting is needed for these cells (csv-parse is not a dependency): split on commas.
  const [header, ...body] = summaryCsv(s)
    .trim()
    .split('\n')
    .map((l) => l.split(','));
  const rows = body.map((cells) => Object.fromEntries(header!.map((h, i) => [h, cells[i] ?? ''])));
  assert.deepEqual(Object.keys(rows[0]!), [...CSV_COLUMNS]);
  const vm = rows.find((r) => r.env === 'vm')!;
  assert.equal(vm.metric, 'startNs');
  assert.equal(vm.n, '2');
  assert.equal(Number(vm.ratio), 5.5e6 / (1e6 + 1));
  assert.equal(rows.find((r) => r.env === 'bare')!.ratio, '');
});
