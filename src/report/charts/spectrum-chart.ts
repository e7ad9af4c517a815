// The isolation spectrum: every environment of the run as one point, start latency (x, log)
// against idle PSS per instance (y, log), coloured by the isolation it gives.
import type { ChartConfiguration, Plugin } from 'chart.js';
import type { ReportModel } from '../model.js';
import { bytesToMiB, fmtMiB, fmtMs, nsToMs, tick } from '../format.js';
import { envStacks } from '../spectrum/env-stacks.js';
import type { Isolation } from '../spectrum/env-kinds.js';
import { logBounds } from './plugins.js';
import { SLIDE, titleOptions, type ChartEntry } from './spec.js';

export const SPECTRUM_FILE = 'isolation-spectrum.png';

const ISOLATION_COLORS: Record<Isolation, string> = {
  none: '#7f8c8d',
  'filesystem only': '#95a5a6',
  'shared kernel': '#2471a3',
  'user-space kernel': '#8e44ad',
  'guest kernel': '#d35400',
};

export interface SpectrumPoint {
  env: string;
  label: string;
  isolation: Isolation;
  startMs: number;
  pssMiB: number;
}

/** Environments with both a median start and a median idle PSS. */
export function spectrumPoints(model: ReportModel): SpectrumPoint[] {
  return envStacks(model).flatMap((s) =>
    s.startNs !== undefined && s.pssBytes !== undefined && s.startNs > 0 && s.pssBytes > 0
      ? [
          {
            env: s.env.id,
            label: s.env.label,
            isolation: s.kind.isolation,
            startMs: nsToMs(s.startNs),
            pssMiB: bytesToMiB(s.pssBytes),
          },
        ]
      : [],
  );
}

/** Writes each point's label beside it. */
function pointLabels(points: SpectrumPoint[]): Plugin {
  return {
    id: 'ctvmPointLabels',
    afterDatasetsDraw(chart) {
      const ctx = chart.ctx;
      ctx.save();
      ctx.font = 'bold 15px "DejaVu Sans"';
      ctx.fillStyle = '#1b2631';
      ctx.textBaseline = 'middle';
      points.forEach((p, i) => {
        const x = chart.scales.x!.getPixelForValue(p.startMs);
        const y = chart.scales.y!.getPixelForValue(p.pssMiB) + (i % 2 ? 14 : -14);
        const right = x > chart.chartArea.right - 220;
        ctx.textAlign = right ? 'right' : 'left';
        ctx.fillText(p.label, x + (right ? -14 : 14), y);
      });
      ctx.restore();
    },
  };
}

export function spectrumChart(model: ReportModel): ChartEntry {
  const title = 'Isolation spectrum: start latency vs idle memory';
  const points = spectrumPoints(model);
  if (points.length < 2)
    return {
      file: SPECTRUM_FILE,
      title,
      skipped: 'fewer than two environments have both start and idle samples',
    };
  const xs = logBounds(points.map((p) => p.startMs));
  const ys = logBounds(points.map((p) => p.pssMiB));
  const config: ChartConfiguration<'scatter', { x: number; y: number }[]> = {
    type: 'scatter',
    data: {
      datasets: points.map((p) => ({
        label: `${p.label}: ${p.isolation}`,
        data: [{ x: p.startMs, y: p.pssMiB }],
        pointRadius: 10,
        pointHoverRadius: 10,
        backgroundColor: ISOLATION_COLORS[p.isolation],
        borderColor: '#1b2631',
      })),
    },
    options: {
      plugins: {
        ...titleOptions(
          title,
          'one point per environment: median start (launch → READY) and median PSS of one idle instance; both axes log',
        ),
        legend: { display: true, position: 'bottom' },
      },
      scales: {
        x: {
          type: 'logarithmic',
          min: xs.min,
          max: xs.max,
          title: { display: true, text: 'start latency, ms (log scale)' },
          ticks: { callback: (v) => tick(Number(v)) },
        },
        y: {
          type: 'logarithmic',
          min: ys.min,
          max: ys.max,
          title: { display: true, text: 'idle PSS per instance, MiB (log scale)' },
          ticks: { callback: (v) => tick(Number(v)) },
        },
      },
    },
    plugins: [pointLabels(points)],
  };
  const accel = [...new Set(model.envs.flatMap((e) => (e.accel ? [e.accel.toUpperCase()] : [])))].join('/');
  return {
    file: SPECTRUM_FILE,
    title,
    width: SLIDE.width,
    height: SLIDE.height,
    caption:
      `Each environment once: ${points.map((p) => `${p.label} ${fmtMs(p.startMs * 1e6)}, ${fmtMiB(p.pssMiB * 2 ** 20)}`).join('; ')}. ` +
      `Colour = isolation (grey: none or filesystem only; blue: shared kernel; purple: user-space kernel; orange: guest kernel).` +
      (accel
        ? ` VMs ran under ${accel}${accel.includes('TCG') ? ' (software emulation: KVM guests start far faster)' : ''}.`
        : ''),
    config: config as unknown as ChartConfiguration,
  };
}
