// Both cgroup drivers against a temp dir standing in for cgroupfs: the files and values they
// write, the stats they parse, cleanup on a failed create, and the error text of a failed write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CgroupV1Driver } from '../../../src/engine/container/cgroup/v1.js';
import { CgroupV2Driver } from '../../../src/engine/container/cgroup/v2.js';
import { selectCgroupDriver } from '../../../src/engine/container/cgroup/select.js';
import { weightToShares } from '../../../src/engine/container/cgroup/types.js';
import { SystemError } from '../../../src/errors.js';

const rmdir = (d: string): void => rmSync(d, { recursive: true, force: true });
const read = (f: string): string => readFileSync(f, 'utf8');

function fakeV1(): { root: string; roots: Record<string, string> } {
  const root = mkdtempSync(join(tmpdir(), 'ctvm-cg1-'));
  const roots: Record<string, string> = {};
  for (const c of ['memory', 'cpu', 'cpuacct', 'pids', 'freezer', 'devices', 'cpuset']) {
    roots[c] = join(root, c);
    mkdirSync(roots[c]!, { recursive: true });
  }
  writeFileSync(join(roots.cpuset!, 'cpuset.cpus'), '0-1\n');
  writeFileSync(join(roots.cpuset!, 'cpuset.mems'), '0\n');
  return { root, roots };
}

test('v1: limits land in the v1 files with v1 units', () => {
  const { root, roots } = fakeV1();
  try {
    const cg = new CgroupV1Driver(roots, { rmdir }).create('t1', {
      memoryBytes: 32 * 1024 * 1024,
      cpus: 0.25,
      cpuWeight: 100,
      pids: 64,
      cpuset: '1',
    });
    const d = (c: string): string => join(roots[c]!, 'ctvm', 't1');
    assert.equal(read(join(d('memory'), 'memory.limit_in_bytes')), String(32 * 1024 * 1024));
    assert.equal(read(join(d('memory'), 'memory.swappiness')), '0');
    assert.equal(read(join(d('cpu'), 'cpu.cfs_quota_us')), '25000');
    assert.equal(read(join(d('cpu'), 'cpu.cfs_period_us')), '100000');
    assert.equal(read(join(d('cpu'), 'cpu.shares')), String(weightToShares(100)));
    assert.equal(read(join(d('pids'), 'pids.max')), '64');
    assert.equal(read(join(d('cpuset'), 'cpuset.cpus')), '1');
    assert.equal(read(join(d('cpuset'), 'cpuset.mems')), '0');
    assert.equal(
      read(join(roots.cpuset!, 'ctvm', 'cpuset.cpus')),
      '0-1',
      'parent cpuset inherited from root',
    );
    assert.equal(cg.procsFiles.length, 7);
    assert.deepEqual(new CgroupV1Driver(roots, { rmdir }).list(), ['t1']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('v1: stats parse usage, peak, cpuacct, pids and oom_kill', async () => {
  const { root, roots } = fakeV1();
  try {
    const driver = new CgroupV1Driver(roots, { rmdir });
    const cg = driver.create('t2', {});
    const d = (c: string): string => join(roots[c]!, 'ctvm', 't2');
    writeFileSync(join(d('memory'), 'memory.usage_in_bytes'), '4096\n');
    writeFileSync(join(d('memory'), 'memory.max_usage_in_bytes'), '8192\n');
    writeFileSync(join(d('memory'), 'memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n');
    writeFileSync(join(d('cpuacct'), 'cpuacct.usage'), '123456789\n');
    writeFileSync(join(d('pids'), 'pids.current'), '3\n');
    assert.deepEqual(cg.stats(), {
      memoryBytes: 4096,
      memoryPeakBytes: 8192,
      cpuNs: 123456789,
      pids: 3,
      oomKills: 2,
    });
    await cg.remove();
    assert.equal(existsSync(d('memory')), false);
    assert.equal(driver.open('t2'), undefined);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('v1: a missing controller is named at construction', () => {
  assert.throws(() => new CgroupV1Driver({ memory: '/x', cpu: '/y' }), /cpuacct controller is not mounted/);
});

test('v2: limits land in the unified files and the parent delegates controllers', () => {
  const mount = mkdtempSync(join(tmpdir(), 'ctvm-cg2-'));
  try {
    const cg = new CgroupV2Driver(mount, { rmdir }).create('t3', {
      memoryBytes: 64 * 1024 * 1024,
      cpus: 0.5,
      cpuWeight: 200,
      pids: 32,
      cpuset: '0',
    });
    const d = join(mount, 'ctvm', 't3');
    assert.equal(read(join(d, 'memory.max')), String(64 * 1024 * 1024));
    assert.equal(read(join(d, 'cpu.max')), '50000 100000');
    assert.equal(read(join(d, 'cpu.weight')), '200');
    assert.equal(read(join(d, 'pids.max')), '32');
    assert.equal(read(join(d, 'cpuset.cpus')), '0');
    assert.equal(read(join(mount, 'cgroup.subtree_control')), '+memory +cpu +pids +cpuset');
    assert.equal(read(join(mount, 'ctvm', 'cgroup.subtree_control')), '+memory +cpu +pids +cpuset');
    assert.deepEqual(cg.procsFiles, [join(d, 'cgroup.procs')]);
  } finally {
    rmSync(mount, { recursive: true, force: true });
  }
});

test('v2: stats read memory.current/peak, cpu.stat usage_usec, pids.current, memory.events', async () => {
  const mount = mkdtempSync(join(tmpdir(), 'ctvm-cg2-'));
  try {
    const cg = new CgroupV2Driver(mount, { rmdir }).create('t4', {});
    const d = join(mount, 'ctvm', 't4');
    writeFileSync(join(d, 'memory.current'), '1000\n');
    writeFileSync(join(d, 'memory.peak'), '2000\n');
    writeFileSync(join(d, 'cpu.stat'), 'usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n');
    writeFileSync(join(d, 'pids.current'), '1\n');
    writeFileSync(join(d, 'memory.events'), 'low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\n');
    assert.deepEqual(cg.stats(), {
      memoryBytes: 1000,
      memoryPeakBytes: 2000,
      cpuNs: 1_500_000,
      pids: 1,
      oomKills: 1,
    });
    await cg.remove();
    assert.equal(existsSync(d), false);
  } finally {
    rmSync(mount, { recursive: true, force: true });
  }
});

test('a failed limit write names file, data and errno, and create() leaves no dir behind', () => {
  const { root, roots } = fakeV1();
  try {
    // pids.max as a directory makes the write fail (EISDIR), as a rejected cgroupfs write would.
    mkdirSync(join(roots.pids!, 'ctvm', 't9', 'pids.max'), { recursive: true });
    const driver = new CgroupV1Driver(roots, { rmdir });
    assert.throws(
      () => driver.create('t9', { pids: 64 }),
      (e: unknown) =>
        e instanceof SystemError &&
        e.message === `write "64" to \`${join(roots.pids!, 'ctvm', 't9', 'pids.max')}\`: EISDIR`,
    );
    for (const c of ['memory', 'cpu', 'pids', 'freezer'])
      assert.equal(existsSync(join(roots[c]!, 'ctvm', 't9')), false, c);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('diagnose: ENOENT on a controller file names the missing controller and what is enabled', async () => {
  const { diagnose } = await import('../../../src/engine/container/cgroup/fs.js');
  const dir = mkdtempSync(join(tmpdir(), 'ctvm-cg2-'));
  try {
    writeFileSync(join(dir, 'cgroup.controllers'), 'cpu pids\n');
    assert.match(
      diagnose(join(dir, 'memory.max'), 'ENOENT') ?? '',
      /controller 'memory' is not enabled .*'cpu pids'/,
    );
    assert.match(diagnose(join(dir, 'gone', 'pids.max'), 'ENOENT') ?? '', /does not exist/);
    const e = new SystemError('write "1" to', '/x/memory.max', 'ENOENT');
    assert.equal(e.message, 'write "1" to `/x/memory.max`: ENOENT');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('select: v2 only on unified hosts, v1 on hybrid', () => {
  const v1 = { memory: '/m', cpu: '/c', cpuacct: '/a', pids: '/p', freezer: '/f', devices: '/d' };
  const hybrid = selectCgroupDriver({
    mode: 'hybrid',
    v1,
    v2Mount: '/u',
    v2Controllers: [],
    driver: 'v1',
    missing: [],
  });
  assert.equal(hybrid.version, 'v1');
  const unified = selectCgroupDriver({
    mode: 'v2',
    v1: {},
    v2Mount: '/sys/fs/cgroup',
    v2Controllers: ['memory'],
    driver: 'v2',
    missing: [],
  });
  assert.equal(unified.version, 'v2');
  assert.throws(
    () =>
      selectCgroupDriver({
        mode: 'none',
        v1: {},
        v2Mount: null,
        v2Controllers: [],
        driver: null,
        missing: [],
      }),
    /no usable cgroup/,
  );
});
