// Start latency per environment, phases stacked (launch -> each phase), CI whiskers on the total;
// and exit latency. Horizontal bars, log axis when values span decades.
import type { ChartConfiguration, ChartDataset } from 'chart.js';
import type { ReportModel, StartRow } from '../model.js';
import { nsToMs, sig, tick } from '../format.js';
import { PALETTE, ciTop, labelsPlugin, logBounds, nLabel, spansDecades, whiskersPlugin } from './plugins.js';
import { SLIDE, titleOptions, type ChartEntry } from './spec.js';

type FloatBar = [number, number] | null;

export function startChart(model: ReportModel): ChartEntry {
  const file = 'start-latency.png';
  const title = 'Start latency: launch to READY';
  const rows = model.start.filter((r) => r.start);
  if (rows.length === 0) return { file, title, skipped: 'this run has no start samples' };
  const medians = rows.map((r) => nsToMs(r.start!.median));
  const firstPhases = rows.flatMap((r) => r.phases.filter((p) => p.atNs > 0).map((p) => nsToMs(p.atNs)));
  const all = [
    ...medians,
    ...rows.map((r) => nsToMs(ciTop(r.start!.median, r.start!.ciHigh))),
    ...firstPhases,
  ];
  const log = spansDecades(all);
  const bounds = log ? logBounds(all) : { min: 0, max: Math.max(...all) * 1.25 };
  const phaseNames = orderedPhaseNames(rows);
  const datasets: ChartDataset<'bar', FloatBar[]>[] = phaseNames.map((name, i) => ({
    label: name,
    data: rows.map((r) => segment(r, name, bounds.min)),
    backgroundColor: PALETTE[i % PALETTE.length],
    borderColor: 'white',
    borderWidth: 1,
    barPercentage: 0.7,
  }));
  if (rows.some((r) => readyPhases(r).length === 0))
    datasets.push({
      label: 'start (no phase data)',
      data: rows.map((r): FloatBar =>
        readyPhases(r).length === 0 ? [bounds.min, nsToMs(r.start!.median)] : null,
      ),
      backgroundColor: '#95a5a6',
      barPercentage: 0.7,
    });
  const config: ChartConfiguration<'bar', FloatBar[], string> = {
    type: 'bar',
    data: { labels: rows.map((r) => `${r.env.label} (${nLabel(r.start!)})`), datasets },
    options: {
      indexAxis: 'y',
      plugins: {
        ...titleOptions(
          title,
          'median per phase (time since launch), whisker = 95% CI of the median start latency',
        ),
        legend: { position: 'bottom', labels: { boxWidth: 18 } },
      },
      scales: {
        x: {
          type: log ? 'logarithmic' : 'linear',
          min: bounds.min,
          max: bounds.max,
          title: { display: true, text: `milliseconds since launch${log ? ' (log scale)' : ''}` },
          ticks: { maxRotation: 0, callback: (v) => (log && !isDecade(Number(v)) ? '' : tick(Number(v))) },
        },
        y: { stacked: true, ticks: { font: { size: 17, weight: 'bold' } } },
      },
    },
    plugins: [
      whiskersPlugin(
        rows.map((r, i) => ({ at: i, lo: nsToMs(r.start!.ciLow), hi: nsToMs(r.start!.ciHigh) })),
        true,
      ),
      labelsPlugin(
        rows.map((r, i) => ({
          at: i,
          value: nsToMs(ciTop(r.start!.median, r.start!.ciHigh)),
          text: `${sig(nsToMs(r.start!.median))} ms`,
        })),
        true,
      ),
    ],
  };
  return {
    file,
    title,
    width: SLIDE.width,
    height: Math.max(420, 180 + rows.length * 90),
    caption: `Host monotonic time from the start of the launch (bare: the request to the launcher) to the workload's READY line reaching its first reader (the launcher relaying stdout; for a VM, our console reader) (${rows[0]!.workload} workload). Each coloured segment ends when that phase was reached (median over samples); phases are ordered by median time.`,
    config: config as unknown as ChartConfiguration,
  };
}

export function exitChart(model: ReportModel): ChartEntry {
  const file = 'exit-latency.png';
  const title = 'Exit latency: launch until the instance is gone';
  const rows = model.start.filter((r) => r.exit);
  if (rows.length === 0) return { file, title, skipped: 'this run has no exit latency samples' };
  const all = rows
    .flatMap((r) => [r.exit!.median, r.exit!.ciLow, r.exit!.ciHigh].map(nsToMs))
    .filter(Number.isFinite);
  const log = spansDecades(all);
  const bounds = log ? logBounds(all) : { min: 0, max: Math.max(...all) * 1.25 };
  const config: ChartConfiguration<'bar', FloatBar[], string> = {
    type: 'bar',
    data: {
      labels: rows.map((r) => `${r.env.label} (${nLabel(r.exit!)})`),
      datasets: [
        {
          label: 'median exit latency',
          data: rows.map((r): FloatBar => [bounds.min, nsToMs(r.exit!.median)]),
          backgroundColor: '#5d6d7e',
          barPercentage: 0.6,
        },
      ],
    },
    options: {
      indexAxis: 'y',
      plugins: {
        ...titleOptions(title, 'median, whisker = 95% CI of the median'),
        legend: { display: false },
      },
      scales: {
        x: {
          type: log ? 'logarithmic' : 'linear',
          min: bounds.min,
          max: bounds.max,
          title: { display: true, text: `milliseconds${log ? ' (log scale)' : ''}` },
          ticks: { maxRotation: 0, callback: (v) => (log && !isDecade(Number(v)) ? '' : tick(Number(v))) },
        },
        y: { ticks: { font: { size: 17, weight: 'bold' } } },
      },
    },
    plugins: [
      whiskersPlugin(
        rows.map((r, i) => ({ at: i, lo: nsToMs(r.exit!.ciLow), hi: nsToMs(r.exit!.ciHigh) })),
        true,
      ),
      labelsPlugin(
        rows.map((r, i) => ({
          at: i,
          value: nsToMs(ciTop(r.exit!.median, r.exit!.ciHigh)),
          text: `${sig(nsToMs(r.exit!.median))} ms`,
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
    caption:
      'Launch call until the process is reaped / qemu has exited and everything is cleaned up (noop workload: it exits right after READY).',
    config: config as unknown as ChartConfiguration,
  };
}

/** Phases that end at or before READY (the rest belong to exit). */
function readyPhases(r: StartRow) {
  const limit = r.start ? r.start.median * 1.0001 : Infinity;
  return r.phases.filter((p) => p.atNs <= limit);
}

function segment(r: StartRow, name: string, floor: number): FloatBar {
  const phases = readyPhases(r);
  const i = phases.findIndex((p) => p.name === name);
  if (i < 0) return null;
  const from = i === 0 ? floor : Math.max(floor, nsToMs(phases[i - 1]!.atNs));
  return [from, Math.max(from, nsToMs(phases[i]!.atNs))];
}

/** Phase names in the order they first happen, across environments (by median position). */
function orderedPhaseNames(rows: StartRow[]): string[] {
  const rank = new Map<string, number>();
  for (const r of rows) {
    const ps = readyPhases(r);
    ps.forEach((p, i) =>
      rank.set(p.name, Math.min(rank.get(p.name) ?? Infinity, i / Math.max(1, ps.length - 1))),
    );
  }
  return [...rank].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0])).map(([n]) => n);
}

function isDecade(v: number): boolean {
  const l = Math.log10(v);
  return Math.abs(l - Math.round(l)) < 1e-9;
}
