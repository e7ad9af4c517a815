// Headline metrics over runs, oldest first: median start latency per env, idle PSS per env,
// CPU overhead (workNs vs bare) per env and workload. Pure: loaded runs in, series out.
import { median } from '../stats/index.js';
import { groupSamples, type LoadedRun } from '../results/read.js';

export interface Headline {
  id: 'start-latency' | 'idle-pss' | 'cpu-overhead';
  title: string;
  unit: string;
  logScale: boolean;
  /** Series name -> one value per run (null where the run has no such group). */
  series: Record<string, (number | null)[]>;
}

export interface TrendRun {
  runId: string;
  startedAt: string;
  revision: string | null;
  dirty: boolean;
  status: string;
  /** "2025-03-01 10:00 a1b2c3d" */
  label: string;
}

export interface TrendData {
  runs: TrendRun[];
  headlines: Headline[];
}

function label(run: LoadedRun): string {
  const when = run.meta.startedAt.replace('T', ' ').slice(0, 16);
  const rev = run.meta.git?.revision?.slice(0, 7) ?? 'no-git';
  return `${when} ${rev}${run.meta.git?.dirty ? '+' : ''}`;
}

/** Per run: series name -> value, for one headline. */
function perRun(run: LoadedRun): Record<Headline['id'], Record<string, number>> {
  const groups = [...groupSamples(run.samples).values()].filter(
    (g) => g.density === 1 && g.values.length > 0,
  );
  const out: Record<Headline['id'], Record<string, number>> = {
    'start-latency': {},
    'idle-pss': {},
    'cpu-overhead': {},
  };
  for (const g of groups) {
    if (g.kind === 'start' && g.metric === 'startNs')
      out['start-latency'][`${g.env} (${g.workload})`] = median(g.values) / 1e6;
    if (g.kind === 'idle' && g.metric === 'pssBytes') out['idle-pss'][g.env] = median(g.values) / 1024 ** 2;
    if (g.kind === 'work' && g.metric === 'workNs' && g.env !== 'bare') {
      const bare = groups.find(
        (b) => b.kind === 'work' && b.env === 'bare' && b.workload === g.workload && b.metric === 'workNs',
      );
      if (bare)
        out['cpu-overhead'][`${g.env} ${g.workload}`] = (median(g.values) / median(bare.values) - 1) * 100;
    }
  }
  return out;
}

export function computeTrend(runs: readonly LoadedRun[]): TrendData {
  const sorted = [...runs].sort((a, b) => a.meta.startedAt.localeCompare(b.meta.startedAt));
  const values = sorted.map(perRun);
  const headline = (id: Headline['id'], title: string, unit: string, logScale: boolean): Headline => {
    const names = [...new Set(values.flatMap((v) => Object.keys(v[id])))].sort();
    return {
      id,
      title,
      unit,
      logScale,
      series: Object.fromEntries(names.map((n) => [n, values.map((v) => v[id][n] ?? null)])),
    };
  };
  return {
    runs: sorted.map((r) => ({
      runId: r.meta.runId,
      startedAt: r.meta.startedAt,
      revision: r.meta.git?.revision ?? null,
      dirty: r.meta.git?.dirty ?? false,
      status: r.meta.status,
      label: label(r),
    })),
    headlines: [
      headline('start-latency', 'Median start latency per environment', 'ms', true),
      headline('idle-pss', 'Median idle PSS per environment', 'MiB', true),
      headline('cpu-overhead', 'CPU overhead vs bare (median workNs / bare - 1)', '%', false),
    ],
  };
}

const fmt = (v: number | null, unit: string) => (v === null ? '-' : `${Number(v.toPrecision(4))} ${unit}`);

/** Markdown: one table per headline, a row per run (date, revision), a column per series. */
export function trendMarkdown(data: TrendData, chartFile?: (h: Headline) => string): string {
  const lines = ['## Trend', '', `${data.runs.length} runs, oldest first.`, ''];
  for (const h of data.headlines) {
    const names = Object.keys(h.series);
    lines.push(`### ${h.title}`, '');
    if (chartFile) lines.push(`![${h.title}](${chartFile(h)})`, '');
    if (names.length === 0) {
      lines.push('_no run has this metric_', '');
      continue;
    }
    lines.push(
      `| run | revision | ${names.join(' | ')} |`,
      `| --- | --- | ${names.map(() => '---:').join(' | ')} |`,
    );
    data.runs.forEach((r, i) => {
      const rev = r.revision ? `\`${r.revision.slice(0, 7)}\`${r.dirty ? '+dirty' : ''}` : '-';
      const status = r.status === 'complete' ? '' : ` (${r.status})`;
      lines.push(
        `| ${r.startedAt.slice(0, 16).replace('T', ' ')}${status} | ${rev} | ${names.map((n) => fmt(h.series[n]![i] ?? null, h.unit)).join(' | ')} |`,
      );
    });
    lines.push('');
  }
  return lines.join('\n');
}
