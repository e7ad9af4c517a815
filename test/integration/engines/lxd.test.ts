// lxd: ctvm's own LXD daemon per session. The workload's exit code comes back, it runs the same
// bytes (sha256 inside = the host's), memory has the instance and the daemon apart; closing the
// session leaves nothing (no lxd / [lxc monitor] / forkexec process, mount, cgroup, network device,
// lock dir or state outside ctvm's dirs); after a SIGKILLed owner, `ctvm gc` leaves nothing either.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createLxdEnvironment } from '../../../src/engine/lxd/environment.js';
import { LXD_STATE_ROOT } from '../../../src/engine/lxd/daemon.js';
import type { Environment, PreparedWorkload } from '../../../src/engine/environment.js';
import { prepareWorkload } from '../../../src/workload/catalog.js';
import { PROJECT_DIR } from '../../../src/paths.js';
import { requires } from '../../helpers/requires.js';
import { lxcContainerCgroups, nextName, PREFIX } from '../container/helpers.js';

const skip = requires('root', 'lxd', 'helper', 'probe', 'busybox');

const links = (): string[] => readdirSync('/sys/class/net').sort();

/** Everything on the host that names a daemon dir of `owner` (dirs are `<tag>-<owner pid>-<n>`)
 * or this test's instances: processes, mounts, cgroups, the dir, liblxc's lock dir. */
function lxdLeftovers(owner: number): {
  procs: string[];
  mounts: string[];
  cgroups: string[];
  state: string[];
} {
  const mine = (s: string) => new RegExp(`${LXD_STATE_ROOT}/[a-z]+-${owner}-`).test(s);
  const procs = readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)
    .flatMap((p) => {
      try {
        const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ');
        return mine(cmd) || cmd.includes(PREFIX) ? [`${p}: ${cmd}`] : [];
      } catch {
        return [];
      }
    });
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter(mine);
  const cgroups = lxcContainerCgroups();
  const state = [LXD_STATE_ROOT, `/run/lxc/lock${LXD_STATE_ROOT}`]
    .flatMap((d) => (existsSync(d) ? readdirSync(d).map((n) => `${d}/${n}`) : []))
    .filter(mine);
  return { procs, mounts, cgroups, state };
}
const NONE = { procs: [], mounts: [], cgroups: [], state: [] };

async function runOnce(env: Environment, workload: PreparedWorkload) {
  const inst = await env.launch({ workload, instanceName: nextName('lxd'), timeoutMs: 60_000 });
  inst.ready.catch(() => undefined); // sha256sum prints no READY
  return { inst, exit: await inst.exited };
}

test('lxd: exit code, same workload bytes inside, engine figure apart, nothing left', { skip }, async () => {
  const linksBefore = links();
  const env = createLxdEnvironment();
  const session = await env.session!();
  try {
    const exit7 = await prepareWorkload('exit:7');
    await env.prepare(exit7);
    const seven = await runOnce(env, exit7);
    assert.equal(
      seven.exit.code,
      7,
      `the workload exit code comes back: ${seven.exit.outputTail.join(' | ')}`,
    );
    const phases = seven.inst.events.phases.map((p) => p.name);
    assert.ok(phases.includes('running') && phases.includes('deleted'), phases.join(' '));

    const sha: PreparedWorkload = { ...exit7, argv: ['/bin/busybox', 'sha256sum', exit7.argv[0]!] };
    const { exit } = await runOnce(env, sha);
    assert.equal(exit.code, 0, exit.outputTail.join('\n'));
    const line = exit.outputTail.find((l) => l.endsWith(exit7.argv[0]!));
    assert.equal(
      line?.split(/\s+/)[0],
      exit7.binarySha256,
      `sha256 inside lxd: ${exit.outputTail.join(' | ')}`,
    );

    const facts = await env.describe!();
    assert.match(
      facts[`image ctvm-${exit7.rootfsHash}`] ?? '',
      /^sha256:[0-9a-f]{64}$/,
      JSON.stringify(facts),
    );

    const idle = await prepareWorkload('idle');
    const inst = await env.launch({ workload: idle, instanceName: nextName('lxd'), timeoutMs: 60_000 });
    const ready = await inst.ready;
    assert.ok(ready.atNs > inst.events.launchNs);
    const mem = await inst.sampleMemory();
    assert.ok(mem.pssBytes > 0, `instance pss ${mem.pssBytes}`);
    assert.ok((mem.enginePssBytes ?? 0) > 10 * 1048576, `daemon pss ${mem.enginePssBytes}`);
    assert.ok(mem.pssBytes < mem.enginePssBytes!, 'the daemon is not counted in the instance');
    const cpu = await inst.sampleCpu();
    assert.ok(cpu.cpuNs > 0, `cpu ${cpu.cpuNs}`);
    await Promise.all([inst.stop('test'), inst.stop('again')]);
    assert.equal((await inst.exited).stoppedBy, 'test');
  } finally {
    await session.close();
  }
  assert.deepEqual(lxdLeftovers(process.pid), NONE);
  assert.deepEqual(links(), linksBefore, 'no network device created or left');
});

test(
  'lxd: after its owner is SIGKILLed, `ctvm gc` stops the daemon and removes everything',
  { skip },
  async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(PROJECT_DIR, 'test/integration/engines/fixtures/lxd-hold.ts'),
        `${PREFIX}held`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const dir = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (b: Buffer) => {
        const m = /RUNNING (\S+)/.exec(b.toString());
        if (m) resolve(m[1]!);
      });
      child.on('exit', (code) => reject(new Error(`fixture exited early (${code})`)));
    });
    assert.ok(dir.startsWith(LXD_STATE_ROOT), dir);
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    const left = lxdLeftovers(child.pid!);
    assert.ok(
      left.state.length > 0 && left.cgroups.length > 0,
      `the crash left state for gc: ${JSON.stringify(left)}`,
    );
    const out = execFileSync(process.execPath, [join(PROJECT_DIR, 'bin/ctvm.js'), 'gc'], {
      encoding: 'utf8',
    });
    assert.match(out, new RegExp(`gc: lxd: stopped and removed .*-${child.pid}-`));
    assert.deepEqual(lxdLeftovers(child.pid!), NONE);
  },
);
