// Bad input: truncated samples.jsonl still reports (warning names the line); empty/missing runs
// are one clear UsageError (exit code 2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, cpSync, utimesSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadReportRun as loadRun } from '../../../src/report/index.js';
import { resolveRunDir, resolveRunDir as resolveRegress } from '../../../src/results/read.js';
import { UsageError } from '../../../src/errors.js';
import { summaryCsv } from '../../../src/results/summary-csv.js';
import { EMPTY, QUICK, TRUNCATED } from './fixtures.js';

test('a truncated last line is skipped with a warning naming the line; the rest loads', () => {
  const run = loadRun(TRUNCATED);
  assert.equal(run.samples.length, 141);
  const w = run.warnings.find((x) => x.includes('samples.jsonl line 142'));
  assert.ok(w, `warnings: ${run.warnings.join(' | ')}`);
  assert.match(w, /truncated last line/);
  assert.ok(run.warnings.some((x) => /incomplete: 141 of 142/.test(x)));
});

test('an empty run is a UsageError with exit code 2', () => {
  assert.throws(
    () => loadRun(EMPTY),
    (err: unknown) =>
      err instanceof UsageError && err.exitCode === 2 && /no successful samples/.test(err.message),
  );
});

test('a missing run dir or run.json is a UsageError naming the path', () => {
  assert.throws(
    () => loadRun('/nonexistent/run'),
    (err: unknown) => err instanceof UsageError && err.message.includes('/nonexistent/run'),
  );
  const dir = mkdtempSync(join(tmpdir(), 'ctvm-report-test-'));
  try {
    assert.throws(
      () => loadRun(dir),
      (err: unknown) => err instanceof UsageError && err.message.includes('run.json'),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('resolveRunDir: a path, a run id, latest (newest startedAt, not mtime), and a clear error otherwise', () => {
  const results = mkdtempSync(join(tmpdir(), 'ctvm-report-test-'));
  try {
    assert.throws(
      () => resolveRunDir('latest', results),
      (err: unknown) => err instanceof UsageError && /no runs/.test(err.message),
    );
    cpSync(QUICK, join(results, 'a'), { recursive: true });
    cpSync(QUICK, join(results, 'b'), { recursive: true });
    const setMeta = (name: string, patch: Record<string, unknown>) => {
      const file = join(results, name, 'run.json');
      writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), ...patch }));
    };
    // 'a' started later; 'b' has the newer run.json (a --resume, or a copy, touches it).
    setMeta('a', { startedAt: '2026-11-29T02:00:00.000Z' });
    setMeta('b', { startedAt: '2026-11-29T01:00:00.000Z' });
    utimesSync(join(results, 'b', 'run.json'), new Date(), new Date(Date.now() + 60_000));
    assert.equal(resolveRunDir('latest', results), join(results, 'a'));
    assert.equal(resolveRunDir('latest', results), resolveRegress('latest', results), 'one resolver');
    assert.equal(resolveRunDir('b', results), join(results, 'b'));
    assert.equal(resolveRunDir(QUICK, results), QUICK);
    assert.throws(
      () => resolveRunDir('nope', results),
      (err: unknown) => err instanceof UsageError && err.exitCode === 2,
    );
    // Another results format is refused by the resolver, for report as for compare.
    setMeta('b', { format: 99 });
    for (const resolve of [resolveRunDir, resolveRegress])
      assert.throws(
        () => resolve(join(results, 'b'), results),
        (err: unknown) => err instanceof UsageError && /results format 99/.test(err.message),
      );
  } finally {
    rmSync(results, { recursive: true, force: true });
  }
});

test("the report's summary is the run's own: same rows as results/<id>/summary.{json,csv}", () => {
  // The fixture's summary files are what src/runner/run.ts writes (bootstrap seeded with run.json's
  // seed). Before the fix the report bootstrapped unseeded and 11 of 69 rows had other CIs.
  const run = loadRun(QUICK);
  assert.deepEqual(run.summary, JSON.parse(readFileSync(join(QUICK, 'summary.json'), 'utf8')));
  assert.equal(summaryCsv(run.summary), readFileSync(join(QUICK, 'summary.csv'), 'utf8'));
});
