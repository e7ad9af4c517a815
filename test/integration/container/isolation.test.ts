// Isolation as seen from inside: pids, hostname, mounts, network, /proc/sys, /dev, capabilities.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requires } from '../../helpers/requires.js';
import { leftovers, run } from './helpers.js';

const skip = requires('root', 'helper', 'probe', 'busybox', 'cgroupV1');

const SCRIPT = [
  'echo "== ps"; ps -o pid,args',
  'echo "== hostname"; hostname',
  'echo "== mounts"; cat /proc/mounts',
  'echo "== links"; ip -o link',
  'echo "== sysctl"; (echo x > /proc/sys/kernel/hostname) 2>&1 && echo WRITE-OK || echo WRITE-FAILED',
  'echo "== dev"; ls -l /dev',
  'echo "== status"; grep -E "^(CapEff|CapBnd|NoNewPrivs):" /proc/self/status',
  'echo "== sysrq"; (echo h > /proc/sysrq-trigger) 2>&1 && echo WRITE-OK || echo WRITE-FAILED',
  'echo "== end"',
].join('; ');

function section(out: string, name: string): string {
  const m = new RegExp(`== ${name}\\n([\\s\\S]*?)(?:\\n== |$)`).exec(out);
  return m?.[1] ?? '';
}

test(
  'inside: only own pids, own hostname, no host mounts, only lo, ro /proc/sys, minimal /dev, Docker caps, NoNewPrivs',
  { skip },
  async () => {
    const { stdout, exit } = await run(['/bin/sh', '-c', SCRIPT], { hostname: 'isolated-box' });
    assert.equal(exit.code, 0, stdout);
    const ps = section(stdout, 'ps').trim().split('\n').slice(1);
    const pids = ps.map((l) => Number(l.trim().split(/\s+/)[0]));
    assert.equal(pids[0], 1, `PID 1 first: ${ps.join(' | ')}`);
    assert.match(ps[0]!, /^\s*1\s+\/bin\/sh -c/, 'PID 1 is the command');
    assert.ok(
      pids.every((p) => p < 10),
      `only the container's few pids: ${pids.join(',')}`,
    );
    assert.equal(section(stdout, 'hostname').trim(), 'isolated-box');
    const mounts = section(stdout, 'mounts');
    assert.match(mounts, /^overlay \/ overlay /m);
    const fsTypes = new Set(
      mounts
        .trim()
        .split('\n')
        .map((l) => l.split(' ')[2]),
    );
    assert.deepEqual(
      [...fsTypes].sort(),
      ['overlay', 'proc', 'sysfs', 'tmpfs'],
      `no host filesystems: ${mounts}`,
    );
    assert.doesNotMatch(mounts, /\/sys\/fs\/cgroup|\/work\/main |\/run\/ctvm /, 'no host mount points');
    const links = section(stdout, 'links').trim().split('\n');
    assert.equal(links.length, 1, links.join(' | '));
    assert.match(links[0]!, /^1: lo: <LOOPBACK>/, 'lo exists and is down with --net none');
    assert.match(section(stdout, 'sysctl'), /WRITE-FAILED/);
    assert.match(section(stdout, 'sysrq'), /WRITE-FAILED/);
    const devs = section(stdout, 'dev')
      .split('\n')
      .filter((l) => l.startsWith('c'))
      .map((l) => l.trim().split(/\s+/).pop())
      .sort();
    assert.deepEqual(devs, ['full', 'null', 'random', 'tty', 'urandom', 'zero']);
    const status = section(stdout, 'status');
    assert.match(status, /CapEff:\s+00000000a80425fb/);
    assert.match(status, /CapBnd:\s+00000000a80425fb/);
    assert.match(status, /NoNewPrivs:\s+1/);
    assert.deepEqual(leftovers(), { cgroupDirs: [], stateDirs: [], mounts: [], processes: [] });
  },
);

test('--net loopback brings lo up; --net host sees the host interfaces', { skip }, async () => {
  const lo = await run(['/bin/sh', '-c', 'ip -o link'], { network: 'loopback' });
  assert.match(lo.stdout, /^1: lo: <LOOPBACK,UP,LOWER_UP>/);
  assert.equal(lo.stdout.trim().split('\n').length, 1);
  const host = await run(['/bin/sh', '-c', 'ip -o link | wc -l'], { network: 'host' });
  assert.ok(Number(host.stdout.trim()) > 1, `host mode shows more than lo: ${host.stdout}`);
});

test('a command that does not exist: exit 127 with an execve error naming it', { skip }, async () => {
  const { exit } = await run(['/no/such/cmd']);
  assert.equal(exit.code, 127);
  assert.equal(exit.setupError?.message, 'child: execve `/no/such/cmd`: ENOENT');
  assert.deepEqual(leftovers(), { cgroupDirs: [], stateDirs: [], mounts: [], processes: [] });
});
