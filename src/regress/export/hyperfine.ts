// hyperfine JSON exporter (the shape of `hyperfine --export-json`): {results: [{command, mean,
// stddev, median, min, max, times}]}, seconds, one result per candidate time metric (unit ns), so
// hyperfine's own scripts (plot_whisker.py, advanced_statistics.py) read ctvm runs.
import type { Comparison } from '../compare.js';
import { mean, median, stddev } from '../../stats/index.js';
import { seriesLabel } from '../series.js';

export interface HyperfineResult {
  command: string;
  mean: number;
  /** null for a single value, as hyperfine writes it. */
  stddev: number | null;
  median: number;
  min: number;
  max: number;
  times: number[];
}

export function toHyperfineResults(c: Comparison): { results: HyperfineResult[] } {
  const results: HyperfineResult[] = [];
  for (const r of c.rows) {
    if (r.unit !== 'ns' || r.candValues.length === 0) continue;
    const times = r.candValues.map((ns) => ns / 1e9);
    results.push({
      command: seriesLabel(r, c.candidate.accels),
      mean: mean(times),
      stddev: times.length > 1 ? stddev(times) : null,
      median: median(times),
      min: Math.min(...times),
      max: Math.max(...times),
      times,
    });
  }
  return { results };
}

export function exportHyperfine(c: Comparison): string {
  return JSON.stringify(toHyperfineResults(c), null, 2) + '\n';
}
