// The `oci:runc` and `oci:crun` Environments: the same workload and limits as `container`, run
// by a reference OCI runtime from a generated bundle, for "ours vs industry" rows.
import { existsSync } from 'node:fs';
import { execa } from 'execa';
import type { Availability, Environment, Instance, LaunchOptions, PreparedWorkload } from '../environment.js';
import type { HostFacts } from '../../host/facts.js';
import { detectHostCgroups } from '../../host/cgroup-mode.js';
import { UsageError } from '../../errors.js';
import { which } from '../../util/which.js';
import { selectCgroupDriver } from '../container/cgroup/select.js';
import { containerInstance } from '../container/instance.js';
import { DEFAULT_PATH, makeSpec, type NetworkMode } from '../container/spec.js';
import { launchOci, OCI_CGROUP_PARENT, runtimeCommand, type OciRuntime } from './launch.js';

export function createOciEnvironment(runtime: OciRuntime): Environment {
  const facts = (() => {
    let f: ReturnType<typeof detectHostCgroups> | undefined;
    return () => (f ??= detectHostCgroups());
  })();
  return {
    id: `oci:${runtime}`,
    async probe(host: HostFacts): Promise<Availability> {
      if (!host.root) return { usable: false, reason: 'needs root' };
      if (!which(runtime)) return { usable: false, reason: `${runtime} not installed` };
      const r = host.runtimes[runtime];
      if (runtime === 'runc' && !r.usable)
        return { usable: false, reason: r.reason ?? 'runc does not run here' };
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
      if (!existsSync(workload.rootfsDir))
        throw new UsageError(`workload rootfs '${workload.rootfsDir}' does not exist`);
    },
    async launch(opts: LaunchOptions): Promise<Instance> {
      const f = facts();
      const spec = makeSpec({
        name: opts.instanceName,
        rootfs: opts.workload.rootfsDir,
        args: opts.workload.argv,
        env: { PATH: DEFAULT_PATH, ...opts.workload.env },
        limits: opts.limits ?? {},
        network: (opts.options?.network as NetworkMode | undefined) ?? 'none',
      });
      const driver = selectCgroupDriver(f, { parent: OCI_CGROUP_PARENT });
      return containerInstance(
        launchOci(runtime, spec, { driver, hybrid: f.mode === 'hybrid', timeoutMs: opts.timeoutMs }),
      );
    },
    async describe(): Promise<Record<string, string>> {
      const cmd = runtimeCommand(runtime, ['--version'], false);
      const version = (await execa(cmd.file, cmd.args, { reject: false })).stdout.split('\n')[0] ?? '';
      return { runtime, version, cgroupMode: facts().mode };
    },
  };
}
