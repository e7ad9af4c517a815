// `fleet-<id>` or a path -> results/fleet-<id>/ (a directory with fleet.json).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { isFleetDir } from './manifest.js';

export function resolveFleetDir(spec: string, resultsDir: string): string {
  for (const dir of [resolve(spec), join(resultsDir, spec)])
    if (existsSync(dir) && isFleetDir(dir)) return dir;
  throw new UsageError(`no fleet '${spec}' (a results/fleet-<id> directory with fleet.json)`, {
    hint: `pass results/fleet-<id> or a fleet id (ls ${resultsDir})`,
  });
}

/** True when `spec` names a fleet (report and compare then take their fleet paths). */
export function isFleetSpec(spec: string, resultsDir: string): boolean {
  return [resolve(spec), join(resultsDir, spec)].some((d) => existsSync(d) && isFleetDir(d));
}
