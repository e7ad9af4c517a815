// docker: on ctvm's own dockerd the workload's exit code comes back, the container runs the same
// bytes (sha256 inside = the host's), dockerd's create/start events are phases between launch and
// READY, memory has the instance and the shared engine figure; a daemon named with `host` is
// neither stopped nor stripped of an image ctvm did not import; and after close, or after a
// SIGKILL followed by `ctvm gc`, nothing is left: no dockerd/containerd/shim, no state, no cgroup,
// no mount, no network device, none of Docker's host-wide dirs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { createDockerEnvironment } from '../../../src/engine/docker/environment.js';
import { DOCKER_STATE_DIR } from '../../../src/engine/docker/daemon.js';
import { imageRef } from '../../../src/engine/docker/image.js';
import { openSessionDirs } from '../../../src/engine/docker/session.js';
import { DockerApi } from '../../../src/engine/docker/api.js';
import type { Environment, EnvironmentSession, PreparedWorkload } from '../../../src/engine/environment.js';
import { PROJECT_DIR } from '../../../src/paths.js';
import { prepareWorkload } from '../../../src/workload/catalog.js';
import { runScenario } from '../../../src/runner/run.js';
import { readSamples } from '../../../src/results/read.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { requires } from '../../helpers/requires.js';
import { leftovers, nextName } from '../container/helpers.js';

const skip = requires('root', 'docker', 'helper', 'probe', 'busybox');
const CTVM = join(PROJECT_DIR, 'bin/ctvm.js');
const HOST_DIRS = ['/run/docker', '/run/containerd', '/etc/docker'];
const links = (): string[] => readdirSync('/sys/class/net').sort();

/** Processes of Docker's whose command line names ctvm's docker state (never a user's Docker). */
function dockerProcesses(): string[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .flatMap((p) => {
      try {
        const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ');
        return cmd.includes(DOCKER_STATE_DIR) ? [`${p}: ${cmd.slice(0, 160)}`] : [];
      } catch {
        return [];
      }
    });
}

/** Every trace a docker run could leave: cgroups, state, mounts, Docker's host-wide dirs. */
function traces(): string[] {
  const cgroups = readdirSync('/sys/fs/cgroup').flatMap((h) =>
    ['ctvm-docker', 'docker'].map((d) => `/sys/fs/cgroup/${h}/${d}`),
  );
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => l.includes('docker.d') || l.includes('/run/containerd'));
  return [...[DOCKER_STATE_DIR, ...HOST_DIRS, ...cgroups].filter((p) => existsSync(p)), ...mounts];
}

async function run(env: Environment, workload: PreparedWorkload) {
  const inst = await env.launch({ workload, instanceName: nextName('docker'), timeoutMs: 60_000 });
  inst.ready.catch(() => undefined); // sha256sum prints no READY
  return { inst, exit: await inst.exited };
}

test(
  'docker: exit code, same bytes, phases, memory; an external daemon is left as found; nothing left',
  { skip },
  async () => {
    delete process.env.DOCKER_HOST;
    const before = { links: links(), traces: traces() };
    const env = createDockerEnvironment();
    const exit7 = await prepareWorkload('exit:7');
    let session: EnvironmentSession | undefined;
    try {
      session = await env.session!({});
      await env.prepare(exit7);
      assert.equal((await run(env, exit7)).exit.code, 7, 'the workload exit code comes back');

      const sha: PreparedWorkload = { ...exit7, argv: ['/bin/busybox', 'sha256sum', exit7.argv[0]!] };
      const { exit } = await run(env, sha);
      assert.equal(exit.code, 0, exit.outputTail.join('\n'));
      const line = exit.outputTail.find((l) => l.endsWith(exit7.argv[0]!));
      assert.equal(
        line?.split(/\s+/)[0],
        exit7.binarySha256,
        `sha256 inside docker: ${exit.outputTail.join(' | ')}`,
      );

      const idle = await prepareWorkload('idle');
      await env.prepare(idle);
      const inst = await env.launch({ workload: idle, instanceName: nextName('docker'), timeoutMs: 60_000 });
      const ready = await inst.ready;
      const mem = await inst.sampleMemory();
      assert.ok(mem.pssBytes > 1024 * 1024, `instance PSS (workload + shim) ${mem.pssBytes}`);
      assert.ok(
        (mem.enginePssBytes ?? 0) > 10 * 1024 * 1024,
        `dockerd + containerd PSS ${mem.enginePssBytes}`,
      );
      await Promise.all([inst.stop('test'), inst.stop('again')]);
      assert.equal((await inst.exited).stoppedBy, 'test');
      const at = (n: string) => inst.events.phases.find((p) => p.name === n)?.atNs;
      const create = at('dockerd-create');
      const start = at('dockerd-start');
      assert.ok(create !== undefined && start !== undefined, JSON.stringify(inst.events.phases));
      // dockerd's clock is mapped onto ours at ~10 µs (1 ms of slack). Create comes before READY;
      // start is dockerd's note that the task started, which may reach it after READY did.
      const exitAt = at('exit')!;
      assert.ok(
        inst.events.launchNs - 1e6 < create && create < start && create < ready.atNs && start < exitAt + 1e6,
        JSON.stringify(inst.events),
      );

      // The same daemon named as the user's: its image (ctvm did not import it there) and the
      // daemon itself survive that environment's close.
      const sock = join(openSessionDirs()[0]!, 'docker.sock');
      const external = createDockerEnvironment();
      const externalSession = await external.session!({ host: `unix://${sock}` });
      await external.prepare(exit7);
      assert.equal((await run(external, exit7)).exit.code, 7);
      await externalSession.close();
      const api = new DockerApi(sock);
      assert.ok(await api.ping(), 'the named daemon is still running');
      assert.ok(await api.imageExists(imageRef(exit7)), 'an image ctvm did not import there is kept');
    } finally {
      await session?.close();
    }
    assert.deepEqual(dockerProcesses(), [], 'no dockerd, containerd or shim of ctvm left');
    assert.deepEqual(traces(), before.traces, 'no docker state, cgroup, mount or host dir left');
    assert.deepEqual(links(), before.links, 'no network device created or left');
    assert.deepEqual(leftovers(), { cgroupDirs: [], stateDirs: [], mounts: [], processes: [] });
  },
);

test('docker: a SIGKILLed ctvm leaves its dockerd; `ctvm gc` removes all of it', { skip }, async () => {
  const before = traces();
  const name = nextName('docker-kill');
  const child = execa(
    'node',
    ['--import', 'tsx', join(import.meta.dirname, 'fixtures/docker-hold.ts'), name],
    {
      reject: false,
      env: { ...process.env, DOCKER_HOST: '' },
    },
  );
  let out = '';
  const dir = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /HOLDING (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    void child.then(() => reject(new Error(`holder exited first: ${out} ${child.stderr}`)));
  });
  assert.ok(dockerProcesses().length >= 3, `dockerd, containerd, shim: ${dockerProcesses().join('\n')}`);
  child.kill('SIGKILL');
  await child;
  assert.ok(existsSync(dir), 'the dead run left its daemon dir for gc');
  const gc = await execa('node', [CTVM, 'gc'], { reject: false });
  assert.equal(gc.exitCode, 0, gc.stderr);
  assert.match(gc.stdout, /gc: docker: removed 1 daemon dir/);
  assert.deepEqual(dockerProcesses(), [], 'gc stopped dockerd, containerd and the shim');
  assert.deepEqual(traces(), before, 'gc left no docker state, cgroup, mount or host dir');
  assert.deepEqual(leftovers(), { cgroupDirs: [], stateDirs: [], mounts: [], processes: [] });
});

test(
  'docker in a run: one dockerd for the run, start phases and the engine figure recorded, gone after',
  { skip },
  async () => {
    const before = traces();
    const dir = mkdtempSync(join(tmpdir(), 'ctvm-docker-run-'));
    try {
      const file = join(dir, 'd.yaml');
      writeFileSync(
        file,
        'name: d\nenvironments: [docker]\nworkloads: [noop, idle]\nrepetitions: 1\nwarmup: 0\nsettle: 200ms\nidleWindow: 500ms\n',
      );
      const out = await runScenario({ scenario: file, outDir: dir, seed: 1, progress: 'quiet' });
      assert.equal(out.status, 'complete', JSON.stringify(out));
      const samples = readSamples(out.dir);
      assert.ok(
        samples.every((r) => r.ok),
        JSON.stringify(samples.map((r) => r.error)),
      );
      const start = samples.find((r) => r.kind === 'start')!;
      assert.ok(
        start.metrics.startNs! > 0 && start.phases?.['dockerd-create'] !== undefined,
        JSON.stringify(start),
      );
      const idle = samples.find((r) => r.kind === 'idle')!;
      assert.ok(idle.metrics.enginePssBytes! > 10 * 1024 * 1024, JSON.stringify(idle.metrics));
      assert.ok(
        idle.metrics.enginePssBytes! > idle.metrics.pssBytes!,
        'the daemons weigh more than one instance',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.deepEqual(dockerProcesses(), [], 'the run stopped its dockerd');
    assert.deepEqual(traces(), before);
  },
);
