// Issue #13 (B): one Figure 12.1 stack per environment from a data-driven layer model, and the
// isolation-spectrum chart (start latency vs idle PSS, both log, one point per environment).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChartConfiguration } from 'chart.js';
import { loadReportRun as loadRun } from '../../../src/report/index.js';
import { buildModel } from '../../../src/report/model.js';
import { isSkip, type ChartSpec } from '../../../src/report/charts/index.js';
import { spectrumChart, spectrumPoints } from '../../../src/report/charts/spectrum-chart.js';
import { envStacks } from '../../../src/report/spectrum/env-stacks.js';
import { envKind } from '../../../src/report/spectrum/env-kinds.js';
import { sidesSentence, spectrumTable } from '../../../src/report/spectrum/spectrum-text.js';
import { summarize } from '../../../src/stats/index.js';
import type { RunMeta } from '../../../src/results/types.js';
import { QUICK } from './fixtures.js';

const run = loadRun(QUICK);
const model = buildModel(run);

/** The fixture plus a second VM kind (a Debian guest: 10x the start, 2x the memory), labelled. */
function withDistroVm() {
  const extra = run.samples
    .filter((s) => s.env === 'vm')
    .map((s) => ({
      ...s,
      env: 'vm-distro',
      metrics: Object.fromEntries(
        Object.entries(s.metrics).map(([k, v]) => [
          k,
          k === 'startNs' ? v * 10 : k.endsWith('Bytes') ? v * 2 : v,
        ]),
      ),
    }));
  const samples = [...run.samples, ...extra];
  const meta: RunMeta = {
    ...run.meta,
    environments: {
      ...run.meta.environments,
      'vm-distro': {
        used: true,
        type: 'vm',
        facts: { accel: 'tcg', image: 'debian bookworm minbase' },
      } as RunMeta['environments'][string],
    },
  };
  return buildModel({ ...run, meta, samples, summary: summarize(run.meta.runId, samples) });
}

test('spectrum chart: log x (start) and log y (idle PSS), one point per environment, the medians', () => {
  const c = spectrumChart(model);
  assert.ok(!isSkip(c), 'the fixture has start and idle samples');
  const cfg = (c as ChartSpec).config as ChartConfiguration<'scatter', { x: number; y: number }[]>;
  assert.equal(cfg.type, 'scatter');
  assert.equal((cfg.options?.scales?.x as { type: string }).type, 'logarithmic');
  assert.equal((cfg.options?.scales?.y as { type: string }).type, 'logarithmic');
  const envs = model.envs.filter(
    (e) => model.start.some((r) => r.env.id === e.id) && model.idle.some((r) => r.env.id === e.id),
  );
  assert.equal(cfg.data.datasets.length, envs.length);
  assert.ok(
    cfg.data.datasets.every((d) => d.data.length === 1),
    'one point each',
  );
  const vm = spectrumPoints(model).find((p) => p.env === 'vm')!;
  const start = model.start.find((r) => r.env.id === 'vm')!.start!.median / 1e6;
  const pss = model.idle.find((r) => r.env.id === 'vm')!.metrics.pssBytes!.dist.median / 2 ** 20;
  assert.deepEqual([vm.startMs, vm.pssMiB, vm.isolation], [start, pss, 'guest kernel']);
  assert.match((c as ChartSpec).caption, /VMs ran under TCG/);
});

test('spectrum chart is left out with a reason when fewer than two environments have both figures', () => {
  const only = run.samples.filter((s) => s.env === 'bare');
  const m = buildModel({ ...run, samples: only, summary: summarize(run.meta.runId, only) });
  const c = spectrumChart(m);
  assert.ok(isSkip(c));
  assert.match(c.skipped, /fewer than two environments/);
});

test('one stack per environment, layers from the kind: bare 1, containers 2, VM 3 (bytes add up)', () => {
  const stacks = envStacks(model);
  assert.deepEqual(
    stacks.map((s) => [s.env.id, s.layers.map((l) => l.name)]),
    [
      ['bare', ['Apps + Bins/Libs']],
      ['container', ['Apps + Bins/Libs', 'Container Engine']],
      ['oci:runc', ['Apps + Bins/Libs', 'Container Engine']],
      ['vm', ['Apps + Bins/Libs', 'Guest OS', 'Hypervisor']],
    ],
  );
  const c = stacks.find((s) => s.env.id === 'container')!;
  assert.equal(c.layers[0]!.bytes! + c.layers[1]!.bytes!, c.pssBytes, 'app (bare) + engine = container PSS');
  const vm = stacks.find((s) => s.env.id === 'vm')!;
  const idle = model.idle.find((r) => r.env.id === 'vm')!.metrics;
  assert.equal(vm.layers[2]!.bytes, idle.hypervisorPssBytes!.dist.median);
  assert.equal(vm.layers[0]!.bytes, c.pssBytes, "the app inside the VM is the container's");
  assert.match(vm.isolation, /guest kernel/);
  assert.equal(spectrumTable(model)?.type, 'table');
});

test('the layer model is data: docker, lxd, runsc and a Debian VM plug in by type and facts', () => {
  const meta = {
    ...run.meta,
    environments: {
      docker: { used: true },
      lxd: { used: true },
      'oci:runsc': { used: true },
      'vm-distro': { used: true, type: 'vm', facts: { image: 'debian bookworm minbase' } },
      mystery: { used: true },
    },
  } as unknown as RunMeta;
  assert.deepEqual(
    envKind('docker', meta).layers.map((l) => l.name),
    ['Apps + Bins/Libs', 'Container Engine', 'Engine daemons (shared)'],
  );
  assert.equal(envKind('lxd', meta).layers.at(-1)!.name, 'LXD daemon (shared)');
  assert.equal(envKind('oci:runsc', meta).isolation, 'user-space kernel');
  assert.match(envKind('oci:runsc', meta).layers[1]!.name, /Sentry/);
  assert.equal(envKind('vm-distro', meta).layers[1]!.name, 'Guest OS (Debian, systemd)');
  assert.equal(envKind('vm-distro', meta).isolation, 'guest kernel');
  assert.equal(envKind('mystery', meta).layers.length, 2, 'an unknown type still gets a stack');
});

test('headline: a spectrum run compares container engines with VMs as ranges, accelerator named', () => {
  assert.equal(sidesSentence(model), undefined, 'the classic run keeps its single comparison');
  const m = withDistroVm();
  assert.equal(
    envStacks(m).find((s) => s.env.id === 'vm-distro')!.layers[1]!.name,
    'Guest OS (Debian, systemd)',
  );
  const s = sidesSentence(m)!;
  assert.match(
    s,
    /^Container engines \(container, oci:runc\) started in .* VMs \(vm, vm-distro; TCG\) started in/,
  );
  assert.match(s, /under TCG, software emulation/);
  assert.equal(spectrumPoints(m).length, 5);
});

test("gVisor's stack: sentry + gofer is drawn once, the engine layer is the rest (layers add up to its PSS)", () => {
  const runsc = run.samples
    .filter((s) => s.env === 'oci:runc')
    .map((s) => ({
      ...s,
      env: 'oci:runsc',
      metrics:
        s.metrics.pssBytes !== undefined
          ? { ...s.metrics, pssBytes: s.metrics.pssBytes + 24 * 2 ** 20, sentryPssBytes: 23 * 2 ** 20 }
          : s.metrics,
    }));
  const samples = [...run.samples, ...runsc];
  const meta: RunMeta = {
    ...run.meta,
    environments: {
      ...run.meta.environments,
      'oci:runsc': { used: true } as RunMeta['environments'][string],
    },
  };
  const m = buildModel({ ...run, meta, samples, summary: summarize(run.meta.runId, samples) });
  const s = envStacks(m).find((x) => x.env.id === 'oci:runsc')!;
  assert.deepEqual(
    s.layers.map((l) => l.name),
    ['Apps + Bins/Libs', 'Sentry + gofer (user-space kernel)', 'Container Engine'],
  );
  const sum = s.layers.reduce((a, l) => a + (l.bytes ?? 0), 0);
  assert.ok(Math.abs(sum - s.pssBytes!) < 1024, `layers ${sum} vs PSS ${s.pssBytes}`);
  assert.equal(s.layers[1]!.bytes, 23 * 2 ** 20);
});
