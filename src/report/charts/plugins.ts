// Small inline Chart.js plugins: CI whiskers and value labels, drawn in data coordinates.
import type { Chart, Plugin } from 'chart.js';

/** One whisker: `at` on the index axis (category index or x value), lo..hi on the value axis. */
export interface Whisker {
  at: number;
  lo: number;
  hi: number;
  /** Offset along the index axis as a fraction of one category slot (grouped bars). */
  offset?: number;
}

function axes(chart: Chart, horizontal: boolean) {
  const index = horizontal ? chart.scales.y! : chart.scales.x!;
  const value = horizontal ? chart.scales.x! : chart.scales.y!;
  const count = Math.max(1, chart.data.labels?.length ?? 1);
  const slotPx = (horizontal ? index.height : index.width) / count;
  return { index, value, slotPx };
}

/** A chart's whisker plugin; `whiskers` lists what it draws (only finite CIs), for tests and readers. */
export type WhiskersPlugin = Plugin & { whiskers: Whisker[] };

export function whiskersPlugin(all: Whisker[], horizontal: boolean, color = '#111'): WhiskersPlugin {
  // A missing CI (NaN: too few samples) gets no whisker at all, never a zero-width one.
  const items = all.filter((w) => Number.isFinite(w.lo) && Number.isFinite(w.hi));
  return {
    id: 'ctvmWhiskers',
    whiskers: items,
    afterDatasetsDraw(chart) {
      const { index, value, slotPx } = axes(chart, horizontal);
      const ctx = chart.ctx;
      const area = chart.chartArea;
      ctx.save();
      ctx.beginPath();
      ctx.rect(area.left, area.top, area.right - area.left, area.bottom - area.top);
      ctx.clip();
      ctx.strokeStyle = color;
      ctx.lineWidth = 2;
      for (const w of items) {
        const c = index.getPixelForValue(w.at) + (w.offset ?? 0) * slotPx;
        const a = value.getPixelForValue(w.lo);
        const b = value.getPixelForValue(w.hi);
        const cap = 7;
        ctx.beginPath();
        if (horizontal) {
          ctx.moveTo(a, c);
          ctx.lineTo(b, c);
          ctx.moveTo(a, c - cap);
          ctx.lineTo(a, c + cap);
          ctx.moveTo(b, c - cap);
          ctx.lineTo(b, c + cap);
        } else {
          ctx.moveTo(c, a);
          ctx.lineTo(c, b);
          ctx.moveTo(c - cap, a);
          ctx.lineTo(c + cap, a);
          ctx.moveTo(c - cap, b);
          ctx.lineTo(c + cap, b);
        }
        ctx.stroke();
      }
      ctx.restore();
    },
  };
}

/**
 * Where bar `e` of `count` grouped bars sits inside its category slot, as a fraction of the slot
 * (Chart.js's default categoryPercentage 0.8 split evenly), for whiskers and labels.
 */
export const groupOffset = (e: number, count: number): number => ((e - (count - 1) / 2) * 0.8) / count;

/** A dashed horizontal line across the plot at `value` (e.g. 1.0 = native; the axis title says so). */
export function referenceLinePlugin(value: number): Plugin {
  return {
    id: 'ctvmReferenceLine',
    afterDatasetsDraw(chart) {
      const y = chart.scales.y!.getPixelForValue(value);
      const area = chart.chartArea;
      const ctx = chart.ctx;
      ctx.save();
      ctx.strokeStyle = '#111';
      ctx.lineWidth = 2;
      ctx.setLineDash([8, 5]);
      ctx.beginPath();
      ctx.moveTo(area.left, y);
      ctx.lineTo(area.right, y);
      ctx.stroke();
      ctx.restore();
    },
  };
}

/** Where a bar's label goes: past the CI when there is one, else past the median. */
export const ciTop = (median: number, ciHigh: number): number =>
  Number.isFinite(ciHigh) ? Math.max(median, ciHigh) : median;

/** Category label suffix: "n=7", or "n=1: no CI" when the distribution has no CI. */
export const nLabel = (d: { n: number; ciHigh: number }): string =>
  Number.isFinite(d.ciHigh) ? `n=${d.n}` : `n=${d.n}: no CI`;

/** A text drawn just past `value` on the value axis (right of a horizontal bar, above a vertical one). */
export interface ValueLabel {
  at: number;
  value: number;
  text: string;
  /** Offset along the index axis as a fraction of one category slot. */
  offset?: number;
}

export function labelsPlugin(items: ValueLabel[], horizontal: boolean): Plugin {
  return {
    id: 'ctvmLabels',
    afterDatasetsDraw(chart) {
      const { index, value, slotPx } = axes(chart, horizontal);
      const ctx = chart.ctx;
      ctx.save();
      ctx.fillStyle = '#111';
      ctx.font = `bold 15px ${chart.options.font?.family ?? 'sans-serif'}`;
      for (const l of items) {
        const c = index.getPixelForValue(l.at) + (l.offset ?? 0) * slotPx;
        const v = value.getPixelForValue(l.value);
        if (horizontal) {
          ctx.textAlign = 'left';
          ctx.textBaseline = 'middle';
          ctx.fillText(l.text, Math.min(v + 12, chart.chartArea.right - ctx.measureText(l.text).width), c);
        } else {
          ctx.textAlign = 'center';
          ctx.textBaseline = 'bottom';
          ctx.fillText(l.text, c, Math.max(v - 10, chart.chartArea.top + 16));
        }
      }
      ctx.restore();
    },
  };
}

/** True when the values span at least `decades` powers of ten (use a log axis). */
export function spansDecades(values: number[], decades = 2): boolean {
  const pos = values.filter((v) => Number.isFinite(v) && v > 0);
  if (pos.length < 2) return false;
  return Math.log10(Math.max(...pos) / Math.min(...pos)) >= decades;
}

/** Log-axis bounds: whole decades around the data. */
export function logBounds(values: number[]): { min: number; max: number } {
  const pos = values.filter((v) => Number.isFinite(v) && v > 0);
  return {
    min: 10 ** Math.floor(Math.log10(Math.min(...pos))),
    max: 10 ** Math.ceil(Math.log10(Math.max(...pos) * 1.6)),
  };
}

/** Log-axis ticks worth a label: 1, 3, 10, 30, ... */
export function isDecadeish(v: number): boolean {
  const m = v / 10 ** Math.floor(Math.log10(v));
  return Math.abs(m - 1) < 1e-9 || Math.abs(m - 3) < 1e-9;
}

/** 20 distinguishable colours (Tableau 10, then its lighter/darker companions). */
export const PALETTE = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
  '#393b79',
  '#f7b6d2',
  '#637939',
  '#ffbb78',
  '#843c39',
  '#9edae5',
  '#7b4173',
  '#c5b0d5',
  '#e7ba52',
  '#98df8a',
];
