// Start latency: the totals per environment as dots with CI whiskers (log axis when they span
// decades), and the phases as small multiples, one linear chart per environment, so each phase's
// segment is as long as the time it took. Exit latency: dots, not bars (a bar's length on a log
// axis means nothing).
import type { ChartConfiguration, ChartDataset } from 'chart.js';
import type { Distribution } from '../../results/types.js';
import type { ReportModel, StartRow } from '../model.js';
import { nsToMs, sig, tick } from '../format.js';
import { PALETTE, ciTop, labelsPlugin, logBounds, nLabel, spansDecades, whiskersPlugin } from './plugins.js';
import { SLIDE, titleOptions, type ChartEntry } from './spec.js';

export function startChart(model: ReportModel): ChartEntry {
  const file = 'start-latency.png';
  const title = 'Start latency: launch to READY';
  const rows = model.start.filter((r) => r.start);
  if (rows.length === 0) return { file, title, skipped: 'this run has no start samples' };
  return dotChart({
    file,
    title,
    rows: rows.map((r) => ({ label: r.env.label, d: r.start! })),
    subtitle: 'dot = median, whisker = 95% CI of the median; the phases are in the charts below',
    caption: `Host monotonic time from the start of the launch (bare: the request to the launcher) to the workload's READY line reaching its first reader (the launcher relaying stdout; for a VM, our console reader) (${rows[0]!.workload} workload).`,
  });
}

export function exitChart(model: ReportModel): ChartEntry {
  const file = 'exit-latency.png';
  const title = 'Exit latency: launch until the instance is gone';
  const rows = model.start.filter((r) => r.exit);
  if (rows.length === 0) return { file, title, skipped: 'this run has no exit latency samples' };
  return dotChart({
    file,
    title,
    rows: rows.map((r) => ({ label: r.env.label, d: r.exit! })),
    subtitle: 'dot = median, whisker = 95% CI of the median',
    caption:
      'Launch call until the process is reaped / qemu has exited and everything is cleaned up (noop workload: it exits right after READY).',
  });
}

/** Medians as dots on a value axis (log when they span decades), whiskers for the CIs. */
function dotChart(o: {
  file: string;
  title: string;
  subtitle: string;
  caption: string;
  rows: { label: string; d: Distribution }[];
}): ChartEntry {
  const { rows } = o;
  const all = rows.flatMap((r) => [r.d.median, r.d.ciLow, r.d.ciHigh].map(nsToMs)).filter(Number.isFinite);
  const log = spansDecades(all);
  const bounds = log ? logBounds(all) : { min: 0, max: Math.max(...all) * 1.25 };
  const config: ChartConfiguration<'line', number[], string> = {
    type: 'line',
    data: {
      labels: rows.map((r) => `${r.label} (${nLabel(r.d)})`),
      datasets: [
        {
          label: 'median',
          data: rows.map((r) => nsToMs(r.d.median)),
          showLine: false,
          pointRadius: 9,
          pointHoverRadius: 9,
          backgroundColor: '#2e4053',
          borderColor: '#2e4053',
        },
      ],
    },
    options: {
      indexAxis: 'y',
      plugins: { ...titleOptions(o.title, o.subtitle), legend: { display: false } },
      scales: {
        x: {
          type: log ? 'logarithmic' : 'linear',
          min: bounds.min,
          max: bounds.max,
          title: { display: true, text: `milliseconds since launch${log ? ' (log scale)' : ''}` },
          ticks: { maxRotation: 0, callback: (v) => (log && !isDecade(Number(v)) ? '' : tick(Number(v))) },
        },
        y: { offset: true, ticks: { font: { size: 17, weight: 'bold' } } },
      },
    },
    plugins: [
      whiskersPlugin(
        rows.map((r, i) => ({ at: i, lo: nsToMs(r.d.ciLow), hi: nsToMs(r.d.ciHigh) })),
        true,
      ),
      labelsPlugin(
        rows.map((r, i) => ({
          at: i,
          value: nsToMs(ciTop(r.d.median, r.d.ciHigh)),
          text: `${sig(nsToMs(r.d.median))} ms`,
        })),
        true,
      ),
    ],
  };
  return {
    file: o.file,
    title: o.title,
    width: SLIDE.width,
    height: Math.max(400, 160 + rows.length * 80),
    caption: o.caption,
    config: config as unknown as ChartConfiguration,
  };
}

/** File of an environment's phase chart: start-phases-oci-runc.png. */
export const phaseChartFile = (env: string): string =>
  `start-phases-${env.replace(/[^A-Za-z0-9_-]+/g, '-')}.png`;

/**
 * Small multiples: per environment with phase data, one stacked bar on a linear axis of its own
 * (0 to its median start), each segment as long as the phase took (median time to reach it minus
 * median time to reach the previous one).
 */
export function startPhaseCharts(model: ReportModel): ChartEntry[] {
  const rows = model.start.filter((r) => r.start && readyPhases(r).length > 0);
  const names = orderedPhaseNames(rows);
  return rows.map((r) => {
    const file = phaseChartFile(r.env.id);
    const title = `Start phases: ${r.env.label}`;
    const segs = phaseSegments(r);
    const totalMs = nsToMs(r.start!.median);
    const datasets: ChartDataset<'bar', number[]>[] = segs.map((s) => ({
      label: `${s.name} ${sig(s.ms)} ms`,
      data: [s.ms],
      backgroundColor: PALETTE[names.indexOf(s.name) % PALETTE.length],
      borderColor: 'white',
      borderWidth: 1,
      barPercentage: 0.8,
    }));
    const config: ChartConfiguration<'bar', number[], string> = {
      type: 'bar',
      data: { labels: [`${r.env.label} (${nLabel(r.start!)})`], datasets },
      options: {
        indexAxis: 'y',
        plugins: {
          ...titleOptions(
            title,
            `median time spent in each phase (linear axis); median start ${sig(totalMs)} ms`,
          ),
          legend: { position: 'bottom', labels: { boxWidth: 18 } },
        },
        scales: {
          x: {
            type: 'linear',
            stacked: true,
            min: 0,
            max: Math.max(totalMs, ...segs.map((s) => s.endMs)) * 1.05,
            title: { display: true, text: 'milliseconds since launch' },
            ticks: { maxRotation: 0, callback: (v) => tick(Number(v)) },
          },
          y: { stacked: true, ticks: { font: { size: 17, weight: 'bold' } } },
        },
      },
    };
    return {
      file,
      title,
      width: SLIDE.width,
      height: 300,
      caption: `${r.env.label}: each segment is the median time from reaching the previous phase (or the launch) to reaching this one; the axis is linear and belongs to this environment alone.`,
      config: config as unknown as ChartConfiguration,
    };
  });
}

/** Phase durations in order: [{name, ms, endMs}], ending at or before READY. */
export function phaseSegments(r: StartRow): { name: string; ms: number; endMs: number }[] {
  let prev = 0;
  return readyPhases(r).map((p) => {
    const endMs = Math.max(prev, nsToMs(p.atNs));
    const seg = { name: p.name, ms: endMs - prev, endMs };
    prev = endMs;
    return seg;
  });
}

/** Phases that end at or before READY (the rest belong to exit). */
function readyPhases(r: StartRow) {
  const limit = r.start ? r.start.median * 1.0001 : Infinity;
  return r.phases.filter((p) => p.atNs <= limit);
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
