// The report's view of a run: per-environment start/exit/phases, idle memory and CPU, density,
// work overhead vs bare. Pure: a ReportRun in, plain numbers out; every exporter reads this.
import type { LoadedRun } from '../results/read.js';
import type { Distribution, SampleKind, SampleRecord, Summary, SummaryRow } from '../results/types.js';
import { median } from '../stats/index.js';
import { envLabel, envOrder } from './format.js';
import { envTypeOf } from '../results/run-meta.js';

export interface EnvInfo {
  /** The scenario's label ('vm-minimal'); samples carry it as `env`. */
  id: string;
  /** What ran it ('vm'): the label itself in runs made before labels. */
  type: string;
  label: string;
  accel?: string;
}

export interface PhaseMedian {
  name: string;
  /** Median over samples of the phase's ns-since-launch. */
  atNs: number;
}

export interface StartRow {
  env: EnvInfo;
  workload: string;
  start?: Distribution;
  exit?: Distribution;
  /** Ordered by median time since launch. */
  phases: PhaseMedian[];
  /** Raw startNs values (distribution chart). */
  startValuesNs: number[];
}

export interface IdleRow {
  env: EnvInfo;
  workload: string;
  /** Metric name -> distribution (pssBytes, guestUsedBytes, idleCpuPerSec, ...). */
  metrics: Record<string, SummaryRow>;
  pssValuesBytes: number[];
}

export interface DensityPoint {
  n: number;
  pss?: Distribution;
  memAvailableDrop?: Distribution;
  /** Every density metric of this level (src/density/metrics.ts), by name. */
  metrics: Record<string, Distribution>;
}

export interface DensitySeries {
  env: EnvInfo;
  points: DensityPoint[];
}

export interface WorkRow {
  env: EnvInfo;
  workload: string;
  work?: SummaryRow;
  cpu?: SummaryRow;
  throughput?: SummaryRow;
}

export interface ReportModel {
  run: ReportRun;
  envs: EnvInfo[];
  start: StartRow[];
  idle: IdleRow[];
  density: DensitySeries[];
  work: WorkRow[];
  /** Environments the run skipped, with why. */
  skipped: { env: string; reason: string }[];
}

const measured = (s: SampleRecord) => s.ok && !s.warmup;

/** A loaded run with its summary: recomputed from samples.jsonl, the source of truth (summary.json
 *  may be missing or stale after a crash), seeded with the run's seed exactly as src/runner/run.ts
 *  does, so the bootstrap CIs are the run's. */
export interface ReportRun extends LoadedRun {
  summary: Summary;
}

export function buildModel(run: ReportRun): ReportModel {
  const envs = envInfos(run);
  const rows = run.summary.rows;
  const find = (kind: SampleKind, env: string, metric: string, workload?: string, density = 1) =>
    rows.find(
      (r) =>
        r.kind === kind &&
        r.env === env &&
        r.metric === metric &&
        r.density === density &&
        (workload === undefined || r.workload === workload) &&
        r.dist.n > 0,
    );
  const start = envs.flatMap((env): StartRow[] => {
    const samples = run.samples.filter((s) => measured(s) && s.kind === 'start' && s.env === env.id);
    const workload = mostCommon(samples.map((s) => s.workload));
    if (workload === undefined) return [];
    const mine = samples.filter((s) => s.workload === workload);
    return [
      {
        env,
        workload,
        start: find('start', env.id, 'startNs', workload)?.dist,
        exit: find('start', env.id, 'exitNs', workload)?.dist,
        phases: phaseMedians(mine),
        startValuesNs: values(mine, 'startNs'),
      },
    ];
  });
  const idle = envs.flatMap((env): IdleRow[] => {
    const samples = run.samples.filter((s) => measured(s) && s.kind === 'idle' && s.env === env.id);
    const workload = mostCommon(samples.map((s) => s.workload));
    if (workload === undefined) return [];
    const metrics: Record<string, SummaryRow> = {};
    for (const r of rows)
      if (r.kind === 'idle' && r.env === env.id && r.workload === workload && r.dist.n > 0)
        metrics[r.metric] = r;
    const pssValuesBytes = values(
      samples.filter((s) => s.workload === workload),
      'pssBytes',
    );
    return [{ env, workload, metrics, pssValuesBytes }];
  });
  return {
    run,
    envs,
    start,
    idle,
    density: densitySeries(run, envs),
    work: workRows(run, envs),
    skipped: skippedEnvs(run),
  };
}

function envInfos(run: ReportRun): EnvInfo[] {
  const ids = [...new Set(run.samples.filter(measured).map((s) => s.env))].sort(envOrder);
  return ids.map((id) => {
    const accel =
      run.samples.find((s) => s.env === id && s.accel)?.accel ?? run.meta.environments[id]?.facts?.accel;
    const type = envTypeOf(run.meta, id);
    return { id, type, label: envLabel(id, run.meta, accel), ...(accel ? { accel } : {}) };
  });
}

function phaseMedians(samples: SampleRecord[]): PhaseMedian[] {
  const names = [...new Set(samples.flatMap((s) => Object.keys(s.phases ?? {})))];
  return names
    .map((name) => ({
      name,
      atNs: median(samples.flatMap((s) => (typeof s.phases?.[name] === 'number' ? [s.phases[name]!] : []))),
    }))
    .filter((p) => Number.isFinite(p.atNs))
    .sort((a, b) => a.atNs - b.atNs);
}

function densitySeries(run: ReportRun, envs: EnvInfo[]): DensitySeries[] {
  return envs.flatMap((env) => {
    const rows = run.summary.rows.filter((r) => r.kind === 'density' && r.env === env.id && r.dist.n > 0);
    const ns = [...new Set(rows.map((r) => r.density))].sort((a, b) => a - b);
    if (ns.length === 0) return [];
    const points = ns.map((n) => ({
      n,
      pss: rows.find((r) => r.density === n && r.metric === 'pssBytes')?.dist,
      memAvailableDrop: rows.find((r) => r.density === n && r.metric === 'memAvailableDropBytes')?.dist,
      metrics: Object.fromEntries(rows.filter((r) => r.density === n).map((r) => [r.metric, r.dist])),
    }));
    return [{ env, points }];
  });
}

function workRows(run: ReportRun, envs: EnvInfo[]): WorkRow[] {
  const rows = run.summary.rows.filter((r) => r.kind === 'work' && r.dist.n > 0);
  const workloads = [...new Set(rows.map((r) => r.workload))].sort();
  return workloads.flatMap((workload) =>
    envs.flatMap((env): WorkRow[] => {
      const get = (metric: string) =>
        rows.find((r) => r.env === env.id && r.workload === workload && r.metric === metric);
      const work = get('workNs');
      if (!work) return [];
      return [{ env, workload, work, cpu: get('cpuNs'), throughput: get('throughputMBps') }];
    }),
  );
}

function skippedEnvs(run: ReportRun): { env: string; reason: string }[] {
  return Object.entries(run.meta.environments)
    .filter(([, e]) => !e.used)
    .map(([env, e]) => ({ env, reason: e.reason ?? 'not used' }))
    .sort((a, b) => envOrder(a.env, b.env));
}

function values(samples: SampleRecord[], metric: string): number[] {
  return samples.flatMap((s) =>
    typeof s.metrics[metric] === 'number' && Number.isFinite(s.metrics[metric]) ? [s.metrics[metric]!] : [],
  );
}

function mostCommon(items: string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const i of items) counts.set(i, (counts.get(i) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
}
