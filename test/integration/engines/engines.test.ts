// chroot, oci:runsc and lxc: the workload's exit code comes back, the environment sees the same
// workload bytes (sha256 computed inside it equals the host's), and start + stop leave nothing:
// no process, cgroup, state dir, mount, network device or LXC/runsc trace outside ctvm's state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createChrootEnvironment } from '../../../src/engine/chroot/environment.js';
import { createRunscEnvironment } from '../../../src/engine/runsc/environment.js';
import { createLxcEnvironment } from '../../../src/engine/lxc/environment.js';
import type { Environment, PreparedWorkload } from '../../../src/engine/environment.js';
import { prepareWorkload } from '../../../src/workload/catalog.js';
import { requires } from '../../helpers/requires.js';
import { leftovers, lxcContainerCgroups, nextName, PREFIX } from '../container/helpers.js';

const none = { cgroupDirs: [], stateDirs: [], mounts: [], processes: [] };
const links = (): string[] => readdirSync('/sys/class/net').sort();
/** Processes whose command line names one of this test's instances (runsc, lxc-execute, ...). */
const namedProcesses = (): string[] =>
  readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .flatMap((p) => {
      try {
        const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ');
        return cmd.includes(PREFIX) ? [`${p}: ${cmd}`] : [];
      } catch {
        return [];
      }
    });
const lxcTraces = (): string[] =>
  [
    '/run/lxc',
    '/run/ctvm/lxc.d',
    ...readdirSync('/sys/fs/cgroup').map((h) => `/sys/fs/cgroup/${h}/lxc.pivot`),
    ...lxcContainerCgroups(),
  ].filter((p) => existsSync(p));

const cases: Array<[string, () => Environment, string | false]> = [
  ['chroot', createChrootEnvironment, requires('root', 'helper', 'probe', 'busybox')],
  ['oci:runsc', createRunscEnvironment, requires('root', 'runsc', 'probe', 'busybox', 'cgroupV1')],
  ['lxc', createLxcEnvironment, requires('root', 'lxc', 'helper', 'probe', 'busybox')],
];

async function runOnce(env: Environment, workload: PreparedWorkload, tag: string) {
  const inst = await env.launch({ workload, instanceName: nextName(tag), timeoutMs: 60_000 });
  inst.ready.catch(() => undefined); // sha256sum prints no READY
  return { inst, exit: await inst.exited };
}

for (const [id, make, skip] of cases) {
  test(`${id}: exit code, same workload bytes inside, nothing left behind`, { skip }, async () => {
    const linksBefore = links();
    const tracesBefore = lxcTraces();
    const env = make();
    const exit7 = await prepareWorkload('exit:7');
    await env.prepare(exit7);
    const tag = id.replace(':', '-');
    assert.equal((await runOnce(env, exit7, tag)).exit.code, 7, 'the workload exit code comes back');

    const sha: PreparedWorkload = { ...exit7, argv: ['/bin/busybox', 'sha256sum', exit7.argv[0]!] };
    const { exit } = await runOnce(env, sha, tag);
    assert.equal(exit.code, 0, exit.outputTail.join('\n'));
    const line = exit.outputTail.find((l) => l.endsWith(exit7.argv[0]!));
    assert.equal(
      line?.split(/\s+/)[0],
      exit7.binarySha256,
      `sha256 inside ${id}: ${exit.outputTail.join(' | ')}`,
    );

    const idle = await prepareWorkload('idle');
    const { inst } = {
      inst: await env.launch({ workload: idle, instanceName: nextName(tag), timeoutMs: 60_000 }),
    };
    await inst.ready;
    const mem = await inst.sampleMemory();
    assert.ok(mem.pssBytes > 0, `pss ${mem.pssBytes}`);
    if (id === 'oci:runsc') {
      // gVisor's parts: the sentry + gofer are inside the instance's PSS, `runsc run` outside it.
      const p = mem.parts ?? {};
      assert.ok(p.goferPssBytes! > 0 && p.sentryPssBytes! > p.goferPssBytes!, JSON.stringify(p));
      assert.ok(p.sentryPssBytes! <= mem.pssBytes, `sentry+gofer ${p.sentryPssBytes} <= pss ${mem.pssBytes}`);
      assert.ok(p.runtimeParentPssBytes! > 0, JSON.stringify(p));
    }
    await Promise.all([inst.stop('test'), inst.stop('again')]);
    assert.equal((await inst.exited).stoppedBy, 'test');

    assert.deepEqual(leftovers(), none);
    assert.deepEqual(namedProcesses(), []);
    assert.deepEqual(links(), linksBefore, 'no network device created or left');
    assert.deepEqual(
      lxcTraces(),
      tracesBefore,
      'no LXC lock dir, lxcpath, lxc.pivot, lxc.monitor or lxc.payload cgroup left',
    );
  });
}
