// `docker` (Debian's docker.io): the workload rootfs imported as an image and run with
// `docker run --rm --network none` on ctvm's own dockerd (started by session(), stopped by its close())
// or on a daemon the user names (scenario option `host`, or DOCKER_HOST), which ctvm leaves as it
// found it. See daemon.ts (the daemon), image.ts (the image), launch.ts (an instance).
import { execa } from 'execa';
import type { Environment, Instance, LaunchOptions, PreparedWorkload } from '../environment.js';
import { CtvmError, HostError } from '../../errors.js';
import { detectHostCgroups } from '../../host/cgroup-mode.js';
import { nsexecPolicy, nsexecSettled } from '../launcher/nsexec-spawn.js';
import { selectCgroupDriver } from '../container/cgroup/select.js';
import type { CgroupDriver } from '../container/cgroup/types.js';
import { checkWorkloadRootfs } from '../container/spec.js';
import { ensureImage, imageRef } from './image.js';
import { launchDocker } from './launch.js';
import { closeSession, openSession, type DockerSession } from './session.js';
import { dockerClient, dockerdPath, requestedSocket } from './target.js';

export function createDockerEnvironment(): Environment {
  let session: DockerSession | undefined;
  let driver: CgroupDriver | undefined;
  const need = (): DockerSession => {
    if (!session)
      throw new CtvmError('docker: used before its session was opened (the runner opens it first)');
    return session;
  };
  return {
    id: 'docker',
    async probe(host) {
      if (!host.root) return { usable: false, reason: 'needs root' };
      if (!dockerClient())
        return { usable: false, reason: 'docker client not installed (apt-get install docker.io)' };
      if (requestedSocket() === undefined && !dockerdPath())
        return { usable: false, reason: 'dockerd not installed (apt-get install docker.io)' };
      return { usable: true, detail: 'docker run --rm --network none' };
    },
    async session(options) {
      if (session) throw new CtvmError('docker: a session is already open for this environment');
      const opened = await openSession(requestedSocket(options));
      session = opened;
      return {
        close: async () => {
          if (session === opened) session = undefined;
          await closeSession(opened);
        },
      };
    },
    async prepare(workload: PreparedWorkload) {
      checkWorkloadRootfs(workload);
      await ensureImage(need(), workload);
    },
    async launch(opts: LaunchOptions): Promise<Instance> {
      const s = need();
      await nsexecSettled();
      driver ??= selectCgroupDriver(detectHostCgroups(), { parent: s.cgroupParent });
      return launchDocker(s, imageRef(opts.workload), opts, driver);
    },
    async describe() {
      const client = dockerClient();
      if (!client) throw new HostError('docker client not installed');
      const v = await execa(client, ['--version'], { reject: false, env: { DOCKER_CONFIG: '/nonexistent' } });
      return {
        runtime: 'docker',
        client: `${client} (${v.stdout.trim()})`,
        ...(session?.facts ?? {}),
        launcher: await nsexecPolicy(),
      };
    },
  };
}
