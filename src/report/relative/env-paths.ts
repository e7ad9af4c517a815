// The I/O paths under the relative-to-native table: each environment's network topology, storage
// path and accelerator, as the run recorded them (run.json: the environment's facts, which
// describe() wrote from its options), else what its scenario options asked for, said as such.
import type { RunMeta } from '../../results/types.js';
import { envTypeOf } from '../../results/run-meta.js';
import type { EnvInfo } from '../model.js';

export interface EnvPaths {
  env: EnvInfo;
  network: string;
  storage: string;
  accel: string;
}

/** The options a run's scenario gave environment `id` ({} when it gave none or the run predates them). */
export function scenarioOptions(meta: RunMeta, id: string): Record<string, unknown> {
  const list = (meta.scenario as { environments?: unknown }).environments;
  if (!Array.isArray(list)) return {};
  const entry = list.find((e) => (e as { id?: unknown } | null)?.id === id) as
    { options?: unknown } | undefined;
  const o = entry?.options;
  return o && typeof o === 'object' ? (o as Record<string, unknown>) : {};
}

export function envPaths(meta: RunMeta, env: EnvInfo): EnvPaths {
  const facts = meta.environments[env.id]?.facts ?? {};
  const o = scenarioOptions(meta, env.id);
  const network =
    facts.network ??
    (o.network === 'bridge'
      ? 'lab bridge (the run recorded no topology for it)'
      : typeof o.network === 'string'
        ? `network mode ${o.network}: not on the lab bridge`
        : 'not on the lab bridge (no network option)');
  const size = typeof o.scratch === 'string' || typeof o.scratch === 'number' ? String(o.scratch) : undefined;
  const storage = facts.scratch
    ? `${facts.scratch}${size ? `; a fresh ${size} image per instance` : ''}`
    : size
      ? `scratch disk ${size} (the run recorded no storage path for it)`
      : 'no scratch disk';
  const type = envTypeOf(meta, env.id);
  const accel = env.accel ?? facts.accel;
  const machine = facts.machine ? `, machine ${facts.machine}` : '';
  return {
    env,
    network,
    storage,
    accel:
      type === 'vm' || accel
        ? `${(accel ?? 'unknown').toUpperCase()}${accel === 'tcg' ? ' (software emulation, no KVM)' : ''}${machine}`
        : 'none: the host CPU runs it directly',
  };
}
