// Density charts: PSS per instance against N (log x) with KSM off and on, the marginal cost of the
// N-th instance, and creation-rate bars beside Firecracker's per-core anchor.
import type { ChartConfiguration, ChartDataset } from 'chart.js';
import type { DensitySeries, ReportModel } from '../model.js';
import { bytesToMiB, envColor, tick } from '../format.js';
import { FIRECRACKER_PER_CORE_PER_SEC, ksmMarginalBytes, med } from '../density.js';
import { isDecadeish, logBounds, spansDecades } from './plugins.js';
import { SLIDE, titleOptions, type ChartEntry } from './spec.js';

type Pt = { x: number; y: number };

function line(s: DensitySeries, label: string, metric: string, dashed: boolean): ChartDataset<'line', Pt[]> {
  return {
    label: `${s.env.label}: ${label}`,
    data: s.points.flatMap((p) => {
      const v = med(p, metric);
      return v === undefined ? [] : [{ x: p.n, y: bytesToMiB(v) }];
    }),
    borderColor: envColor(s.env.id),
    backgroundColor: dashed ? 'white' : envColor(s.env.id),
    ...(dashed ? { borderDash: [8, 6] } : {}),
    borderWidth: dashed ? 2 : 3,
    pointRadius: dashed ? 5 : 6,
  };
}

function logXLines(
  title: string,
  subtitle: string,
  yLabel: string,
  datasets: ChartDataset<'line', Pt[]>[],
): ChartConfiguration<'line', Pt[]> {
  const ys = datasets.flatMap((d) => d.data.map((p) => p.y));
  const ns = datasets.flatMap((d) => d.data.map((p) => p.x));
  const logY = spansDecades(ys) && ys.every((y) => y > 0);
  return {
    type: 'line',
    data: { datasets },
    options: {
      plugins: { ...titleOptions(title, subtitle), legend: { position: 'bottom', labels: { boxWidth: 30 } } },
      scales: {
        x: {
          type: 'logarithmic',
          min: 1,
          max: Math.max(2, ...ns) * 1.2,
          title: { display: true, text: 'instances running at once, N (log scale)' },
          ticks: { callback: (v) => (Math.log2(Number(v)) % 1 === 0 ? String(v) : '') },
        },
        y: logY
          ? {
              type: 'logarithmic',
              ...logBounds(ys),
              title: { display: true, text: `${yLabel} (log scale)` },
              ticks: { callback: (v) => (isDecadeish(Number(v)) ? tick(Number(v)) : '') },
            }
          : { type: 'linear', beginAtZero: true, title: { display: true, text: yLabel } },
      },
    },
  };
}

export function densityChart(model: ReportModel): ChartEntry {
  const file = 'density.png';
  const title = 'Density: PSS per instance as N instances run at once';
  const datasets = model.density
    .flatMap((s) => [line(s, 'KSM off', 'pssBytes', false), line(s, 'KSM on', 'ksmPssBytes', true)])
    .filter((d) => d.data.length > 0);
  if (datasets.length === 0) return { file, title, skipped: 'this run has no density samples' };
  return {
    file,
    title,
    ...SLIDE,
    config: logXLines(
      title,
      'median over repetitions at each N',
      'MiB per instance',
      datasets,
    ) as unknown as ChartConfiguration,
    caption:
      'N idle instances at once: mean host PSS per instance (shared pages are split between sharers, so it falls as N grows when instances share), solid with KSM off, dashed once KSM settled on the same N instances.',
  };
}

export function marginalChart(model: ReportModel): ChartEntry {
  const file = 'density-marginal.png';
  const title = 'Density: what one more instance costs';
  const datasets = model.density
    .flatMap((s) => {
      const ksm = ksmMarginalBytes(s);
      const top = s.points.at(-1);
      const ksmLine: ChartDataset<'line', Pt[]> = {
        ...line(s, 'KSM on (slope between the two highest N)', 'ksmPssBytes', true),
        data: ksm !== undefined && top ? [{ x: top.n, y: bytesToMiB(ksm) }] : [],
        pointStyle: 'triangle',
        pointRadius: 9,
      };
      return [line(s, 'marginal PSS of the N-th (KSM off)', 'marginalPssBytes', false), ksmLine];
    })
    .filter((d) => d.data.length > 0);
  if (datasets.length === 0) return { file, title, skipped: 'this run has no marginal-cost measurements' };
  return {
    file,
    title,
    ...SLIDE,
    config: logXLines(
      title,
      'total PSS with N minus with N-1 (the N-th stopped)',
      'MiB for the N-th instance',
      datasets,
    ) as unknown as ChartConfiguration,
    caption:
      'Marginal cost: total host PSS of the level with N instances minus with N-1, measured by stopping and restarting the N-th. The triangle is the KSM-on cost per extra instance between the two highest levels.',
  };
}

export function creationChart(model: ReportModel): ChartEntry {
  const file = 'density-creation.png';
  const title = 'Density: creation rate per host core';
  const bars = model.density.flatMap((s) =>
    s.points.flatMap((p) => {
      const v = med(p, 'creationPerCorePerSec');
      return v === undefined ? [] : [{ label: `${s.env.label} N=${p.n}`, v, color: envColor(s.env.id) }];
    }),
  );
  if (bars.length === 0) return { file, title, skipped: 'this run has no creation-rate measurements' };
  const config: ChartConfiguration<'bar' | 'line', number[], string> = {
    type: 'bar',
    data: {
      labels: bars.map((b) => b.label),
      datasets: [
        {
          type: 'bar',
          label: 'instances per core per second',
          data: bars.map((b) => b.v),
          backgroundColor: bars.map((b) => b.color),
        },
        {
          type: 'line',
          label: `Firecracker anchor: ${FIRECRACKER_PER_CORE_PER_SEC} microVMs/core/s`,
          data: bars.map(() => FIRECRACKER_PER_CORE_PER_SEC),
          borderColor: '#111',
          borderDash: [6, 4],
          pointRadius: 0,
        },
      ],
    },
    options: {
      plugins: {
        ...titleOptions(
          title,
          'N instances created with the scenario concurrency: N / time until all READY / cores',
        ),
        legend: { position: 'bottom' },
      },
      scales: {
        x: { ticks: { autoSkip: false, maxRotation: 60 } },
        y: spansDecades(bars.map((b) => b.v).concat(FIRECRACKER_PER_CORE_PER_SEC))
          ? { type: 'logarithmic', title: { display: true, text: 'instances / core / s (log scale)' } }
          : { type: 'linear', beginAtZero: true, title: { display: true, text: 'instances / core / s' } },
      },
    },
  };
  return {
    file,
    title,
    ...SLIDE,
    config: config as unknown as ChartConfiguration,
    caption: `Creation rate per host core at each level (N / time from the first launch to the last READY / cores), beside Firecracker's published ${FIRECRACKER_PER_CORE_PER_SEC} microVMs per core per second (KVM). A TCG guest boots in emulation: its bar is not a KVM figure.`,
  };
}
