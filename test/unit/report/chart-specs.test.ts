// Issue #12 item 10: charts that do not mislead, checked on the chart specs (not pixels): phases
// on a linear axis per environment with segments as long as the phase, dots (not bars) for the
// totals and exit latency, KiB below 1 MiB, "(TCG)" beside large ratios, the CPU column's scope.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChartConfiguration } from 'chart.js';
import { loadReportRun as loadRun } from '../../../src/report/index.js';
import { buildModel } from '../../../src/report/model.js';
import { stacks } from '../../../src/report/stacks.js';
import { headline } from '../../../src/report/headline.js';
import { workTable } from '../../../src/report/doc-tables.js';
import { allCharts, isSkip, type ChartSpec } from '../../../src/report/charts/index.js';
import { phaseChartFile } from '../../../src/report/charts/start-chart.js';
import { fmtMiB, nsToMs } from '../../../src/report/format.js';
import { QUICK } from './fixtures.js';

const model = buildModel(loadRun(QUICK));
const charts = allCharts(model).filter((c): c is ChartSpec => !isSkip(c));
const chart = (file: string) => {
  const c = charts.find((x) => x.file === file);
  assert.ok(c, `no ${file} among ${charts.map((x) => x.file).join(', ')}`);
  return c.config as ChartConfiguration<'bar' | 'line'>;
};
const xType = (c: ChartConfiguration<'bar' | 'line'>) => (c.options?.scales?.x as { type?: string }).type;

test('phases: one chart per environment, linear axis, each segment = time spent in that phase', () => {
  const withPhases = model.start.filter((r) => r.start && r.phases.length > 0);
  assert.ok(withPhases.some((r) => r.env.id === 'vm'));
  for (const r of withPhases) {
    const c = chart(phaseChartFile(r.env.id));
    assert.equal(xType(c), 'linear', r.env.id);
    assert.equal((c.options?.scales?.x as { min?: number }).min, 0);
    const sizes = c.data.datasets.map((d) => (d.data as number[])[0]!);
    const limit = r.start!.median * 1.0001;
    const ends = r.phases.filter((p) => p.atNs <= limit).map((p) => nsToMs(p.atNs));
    // Segment i spans reaching phase i-1 (or the launch) to reaching phase i.
    ends.forEach((end, i) => assert.ok(Math.abs(sizes[i]! - (end - (ends[i - 1] ?? 0))) < 1e-9));
    assert.ok(Math.abs(sizes.reduce((a, b) => a + b, 0) - ends.at(-1)!) < 1e-6);
  }
  // The VM's init (~1 s) is drawn ~40x longer than its spawn, not squashed by a log axis.
  const vm = chart(phaseChartFile('vm'));
  const biggest = Math.max(...vm.data.datasets.map((d) => (d.data as number[])[0]!));
  assert.ok(biggest / nsToMs(model.start.find((r) => r.env.id === 'vm')!.start!.median) > 0.5);
});

test('start totals and exit latency: dots, not bars; log axis only when they span decades', () => {
  for (const file of ['start-latency.png', 'exit-latency.png']) {
    const c = chart(file);
    assert.equal(c.type, 'line', file);
    assert.ok(
      c.data.datasets.every((d) => (d as { showLine?: boolean }).showLine === false),
      file,
    );
    assert.equal(xType(c), 'logarithmic', `${file}: the fixture spans 2 ms .. 1 s`);
  }
  assert.ok(!charts.some((c) => c.file !== 'start-latency.png' && c.file.startsWith('start-latency')));
});

test('sub-MiB figures in KiB', () => {
  assert.equal(fmtMiB(421 * 1024), '421 KiB');
  assert.equal(fmtMiB(1.5 * 1024 * 1024), '1.50 MiB');
  const s = stacks(model);
  assert.match(headline(model, s).sentence, /\(\d+ KiB vs [\d.]+ MiB PSS\)/);
});

test('"(TCG)" beside every large ratio of a TCG guest; CPU column says it covers the whole life', () => {
  const s = stacks(model);
  assert.match(headline(model, s).sentence, /used \d+x \(TCG\) less memory/);
  const t = workTable(model)!;
  assert.match(t.head.join('|'), /host CPU, whole instance life \(VM: incl\. boot\)/);
  const vs = t.head.indexOf('vs bare');
  const vmRows = t.rows.filter((r) => r[1]!.startsWith('vm'));
  assert.ok(vmRows.length > 0);
  for (const r of vmRows) {
    const ratio = 1 + Number(r[vs]!.replace(/[+%,]|\s*\(TCG\)/g, '')) / 100;
    if (ratio >= 2) assert.match(r[vs]!, /\(TCG\)$/, r.join(' | '));
  }
  for (const r of t.rows.filter((x) => !x[1]!.startsWith('vm'))) assert.doesNotMatch(r[vs]!, /TCG/);
});
