import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareSides } from '../../../src/regress/compare.js';
import { EXPORTERS } from '../../../src/regress/export/index.js';
import { toBenchmarkActionEntries } from '../../../src/regress/export/benchmark-action.js';
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
  const start = entries.find((e) => e.name === 'start/vm/noop startNs')!;
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
