// Environment id -> factory. The runner asks here and knows nothing else about environments.
// A factory that throws (engine cannot be constructed here) becomes a skip reason, not a crash.
import type { Environment } from './environment.js';
import { createBareEnvironment } from './bare/environment.js';
import { createContainerEnvironment } from './container/environment.js';
import { createVmEnvironment } from './vm/environment.js';
import { createOciEnvironment } from './oci/environment.js';
import { createRunscEnvironment } from './runsc/environment.js';
import { createChrootEnvironment } from './chroot/environment.js';
import { createLxcEnvironment } from './lxc/environment.js';
import { createDockerEnvironment } from './docker/environment.js';
import { createLxdEnvironment } from './lxd/environment.js';
import { errorMessage } from '../errors.js';

export type EnvironmentLoad = { ok: true; env: Environment } | { ok: false; reason: string };

type Loader = () => Promise<Environment>;

const LOADERS: Record<string, Loader> = {
  bare: async () => createBareEnvironment(),
  chroot: async () => createChrootEnvironment(),
  container: async () => createContainerEnvironment(),
  'oci:runc': async () => createOciEnvironment('runc'),
  'oci:crun': async () => createOciEnvironment('crun'),
  'oci:runsc': async () => createRunscEnvironment(),
  lxc: async () => createLxcEnvironment(),
  docker: async () => createDockerEnvironment(),
  lxd: async () => createLxdEnvironment(),
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
    const why = errorMessage(err);
    return { ok: false, reason: `${id}: ${why}` };
  }
}
