// launchContainer() with its network: for mode `bridge`, a netns wired to the lab bridge first
// (src/net/), joined by the helper (`netns PATH`), removed after the container is gone. The
// wiring happens before launchNs: start latency is the container's own, the wiring a fact.
import { attachToLab } from '../../net/attach.js';
import { launchContainer, type Container, type LaunchContainerOptions } from './launch.js';
import { validateSpec, type ContainerSpec } from './spec.js';

export interface NetContainer extends Container {
  /** Network bridge: the container's address on the lab bridge. */
  readonly labIp?: string;
}

export async function launchContainerOnNetwork(
  spec: ContainerSpec,
  opts: LaunchContainerOptions,
): Promise<NetContainer> {
  if (spec.network !== 'bridge') return launchContainer(spec, opts);
  validateSpec(spec); // bad input costs nothing: no netns is made for it
  const { endpoint, wireMs } = await attachToLab('veth');
  let c: Container;
  try {
    c = launchContainer({ ...spec, netnsPath: endpoint.netnsPath! }, opts);
  } catch (err) {
    await endpoint.release();
    throw err;
  }
  c.events.facts.labWireMs = wireMs;
  const exited = c.exited.then(async (e) => {
    await endpoint.release();
    return e;
  });
  return {
    ...c,
    labIp: endpoint.ip,
    exited,
    stop: async (reason?: string) => {
      await c.stop(reason);
      await exited;
    },
  };
}
