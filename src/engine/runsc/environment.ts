// `oci:runsc`: the same bundle as oci:runc/crun under gVisor, whose user-space kernel (the
// sentry, with a gofer serving the rootfs) sits between a container and a VM. The platform is
// ptrace here (no KVM) and kvm where KVM is usable; it is recorded with the results.
import { execa } from 'execa';
import { nsexecPolicy, nsexecSettled } from '../launcher/nsexec-spawn.js';
import type { Availability, Environment, Instance, LaunchOptions, PreparedWorkload } from '../environment.js';
import type { HostFacts } from '../../host/facts.js';
import { detectHostCgroups } from '../../host/cgroup-mode.js';
import { which } from '../../util/which.js';
import { selectCgroupDriver } from '../container/cgroup/select.js';
import { containerInstance } from '../container/instance.js';
import { checkWorkloadRootfs, specFromLaunch } from '../container/spec.js';
import type { CgroupDriver } from '../container/cgroup/types.js';
import { launchOci, OCI_CGROUP_PARENT } from '../oci/launch.js';
import { runscCommand, runscPlatform, type RunscPlatform } from './invocation.js';
import { runscPssByRole } from './memory-parts.js';
import { layoutFor } from '../container/state-dir.js';

export function createRunscEnvironment(): Environment {
  let platform: RunscPlatform = 'ptrace';
  let driver: CgroupDriver | undefined;
  const cgroups = (() => {
    let f: ReturnType<typeof detectHostCgroups> | undefined;
    return () => (f ??= detectHostCgroups());
  })();
  return {
    id: 'oci:runsc',
    async probe(host: HostFacts): Promise<Availability> {
      if (!host.root) return { usable: false, reason: 'needs root' };
      if (!which('runsc')) return { usable: false, reason: 'runsc not installed (apt-get install runsc)' };
      platform = runscPlatform(host.kvm.usable);
      return { usable: true, detail: `gVisor, platform ${platform}` };
    },
    async prepare(workload: PreparedWorkload): Promise<void> {
      checkWorkloadRootfs(workload);
    },
    async launch(opts: LaunchOptions): Promise<Instance> {
      await nsexecSettled();
      const f = cgroups();
      driver ??= selectCgroupDriver(f, { parent: OCI_CGROUP_PARENT });
      const inst = containerInstance(
        launchOci('runsc', specFromLaunch(opts), {
          driver,
          hybrid: f.mode === 'hybrid',
          timeoutMs: opts.timeoutMs,
          platform,
        }),
      );
      const bundle = layoutFor(opts.instanceName).stateDir;
      return {
        ...inst,
        // pssBytes stays the cgroup's (sentry + gofer + ptrace stubs), like runc's and crun's;
        // the parts say how much of it is gVisor's kernel, and what `runsc run` adds outside it.
        sampleMemory: async () => {
          const [m, roles] = await Promise.all([inst.sampleMemory(), runscPssByRole(bundle)]);
          return {
            ...m,
            parts: {
              sentryPssBytes: roles.sentry + roles.gofer,
              goferPssBytes: roles.gofer,
              runtimeParentPssBytes: roles.parent,
            },
          };
        },
      };
    },
    async describe(): Promise<Record<string, string>> {
      const cmd = runscCommand(['--version'], platform, '/nonexistent');
      const version = (await execa(cmd.file, cmd.args, { reject: false })).stdout.split('\n')[0] ?? '';
      return {
        runtime: 'runsc',
        version,
        platform,
        cgroupMode: cgroups().mode,
        launcher: await nsexecPolicy(),
      };
    },
  };
}
