// A process's lease on the cache entries it used (a run between its instances): recorded in its
// own lease dir, honoured by prune, and removed by gc once the process is dead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { holdLease, reapDeadLeases } from '../../../src/cache/lease.js';
import { leasedPaths } from '../../../src/cache/prune.js';
import { processStartTicks, writeRecord } from '../../../src/engine/container/state-dir.js';

test('holdLease records every path once; a dead process leases nothing and gc reaps its dir', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'ctvm-lease-test-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  holdLease('/cache/rootfs/a', root);
  holdLease('/cache/initramfs/b.cpio', root);
  holdLease('/cache/rootfs/a', root);
  const [mine] = readdirSync(root);
  assert.match(mine!, new RegExp(`^lease\\.${process.pid}\\.`));
  assert.deepEqual(leasedPaths(root), ['/cache/rootfs/a', '/cache/initramfs/b.cpio']);

  const sleeper = execa('sleep', ['30'], { reject: false });
  const dead = { ownerPid: sleeper.pid!, ownerStartTicks: processStartTicks(sleeper.pid!)! };
  sleeper.kill('SIGKILL');
  await sleeper;
  const stale = join(root, 'lease.1.aaaaaa');
  mkdirSync(stale);
  writeRecord(stale, { format: 1, kind: 'lease', ...dead, uses: ['/cache/rootfs/old'] });
  const young = join(root, 'lease.2.bbbbbb'); // no record yet
  mkdirSync(young);
  const old = join(root, 'lease.3.cccccc'); // no record, long ago: debris
  mkdirSync(old);
  utimesSync(old, new Date(0), new Date(0));

  assert.deepEqual(
    leasedPaths(root),
    ['/cache/rootfs/a', '/cache/initramfs/b.cpio'],
    'a dead process leases nothing',
  );
  assert.deepEqual(reapDeadLeases(root).sort(), [old, stale].sort());
  assert.ok(existsSync(join(root, mine!)) && existsSync(young));
  assert.deepEqual(leasedPaths(root), ['/cache/rootfs/a', '/cache/initramfs/b.cpio']);
});
