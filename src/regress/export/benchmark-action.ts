// github-action-benchmark exporter (tool: customSmallerIsBetter): a JSON list of
// {name, unit, value, range, extra}, one entry per candidate group (VM series named vm:tcg /
// vm:kvm). The tracker keeps the history and plots it; our compare verdict travels in `extra`.
// Bigger-is-better metrics (throughputMBps) are inverted to ms per MB so "smaller is better"
// holds for every entry of the file.
import type { Comparison } from '../compare.js';
import { seriesLabel } from '../series.js';
import type { JudgedRow } from '../judge.js';
import { formatP } from '../format.js';

export interface BenchmarkActionEntry {
  name: string;
  unit: string;
  value: number;
  range?: string;
  extra?: string;
}

/** Display unit and scale for the tracker: ns -> ms, bytes -> MiB, MB/s -> ms/MB (inverted). */
function scaleFor(r: JudgedRow): { unit: string; convert: (v: number) => number; note?: string } {
  switch (r.unit) {
    case 'ns':
      return { unit: 'ms', convert: (v) => v / 1e6 };
    case 'bytes':
      return { unit: 'MiB', convert: (v) => v / 1024 ** 2 };
    default:
      if (!r.smallerIsBetter) {
        return {
          unit: r.unit === 'MB/s' ? 'ms/MB' : `1/${r.unit}`,
          convert: (v) => (r.unit === 'MB/s' ? 1000 / v : 1 / v),
          note: `inverted from ${r.unit} (bigger is better)`,
        };
      }
      return { unit: r.unit, convert: (v) => v };
  }
}

const round = (v: number) => Number(v.toPrecision(6));

export function toBenchmarkActionEntries(c: Comparison): BenchmarkActionEntry[] {
  const out: BenchmarkActionEntry[] = [];
  for (const r of c.rows) {
    if (r.candN === 0 || !Number.isFinite(r.candMedian)) continue;
    const s = scaleFor(r);
    const value = round(s.convert(r.candMedian));
    const [lo, hi] = r.candMedianCI.map(s.convert).sort((a, b) => a - b) as [number, number];
    const entry: BenchmarkActionEntry = { name: seriesLabel(r, c.candidate.accels), unit: s.unit, value };
    if (Number.isFinite(lo) && Number.isFinite(hi) && hi > lo) entry.range = `± ${round((hi - lo) / 2)}`;
    const extra = [
      `median of n=${r.candN}`,
      `vs base: ratio ${Number.isFinite(r.ratio) ? r.ratio.toFixed(3) : '-'}, p ${formatP(r.pValue)}, ${r.verdict}`,
    ];
    if (s.note) extra.push(s.note);
    entry.extra = extra.join('\n');
    out.push(entry);
  }
  return out;
}

export function exportBenchmarkAction(c: Comparison): string {
  return JSON.stringify(toBenchmarkActionEntries(c), null, 2) + '\n';
}
