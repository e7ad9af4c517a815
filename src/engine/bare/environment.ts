// `bare`: the workload as a plain host process — the baseline every overhead is relative to.
// Started by the same resident launcher as containers, so start latencies compare like for like.
import { accessSync, constants } from 'node:fs';
import type { Environment, Instance } from '../environment.js';
import { HostError } from '../../errors.js';
import { NSEXEC_PATH, nsexecPolicy, nsexecSettled } from '../launcher/nsexec-spawn.js';
import { bareCommand, bareLaunchArgs, launchBare } from './instance.js';
import { attachHostIo } from '../host-io.js';
import { SCRATCH_PATH_HOST, scratchArgv } from '../../disk/scratch-spec.js';

export function createBareEnvironment(): Environment {
  return {
    id: 'bare',
    // doctor's verdict (host/doctor.ts) is checked by the runner before probe(); a bare process
    // needs nothing more (prepare() checks the workload and launcher binaries).
    async probe() {
      return { usable: true };
    },
    async prepare(workload) {
      const { file } = bareCommand({ workload });
      try {
        accessSync(file, constants.X_OK);
      } catch {
        throw new HostError(`bare: workload binary ${file} is not executable`, { hint: 'npm run setup' });
      }
      try {
        accessSync(NSEXEC_PATH, constants.X_OK); // the launcher bare shares with containers
      } catch {
        throw new HostError(`bare: ${NSEXEC_PATH} is not built`, { hint: 'npm run setup' });
      }
    },
    async launch(opts) {
      // Network bridge: its own netns on the lab bridge, the same topology as the others; the
      // scratch disk on a loop mount. Both before the measured window, like the others'.
      const io = await attachHostIo(opts.options);
      await nsexecSettled(); // before the measured window: a pool refill would slow the launch
      if (!io.net && !io.scratch) return launchBare(opts);
      let i: Instance;
      try {
        const workload = io.scratch
          ? { ...opts.workload, argv: scratchArgv(opts.workload.argv, io.scratch.dir) }
          : opts.workload;
        i = launchBare({ ...opts, workload }, bareLaunchArgs({ workload }, io.net?.netnsPath));
      } catch (err) {
        await io.release();
        throw err;
      }
      Object.assign(i.events.facts, io.facts);
      const exited = i.exited.then(async (e) => {
        await io.release();
        return e;
      });
      const inner = i;
      return {
        ...inner,
        ...(io.net ? { labIp: io.net.ip } : {}),
        exited,
        stop: async (reason?: string) => {
          await inner.stop(reason);
          await exited; // the netns and the scratch disk are gone when stop() returns
        },
      };
    },
    async describe(options) {
      return {
        process: 'host process, no isolation',
        launcher: await nsexecPolicy(),
        ...(options?.network === 'bridge' ? { network: 'lab bridge: veth pair, eth0 in its own netns' } : {}),
        ...(options?.scratch !== undefined || options?.scratchImage !== undefined
          ? { scratch: SCRATCH_PATH_HOST }
          : {}),
      };
    },
  };
}
