// The `oci:runc` and `oci:crun` Environments: the same workload and limits as `container`, run
// by a reference OCI runtime from a generated bundle, for "ours vs industry" rows.
import { nsexecPolicy, nsexecSettled } from '../launcher/nsexec-spawn.js';
import { execa } from 'execa';
import type { Availability, Environment, Instance, LaunchOptions, PreparedWorkload } from '../environment.js';
import type { HostFacts } from '../../host/facts.js';
import { detectHostCgroups } from '../../host/cgroup-mode.js';
import { which } from '../../util/which.js';
import { selectCgroupDriver } from '../container/cgroup/select.js';
import { containerInstance } from '../container/instance.js';
import { checkWorkloadRootfs, specFromLaunch } from '../container/spec.js';
import type { CgroupDriver } from '../container/cgroup/types.js';
import { launchOci, OCI_CGROUP_PARENT, runtimeCommand, type OciRuntime } from './launch.js';

export function createOciEnvironment(runtime: Exclude<OciRuntime, 'runsc'>): Environment {
  const facts = (() => {
    let f: ReturnType<typeof detectHostCgroups> | undefined;
    return () => (f ??= detectHostCgroups());
  })();
  let driver: CgroupDriver | undefined;
  return {
    id: `oci:${runtime}`,
    // Root and "the runtime runs a container here" are doctor's verdict (host/doctor.ts), checked
    // by the runner before probe(); doctor's report is cached per boot, so the PATH is looked at now.
    async probe(host: HostFacts): Promise<Availability> {
      if (!which(runtime)) return { usable: false, reason: `${runtime} not installed` };
      const hybrid = host.cgroup.mode === 'hybrid';
      return {
        usable: true,
        detail:
          runtime === 'crun' && hybrid
            ? 'crun with cgroup2 hidden (src/host/crun-workaround.ts)'
            : `${runtime} as shipped`,
      };
    },
    async prepare(workload: PreparedWorkload): Promise<void> {
      checkWorkloadRootfs(workload);
    },
    async launch(opts: LaunchOptions): Promise<Instance> {
      await nsexecSettled(); // before the measured window, as for bare and container
      const f = facts();
      driver ??= selectCgroupDriver(f, { parent: OCI_CGROUP_PARENT });
      return containerInstance(
        launchOci(runtime, specFromLaunch(opts), {
          driver,
          hybrid: f.mode === 'hybrid',
          timeoutMs: opts.timeoutMs,
        }),
      );
    },
    async describe(): Promise<Record<string, string>> {
      const cmd = runtimeCommand(runtime, ['--version'], false);
      const version = (await execa(cmd.file, cmd.args, { reject: false })).stdout.split('\n')[0] ?? '';
      return { runtime, version, cgroupMode: facts().mode, launcher: await nsexecPolicy() };
    },
  };
}
