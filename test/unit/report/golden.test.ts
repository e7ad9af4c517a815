// Golden tests: the CSV and Markdown exporters turn the fixture run into exactly these bytes.
// Regenerate after an intended change: UPDATE_GOLDEN=1 node scripts/test.mjs test/unit/report
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadReportRun as loadRun } from '../../../src/report/index.js';
import { buildModel } from '../../../src/report/model.js';
import { stacks } from '../../../src/report/stacks.js';
import { headline } from '../../../src/report/headline.js';
import { allCharts } from '../../../src/report/charts/index.js';
import { buildDoc } from '../../../src/report/report-doc.js';
import { exportMarkdown } from '../../../src/report/export-markdown.js';
import { summaryCsv as exportCsv } from '../../../src/results/summary-csv.js';
import { GOLDEN, QUICK } from './fixtures.js';

function golden(name: string, actual: string): void {
  const path = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN) writeFileSync(path, actual);
  assert.equal(
    actual,
    readFileSync(path, 'utf8'),
    `${name} differs from the golden file (UPDATE_GOLDEN=1 to accept)`,
  );
}

test('CSV exporter: fixture run -> golden summary.csv', () => {
  const csv = exportCsv(loadRun(QUICK).summary);
  golden('summary.csv', csv);
  assert.match(csv.split('\n')[0]!, /^run_id,kind,env,accel,workload,density,metric,unit,n,failed,median/);
  // Every row names its run; VM rows their accelerator (rows from several runs can be concatenated).
  const rows = csv.trimEnd().split('\n').slice(1);
  assert.ok(rows.every((r) => r.startsWith('20261129-010000-quick,')));
  assert.ok(rows.filter((r) => r.includes(',vm,')).every((r) => r.includes(',vm,tcg,')));
  assert.ok(rows.filter((r) => !r.includes(',vm,')).every((r) => /^[^,]+,[^,]+,[^,]+,,/.test(r)));
  // No ratio to bare for metrics that can be <= 0.
  const head = csv.split('\n')[0]!.split(',');
  for (const r of rows.map((l) => l.split(',')))
    if (['memAvailableDropBytes', 'idleCpuPerSec'].includes(r[head.indexOf('metric')]!))
      assert.equal(r[head.indexOf('ratio')], '', r.join(','));
});

test('Markdown exporter: fixture run -> golden report.md, no timestamps of its own or absolute paths', () => {
  const model = buildModel(loadRun(QUICK));
  const s = stacks(model);
  const md = exportMarkdown(
    buildDoc({
      model,
      stacks: s,
      headline: headline(model, s),
      charts: allCharts(model),
      figureFile: 'figure-12-1.png',
      warnings: [],
    }),
  );
  golden('report.md', md);
  assert.ok(!md.includes('/work/'), 'no absolute paths');
  assert.match(md, /started 366x faster than a TCG guest/);
  assert.match(md, /\| vm \(TCG\) \| 9 \| 2,048 ms \|/);
});
