// CPU overhead per workload mode (% slower than bare, CI from the ratio of medians) and idle CPU.
import type { ChartConfiguration, ChartDataset } from 'chart.js';
import type { ReportModel } from '../model.js';
import { envColor, sig, tcgMark, tick } from '../format.js';
import {
  ciTop,
  groupOffset,
  labelsPlugin,
  nLabel,
  logBounds,
  spansDecades,
  whiskersPlugin,
  type ValueLabel,
  type Whisker,
} from './plugins.js';
import { SLIDE, titleOptions, type ChartEntry } from './spec.js';

export function cpuOverheadChart(model: ReportModel): ChartEntry {
  const file = 'cpu-overhead.png';
  const title = 'CPU overhead per workload mode vs bare';
  const rows = model.work.filter((w) => w.work?.vsBaseline);
  if (rows.length === 0)
    return {
      file,
      title,
      skipped: model.work.length
        ? 'the run has work samples but none for `bare`, the baseline'
        : 'this run has no work samples',
    };
  const workloads = [...new Set(rows.map((r) => r.workload))];
  const envs = [...new Map(rows.map((r) => [r.env.id, r.env])).values()];
  const pct = (r: number) => (r - 1) * 100;
  const datasets: ChartDataset<'bar', (number | null)[]>[] = envs.map((env) => ({
    label: env.label,
    data: workloads.map((w) => {
      const v = rows.find((r) => r.env.id === env.id && r.workload === w)?.work?.vsBaseline;
      return v ? pct(v.ratio) : null;
    }),
    backgroundColor: envColor(env.id),
    barPercentage: 0.85,
  }));
  // Grouped bars: each env's bar sits at a fixed offset inside the category slot.
  const offset = (e: number) => groupOffset(e, envs.length);
  const whiskers: Whisker[] = [];
  const labels: ValueLabel[] = [];
  envs.forEach((env, e) =>
    workloads.forEach((w, i) => {
      const v = rows.find((r) => r.env.id === env.id && r.workload === w)?.work?.vsBaseline;
      if (!v) return;
      whiskers.push({ at: i, lo: pct(v.ciLow), hi: pct(v.ciHigh), offset: offset(e) });
      labels.push({
        at: i,
        value: Math.max(pct(ciTop(v.ratio, v.ciHigh)), 0),
        text: `${pct(v.ratio) >= 0 ? '+' : ''}${sig(pct(v.ratio), 2)}%${tcgMark(v.ratio, env.accel)}`,
        offset: offset(e),
      });
    }),
  );
  const bounds = [0, ...whiskers.flatMap((w) => [w.lo, w.hi]), ...labels.map((l) => l.value)].filter(
    Number.isFinite,
  );
  const span = Math.max(...bounds) - Math.min(...bounds) || 1;
  const config: ChartConfiguration<'bar', (number | null)[], string> = {
    type: 'bar',
    data: { labels: workloads, datasets },
    options: {
      plugins: {
        ...titleOptions(
          title,
          'median work duration / bare median - 1; whisker = 95% bootstrap CI of the ratio',
        ),
        legend: { position: 'bottom' },
      },
      scales: {
        x: {
          title: { display: true, text: 'workload mode (same fixed work in every environment)' },
          ticks: { font: { size: 17, weight: 'bold' } },
        },
        y: {
          title: { display: true, text: '% slower than bare (negative = faster)' },
          suggestedMin: Math.min(...bounds) - span * 0.05,
          suggestedMax: Math.max(...bounds) + span * 0.12,
          ticks: { callback: (v) => `${tick(Number(v))}%` },
        },
      },
    },
    plugins: [whiskersPlugin(whiskers, false), labelsPlugin(labels, false)],
  };
  return {
    file,
    title,
    ...SLIDE,
    config: config as unknown as ChartConfiguration,
    caption:
      'Host wall time of the fixed work (READY to RESULT) relative to the same work as a plain host process. 0% = no overhead.',
  };
}

export function idleCpuChart(model: ReportModel): ChartEntry {
  const file = 'idle-cpu.png';
  const title = 'Idle CPU: what an idle instance costs the host';
  const rows = model.idle.filter((r) => r.metrics.idleCpuPerSec);
  if (rows.length === 0) return { file, title, skipped: 'this run has no idle CPU samples' };
  if (rows.every((r) => r.metrics.idleCpuPerSec!.dist.max === 0))
    return {
      file,
      title,
      skipped:
        'every idle CPU sample read 0 ns of host CPU over its idle window (per-thread schedstat, ns resolution): the idle instances did not run at all (see the table)',
    };
  const d = rows.map((r) => r.metrics.idleCpuPerSec!.dist);
  const all = d.flatMap((x) => [x.median, x.ciLow, x.ciHigh].map((v) => v * 100)).filter(Number.isFinite);
  const log = spansDecades(all);
  const bounds = log ? logBounds(all) : { min: 0, max: Math.max(...all) * 1.3 };
  const datasets: ChartDataset<'bar', [number, number][]>[] = [
    {
      label: 'idle CPU',
      data: d.map((x): [number, number] => [bounds.min, Math.max(bounds.min, x.median * 100)]),
      backgroundColor: rows.map((r) => envColor(r.env.id)),
      barPercentage: 0.6,
    },
  ];
  const config: ChartConfiguration<'bar', [number, number][], string> = {
    type: 'bar',
    data: { labels: rows.map((r, i) => `${r.env.label} (${nLabel(d[i]!)})`), datasets },
    options: {
      indexAxis: 'y',
      plugins: {
        ...titleOptions(
          title,
          'host CPU time per wall second after READY, as % of one CPU; whisker = 95% CI of the median',
        ),
        legend: { display: false },
      },
      scales: {
        x: {
          type: log ? 'logarithmic' : 'linear',
          ...bounds,
          title: { display: true, text: `% of one CPU${log ? ' (log scale)' : ''}` },
          ticks: {
            maxRotation: 0,
            callback: (v) => (log && !isDecade(Number(v)) ? '' : `${tick(Number(v))}%`),
          },
        },
        y: { ticks: { font: { size: 17, weight: 'bold' } } },
      },
    },
    plugins: [
      whiskersPlugin(
        d.map((x, i) => ({ at: i, lo: x.ciLow * 100, hi: x.ciHigh * 100 })),
        true,
      ),
      labelsPlugin(
        d.map((x, i) => ({
          at: i,
          value: ciTop(x.median, x.ciHigh) * 100,
          text: `${sig(x.median * 100, 2)}%`,
        })),
        true,
      ),
    ],
  };
  return {
    file,
    title,
    width: SLIDE.width,
    height: Math.max(400, 160 + rows.length * 80),
    config: config as unknown as ChartConfiguration,
    caption:
      'Host CPU seconds consumed per wall second by one idle instance (qemu timers and device emulation vs a sleeping process).',
  };
}

function isDecade(v: number): boolean {
  const l = Math.log10(v);
  return Math.abs(l - Math.round(l)) < 1e-9;
}
