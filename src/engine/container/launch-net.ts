// launchContainer() with its I/O: for network `bridge`, a netns wired to the lab bridge first
// (src/net/), joined by the helper (`netns PATH`); for a scratch disk (`scratch`/`scratchImage`
// in ioOptions), the image loop-mounted on the host and bound to /scratch. Both are made before
// launchNs (start latency is the container's own; their durations are facts) and removed after
// the container is gone.
import { GUEST_SCRATCH, scratchArgv, scratchRequest } from '../../disk/scratch-spec.js';
import { attachHostIo } from '../host-io.js';
import { launchContainer, type Container, type LaunchContainerOptions } from './launch.js';
import { validateSpec, type ContainerSpec } from './spec.js';

export interface NetContainer extends Container {
  /** Network bridge: the container's address on the lab bridge. */
  readonly labIp?: string;
}

export async function launchContainerOnNetwork(
  spec: ContainerSpec,
  opts: LaunchContainerOptions,
  ioOptions: Record<string, unknown> = {},
): Promise<NetContainer> {
  if (spec.network !== 'bridge' && !scratchRequest(ioOptions)) return launchContainer(spec, opts);
  validateSpec(spec); // bad input costs nothing: no netns or image is made for it
  const io = await attachHostIo({ ...ioOptions, network: spec.network });
  let c: Container;
  try {
    c = launchContainer(
      {
        ...spec,
        ...(io.net ? { netnsPath: io.net.netnsPath } : {}),
        ...(io.scratch
          ? {
              args: scratchArgv(spec.args, GUEST_SCRATCH),
              mounts: [...spec.mounts, { source: io.scratch.dir, destination: GUEST_SCRATCH }],
            }
          : {}),
      },
      opts,
    );
  } catch (err) {
    await io.release();
    throw err;
  }
  Object.assign(c.events.facts, io.facts);
  const exited = c.exited.then(async (e) => {
    await io.release();
    return e;
  });
  return {
    ...c,
    ...(io.net ? { labIp: io.net.ip } : {}),
    exited,
    stop: async (reason?: string) => {
      await c.stop(reason);
      await exited;
    },
  };
}
