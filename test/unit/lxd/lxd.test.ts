// lxd without a daemon: limits map to LXD's keys, the scenario's lxd options are checked (vm, no
// cpuWeight), `lxd-vm` has its own doctor key, and the image tarballs are deterministic with the
// workload rootfs inside byte for byte plus /sbin/init and /etc/inittab.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lxdLimitFlags } from '../../../src/engine/lxd/instance.js';
import { buildImageTarballs, metadataYaml } from '../../../src/engine/lxd/image.js';
import { LXD_PRESEED } from '../../../src/engine/lxd/daemon.js';
import { parseScenario } from '../../../src/runner/scenario-load.js';
import { doctorKey } from '../../../src/runner/environments.js';
import { UsageError } from '../../../src/errors.js';
import { MiB } from '../../../src/units.js';

test('limits become LXD instance keys; cpuWeight is refused', () => {
  assert.deepEqual(lxdLimitFlags({ memoryBytes: 64 * MiB, cpus: 0.5, pids: 64, cpuset: '0' }), [
    '-c',
    `limits.memory=${64 * MiB}B`,
    '-c',
    'limits.cpu.allowance=50ms/100ms',
    '-c',
    'limits.processes=64',
    '-c',
    'limits.cpu=0-0',
  ]);
  assert.deepEqual(lxdLimitFlags(undefined), []);
  assert.throws(() => lxdLimitFlags({ cpuWeight: 100 }), UsageError);
});

test('scenario: lxd options are {vm: boolean}; lxd-vm has doctor key lxd:vm', () => {
  const base = 'name: t\nworkloads: [noop]\nrepetitions: 1\nenvironments:\n';
  const s = parseScenario(`${base}  - lxd\n  - {id: lxd-vm, type: lxd, options: {vm: true}}\n`, 'ok.yaml');
  assert.deepEqual(s.environments[0], { id: 'lxd', type: 'lxd', options: { vm: false } });
  assert.equal(doctorKey(s.environments[0]!), 'lxd');
  assert.equal(doctorKey(s.environments[1]!), 'lxd:vm');
  assert.throws(
    () => parseScenario(`${base}  - {id: lxd, options: {vm: yes-please}}\n`, 'bad.yaml'),
    (e: unknown) => e instanceof UsageError && /vm/.test(e.message),
  );
  assert.throws(
    () => parseScenario(`${base}  - {id: lxd, options: {gpu: true}}\n`, 'bad.yaml'),
    (e: unknown) => e instanceof UsageError && /gpu/.test(e.message),
  );
  assert.throws(
    () => parseScenario(`${base}  - {id: lxd, limits: {cpuWeight: 100}}\n`, 'bad.yaml'),
    (e: unknown) => e instanceof UsageError && /cpuWeight/.test(e.message),
  );
});

test('preseed: a dir pool, no network, a default profile with only a root disk', () => {
  assert.match(LXD_PRESEED, /^networks: \[\]$/m);
  assert.match(LXD_PRESEED, /driver: dir/);
  assert.doesNotMatch(LXD_PRESEED, /nic|bridge|lxdbr0/);
});

test('image tarballs: deterministic, the rootfs byte for byte plus /sbin/init and /etc/inittab', async () => {
  const root = mkdtempSync(join(tmpdir(), 'ctvm-lxd-unit-'));
  try {
    const rootfs = join(root, 'rootfs');
    mkdirSync(join(rootfs, 'bin'), { recursive: true });
    mkdirSync(join(rootfs, 'etc'));
    writeFileSync(join(rootfs, 'bin/busybox'), 'not really busybox', { mode: 0o755 });
    const w = { rootfsDir: rootfs, rootfsHash: 'abc123' };
    const fps: string[] = [];
    for (const i of [1, 2]) {
      const work = join(root, `w${i}`);
      mkdirSync(work);
      const t = await buildImageTarballs(w, work);
      fps.push(t.fingerprint);
      const list = execFileSync('tar', ['-tvf', t.rootfs], { encoding: 'utf8' });
      assert.match(list, /\.\/bin\/busybox/);
      assert.match(list, /\.\/sbin\/init -> \/bin\/busybox/);
      assert.match(list, /\.\/etc\/inittab/);
      assert.equal(
        execFileSync('tar', ['-xOf', t.meta, 'metadata.yaml'], { encoding: 'utf8' }),
        metadataYaml(w),
      );
      assert.equal(
        execFileSync('tar', ['-xOf', t.rootfs, './bin/busybox'], { encoding: 'utf8' }),
        'not really busybox',
      );
    }
    assert.match(fps[0]!, /^[0-9a-f]{64}$/);
    assert.equal(fps[0], fps[1], 'the same rootfs gives the same image fingerprint');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
