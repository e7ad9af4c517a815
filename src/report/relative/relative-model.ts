// The "relative to native" view (#14, Felter et al. style): for every workload that does fixed
// work or I/O, each environment's headline figure as a ratio to native (the run's bare
// environment), with a 95% bootstrap CI of that ratio, its direction and whether it is
// significant (the CI excludes 1). Pure: a run in, plain numbers out; seeded by the run's seed.
import type { SampleKind, SampleRecord } from '../../results/types.js';
import { METRICS, hasRatio, metricInfo } from '../../results/metrics.js';
import { envTypeOf } from '../../results/run-meta.js';
import { MIN_N_FOR_CI, median, ratioOfMediansCI } from '../../stats/index.js';
import type { EnvInfo, ReportModel, ReportRun } from '../model.js';
import { envLabel, envOrder } from '../format.js';
import { headlineCaveat, headlineMetrics } from './headline-metrics.js';

/** Kinds with sections of their own (start, idle, density, isolation); every other kind is a workload. */
const OWN_SECTION_KINDS: readonly SampleKind[] = ['start', 'idle', 'density', 'attack'];

export type Direction = 'higher' | 'lower' | 'unknown';
/** The metric of a workload's only row when no environment measured anything for it. */
export const NOTHING_MEASURED = '-';
export type Verdict = 'better' | 'worse' | 'differs' | 'n.s.' | 'no CI';

export type RelativeCell =
  | {
      state: 'ratio';
      n: number;
      ratio: number;
      /** NaN when either side has fewer than MIN_N_FOR_CI values. */
      ciLow: number;
      ciHigh: number;
      /**
       * 'n.s.': the CI contains 1; 'no CI': too few samples to tell; 'differs': significant, but
       * the metric's direction is unknown (not in METRICS).
       */
      verdict: Verdict;
    }
  | { state: 'no-ratio'; n: number; median: number; why: string }
  | { state: 'skipped'; reason: string }
  /** No successful sample (`failed` of them failed; 0: none was taken). */
  | { state: 'missing'; failed: number };

export interface NativeFigure {
  n: number;
  median: number;
}

export interface RelativeRow {
  workload: string;
  metric: string;
  unit: string;
  direction: Direction;
  native: NativeFigure | Extract<RelativeCell, { state: 'skipped' | 'missing' }>;
  /** Environment id -> its cell, for every environment of `RelativeTable.envs`. */
  cells: Record<string, RelativeCell>;
}

export type RelativeView =
  | { state: 'none'; reason: string }
  | {
      state: 'table';
      native: EnvInfo;
      /** The other environments, in report order. */
      envs: EnvInfo[];
      rows: RelativeRow[];
      /** What each workload's rows do not compare like with like (from headline-metrics.ts). */
      caveats: string[];
      seed: number;
    };

const measured = (s: SampleRecord) => s.ok && !s.warmup && s.density === 1;
const isWorkload = (s: Pick<SampleRecord, 'kind'>) => !OWN_SECTION_KINDS.includes(s.kind);

/**
 * Native: the environment whose type is bare; of several, the one labelled `bare`, else the first
 * in the scenario. Undefined when the run measured none.
 */
export function nativeEnv(run: ReportRun, envs: readonly EnvInfo[]): EnvInfo | undefined {
  const bare = envs.filter((e) => envTypeOf(run.meta, e.id) === 'bare');
  if (bare.length <= 1) return bare[0];
  const order = Object.keys(run.meta.environments);
  return (
    bare.find((e) => e.id === 'bare') ??
    [...bare].sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id))[0]
  );
}

const views = new WeakMap<ReportModel, RelativeView>();

/** The model's view, computed once (the table and the chart both read it). */
export function relativeView(model: ReportModel): RelativeView {
  let v = views.get(model);
  if (!v) views.set(model, (v = relativeToNative(model.run, model.envs)));
  return v;
}

export function relativeToNative(run: ReportRun, envs: readonly EnvInfo[]): RelativeView {
  const samples = run.samples.filter(isWorkload);
  const skippedCells = run.meta.skippedCells ?? [];
  if (samples.length === 0 && skippedCells.length === 0)
    return { state: 'none', reason: 'this run has no workload samples (fixed work or I/O)' };
  const native = nativeEnv(run, envs);
  if (!native)
    return {
      state: 'none',
      reason:
        'no native baseline: the run measured no environment of type bare, so no figure can be put relative to native',
    };
  // Columns: environments that ran (or were refused) a workload; one with only start or idle
  // samples would be a column of dashes.
  const ids = new Set([
    ...samples.filter((s) => !s.warmup).map((s) => s.env),
    ...skippedCells.map((c) => c.env),
  ]);
  ids.delete(native.id);
  const others = [...ids]
    .sort(envOrder)
    .map(
      (id) =>
        envs.find((e) => e.id === id) ?? { id, type: envTypeOf(run.meta, id), label: envLabel(id, run.meta) },
    );
  const workloads = workloadOrder(run, [
    ...samples.map((s) => s.workload),
    ...skippedCells.map((c) => c.workload),
  ]);
  const seed = run.meta.seed;
  const rows = workloads.flatMap((workload) => {
    const mine = samples.filter((s) => s.workload === workload);
    const present = new Set(mine.filter(measured).flatMap((s) => Object.keys(s.metrics)));
    // A workload nothing measured (skipped or failed everywhere) keeps one row to say so.
    const metrics = headlineMetrics(workload, present);
    return (metrics.length ? metrics : [NOTHING_MEASURED]).map((metric) =>
      rowOf({ run, workload, metric, samples: mine, native, envs: others, seed }),
    );
  });
  const caveats = workloads.flatMap((w) => {
    const c = headlineCaveat(w);
    return c && rows.some((r) => r.workload === w) ? [c] : [];
  });
  return { state: 'table', native, envs: others, rows, caveats, seed };
}

/** The scenario's workload order (what its author wrote), then any others alphabetically. */
function workloadOrder(run: ReportRun, names: string[]): string[] {
  const listed = (run.meta.scenario as { workloads?: unknown }).workloads;
  const order = Array.isArray(listed)
    ? listed
        .map((w) => (typeof w === 'string' ? w : (w as { name?: unknown })?.name))
        .filter((n) => typeof n === 'string')
    : [];
  const rank = (w: string) => (order.includes(w) ? order.indexOf(w) : order.length);
  return [...new Set(names)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

function rowOf(a: {
  run: ReportRun;
  workload: string;
  metric: string;
  samples: SampleRecord[];
  native: EnvInfo;
  envs: EnvInfo[];
  seed: number;
}): RelativeRow {
  const { run, workload, metric } = a;
  const valuesOf = (env: string) =>
    finiteValues(
      a.samples.filter((s) => s.env === env && measured(s)),
      metric,
    );
  const absent = (env: string): Extract<RelativeCell, { state: 'skipped' | 'missing' }> => {
    const skip = run.meta.skippedCells?.find((c) => c.env === env && c.workload === workload);
    if (skip) return { state: 'skipped', reason: skip.reason };
    return { state: 'missing', failed: a.samples.filter((s) => s.env === env && !s.ok && !s.warmup).length };
  };
  const base = valuesOf(a.native.id);
  const direction: Direction =
    metric in METRICS ? (metricInfo(metric).smallerIsBetter ? 'lower' : 'higher') : 'unknown';
  const unit = metric === NOTHING_MEASURED ? '-' : metricInfo(metric).unit;
  const cells: Record<string, RelativeCell> = {};
  for (const env of a.envs) {
    const mine = valuesOf(env.id);
    cells[env.id] = mine.length ? cellOf(mine, base, metric, direction, a.seed) : absent(env.id);
  }
  return {
    workload,
    metric,
    unit,
    direction,
    native: base.length ? { n: base.length, median: median(base) } : absent(a.native.id),
    cells,
  };
}

function cellOf(
  mine: number[],
  base: number[],
  metric: string,
  direction: Direction,
  seed: number,
): RelativeCell {
  const n = mine.length;
  if (base.length === 0) return { state: 'no-ratio', n, median: median(mine), why: 'no native figure' };
  if (!hasRatio(metric))
    return { state: 'no-ratio', n, median: median(mine), why: 'the metric can be 0 or negative' };
  const r = ratioOfMediansCI(mine, base, { seed });
  if (!Number.isFinite(r.ratio) || r.ratio <= 0)
    return { state: 'no-ratio', n, median: median(mine), why: 'the native median is 0' };
  // Like summarize(): a CI from fewer than MIN_N_FOR_CI values per side is not an interval.
  if (Math.min(n, base.length) < MIN_N_FOR_CI)
    return { state: 'ratio', n, ratio: r.ratio, ciLow: NaN, ciHigh: NaN, verdict: 'no CI' };
  const significant = r.ciLow > 1 || r.ciHigh < 1;
  const verdict: Verdict = !significant
    ? 'n.s.'
    : direction === 'unknown'
      ? 'differs'
      : r.ratio > 1 === (direction === 'higher')
        ? 'better'
        : 'worse';
  return { state: 'ratio', n, ratio: r.ratio, ciLow: r.ciLow, ciHigh: r.ciHigh, verdict };
}

function finiteValues(samples: SampleRecord[], metric: string): number[] {
  return samples.flatMap((s) => {
    const v = s.metrics[metric];
    return typeof v === 'number' && Number.isFinite(v) ? [v] : [];
  });
}
