// Scenario workloads -> PreparedWorkloads. Host programs print no READY/RESULT, so the runner
// wraps them in the rootfs's busybox sh, identically for every environment: READY is printed just
// before the program is exec'd, RESULT (with its exit code) right after it ends.
import type { PreparedWorkload } from '../engine/environment.js';
import { prepareWorkload } from '../workload/catalog.js';
import type { ScenarioWorkload } from './scenario-schema.js';

export const HOST_WRAPPER =
  'echo READY; "$0" "$@" >/dev/null; c=$?; echo "RESULT mode=host code=$c"; exit $c';

export function workloadKey(w: { name: string; args?: string[] | undefined }): string {
  return w.args ? `${w.name} ${w.args.join(' ')}` : w.name;
}

export async function prepareForRun(w: ScenarioWorkload): Promise<PreparedWorkload> {
  const p = await prepareWorkload(w.name, w.args);
  if (!w.name.startsWith('host:')) return p;
  return { ...p, argv: ['/bin/sh', '-c', HOST_WRAPPER, ...p.argv] };
}
