// `bare`: the workload as a plain host process — the baseline every overhead is relative to.
// Started by the same resident launcher as containers, so start latencies compare like for like.
import { accessSync, constants } from 'node:fs';
import type { Environment } from '../environment.js';
import { HostError } from '../../errors.js';
import { NSEXEC_PATH, nsexecPolicy, nsexecSettled } from '../launcher/nsexec-spawn.js';
import { bareCommand, launchBare } from './instance.js';

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
      await nsexecSettled(); // before the measured window: a pool refill would slow the launch
      return launchBare(opts);
    },
    async describe() {
      return { process: 'host process, no isolation', launcher: await nsexecPolicy() };
    },
  };
}
