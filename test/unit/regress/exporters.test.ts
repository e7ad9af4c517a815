import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareSides } from '../../../src/regress/compare.js';
import { EXPORTERS } from '../../../src/regress/export/index.js';
import { toBenchmarkActionEntries } from '../../../src/regress/export/benchmark-action.js';
import { toBencherMetrics } from '../../../src/regress/export/bencher.js';
import { toHyperfineResults } from '../../../src/regress/export/hyperfine.js';
import { BASE, FIXTURES, SLOW, fixtureSide } from './helpers.js';

// Golden files: regenerate with UPDATE_GOLDEN=1 node scripts/test.mjs test/unit/regress/exporters.test.ts
const GOLDEN = join(FIXTURES, 'golden');
const comparison = compareSides(fixtureSide(BASE), fixtureSide(SLOW), {});

function golden(name: string, actual: string): void {
  const file = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, actual);
  assert.ok(existsSync(file), `missing golden ${file}: run with UPDATE_GOLDEN=1`);
  assert.equal(actual, readFileSync(file, 'utf8'), `${name} differs from its golden file`);
}

test('table exporter matches golden', () => golden('slow.table.txt', EXPORTERS.table(comparison)));
test('markdown exporter matches golden', () => golden('slow.md', EXPORTERS.md(comparison)));
test('json exporter matches golden', () => golden('slow.json', EXPORTERS.json(comparison)));
test('benchmark-action exporter matches golden', () =>
  golden('slow.benchmark-action.json', EXPORTERS['benchmark-action'](comparison)));
test('bencher exporter matches golden', () => golden('slow.bencher.json', EXPORTERS.bencher(comparison)));
test('hyperfine exporter matches golden', () =>
  golden('slow.hyperfine.json', EXPORTERS.hyperfine(comparison)));

test('bencher: BMF shape {benchmark: {measure: {value, lower_value, upper_value}}} from the median CI', () => {
  const bmf = toBencherMetrics(comparison);
  const row = comparison.rows.find((r) => r.kind === 'start' && r.env === 'vm' && r.metric === 'startNs')!;
  const m = bmf['start/vm:tcg/noop']!.startNs!;
  assert.deepEqual(m, {
    value: row.candMedian,
    lower_value: row.candMedianCI[0],
    upper_value: row.candMedianCI[1],
  });
  assert.ok(m.lower_value! <= m.value && m.value <= m.upper_value!);
  for (const [bench, measures] of Object.entries(bmf)) {
    assert.doesNotMatch(bench, /\/vm\//, 'VM series carry their accelerator');
    for (const v of Object.values(measures)) {
      assert.deepEqual(
        Object.keys(v).filter((k) => !['value', 'lower_value', 'upper_value'].includes(k)),
        [],
      );
      assert.ok(Number.isFinite(v.value), bench);
    }
  }
});

test('bencher: no bounds below 3 samples (no CI), the value alone', () => {
  const few = compareSides(fixtureSide(BASE), fixtureSide(SLOW), {});
  const row = few.rows.find((r) => r.metric === 'startNs' && r.env === 'bare')!;
  row.candN = 2;
  assert.deepEqual(toBencherMetrics({ ...few, rows: [row] })['start/bare/noop']!.startNs, {
    value: row.candMedian,
  });
});

test('hyperfine: results[] with command, mean, stddev, median, min, max, times in seconds', () => {
  const { results } = toHyperfineResults(comparison);
  const timeRows = comparison.rows.filter((r) => r.unit === 'ns' && r.candN > 0);
  assert.equal(results.length, timeRows.length);
  const vm = results.find((r) => r.command === 'start/vm:tcg/noop startNs')!;
  const row = timeRows.find((r) => r.kind === 'start' && r.env === 'vm' && r.metric === 'startNs')!;
  assert.deepEqual(Object.keys(vm), ['command', 'mean', 'stddev', 'median', 'min', 'max', 'times']);
  assert.deepEqual(
    vm.times,
    row.candValues.map((ns) => ns / 1e9),
  );
  assert.ok(Math.abs(vm.median - row.candMedian / 1e9) < 1e-12);
  assert.ok(vm.min <= vm.median && vm.median <= vm.max && vm.stddev! > 0);
  assert.ok(vm.median > 0.1 && vm.median < 10, 'seconds, not ns');
  assert.ok(results.every((r) => !/\/vm\//.test(r.command)));
});

test('the table prints no ratio for idle CPU (a metric that can be 0); judge.test.ts covers MemAvailable', () => {
  const lines = EXPORTERS.table(comparison).split('\n');
  for (const metric of ['idleCpuPerSec']) {
    const mine = lines.filter((l) => l.includes(` ${metric} `));
    assert.ok(mine.length > 0, metric);
    for (const l of mine) assert.equal(l.split(/\s{2,}/)[3], '-', l); // the ratio [95% CI] column
  }
});

test('markdown: headline names the count, regressions listed before the table', () => {
  const md = EXPORTERS.md(comparison);
  assert.match(md, /^### :x: ctvm compare: 3 regressions\n/);
  assert.ok(md.indexOf('- `work/container/cpu workNs`') < md.indexOf('| group |'));
});

test('benchmark-action: customSmallerIsBetter shape; throughput inverted to ms/MB', () => {
  const entries = toBenchmarkActionEntries(comparison);
  assert.equal(entries.length, 27);
  for (const e of entries) {
    assert.deepEqual(
      Object.keys(e).filter((k) => !['name', 'unit', 'value', 'range', 'extra'].includes(k)),
      [],
    );
    assert.equal(typeof e.name, 'string');
    assert.ok(Number.isFinite(e.value), e.name);
  }
  const tp = entries.find((e) => e.name === 'work/container/mem throughputMBps')!;
  const row = comparison.rows.find((r) => r.env === 'container' && r.metric === 'throughputMBps')!;
  assert.equal(tp.unit, 'ms/MB');
  assert.ok(Math.abs(tp.value - 1000 / row.candMedian) < 1e-3);
  assert.match(tp.extra!, /inverted from MB\/s/);
  const start = entries.find((e) => e.name === 'start/vm:tcg/noop startNs')!;
  assert.equal(start.unit, 'ms');
  assert.match(start.range!, /^± [\d.]+$/);
});

test('json: exit code and verdicts travel with the numbers', () => {
  const j = JSON.parse(EXPORTERS.json(comparison)) as {
    exitCode: number;
    regressions: number;
    rows: { group: string; verdict: string }[];
  };
  assert.equal(j.exitCode, 1);
  assert.equal(j.regressions, 3);
  assert.equal(j.rows.find((r) => r.group === 'work/container/cpu workNs')!.verdict, 'regression');
});
