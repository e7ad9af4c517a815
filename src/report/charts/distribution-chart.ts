// Per-sample distributions: every measured sample as a dot (jittered), median as a bar, so
// spread, outliers and bimodality are visible, not hidden behind a median.
import type { ChartConfiguration, ChartDataset } from 'chart.js';
import type { EnvInfo, ReportModel } from '../model.js';
import { envColor, tick } from '../format.js';
import { median, mulberry32 } from '../../stats/index.js';
import { logBounds, spansDecades } from './plugins.js';
import { SLIDE, titleOptions, type ChartEntry } from './spec.js';

interface Column {
  env: EnvInfo;
  values: number[];
}

export function startDistributionChart(model: ReportModel): ChartEntry {
  const cols = model.start.map((r) => ({ env: r.env, values: r.startValuesNs.map((v) => v / 1e6) }));
  return stripChart(
    'dist-start.png',
    'Start latency, every sample',
    'milliseconds',
    cols,
    'no start samples',
  );
}

export function idleMemoryDistributionChart(model: ReportModel): ChartEntry {
  const cols = model.idle.map((r) => ({ env: r.env, values: r.pssValuesBytes.map((v) => v / 1048576) }));
  return stripChart('dist-idle-pss.png', 'Idle PSS, every sample', 'MiB', cols, 'no idle memory samples');
}

function stripChart(file: string, title: string, unit: string, all: Column[], none: string): ChartEntry {
  const cols = all.filter((c) => c.values.length > 0);
  if (cols.length === 0) return { file, title, skipped: `this run has ${none}` };
  const rng = mulberry32(1); // deterministic jitter: the same run renders the same PNG
  type Pt = { x: number; y: number };
  const datasets: ChartDataset<'scatter', Pt[]>[] = cols.flatMap((c, i) => [
    {
      label: c.env.label,
      data: c.values.map((y) => ({ x: i + (rng() - 0.5) * 0.4, y })),
      backgroundColor: hexAlpha(envColor(c.env.id), 0.55),
      borderColor: envColor(c.env.id),
      pointRadius: 5,
    },
    {
      label: `${c.env.label} median`,
      data: [{ x: i, y: median(c.values) }],
      pointStyle: 'line',
      pointRadius: 40,
      borderWidth: 4,
      borderColor: '#111',
      backgroundColor: '#111',
    },
  ]);
  const ys = cols.flatMap((c) => c.values);
  const log = spansDecades(ys);
  const config: ChartConfiguration<'scatter', Pt[]> = {
    type: 'scatter',
    data: { datasets },
    options: {
      plugins: {
        ...titleOptions(
          title,
          `one dot per sample (warm-ups excluded), black line = median; n = ${cols.map((c) => `${c.env.label} ${c.values.length}`).join(', ')}`,
        ),
        legend: { display: false },
      },
      scales: {
        x: {
          type: 'linear',
          min: -0.6,
          max: cols.length - 0.4,
          ticks: {
            stepSize: 1,
            font: { size: 17, weight: 'bold' },
            callback: (v) => (Number.isInteger(Number(v)) ? (cols[Number(v)]?.env.label ?? '') : ''),
          },
          grid: { display: false },
        },
        y: log
          ? {
              type: 'logarithmic',
              ...logBounds(ys),
              title: { display: true, text: `${unit} (log scale)` },
              ticks: { callback: (v) => (isDecade(Number(v)) ? tick(Number(v)) : '') },
            }
          : { type: 'linear', beginAtZero: true, title: { display: true, text: unit } },
      },
    },
  };
  return {
    file,
    title,
    ...SLIDE,
    config: config as unknown as ChartConfiguration,
    caption: 'Every measured sample; a wide or two-humped column means the median alone would mislead.',
  };
}

function hexAlpha(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${alpha})`;
}

function isDecade(v: number): boolean {
  const l = Math.log10(v);
  return Math.abs(l - Math.round(l)) < 1e-9;
}
