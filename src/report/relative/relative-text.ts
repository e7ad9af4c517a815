// The relative-to-native section as document blocks: how to read it, the table (one row per
// workload and headline metric, one column per environment), footnotes for skipped cells, the
// caveats, and each environment's I/O path (topology, storage, accelerator) under it.
import type { Block } from '../doc.js';
import type { ReportModel } from '../model.js';
import { fmtTimes, fmtUnit, sig, tcgMark } from '../format.js';
import { METRICS, type MetricName } from '../../results/metrics.js';
import { envPaths } from './env-paths.js';
import {
  NOTHING_MEASURED,
  relativeView,
  type Direction,
  type RelativeCell,
  type RelativeRow,
  type RelativeView,
} from './relative-model.js';
import { DEFAULT_RESAMPLES, MIN_N_FOR_CI } from '../../stats/index.js';

export const RELATIVE_TITLE = 'Relative to native';

const DIRECTION: Record<Direction, string> = {
  higher: '↑ higher',
  lower: '↓ lower',
  unknown: '? (metric not in METRICS)',
};

/** Numbers the distinct skip reasons of a table in order of appearance: reason -> [n]. */
function footnotes(view: Extract<RelativeView, { state: 'table' }>): Map<string, number> {
  const notes = new Map<string, number>();
  for (const r of view.rows)
    for (const c of [r.native, ...Object.values(r.cells)])
      if ('state' in c && c.state === 'skipped' && !notes.has(c.reason)) notes.set(c.reason, notes.size + 1);
  return notes;
}

function cellText(c: RelativeCell, unit: string, notes: Map<string, number>, accel?: string): string {
  switch (c.state) {
    case 'skipped':
      return `skipped [${notes.get(c.reason)}]`;
    case 'missing':
      return c.failed ? `— (${c.failed} failed)` : '—';
    case 'no-ratio':
      return `${fmtUnit(c.median, unit)} (no ratio: ${c.why})`;
    case 'ratio': {
      const ci = Number.isFinite(c.ciLow)
        ? `${sig(c.ciLow, 3)}–${sig(c.ciHigh, 3)}`
        : `no CI: n < ${MIN_N_FOR_CI} on a side`;
      const verdict = c.verdict === 'no CI' ? '' : `, ${c.verdict}`;
      return `${sig(c.ratio, 3)} (${ci})${verdict}${tcgMark(c.ratio, accel)}`;
    }
  }
}

function nativeText(r: RelativeRow, notes: Map<string, number>): string {
  return 'state' in r.native
    ? cellText(r.native, r.unit, notes)
    : `${fmtUnit(r.native.median, r.unit)} (n=${r.native.n})`;
}

export function relativeBlocks(model: ReportModel, charts: Block[]): Block[] {
  const view = relativeView(model);
  const blocks: Block[] = [{ type: 'h2', text: RELATIVE_TITLE }];
  if (view.state === 'none') {
    blocks.push({ type: 'p', role: 'note', text: `Not shown: ${view.reason}.` });
    return blocks;
  }
  blocks.push(...charts);
  const notes = footnotes(view);
  const differs = view.rows.some((r) =>
    Object.values(r.cells).some((c) => c.state === 'ratio' && c.verdict === 'differs'),
  );
  blocks.push({
    type: 'p',
    role: 'note',
    text:
      `Each cell is an environment's median divided by native's (${view.native.label}: the run's environment of type bare, ` +
      `a plain host process) for the same workload and metric, then the 95% bootstrap CI of that ratio ` +
      `(${DEFAULT_RESAMPLES.toLocaleString('en-US')} resamples of each side, seed ${view.seed}). Whether a ratio above 1 is good depends on the metric (column "better"). ` +
      `better / worse: the CI excludes 1; n.s.: not significant, the CI contains 1; ` +
      (differs ? `differs: the CI excludes 1 but the metric's direction is unknown; ` : '') +
      `skipped [n]: the environment cannot run that workload (footnote); —: no successful sample.`,
  });
  blocks.push({
    type: 'table',
    head: [
      'workload',
      'metric',
      'better',
      `native (${view.native.label}) median`,
      ...view.envs.map((e) => e.label),
    ],
    align: ['l', 'l', 'l', 'r', ...view.envs.map(() => 'r' as const)],
    rows: view.rows.map((r) => [
      r.workload,
      r.metric === NOTHING_MEASURED ? '— (nothing measured)' : `${r.metric} (${r.unit})`,
      r.metric === NOTHING_MEASURED ? '—' : DIRECTION[r.direction],
      nativeText(r, notes),
      ...view.envs.map((e) => cellText(r.cells[e.id]!, r.unit, notes, e.accel)),
    ]),
  });
  const items = [...notes].map(([reason, n]) => `[${n}] skipped: ${reason}`);
  if (items.length) blocks.push({ type: 'list', items });
  if (view.caveats.length) blocks.push({ type: 'list', role: 'caveat', items: view.caveats });
  blocks.push({ type: 'h3', text: 'I/O path of each environment' });
  blocks.push({
    type: 'table',
    head: ['environment', 'network topology', 'storage path (scratch disk)', 'accelerator'],
    rows: [view.native, ...view.envs].map((e) => {
      const p = envPaths(model.run.meta, e);
      return [e.id === view.native.id ? `${e.label} (native)` : e.label, p.network, p.storage, p.accel];
    }),
  });
  return blocks;
}

/**
 * The headline of a run that compares workloads rather than starts (an I/O run): per
 * environment, how many of its figures differ from native and the largest ratios, e.g.
 * "container: 0 of 16 figures differ significantly; vm (TCG): 15 worse, 1 better (sockperf TCP
 * round trip, median 5.7x, …)". Undefined when the run has no relative-to-native table.
 */
export function relativeSentence(model: ReportModel): string | undefined {
  const view = relativeView(model);
  if (view.state !== 'table') return undefined;
  const parts = view.envs.flatMap((env) => {
    const cells = view.rows.flatMap((row) => {
      const c = row.cells[env.id];
      return c?.state === 'ratio' ? [{ row, c }] : [];
    });
    if (cells.length === 0) return [];
    const count = (v: string) => cells.filter((x) => x.c.verdict === v).length;
    const worse = count('worse');
    const better = count('better');
    const label = env.label;
    if (worse + better === 0)
      return [`${label}: none of its ${cells.length} figures differs significantly from native`];
    const biggest = cells
      .filter((x) => x.c.verdict === 'worse' || x.c.verdict === 'better')
      .sort((a, b) => Math.abs(Math.log(b.c.ratio)) - Math.abs(Math.log(a.c.ratio)))
      .slice(0, 3)
      .map(
        (x) =>
          `${x.row.workload} ${METRICS[x.row.metric as MetricName]?.label ?? x.row.metric} ${fmtTimes(x.c.ratio)}`,
      );
    const counts = [worse ? `${worse} worse` : '', better ? `${better} better` : '']
      .filter(Boolean)
      .join(', ');
    return [`${label}: ${counts} of ${cells.length} figures (largest: ${biggest.join('; ')})`];
  });
  if (parts.length === 0) return undefined;
  return `Relative to native (${view.native.label}), each figure as a ratio of medians with its 95% CI: ${parts.join('; ')}.`;
}
