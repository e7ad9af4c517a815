// Human formatting of metric values by unit (ns -> ms, bytes -> MiB), shared by every exporter.
import type { JudgedRow } from './judge.js';

export function formatValue(value: number, unit: string): string {
  if (!Number.isFinite(value)) return '-';
  switch (unit) {
    case 'ns':
      if (Math.abs(value) >= 1e9) return `${(value / 1e9).toFixed(3)} s`;
      if (Math.abs(value) >= 1e6) return `${(value / 1e6).toFixed(2)} ms`;
      return `${(value / 1e3).toFixed(1)} µs`;
    case 'bytes':
      if (Math.abs(value) >= 1024 ** 3) return `${(value / 1024 ** 3).toFixed(2)} GiB`;
      if (Math.abs(value) >= 1024 ** 2) return `${(value / 1024 ** 2).toFixed(2)} MiB`;
      return `${(value / 1024).toFixed(1)} KiB`;
    case 'cpu-s/s':
      return `${value.toFixed(4)} cpu-s/s`;
    case 'MB/s':
      return `${value.toFixed(1)} MB/s`;
    case 'bit/s':
      return Math.abs(value) >= 1e9
        ? `${(value / 1e9).toFixed(2)} Gbit/s`
        : `${(value / 1e6).toFixed(1)} Mbit/s`;
    default:
      return `${Number(value.toPrecision(4))} ${unit}`;
  }
}

export function formatRatio(r: JudgedRow): string {
  if (!Number.isFinite(r.ratio)) return '-';
  const ci =
    Number.isFinite(r.ciLow) && r.ciLow !== r.ciHigh
      ? ` [${r.ciLow.toFixed(3)}, ${r.ciHigh.toFixed(3)}]`
      : '';
  return `${r.ratio.toFixed(3)}${ci}`;
}

export function formatP(p: number): string {
  if (!Number.isFinite(p)) return '-';
  return p < 0.001 ? '<0.001' : p.toFixed(3);
}

export function formatChange(worseBy: number): string {
  if (!Number.isFinite(worseBy)) return '-';
  if (Math.abs(worseBy) < 0.0005) return '±0.0%';
  return worseBy > 0 ? `${(worseBy * 100).toFixed(1)}% worse` : `${(-worseBy * 100).toFixed(1)}% better`;
}

export function formatFloor(r: JudgedRow): string {
  return `${(r.rule.noiseFloor * 100).toFixed(0)}%`;
}

/** Verdict marks for terminal and markdown; words, not only colours, so logs stay readable. */
export const VERDICT_MARK: Record<JudgedRow['verdict'], string> = {
  regression: 'REGRESSION',
  improvement: 'improved',
  'below-floor': 'within floor',
  unchanged: 'unchanged',
  insufficient: 'too few samples',
  ignored: 'ignored',
  missing: 'missing',
  new: 'new',
  failed: 'FAILED',
};
