// The CLI end to end through bin/ctvm.js: exit codes 0/1/2/3, formats, files, hints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { BAD, BASE, RESULTS, SAME_A, SLOW } from './helpers.js';

const BIN = join(import.meta.dirname, '../../../bin/ctvm.js');
const ctvm = (...args: string[]) => execa(process.execPath, [BIN, ...args], { reject: false });

test('compare a run with itself: exit 0, "0 regressions"', async () => {
  const r = await ctvm('compare', BASE, BASE);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, /27 groups compared, 0 regressions, 0 improvements/);
});

test('compare against the slowed run by id under --results: exit 1 naming the metric', async () => {
  const r = await ctvm(
    'compare',
    '--results',
    RESULTS,
    '2025-03-01T10-00-00Z-quick',
    '2025-03-04T10-00-00Z-quick-slow',
  );
  assert.equal(r.exitCode, 1, r.stderr);
  assert.match(
    r.stdout,
    /^REGRESSION work\/container\/cpu workNs: p=.* < 0\.01 and \+40\.2% worse > noise floor 5%$/m,
  );
});

test("'latest' resolves to the newest run by startedAt", async () => {
  const r = await ctvm('compare', '--results', RESULTS, '--format', 'json', SAME_A, 'latest');
  const j = JSON.parse(r.stdout) as { candidate: { runIds: string[] } };
  assert.deepEqual(j.candidate.runIds, ['2025-03-04T10-00-00Z-quick-slow']);
  assert.equal(r.exitCode, 1);
});

test('--format md --output writes the file, prints nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ctvm-regress-cli-'));
  try {
    const out = join(dir, 'sub', 'summary.md');
    const r = await ctvm('compare', BASE, SLOW, '--format', 'md', '--output', out);
    assert.equal(r.exitCode, 1);
    assert.equal(r.stdout, '');
    assert.match(readFileSync(out, 'utf8'), /^### :x: ctvm compare: 3 regressions/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad input exits 2 with a message and a hint', async () => {
  const cases: [string[], RegExp][] = [
    [
      ['compare', BASE, '/nonexistent/run'],
      /ctvm: no run '\/nonexistent\/run': not a directory and not a run id in/,
    ],
    [['compare', BASE, join(BAD, 'not-a-run')], /not-a-run is not a ctvm run: it has no run\.json/],
    [['compare', BASE, join(BAD, 'broken-samples')], /broken-samples\/samples\.jsonl:6: not JSON/],
    [['compare', BASE], /compare needs a base and a candidate run, got 1/],
    [['compare', BASE, BASE, '--format', 'xml'], /unknown --format 'xml'/],
    [
      ['compare', BASE, BASE, '--thresholds', '/nonexistent.yaml'],
      /cannot read thresholds file \/nonexistent\.yaml: ENOENT/,
    ],
    [
      ['compare', '--results', join(BAD, 'none'), 'latest', 'latest'],
      /no runs in .*, so 'latest' means nothing/,
    ],
  ];
  for (const [args, message] of cases) {
    const r = await ctvm(...args);
    assert.equal(r.exitCode, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.match(r.stderr, /^hint: /m, `no hint for ${args.join(' ')}`);
  }
});

test('incomplete candidate: exit 3 (harness failure), problems listed', async () => {
  const r = await ctvm('compare', BASE, join(BAD, 'incomplete-vm-failed'));
  assert.equal(r.exitCode, 3);
  assert.match(r.stdout, /^PROBLEM candidate run incomplete-vm-failed is incomplete/m);
});

test('baseline save x3 then compare --baseline 2: pools the last two of the scenario', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ctvm-regress-cli-'));
  try {
    const results = join(dir, 'results');
    cpSync(RESULTS, results, { recursive: true });
    for (const id of [
      '2025-03-01T10-00-00Z-quick',
      '2025-03-02T10-00-00Z-quick',
      '2025-03-03T10-00-00Z-quick',
    ]) {
      const r = await ctvm('baseline', 'save', '--results', results, id);
      assert.equal(r.exitCode, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`saved baseline .*baselines/${id}`));
    }
    const list = await ctvm('baseline', 'list', '--results', results);
    assert.equal(list.stdout.trim().split('\n').length, 3);
    // 'latest' skips results/baselines/ and is the slow run.
    const r = await ctvm('compare', '--results', results, '--baseline', '2', 'latest', '--format', 'json');
    const j = JSON.parse(r.stdout) as {
      base: { runIds: string[] };
      rows: { base: { n: number } }[];
      regressions: number;
    };
    assert.deepEqual(j.base.runIds, ['2025-03-02T10-00-00Z-quick', '2025-03-03T10-00-00Z-quick']);
    assert.ok(j.rows.every((row) => row.base.n === 20));
    assert.equal(r.exitCode, 1);
    // `--baseline latest`: commander takes 'latest' as K; it is read as the candidate.
    const r2 = await ctvm('compare', '--results', results, '--baseline', 'latest');
    assert.equal(r2.exitCode, 1, r2.stderr);
    assert.match(r2.stdout, /^base: +pooled baseline of 3 runs/m);
    const none = await ctvm(
      'compare',
      '--results',
      results,
      '--baseline',
      '--baselines-dir',
      join(dir, 'empty'),
      'latest',
    );
    assert.equal(none.exitCode, 2);
    assert.match(none.stderr, /no saved baseline for scenario 'quick'/);
    const inc = await ctvm('baseline', 'save', '--results', results, join(BAD, 'incomplete-vm-failed'));
    assert.equal(inc.exitCode, 2);
    assert.match(inc.stderr, /is incomplete; an incomplete run makes a misleading baseline/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('trend writes three PNGs and trend.md with revisions', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ctvm-regress-cli-'));
  try {
    const r = await ctvm('trend', RESULTS, '--out', dir);
    assert.equal(r.exitCode, 0, r.stderr);
    for (const png of ['trend-start-latency.png', 'trend-idle-pss.png', 'trend-cpu-overhead.png']) {
      const buf = readFileSync(join(dir, png));
      assert.deepEqual([...buf.subarray(1, 4)], [0x50, 0x4e, 0x47], `${png} is a PNG`);
      assert.ok(buf.length > 10_000, `${png} has content`);
    }
    const md = readFileSync(join(dir, 'trend.md'), 'utf8');
    assert.match(md, /\| 2025-03-04 10:00 \| `d4e5f60` \|/);
    assert.match(md, /\| run \| revision \| container cpu \| container mem \| vm cpu \| vm mem \|/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
