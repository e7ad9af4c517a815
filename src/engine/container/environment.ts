// The `container` Environment: our own engine (namespaces + cgroups + overlay + pivot_root) running
// a PreparedWorkload. The runner imports createContainerEnvironment().
import { existsSync } from 'node:fs';
import type { Availability, Environment, Instance, LaunchOptions, PreparedWorkload } from '../environment.js';
import type { HostFacts } from '../../host/facts.js';
import { detectHostCgroups } from '../../host/cgroup-mode.js';
import { selectCgroupDriver } from './cgroup/select.js';
import type { CgroupDriver } from './cgroup/types.js';
import { containerInstance } from './instance.js';
import { launchContainerOnNetwork } from './launch-net.js';
import { NSEXEC_PATH, nsexecPolicy, nsexecSettled } from '../launcher/nsexec-spawn.js';
import { checkWorkloadRootfs, specFromLaunch } from './spec.js';
import { GUEST_SCRATCH, SCRATCH_PATH_HOST } from '../../disk/scratch-spec.js';

export function createContainerEnvironment(): Environment {
  let driver: CgroupDriver | undefined;
  const getDriver = (): CgroupDriver => (driver ??= selectCgroupDriver(detectHostCgroups()));
  return {
    id: 'container',
    // Root, the cgroup hierarchy and busybox are doctor's verdict (host/doctor.ts), checked by the
    // runner before probe(); this adds what only the engine knows: its launcher is built.
    async probe(host: HostFacts): Promise<Availability> {
      if (!existsSync(NSEXEC_PATH))
        return { usable: false, reason: `${NSEXEC_PATH} not built (npm run setup)` };
      driver = selectCgroupDriver(host.cgroup);
      return { usable: true, detail: `cgroup ${host.cgroup.driver} (${host.cgroup.mode} host)` };
    },
    async prepare(workload: PreparedWorkload): Promise<void> {
      checkWorkloadRootfs(workload);
    },
    async launch(opts: LaunchOptions): Promise<Instance> {
      await nsexecSettled(); // before the measured window: a pool refill would slow the launch
      // The spec is validated (network mode, rootfs, command) before anything starts.
      const c = await launchContainerOnNetwork(
        specFromLaunch(opts),
        { driver: getDriver(), timeoutMs: opts.timeoutMs },
        opts.options,
      );
      return containerInstance(c);
    },
    async describe(options?: Record<string, unknown>): Promise<Record<string, string>> {
      const bridge = options?.network === 'bridge';
      return {
        cgroupDriver: getDriver().version,
        namespaces: bridge ? 'pid,mnt,uts,ipc,cgroup + the lab-wired netns' : 'pid,mnt,uts,ipc,net,cgroup',
        ...(bridge ? { network: 'lab bridge: veth pair, eth0 in its own netns' } : {}),
        rootfs: 'overlay',
        ...(options?.scratch !== undefined || options?.scratchImage !== undefined
          ? { scratch: `${SCRATCH_PATH_HOST}, bound to ${GUEST_SCRATCH}` }
          : {}),
        launcher: await nsexecPolicy(),
      };
    },
  };
}
