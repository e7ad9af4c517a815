// OCI bundle round trip: a spec written as config.json reads back as the same spec, and the
// config carries what runc/crun need (namespaces, resources, caps, masks) in OCI names and units.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBundle, specToOciConfig, writeBundle } from '../../../src/engine/oci/bundle.js';
import { makeSpec } from '../../../src/engine/container/spec.js';
import { crunInvocation } from '../../../src/host/crun-workaround.js';
import { UsageError } from '../../../src/errors.js';

test('spec -> config.json -> spec keeps command, env, hostname, namespaces and limits', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ctvm-oci-'));
  try {
    const spec = makeSpec({
      name: 'b1',
      rootfs: dir,
      args: ['/bin/ctvm-probe', 'cpu', '100'],
      hostname: 'box',
      limits: { memoryBytes: 64 * 1024 * 1024, cpus: 0.5, pids: 64 },
    });
    const config = specToOciConfig(spec, '/ctvm-oci/b1');
    assert.deepEqual(
      config.linux?.namespaces?.map((n) => n.type),
      ['pid', 'mount', 'uts', 'ipc', 'network', 'cgroup'],
    );
    assert.deepEqual(config.linux?.resources, {
      memory: { limit: 67108864, swap: 67108864 },
      cpu: { quota: 50000, period: 100000 },
      pids: { limit: 64 },
    });
    assert.equal(config.process.capabilities?.bounding.length, 14);
    assert.ok(config.linux?.maskedPaths?.includes('/proc/kcore'));
    assert.equal(config.root.readonly, true);
    writeBundle(dir, config);
    const back = readBundle(dir, 'b1');
    assert.deepEqual(back, spec);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('readBundle rejects what our engine cannot honour, naming it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ctvm-oci-'));
  try {
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({
        process: { args: ['x'], cwd: '/', user: { uid: 0, gid: 0 } },
        root: { path: 'rootfs' },
        linux: { namespaces: [{ type: 'user' }] },
      }),
    );
    assert.throws(
      () => readBundle(dir, 'b2'),
      (e: unknown) => e instanceof UsageError && /namespace 'user' is not supported/.test(e.message),
    );
    writeFileSync(join(dir, 'config.json'), '{not json');
    assert.throws(
      () => readBundle(dir, 'b3'),
      (e: unknown) => e instanceof UsageError && e.message.includes(join(dir, 'config.json')),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('crun is wrapped (cgroup2 hidden in a private mount namespace) only on hybrid hosts', () => {
  assert.deepEqual(crunInvocation('/usr/bin/crun', ['run', 'x'], false), {
    file: '/usr/bin/crun',
    args: ['run', 'x'],
  });
  const w = crunInvocation('/usr/bin/crun', ['run', 'x'], true);
  assert.equal(w.file, 'unshare');
  assert.deepEqual(w.args.slice(-3), ['/usr/bin/crun', 'run', 'x']);
  assert.ok(w.args.some((a) => a.includes('umount -l /sys/fs/cgroup/unified')));
});
