// doctor's docker line: can ctvm start its own dockerd here, import a rootfs and `docker run` it
// with the flags the environment uses? Says why not (the apt hint, or dockerd's log tail), and
// leaves nothing behind (the session's close removes the daemon and all its state).
import { execa } from 'execa';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RuntimeFacts } from '../../host/facts.js';
import { errorMessage } from '../../errors.js';
import { clientEnv, ensureImage } from './image.js';
import { closeSession, openSession, type DockerSession } from './session.js';
import { dockerClient, dockerdPath } from './target.js';
import { RUN_FLAGS } from './launch.js';

export async function checkDocker(): Promise<RuntimeFacts> {
  const client = dockerClient();
  const dockerd = dockerdPath();
  if (!client || !dockerd)
    return { present: false, usable: false, reason: 'docker.io not installed (apt-get install docker.io)' };
  const version = (await execa(dockerd, ['--version'], { reject: false })).stdout.trim();
  const base = { present: true, path: dockerd, version };
  if (process.getuid?.() !== 0) return { ...base, usable: false, reason: 'needs root' };
  const rootfs = mkdtempSync(join(tmpdir(), 'ctvm-docker-check-'));
  let session: DockerSession | undefined;
  try {
    mkdirSync(join(rootfs, 'bin'));
    copyFileSync('/bin/busybox', join(rootfs, 'bin/busybox'));
    session = await openSession(undefined);
    const image = await ensureImage(session, { rootfsDir: rootfs, rootfsHash: 'doctor' });
    const r = await execa(client, ['--host', session.host, ...RUN_FLAGS, image, '/bin/busybox', 'true'], {
      reject: false,
      timeout: 60_000,
      stdin: 'ignore',
      env: clientEnv(session),
      extendEnv: false,
    });
    if (r.exitCode === 0) return { ...base, usable: true, workaround: `ctvm's own dockerd (${client})` };
    const why = (r.stderr || r.stdout).trim().split('\n').pop() ?? `exit ${r.exitCode}`;
    return { ...base, usable: false, reason: `docker run: ${why.slice(0, 300)}` };
  } catch (err) {
    return { ...base, usable: false, reason: errorMessage(err).slice(0, 600) };
  } finally {
    if (session) await closeSession(session);
    rmSync(rootfs, { recursive: true, force: true });
  }
}
