// Tracker series names: a VM group carries its accelerator ("vm:tcg", "vm:kvm") so that a
// tracker's history never mixes an emulated guest with a hardware-accelerated one.
import type { SampleRecord } from '../results/types.js';
import { groupLabel, type GroupId } from '../results/read.js';

/** Env id -> accelerator, from the VM samples of one side. */
export function accelsOf(samples: readonly SampleRecord[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of samples) if (s.accel && !out[s.env]) out[s.env] = s.accel;
  return out;
}

/**
 * "vm:tcg" for a VM env ("vm:unknown" when the samples did not record it), else the env id. Only
 * VM samples record an accelerator, so a labelled VM ("small-guest") is recognised by it too.
 */
export function seriesEnv(env: string, accels: Readonly<Record<string, string>>): string {
  return env.startsWith('vm') || accels[env] ? `${env}:${accels[env] ?? 'unknown'}` : env;
}

/** groupLabel with the accelerator-qualified env: "start/vm:tcg/noop startNs". */
export function seriesLabel(g: GroupId, accels: Readonly<Record<string, string>>): string {
  return groupLabel({ ...g, env: seriesEnv(g.env, accels) });
}

/** The benchmark part of a series (no metric): "start/vm:tcg/noop", "density/container/idle x4". */
export function seriesBenchmark(g: GroupId, accels: Readonly<Record<string, string>>): string {
  return seriesLabel(g, accels).replace(/ [^ ]+$/, '');
}
