// The relative-to-native section (#14) on made-up runs: ratios and CIs on known data, the
// direction, non-significant cells, skipped and missing cells, no native baseline, metrics that
// get no ratio, which metric is a workload's headline, the I/O paths, and the chart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadReportRun } from '../../../src/report/index.js';
import { buildModel, type ReportRun } from '../../../src/report/model.js';
import { relativeView, nativeEnv } from '../../../src/report/relative/relative-model.js';
import { headlineMetrics } from '../../../src/report/relative/headline-metrics.js';
import { relativeBlocks, relativeSentence } from '../../../src/report/relative/relative-text.js';
import { headline } from '../../../src/report/headline.js';
import { stacks } from '../../../src/report/stacks.js';
import { relativeChart } from '../../../src/report/charts/relative-chart.js';
import { isSkip, renderChartPng, type ChartSpec } from '../../../src/report/charts/index.js';
import type { WhiskersPlugin } from '../../../src/report/charts/plugins.js';
import { exportMarkdown } from '../../../src/report/export-markdown.js';
import { exportHtml } from '../../../src/report/export-html.js';
import { ratioOfMediansCI, summarize } from '../../../src/stats/index.js';
import type { RunMeta, SampleRecord } from '../../../src/results/types.js';
import { QUICK } from './fixtures.js';

const BASE = loadReportRun(QUICK);

let seq = 0;
function work(
  env: string,
  workload: string,
  metrics: Record<string, number>,
  extra: Partial<SampleRecord> = {},
): SampleRecord {
  return {
    runId: 'r',
    seq: seq++,
    kind: 'work',
    env,
    workload,
    repetition: 0,
    warmup: false,
    density: 1,
    ok: true,
    metrics,
    timeMs: 0,
    ...extra,
  };
}

/** Five values around `v` (±1%, ±2%): a spread the bootstrap can resample. */
const around = (v: number) => [0.98, 0.99, 1, 1.01, 1.02].map((f) => v * f);

const ENVS: RunMeta['environments'] = {
  bare: {
    used: true,
    type: 'bare',
    facts: { network: 'lab bridge: veth pair, eth0 in its own netns', scratch: 'ext4 image, loop device' },
  },
  container: { used: true, type: 'container', facts: {} },
  vm: { used: true, type: 'vm', facts: { accel: 'tcg', machine: 'microvm', scratch: 'virtio-blk' } },
};

/** A run of the given samples, with the fixture's host facts and these environments. */
function runOf(samples: SampleRecord[], meta: Partial<RunMeta> = {}): ReportRun {
  const m: RunMeta = {
    ...BASE.meta,
    scenario: {
      name: 'io',
      workloads: [{ name: 'fio:randread' }, { name: 'xz' }],
      environments: [
        { id: 'bare', type: 'bare', options: { network: 'bridge', scratch: '256M' } },
        { id: 'container', type: 'container', options: { network: 'bridge', scratch: '256M' } },
        { id: 'vm', type: 'vm', options: { network: 'bridge', scratch: '256M' } },
      ],
    },
    environments: ENVS,
    ...meta,
  };
  return { ...BASE, meta: m, samples, summary: summarize(m.runId, samples, { seed: m.seed }) };
}

function standardSamples(): SampleRecord[] {
  return [
    // fio: IOPS, higher is better; vm does half of native's, the container the same.
    ...around(1000).map((v) =>
      work('bare', 'fio:randread', { iops: v, throughputMBps: v * 0.004, workNs: 5e9, cpuNs: 1e9 }),
    ),
    ...around(500).map((v) =>
      work(
        'vm',
        'fio:randread',
        { iops: v, throughputMBps: v * 0.004, workNs: 6e9, cpuNs: 3e9 },
        { accel: 'tcg' },
      ),
    ),
    ...around(1001).map((v) =>
      work('container', 'fio:randread', { iops: v, throughputMBps: v * 0.004, workNs: 5e9 }),
    ),
    // xz: work duration, lower is better; the container takes half as long, the vm 40 times.
    ...around(100e6).map((v) => work('bare', 'xz', { workNs: v, cpuNs: v })),
    ...around(50e6).map((v) => work('container', 'xz', { workNs: v, cpuNs: v })),
    ...around(4e9).map((v) => work('vm', 'xz', { workNs: v, cpuNs: v }, { accel: 'tcg' })),
  ];
}

function table(run: ReportRun) {
  const view = relativeView(buildModel(run));
  assert.equal(view.state, 'table', view.state === 'none' ? view.reason : '');
  return view as Extract<typeof view, { state: 'table' }>;
}

const cell = (t: ReturnType<typeof table>, workload: string, metric: string, env: string) =>
  t.rows.find((r) => r.workload === workload && r.metric === metric)!.cells[env]!;

test('ratio to native and its CI on known data, in the direction of the metric', () => {
  const run = runOf(standardSamples());
  const t = table(run);
  assert.equal(t.native.id, 'bare');
  assert.deepEqual(
    t.envs.map((e) => e.id),
    ['container', 'vm'],
  );
  assert.deepEqual(
    t.rows.map((r) => `${r.workload}/${r.metric}/${r.direction}`),
    ['fio:randread/iops/higher', 'xz/workNs/lower'],
    'one headline metric per workload, in scenario order',
  );
  const vmIops = cell(t, 'fio:randread', 'iops', 'vm');
  assert.equal(vmIops.state, 'ratio');
  if (vmIops.state !== 'ratio') return;
  assert.ok(Math.abs(vmIops.ratio - 0.5) < 1e-9, String(vmIops.ratio));
  assert.ok(
    vmIops.ciLow < 0.5 && vmIops.ciHigh > 0.5 && vmIops.ciHigh < 1,
    `${vmIops.ciLow}–${vmIops.ciHigh}`,
  );
  assert.equal(vmIops.verdict, 'worse', 'half the IOPS of native is worse');
  // The same bootstrap as the summary's, seeded by the run: reproducible.
  const expected = ratioOfMediansCI(around(500), around(1000), { seed: run.meta.seed });
  assert.deepEqual([vmIops.ciLow, vmIops.ciHigh], [expected.ciLow, expected.ciHigh]);
  assert.deepEqual(table(runOf(standardSamples())).rows, t.rows, 'same run, same figures');

  const fast = cell(t, 'xz', 'workNs', 'container');
  assert.ok(fast.state === 'ratio' && Math.abs(fast.ratio - 0.5) < 1e-9);
  assert.equal(fast.state === 'ratio' && fast.verdict, 'better', 'half the duration of native is better');
  const slow = cell(t, 'xz', 'workNs', 'vm');
  assert.ok(slow.state === 'ratio' && Math.abs(slow.ratio - 40) < 1e-6 && slow.verdict === 'worse');
});

test('a ratio whose CI contains 1 is marked not significant; fewer than 3 samples get no CI', () => {
  const t = table(runOf(standardSamples()));
  const same = cell(t, 'fio:randread', 'iops', 'container');
  assert.ok(same.state === 'ratio' && same.ciLow < 1 && same.ciHigh > 1, JSON.stringify(same));
  assert.equal(same.state === 'ratio' && same.verdict, 'n.s.');
  const md = exportMarkdown(relativeBlocks(buildModel(runOf(standardSamples())), []));
  assert.match(
    md,
    /\| fio:randread \| iops \(op\/s\) \| ↑ higher \| 1,000 op\/s \(n=5\) \| 1\.00 \(0\.9\d+–1\.0\d+\), n\.s\. \| 0\.500 \(0\.4\d+–0\.5\d+\), worse \(TCG\) \|/,
  );
  assert.match(
    md,
    /\| xz \| workNs \(ns\) \| ↓ lower \| 100 ms \(n=5\) \| 0\.500 \([^)]+\), better \| 40\.0 \([^)]+\), worse \(TCG\) \|/,
  );
  assert.match(md, /n\.s\.: not significant, the CI contains 1/);

  let kept = 0;
  const few = standardSamples().filter((s) => s.env !== 'vm' || s.workload !== 'fio:randread' || kept++ < 2);
  const c = cell(table(runOf(few)), 'fio:randread', 'iops', 'vm');
  assert.ok(c.state === 'ratio' && Number.isNaN(c.ciLow) && c.verdict === 'no CI', JSON.stringify(c));
});

test('skipped cells show the reason as a footnote; missing cells a dash, failed ones how many', () => {
  const reason = 'vm: the scratch disk is not available with image debian';
  const samples = [
    ...standardSamples().filter((s) => !(s.env === 'vm' && s.workload === 'fio:randread')),
    ...standardSamples()
      .filter((s) => s.env === 'container' && s.workload === 'xz')
      .map((s) => ({ ...s, workload: 'cpu' })),
    work('bare', 'mem', { throughputMBps: 0 }, { ok: false, error: 'boom' }),
    ...around(2000).map((v) => work('container', 'mem', { throughputMBps: v })),
    work('vm', 'mem', {}, { ok: false, error: 'boom' }),
    work('vm', 'mem', {}, { ok: false, error: 'boom' }),
  ];
  const run = runOf(samples, {
    skippedCells: [
      { env: 'vm', workload: 'fio:randread', reason },
      { env: 'vm', workload: 'sockperf', reason: 'vm: no lab network' },
    ],
  });
  const t = table(run);
  assert.deepEqual(cell(t, 'fio:randread', 'iops', 'vm'), { state: 'skipped', reason });
  assert.deepEqual(cell(t, 'cpu', 'workNs', 'vm'), { state: 'missing', failed: 0 });
  assert.deepEqual(cell(t, 'mem', 'throughputMBps', 'vm'), { state: 'missing', failed: 2 });
  const mem = t.rows.find((r) => r.workload === 'mem')!;
  assert.deepEqual(mem.native, { state: 'missing', failed: 1 });
  assert.deepEqual(mem.cells.container, {
    state: 'no-ratio',
    n: 5,
    median: 2000,
    why: 'no native figure',
  });
  const md = exportMarkdown(relativeBlocks(buildModel(run), []));
  assert.match(
    md,
    /\| fio:randread \| iops \(op\/s\) \| ↑ higher \| 1,000 op\/s \(n=5\) \| [^|]+ \| skipped \[1\] \|/,
  );
  assert.match(md, /^- \[1\] skipped: vm: the scratch disk is not available with image debian$/m);
  assert.match(md, /\| cpu \| workNs \(ns\) \| ↓ lower \| — \| [^|]+ \| — \|/);
  assert.match(
    md,
    /\| mem \| throughputMBps \(MB\/s\) \| ↑ higher \| — \(1 failed\) \| 2,000 MB\/s \(no ratio: no native figure\) \| — \(2 failed\) \|/,
  );
  // A workload no environment measured keeps one row that says so.
  assert.match(md, /\| sockperf \| — \(nothing measured\) \| — \| — \| — \| skipped \[2\] \|/);
  assert.match(md, /^- \[2\] skipped: vm: no lab network$/m);
  const html = exportHtml(relativeBlocks(buildModel(run), []), { title: 't', images: new Map() });
  assert.match(html, /<td class="r">skipped \[1\]<\/td>/);
});

test('no native baseline: the section says so and is left out, the chart too', () => {
  const samples = standardSamples().filter((s) => s.env !== 'bare');
  const run = runOf(samples, { environments: { container: ENVS.container!, vm: ENVS.vm! } });
  const model = buildModel(run);
  assert.equal(relativeView(model).state, 'none');
  const md = exportMarkdown(relativeBlocks(model, []));
  assert.equal(
    md,
    '## Relative to native\n\n_Not shown: no native baseline: the run measured no environment of type bare, so no figure can be put relative to native._\n',
  );
  const chart = relativeChart(model);
  assert.ok(isSkip(chart) && /no native baseline/.test(chart.skipped));
  // A run with no workloads at all says that instead.
  const idle = runOf(BASE.samples.filter((s) => s.kind !== 'work'));
  assert.deepEqual(relativeView(buildModel(idle)), {
    state: 'none',
    reason: 'this run has no workload samples (fixed work or I/O)',
  });
});

test('native is the bare-type environment labelled bare, else the first in the scenario', () => {
  const envs = (ids: string[]) =>
    ids.map((id) => ({ id, type: id.startsWith('b') ? 'bare' : id, label: id }));
  const meta = (ids: string[]) =>
    runOf([], {
      environments: Object.fromEntries(
        ids.map((id) => [id, { used: true, type: id.startsWith('b') ? 'bare' : id }]),
      ),
    });
  assert.equal(nativeEnv(meta(['b-net', 'bare', 'vm']), envs(['b-net', 'bare', 'vm']))?.id, 'bare');
  assert.equal(nativeEnv(meta(['b-two', 'b-one']), envs(['b-one', 'b-two']))?.id, 'b-two');
  assert.equal(nativeEnv(meta(['vm']), envs(['vm'])), undefined);
});

test('a metric that can be 0 or negative gets no ratio; an unknown metric has no direction', () => {
  const samples = [
    ...around(1e6).map((v) =>
      work('bare', 'newtool', { memAvailableDropBytes: v, fooOpsPerSec: v, workNs: 1e9, cpuNs: 1e9 }),
    ),
    ...around(3e6).map((v) =>
      work('vm', 'newtool', { memAvailableDropBytes: v, fooOpsPerSec: v, workNs: 1e9, cpuNs: 1e9 }),
    ),
  ];
  const t = table(runOf(samples, { environments: { bare: ENVS.bare!, vm: ENVS.vm! } }));
  assert.deepEqual(
    t.rows.map((r) => `${r.metric}/${r.direction}`),
    ['fooOpsPerSec/unknown', 'memAvailableDropBytes/lower'],
    'every metric of a workload the rules do not name, but the by-products cpuNs and workNs',
  );
  assert.deepEqual(cell(t, 'newtool', 'memAvailableDropBytes', 'vm'), {
    state: 'no-ratio',
    n: 5,
    median: 3e6,
    why: 'the metric can be 0 or negative',
  });
  const foo = cell(t, 'newtool', 'fooOpsPerSec', 'vm');
  assert.ok(foo.state === 'ratio' && Math.abs(foo.ratio - 3) < 1e-9 && foo.verdict === 'differs');
  const run = runOf(samples, { environments: { bare: ENVS.bare!, vm: ENVS.vm! } });
  const md = exportMarkdown(relativeBlocks(buildModel(run), []));
  assert.match(
    md,
    /\| newtool \| fooOpsPerSec \(count\) \| \? \(metric not in METRICS\) \| [^|]+ \| 3\.00 \([^)]+\), differs \(TCG\) \|/,
  );
  assert.match(md, /differs: the CI excludes 1 but the metric's direction is unknown/);
  assert.match(
    md,
    /\| newtool \| memAvailableDropBytes \(bytes\) \| ↓ lower \| [^|]+ \| 2\.86 MiB \(no ratio: the metric can be 0 or negative\) \|/,
  );
});

test('headline metrics: the rule table first, then every own metric, then workNs', () => {
  const has = (...m: string[]) => new Set(m);
  assert.deepEqual(headlineMetrics('fio:randread', has('iops', 'throughputMBps', 'workNs', 'cpuNs')), [
    'iops',
  ]);
  assert.deepEqual(headlineMetrics('fio:randwrite', has('iops', 'throughputMBps', 'workNs')), ['iops']);
  assert.deepEqual(headlineMetrics('fio:seqread', has('iops', 'throughputMBps', 'workNs')), [
    'throughputMBps',
  ]);
  assert.deepEqual(headlineMetrics('xz', has('workNs', 'cpuNs')), ['workNs']);
  assert.deepEqual(headlineMetrics('host:sysbench', has('workNs', 'cpuNs')), ['workNs']);
  assert.deepEqual(headlineMetrics('mem', has('workNs', 'cpuNs', 'throughputMBps')), ['throughputMBps']);
  assert.deepEqual(headlineMetrics('gups', has('workNs', 'randomAccessMups', 'guestUptimeAtInitNs')), [
    'randomAccessMups',
  ]);
  assert.deepEqual(headlineMetrics('sockperf', has('rttP99Ns', 'rttP50Ns', 'workNs', 'cpuNs')), [
    'rttP50Ns',
    'rttP99Ns',
  ]);
  // Names the rules do not know yet still appear (a new metric needs no code change).
  assert.deepEqual(headlineMetrics('iperf3', has('gbitPerSec', 'workNs', 'cpuNs')), ['gbitPerSec']);
  assert.deepEqual(headlineMetrics('cpu', has('cpuNs')), []);
});

test('the I/O path of each environment: recorded facts, else the options, said as such', () => {
  const md = exportMarkdown(relativeBlocks(buildModel(runOf(standardSamples())), []));
  assert.match(md, /### I\/O path of each environment/);
  assert.match(
    md,
    /\| bare \(native\) \| lab bridge: veth pair, eth0 in its own netns \| ext4 image, loop device; a fresh 256M image per instance \| none: the host CPU runs it directly \|/,
  );
  assert.match(
    md,
    /\| container \| lab bridge \(the run recorded no topology for it\) \| scratch disk 256M \(the run recorded no storage path for it\) \| none: the host CPU runs it directly \|/,
  );
  assert.match(
    md,
    /\| vm \(TCG\) \| [^|]+ \| virtio-blk; a fresh 256M image per instance \| TCG \(software emulation, no KVM\), machine microvm \|/,
  );
});

test('the chart: a bar per environment and workload from 1, CI whiskers, a log axis past 2x', async () => {
  const model = buildModel(runOf(standardSamples()));
  const chart = relativeChart(model);
  assert.ok(!isSkip(chart));
  const spec = chart as ChartSpec;
  const data = spec.config.data.datasets.map((d) => [d.label, d.data]);
  assert.deepEqual(
    data.map((d) => d[0]),
    ['container', 'vm (TCG)'],
  );
  const vm = data[1]![1] as [number, number][];
  assert.equal(vm[0]![0], 1, 'bars start at native');
  assert.ok(Math.abs(vm[0]![1] - 0.5) < 1e-9 && Math.abs(vm[1]![1] - 40) < 1e-6);
  const y = (spec.config.options as { scales: { y: { type: string } } }).scales.y;
  assert.equal(y.type, 'logarithmic', 'a 40x ratio puts the axis on a log scale');
  // The container's IOPS ratio is not significant: its bar is pale (translucent), the vm's solid.
  const fill = spec.config.data.datasets.map((d) => (d.backgroundColor as string[])[0]!);
  assert.ok(fill[0]!.endsWith('55') && fill[0]!.length === 9 && fill[1]!.length === 7, fill.join());
  const whiskers = (spec.config.plugins as WhiskersPlugin[]).find((p) => p.id === 'ctvmWhiskers')!.whiskers;
  assert.equal(whiskers.length, 4);
  const png = await renderChartPng(spec.config, spec.width, spec.height);
  assert.equal(png.readUInt32BE(16), spec.width);
  // Ratios within 2x either way: a linear axis.
  const near = standardSamples().filter((s) => s.env !== 'vm' && s.workload === 'fio:randread');
  const linear = relativeChart(buildModel(runOf(near))) as ChartSpec;
  assert.equal((linear.config.options as { scales: { y: { type: string } } }).scales.y.type, 'linear');
});

test("a workload run's headline is the relative table's: per environment, how many figures differ and the largest ratios", () => {
  const model = buildModel(runOf(standardSamples()));
  const s = relativeSentence(model)!;
  assert.match(s, /^Relative to native \(bare\)/);
  // container: fio the same (n.s.), xz twice as fast (better); vm: fio half (worse), xz 40x (worse).
  assert.match(s, /container: 1 better of 2 figures \(largest: xz Work duration 0\.50x\)/);
  assert.match(
    s,
    /vm \(TCG\): 2 worse of 2 figures \(largest: xz [^;]* 40x; fio:randread I\/O operations per second 0\.50x\)/,
  );
  const h = headline(model, stacks(model));
  assert.ok(h.sentence.startsWith(s.replace(/\.$/, '')), h.sentence);
  const sameOnly = standardSamples().filter((x) => x.workload === 'fio:randread' && x.env !== 'vm');
  assert.match(relativeSentence(buildModel(runOf(sameOnly)))!, /container: none of its 1 figures differs/);
});
