// The workload rootfs as a Docker image: `tar` of the same tree piped into `docker import`, tagged
// with the rootfs's content hash (sha256 over its files, as ctvm's rootfs cache names it), so the
// image holds the same bytes as every other environment's rootfs. Reused when the tag is present.
import { execa } from 'execa';
import { HostError } from '../../errors.js';
import type { PreparedWorkload } from '../environment.js';
import type { DockerSession } from './session.js';
import { dockerClient } from './target.js';

export const IMAGE_REPO = 'ctvm-rootfs';

export function imageRef(workload: Pick<PreparedWorkload, 'rootfsHash'>): string {
  return `${IMAGE_REPO}:${workload.rootfsHash}`;
}

/** The environment the client runs with: its config in the session's dir, never ~/.docker. */
export function clientEnv(s: Pick<DockerSession, 'dir'>): Record<string, string> {
  return { DOCKER_CONFIG: s.dir, PATH: '/usr/bin:/bin' };
}

/** Imports the workload's rootfs unless the daemon has it; returns its reference. */
export async function ensureImage(
  s: DockerSession,
  workload: Pick<PreparedWorkload, 'rootfsDir' | 'rootfsHash'>,
): Promise<string> {
  const ref = imageRef(workload);
  if (await s.api.imageExists(ref)) return ref;
  const client = dockerClient();
  if (!client) throw new HostError('docker client not installed', { hint: 'apt-get install docker.io' });
  // --numeric-owner: ids as they are on disk, no name lookup on either side.
  const r = await execa('tar', ['--numeric-owner', '-C', workload.rootfsDir, '-cf', '-', '.'], {
    reject: false,
  }).pipe(client, ['--host', s.host, 'import', '-', ref], {
    reject: false,
    env: clientEnv(s),
    extendEnv: false,
  });
  if (r.exitCode !== 0)
    throw new HostError(
      `docker import of ${workload.rootfsDir} as ${ref} failed: ${(r.stderr || r.stdout).trim().slice(0, 400)}`,
    );
  s.imported(ref);
  return ref;
}
