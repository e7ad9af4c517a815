// Every chart the report draws, in report order; each is a spec or the reason it was left out.
import type { ReportModel } from '../model.js';
import { cpuOverheadChart, idleCpuChart } from './cpu-chart.js';
import { idleMemoryDistributionChart, startDistributionChart } from './distribution-chart.js';
import { creationChart, densityChart, marginalChart } from './density-charts.js';
import { memoryChart } from './memory-chart.js';
import { exitChart, startChart, startPhaseCharts } from './start-chart.js';
import { spectrumChart } from './spectrum-chart.js';
import { relativeChart } from './relative-chart.js';
import type { ChartEntry } from './spec.js';

export function allCharts(model: ReportModel): ChartEntry[] {
  return [
    spectrumChart(model),
    startChart(model),
    ...startPhaseCharts(model),
    exitChart(model),
    memoryChart(model),
    densityChart(model),
    marginalChart(model),
    creationChart(model),
    relativeChart(model),
    cpuOverheadChart(model),
    idleCpuChart(model),
    startDistributionChart(model),
    idleMemoryDistributionChart(model),
  ];
}

export { renderChartPng } from './render.js';
export { isSkip, type ChartEntry, type ChartSkip, type ChartSpec } from './spec.js';
