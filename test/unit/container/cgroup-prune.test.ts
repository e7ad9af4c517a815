import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cgroupMountPoints, pruneEmptyParents } from '../../../src/engine/container/cgroup/fs.js';

test('pruneEmptyParents removes empty ctvm parents and leaves ones still in use', () => {
  const root = mkdtempSync(join(tmpdir(), 'ctvm-prune-'));
  try {
    const [memory, pids, unified] = ['memory', 'pids', 'unified'].map((m) => join(root, m));
    mkdirSync(join(memory!, 'ctvm'), { recursive: true }); // empty: goes
    mkdirSync(join(pids!, 'ctvm', 'inst-1'), { recursive: true }); // in use: stays
    mkdirSync(join(unified!, 'ctvm-oci'), { recursive: true }); // empty: goes
    const removed = pruneEmptyParents(['ctvm', 'ctvm-oci'], [memory!, pids!, unified!]);
    assert.deepEqual(removed.sort(), [join(memory!, 'ctvm'), join(unified!, 'ctvm-oci')].sort());
    assert.ok(existsSync(join(pids!, 'ctvm', 'inst-1')));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('cgroupMountPoints lists v1, named and cgroup2 hierarchies, nothing else', () => {
  const mi = [
    '30 25 0:26 / /sys/fs/cgroup rw - tmpfs tmpfs rw',
    '31 30 0:27 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw',
    '35 30 0:31 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory',
    '40 30 0:36 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd',
  ].join('\n');
  assert.deepEqual(cgroupMountPoints(mi), [
    '/sys/fs/cgroup/unified',
    '/sys/fs/cgroup/memory',
    '/sys/fs/cgroup/systemd',
  ]);
});
