// Environment id -> factory. The runner asks here and knows nothing else about environments.
// Engines other than `bare` are loaded on demand, so a host (or a checkout) without one of them
// still runs the rest; a missing module becomes a skip reason, not a crash.
import type { Environment } from './environment.js';
import { createBareEnvironment } from './bare/environment.js';
import { createContainerEnvironment } from './container/environment.js';
import { createVmEnvironment } from './vm/environment.js';
import { errorMessage } from '../errors.js';

export type EnvironmentLoad = { ok: true; env: Environment } | { ok: false; reason: string };

type Loader = () => Promise<Environment>;

/** For engines that may be absent from a checkout (oci): a missing module becomes a skip reason. */
async function fromModule(spec: string, factory: string, ...args: unknown[]): Promise<Environment> {
  const mod = (await import(spec)) as Record<string, unknown>;
  const make = mod[factory];
  if (typeof make !== 'function') throw new Error(`${spec} does not export ${factory}()`);
  return (make as (...a: unknown[]) => Environment)(...args);
}

const LOADERS: Record<string, Loader> = {
  bare: async () => createBareEnvironment(),
  container: async () => createContainerEnvironment(),
  'oci:runc': () => fromModule('./oci/environment.js', 'createOciEnvironment', 'runc'),
  'oci:crun': () => fromModule('./oci/environment.js', 'createOciEnvironment', 'crun'),
  vm: async () => createVmEnvironment(),
};

export function knownEnvironmentIds(): string[] {
  return Object.keys(LOADERS);
}

export async function loadEnvironment(id: string): Promise<EnvironmentLoad> {
  const loader = LOADERS[id];
  if (!loader) return { ok: false, reason: `unknown environment '${id}'` };
  try {
    return { ok: true, env: await loader() };
  } catch (err) {
    const code = (err as { code?: string }).code;
    const why = code === 'ERR_MODULE_NOT_FOUND' ? 'engine not built in this checkout' : errorMessage(err);
    return { ok: false, reason: `${id}: ${why}` };
  }
}
