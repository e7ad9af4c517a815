// Issue #12 item 9: with n < 3 a CI would only echo the data ("2.49–2.49 ms", CV 0%): tables,
// headline and CSV say "n=1: no CI" (empty cells), and charts draw no whisker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadReportRun as loadRun } from '../../../src/report/index.js';
import { buildModel } from '../../../src/report/model.js';
import { stacks } from '../../../src/report/stacks.js';
import { headline } from '../../../src/report/headline.js';
import { startTable } from '../../../src/report/doc-tables.js';
import { exportMarkdown } from '../../../src/report/export-markdown.js';
import { allCharts, isSkip, type ChartSpec } from '../../../src/report/charts/index.js';
import type { WhiskersPlugin } from '../../../src/report/charts/plugins.js';
import { summaryCsv } from '../../../src/results/summary-csv.js';
import { describe, summarize } from '../../../src/stats/index.js';
import type { SampleRecord } from '../../../src/results/types.js';
import { QUICK } from './fixtures.js';

/** Header-keyed records of a CSV without quoted cells (ids, numbers). */
function csvRecords(csv: string): Record<string, string>[] {
  const [head, ...lines] = csv
    .trimEnd()
    .split('\n')
    .map((l) => l.split(','));
  assert.ok(
    lines.every((l) => l.length === head!.length),
    'no quoted commas in this CSV',
  );
  return lines.map((l) => Object.fromEntries(head!.map((h, i) => [h, l[i]!])));
}

/** The fixture run cut to its first `n` measured samples per (kind, env, workload, density). */
function cut(n: number) {
  const run = loadRun(QUICK);
  const seen = new Map<string, number>();
  const samples = run.samples.filter((s: SampleRecord) => {
    if (s.warmup || !s.ok) return false;
    const k = `${s.kind}/${s.env}/${s.workload}/${s.density}`;
    seen.set(k, (seen.get(k) ?? 0) + 1);
    return seen.get(k)! <= n;
  });
  const summary = summarize(run.meta.runId, samples, { seed: run.meta.seed });
  return { summary, model: buildModel({ ...run, samples, summary }) };
}

test('describe: no CI below 3 values or when the bootstrap collapses; a constant metric keeps its CI', () => {
  for (const vals of [[2.49], [2.49, 2.5]]) {
    const d = describe(vals);
    assert.ok(Number.isNaN(d.ciLow) && Number.isNaN(d.ciHigh), `n=${vals.length}`);
  }
  assert.ok(Number.isNaN(describe([7]).cv) && Number.isNaN(describe([7]).sd), 'one value has no spread');
  assert.deepEqual([describe([5, 5, 5]).ciLow, describe([5, 5, 5]).ciHigh], [5, 5]);
  const three = describe([1, 2, 3]);
  assert.ok(three.ciLow < three.ciHigh);
});

for (const n of [1, 2]) {
  test(`n=${n}: markdown table, CSV row, headline and chart specs show no CI`, () => {
    const { summary, model } = cut(n);
    const md = exportMarkdown([startTable(model, 'start')!]);
    assert.match(md, new RegExp(`\\| ${n} \\| [^|]+ \\| n=${n}: no CI \\|`));
    assert.doesNotMatch(md, /\d ms – /, 'no "x ms – x ms" interval');
    if (n === 1) assert.doesNotMatch(md, /\| 0% \|/, 'no CV of 0% from a single value');

    const rows = csvRecords(summaryCsv(summary));
    const measured = rows.filter((r) => r.metric !== '-');
    assert.ok(measured.length > 0);
    for (const r of measured) {
      assert.equal(r.n, String(n));
      assert.deepEqual([r.ci_low, r.ci_high], ['', ''], `${r.kind}/${r.env}/${r.metric}`);
      if (r.vs_env) assert.deepEqual([r.ratio_ci_low, r.ratio_ci_high], ['', '']);
    }

    const s = stacks(model);
    const h = headline(model, s);
    assert.ok(
      h.caveats.some((c) => c.includes(`start n=${n}: no CI`)),
      h.caveats.join('\n'),
    );

    const charts = allCharts(model).filter((c): c is ChartSpec => !isSkip(c));
    assert.ok(charts.some((c) => c.file === 'start-latency.png'));
    for (const c of charts) {
      for (const p of (c.config.plugins ?? []) as Partial<WhiskersPlugin>[])
        if (p.id === 'ctvmWhiskers') assert.deepEqual(p.whiskers, [], `${c.file} draws a whisker`);
      const labels = (c.config.data.labels ?? []) as string[];
      for (const l of labels.filter((x) => /\(n=\d/.test(x))) assert.match(l, /no CI/, c.file);
    }
  });
}

test('n >= 3 keeps CIs and whiskers (the fixture run)', () => {
  const { model } = cut(1000);
  const md = exportMarkdown([startTable(model, 'start')!]);
  assert.doesNotMatch(md, /no CI/);
  const start = allCharts(model).find((c) => c.file === 'start-latency.png') as ChartSpec;
  const w = (start.config.plugins as Partial<WhiskersPlugin>[]).find((p) => p.id === 'ctvmWhiskers')!;
  assert.ok(w.whiskers!.length > 0);
});
