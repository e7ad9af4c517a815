// The plan: every sample a run takes, in order. Warm-up first, then rounds in which every
// (workload, environment) pair appears once in a seeded random order, so slow host drift
// favours no environment (Firecracker's A/B discipline). Same scenario + envs + seed = same plan,
// which is what lets --resume skip the seqs already on disk.
import type { SampleKind } from '../results/types.js';
import { mulberry32, shuffled } from '../stats/random.js';
import { ATTACK_WORKLOAD } from '../workload/catalog.js';
import { workloadClient } from '../workload/io-workloads.js';
import type { Scenario } from './scenario-schema.js';
import { cellKey, skippedKeys } from './cells.js';

export interface PlannedSample {
  seq: number;
  kind: SampleKind;
  env: string;
  workload: string;
  args?: string[];
  repetition: number;
  warmup: boolean;
  /** Instances at once (density samples), 1 otherwise. */
  density: number;
}

/** noop / exit:N / hang measure starting; idle measures sitting still; attack runs the escape
 * suite; a server workload is driven by its client; anything else is fixed work. */
export function kindFor(workload: string): Exclude<SampleKind, 'density'> {
  if (workload === ATTACK_WORKLOAD) return 'attack';
  if (workloadClient(workload)) return 'client';
  if (workload === 'noop' || workload === 'hang' || workload.startsWith('exit:')) return 'start';
  if (workload === 'idle') return 'idle';
  return 'work';
}

type Item = Omit<PlannedSample, 'seq'>;

export function planRun(scenario: Scenario, envIds: readonly string[], seed: number): PlannedSample[] {
  const rng = mulberry32(seed);
  const items: Item[] = [];
  // Cells whose environment type cannot provide what the workload needs are not planned (cells.ts).
  const skipped = skippedKeys(scenario);
  const runs = (w: Scenario['workloads'][number]) => (e: string) => !skipped.has(cellKey(w.name, e));
  const pair = (
    w: Scenario['workloads'][number],
    env: string,
    repetition: number,
    warmup: boolean,
  ): Item => ({
    kind: kindFor(w.name),
    env,
    workload: w.name,
    ...(w.args ? { args: w.args } : {}),
    repetition,
    warmup,
    density: 1,
  });
  // An environment's own repetitions/warmup, where given, replace the scenario's for it alone.
  const entry = new Map(scenario.environments.map((e) => [e.id, e]));
  const warmups = (e: string): number => entry.get(e)?.warmup ?? scenario.warmup;
  const reps = (e: string): number => entry.get(e)?.repetitions ?? scenario.repetitions;
  const most = (count: (e: string) => number): number => Math.max(0, ...envIds.map(count));
  for (let r = 0; r < most(warmups); r++) {
    const inRound = envIds.filter((e) => r < warmups(e));
    for (const w of scenario.workloads)
      items.push(...shuffled(inRound.filter(runs(w)), rng).map((e) => pair(w, e, r, true)));
  }
  for (let r = 0; r < most(reps); r++) {
    const inRound = envIds.filter((e) => r < reps(e));
    const round = scenario.workloads.flatMap((w) => inRound.filter(runs(w)).map((e) => pair(w, e, r, false)));
    items.push(...shuffled(round, rng));
  }
  const d = scenario.density;
  if (d) {
    for (const level of [...d.levels].sort((a, b) => a - b))
      for (let r = 0; r < d.repetitions; r++)
        items.push(
          ...shuffled(
            envIds.filter((e) => level <= (d.maxLevel[e] ?? Infinity)),
            rng,
          ).map((env): Item => ({
            kind: 'density',
            env,
            workload: d.workload,
            repetition: r,
            warmup: false,
            density: level,
          })),
        );
  }
  return items.map((it, seq) => ({ seq, ...it }));
}

/** Planned instance-seconds, roughly: for ETA before the first sample finished. */
export function countByEnv(plan: readonly PlannedSample[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of plan) out[p.env] = (out[p.env] ?? 0) + 1;
  return out;
}
