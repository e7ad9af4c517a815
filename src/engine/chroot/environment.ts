// `chroot`: the workload rootfs with filesystem isolation only, as in 1982: chroot(2) into the
// same tree, no namespaces, no cgroup limits, no seccomp, full root capabilities. Started by the
// resident launcher as `bare` is, through coreutils' chroot(8) (chroot + chdir("/") + exec), so
// its start latency is bare's plus one exec of chroot(8) and the chroot itself.
import { accessSync, constants } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Environment, LaunchOptions } from '../environment.js';
import { HostError } from '../../errors.js';
import { nsexecPolicy, nsexecSettled } from '../launcher/nsexec-spawn.js';
import { markArgs } from '../../workload/protocol.js';
import { which } from '../../util/which.js';
import { launchBare, launcherEnvArgs } from '../bare/instance.js';

/** The launcher's argv: `chroot ROOTFS argv...` with the workload's environment. */
export function chrootLaunchArgs(chroot: string, opts: Pick<LaunchOptions, 'workload'>): string[] {
  const env = launcherEnvArgs(opts.workload.env);
  return [
    'cwd',
    tmpdir(),
    ...env,
    ...markArgs(),
    '--',
    chroot,
    opts.workload.rootfsDir,
    ...opts.workload.argv,
  ];
}

export function createChrootEnvironment(): Environment {
  const chroot = (): string => {
    const path = which('chroot');
    if (!path) throw new HostError('chroot(8) not found', { hint: 'apt-get install coreutils' });
    return path;
  };
  return {
    id: 'chroot',
    async probe(host) {
      if (!host.root) return { usable: false, reason: 'needs root (chroot(2) needs CAP_SYS_CHROOT)' };
      if (!which('chroot')) return { usable: false, reason: 'chroot(8) not found (coreutils)' };
      return { usable: true, detail: 'chroot(2) only: no namespaces, no cgroup limits' };
    },
    async prepare(workload) {
      const file = workload.rootfsDir + (workload.argv[0] ?? '');
      try {
        accessSync(file, constants.X_OK);
      } catch {
        throw new HostError(`chroot: workload binary ${file} is not executable`, { hint: 'npm run setup' });
      }
    },
    async launch(opts) {
      if (opts.limits && Object.keys(opts.limits).length > 0)
        throw new HostError('chroot: limits are not applied (chroot has no cgroup)', {
          hint: 'remove `limits` from the chroot environment, or use container',
        });
      await nsexecSettled();
      return launchBare(opts, chrootLaunchArgs(chroot(), opts));
    },
    async describe() {
      return { process: 'chroot(2) into the workload rootfs, no namespaces', launcher: await nsexecPolicy() };
    },
  };
}
