// `bare`: the workload as a plain host process — the baseline every overhead is relative to.
// Started by the same resident launcher as containers, so start latencies compare like for like.
import { accessSync, constants } from 'node:fs';
import type { Environment } from '../environment.js';
import { HostError } from '../../errors.js';
import { NSEXEC_PATH, nsexecPolicy, nsexecSettled } from '../launcher/nsexec-spawn.js';
import { bareCommand, bareLaunchArgs, launchBare } from './instance.js';
import { attachToLab } from '../../net/attach.js';

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
      // Network bridge: its own netns on the lab bridge, the same topology as the others; wired
      // before the measured window, like theirs.
      const wired = opts.options?.network === 'bridge' ? await attachToLab('veth') : undefined;
      await nsexecSettled(); // before the measured window: a pool refill would slow the launch
      if (!wired) return launchBare(opts);
      const ep = wired.endpoint;
      let i;
      try {
        i = launchBare(opts, bareLaunchArgs(opts, ep.netnsPath!));
      } catch (err) {
        await ep.release();
        throw err;
      }
      i.events.facts.labWireMs = wired.wireMs;
      const exited = i.exited.then(async (e) => {
        await ep.release();
        return e;
      });
      return { ...i, labIp: ep.ip, exited };
    },
    async describe(options) {
      return {
        process: 'host process, no isolation',
        launcher: await nsexecPolicy(),
        ...(options?.network === 'bridge' ? { network: 'lab bridge: veth pair, eth0 in its own netns' } : {}),
      };
    },
  };
}
