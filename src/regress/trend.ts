// `renderTrend(resultsDir, outDir)`: headline metrics over every run in a results dir as PNG
// line charts (Chart.js via chartjs-node-canvas) plus trend.md. The report helper calls this.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChartJSNodeCanvas } from 'chartjs-node-canvas';
import type { ChartConfiguration } from 'chart.js';
import { UsageError } from '../errors.js';
import { listRunDirs, loadRun } from '../results/read.js';
import { computeTrend, trendMarkdown, type Headline, type TrendData } from './trend-data.js';

const WIDTH = 1000;
const HEIGHT = 500;
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

export interface TrendOutput {
  markdownFile: string;
  charts: string[];
  data: TrendData;
}

function chartConfig(h: Headline, labels: string[]): ChartConfiguration<'line'> {
  return {
    type: 'line',
    data: {
      labels,
      datasets: Object.entries(h.series).map(([name, values], i) => ({
        label: name,
        data: values,
        borderColor: COLOURS[i % COLOURS.length],
        backgroundColor: COLOURS[i % COLOURS.length],
        spanGaps: false,
        tension: 0,
      })),
    },
    options: {
      plugins: { title: { display: true, text: h.title }, legend: { position: 'bottom' } },
      scales: {
        y: { type: h.logScale ? 'logarithmic' : 'linear', title: { display: true, text: h.unit } },
        x: { title: { display: true, text: 'run (started, git revision)' } },
      },
    },
  };
}

export function chartFileName(h: Headline): string {
  return `trend-${h.id}.png`;
}

export async function renderTrend(resultsDir: string, outDir: string): Promise<TrendOutput> {
  const runs = listRunDirs(resultsDir).map((r) => loadRun(r.dir, { tornTail: 'strict' }));
  if (runs.length === 0) {
    throw new UsageError(`no runs in ${resultsDir}`, {
      hint: 'point ctvm trend at a dir holding <run-id>/run.json dirs',
    });
  }
  const data = computeTrend(runs);
  mkdirSync(outDir, { recursive: true });
  const canvas = new ChartJSNodeCanvas({ width: WIDTH, height: HEIGHT, backgroundColour: 'white' });
  const charts: string[] = [];
  for (const h of data.headlines) {
    if (Object.keys(h.series).length === 0) continue;
    const file = join(outDir, chartFileName(h));
    writeFileSync(
      file,
      await canvas.renderToBuffer(
        chartConfig(
          h,
          data.runs.map((r) => r.label),
        ) as ChartConfiguration,
      ),
    );
    charts.push(file);
  }
  const markdownFile = join(outDir, 'trend.md');
  writeFileSync(markdownFile, trendMarkdown(data, (h) => chartFileName(h)) + '\n');
  return { markdownFile, charts, data };
}
