// Results writer and exporters: append+fsync per sample, torn tail repair, CSV shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunWriter } from '../../../src/runner/results-writer.js';
import {
  QUARANTINE_FILE,
  quarantineBadSamples,
  readSamples,
  readRunMeta as readMeta,
} from '../../../src/results/read.js';
import { QUICK } from '../report/fixtures.js';
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

test('a torn last line is dropped and quarantined, so later appends stay parseable', () => {
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
    const q = quarantineBadSamples(dir).lines;
    assert.deepEqual(
      q.map((l) => l.line),
      [3],
    );
    assert.match(q[0]!.problem, /^not JSON \(Unterminated string/);
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

test('garbage in the middle of samples.jsonl is quarantined; every valid sample around it is kept', () => {
  withDir((dir) => {
    const w = RunWriter.create(dir);
    for (let i = 0; i < 9; i++) {
      if (i === 2) appendFileSync(join(dir, 'samples.jsonl'), 'garbage \u0000 here\n');
      else if (i === 5) appendFileSync(join(dir, 'samples.jsonl'), '{"valid":"json, not a sample"}\n');
      else w.appendSample(rec(i));
    }
    w.close();
    const q = quarantineBadSamples(dir);
    assert.deepEqual(
      q.lines.map((l) => l.line),
      [3, 6],
    );
    assert.match(q.lines[1]!.problem, /seq is not a plan position/);
    assert.deepEqual(
      q.samples.map((r) => r.seq),
      [0, 1, 3, 4, 6, 7, 8],
    );
    assert.deepEqual(
      readSamples(dir).map((r) => r.seq),
      [0, 1, 3, 4, 6, 7, 8],
      'samples.jsonl now holds only the valid lines',
    );
    const kept = readFileSync(join(dir, QUARANTINE_FILE), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { line: number; text: string });
    assert.deepEqual(
      kept.map((k) => [k.line, k.text]),
      [
        [3, 'garbage \u0000 here'],
        [6, '{"valid":"json, not a sample"}'],
      ],
    );
    assert.deepEqual(quarantineBadSamples(dir).lines, [], 'a clean file is left as it is');
  });
});

test('run.json is replaced atomically and reads back', () => {
  withDir((dir) => {
    const w = RunWriter.create(dir);
    const meta = { ...readMeta(QUICK), status: 'incomplete' } as RunMeta;
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
