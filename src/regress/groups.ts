// Splits samples into metric groups (kind + env + workload + density + metric): the unit compare
// judges. Warm-up samples are dropped, failed samples counted, non-finite values ignored.
import type { SampleKind, SampleRecord } from '../results/types.js';

export interface GroupId {
  kind: SampleKind;
  env: string;
  workload: string;
  density: number;
  metric: string;
}

export interface SampleGroup extends GroupId {
  values: number[];
  /** Samples of this kind/env/workload/density that failed (ok: false). */
  failed: number;
}

export function groupKey(g: GroupId): string {
  return [g.kind, g.env, g.workload, g.density, g.metric].join('\u0000');
}

/** Human label: "start/container/noop startNs", with "xN" when density > 1. */
export function groupLabel(g: GroupId): string {
  const density = g.density > 1 ? ` x${g.density}` : '';
  return `${g.kind}/${g.env}/${g.workload}${density} ${g.metric}`;
}

/** Groups of every metric in `samples`, sorted by key; pooling runs = concatenating their samples. */
export function groupSamples(samples: readonly SampleRecord[]): Map<string, SampleGroup> {
  const failed = new Map<string, number>();
  const groups = new Map<string, SampleGroup>();
  for (const s of samples) {
    if (s.warmup) continue;
    const instanceKey = [s.kind, s.env, s.workload, s.density].join('\u0000');
    if (!s.ok) {
      failed.set(instanceKey, (failed.get(instanceKey) ?? 0) + 1);
      continue;
    }
    for (const [metric, value] of Object.entries(s.metrics)) {
      if (typeof value !== 'number' || !Number.isFinite(value)) continue;
      const id: GroupId = { kind: s.kind, env: s.env, workload: s.workload, density: s.density, metric };
      const key = groupKey(id);
      const g = groups.get(key) ?? { ...id, values: [], failed: 0 };
      g.values.push(value);
      groups.set(key, g);
    }
  }
  for (const g of groups.values())
    g.failed = failed.get([g.kind, g.env, g.workload, g.density].join('\u0000')) ?? 0;
  // Instances that only ever failed still need a row: they are what a harness failure looks like.
  for (const [instanceKey, n] of failed) {
    if (
      [...groups.values()].some((g) => [g.kind, g.env, g.workload, g.density].join('\u0000') === instanceKey)
    )
      continue;
    const [kind, env, workload, density] = instanceKey.split('\u0000') as [
      SampleKind,
      string,
      string,
      string,
    ];
    const id: GroupId = { kind, env, workload, density: Number(density), metric: '-' };
    groups.set(groupKey(id), { ...id, values: [], failed: n });
  }
  return new Map([...groups].sort(([a], [b]) => a.localeCompare(b)));
}
