import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { detectCgroups } from '../../../src/host/cgroup-mode.js';

const fixture = (mode: string) => {
  const dir = join(import.meta.dirname, '../../fixtures/cgroup', mode);
  return detectCgroups(readFileSync(join(dir, 'mountinfo'), 'utf8'), () =>
    readFileSync(join(dir, 'cgroup.controllers'), 'utf8'),
  );
};

test('pure cgroup v2 host: mode v2, v2 driver, controllers from cgroup.controllers', () => {
  const f = fixture('v2');
  assert.equal(f.mode, 'v2');
  assert.equal(f.driver, 'v2');
  assert.equal(f.v2Mount, '/sys/fs/cgroup');
  assert.deepEqual(f.v2Controllers, ['cpuset', 'cpu', 'io', 'memory', 'hugetlb', 'pids', 'rdma', 'misc']);
  assert.deepEqual(f.v1, {});
  assert.deepEqual(f.missing, []);
});

test('hybrid host: v1 controllers + cgroup2 at unified, v1 driver', () => {
  const f = fixture('hybrid');
  assert.equal(f.mode, 'hybrid');
  assert.equal(f.driver, 'v1');
  assert.equal(f.v2Mount, '/sys/fs/cgroup/unified');
  assert.deepEqual(Object.keys(f.v1).sort(), [
    'blkio',
    'cpu',
    'cpuacct',
    'cpuset',
    'devices',
    'freezer',
    'memory',
    'pids',
  ]);
  assert.equal(f.v1.memory, '/sys/fs/cgroup/memory');
  assert.deepEqual(f.missing, []);
});

test('legacy v1 host: co-mounted cpu,cpuacct, name= hierarchies and flags are not controllers', () => {
  const f = fixture('v1');
  assert.equal(f.mode, 'v1');
  assert.equal(f.driver, 'v1');
  assert.equal(f.v2Mount, null);
  assert.equal(f.v1.cpu, '/sys/fs/cgroup/cpu,cpuacct');
  assert.equal(f.v1.cpuacct, '/sys/fs/cgroup/cpu,cpuacct');
  assert.ok(!('xattr' in f.v1) && !('clone_children' in f.v1) && !('rw' in f.v1));
  assert.deepEqual(f.missing, []);
});

test('v1 without the devices hierarchy: doctor names it (the engine refuses to run without a device list)', () => {
  const mi = readFileSync(join(import.meta.dirname, '../../fixtures/cgroup/v1/mountinfo'), 'utf8')
    .split('\n')
    .filter((l) => !l.includes('rw,devices'))
    .join('\n');
  assert.deepEqual(detectCgroups(mi, () => '').missing, ['devices']);
});

test('no cgroups mounted: mode none, every controller missing', () => {
  const f = detectCgroups('22 1 252:1 / / rw - ext4 /dev/vda rw\n', () => '');
  assert.equal(f.mode, 'none');
  assert.equal(f.driver, null);
  assert.ok(f.missing.includes('memory'));
});

test('v2 host whose root lacks the memory controller reports it missing', () => {
  const mi = readFileSync(join(import.meta.dirname, '../../fixtures/cgroup/v2/mountinfo'), 'utf8');
  const f = detectCgroups(mi, () => 'cpu pids cpuset');
  assert.deepEqual(f.missing, ['memory']);
});
