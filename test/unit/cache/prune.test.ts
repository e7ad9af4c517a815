// ctvm gc --cache-days: cached builds unused for N days go, recent ones and ones a mount still
// refers to (a live container's overlay lower) stay; a cache hit counts as a use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { markUsed, pruneCaches } from '../../../src/cache/prune.js';

const DAY = 86_400_000;

test('prunes unused builds only: age, mounts and markUsed decide', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'ctvm-cache-test-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const now = Date.now();
  const make = (rel: string, bytes: number, ageDays: number, dir = false): string => {
    const p = join(root, rel);
    if (dir) {
      mkdirSync(p, { recursive: true });
      writeFileSync(join(p, 'busybox'), Buffer.alloc(bytes));
    } else {
      mkdirSync(join(p, '..'), { recursive: true });
      writeFileSync(p, Buffer.alloc(bytes));
    }
    const at = new Date(now - ageDays * DAY);
    utimesSync(p, at, at);
    return p;
  };
  const oldRootfs = make('rootfs/aaaa', 1000, 30, true);
  const newRootfs = make('rootfs/bbbb', 1000, 1, true);
  const mounted = make('rootfs/cccc', 1000, 30, true);
  const oldCpio = make('initramfs/dddd.cpio', 500, 10);
  const usedCpio = make('initramfs/eeee.cpio', 500, 10);
  markUsed(usedCpio);
  assert.ok(now - statSync(usedCpio).mtimeMs < DAY, 'markUsed refreshes the entry');
  const kernel = make('kernel/vmlinuz', 100, 99); // never pruned: set-up owns it
  const mountinfo = `36 25 0:32 / /run/ctvm/x/rootfs rw - overlay overlay rw,lowerdir=${mounted},upperdir=/run/x/u\n`;

  const r = pruneCaches({ maxAgeDays: 7, cacheDir: root, nowMs: now, mountinfo });
  assert.deepEqual(r.removed.sort(), ['initramfs/dddd.cpio', 'rootfs/aaaa']);
  assert.equal(r.freedBytes, 1500);
  assert.equal(r.kept, 3);
  assert.ok(!existsSync(oldRootfs) && !existsSync(oldCpio));
  for (const p of [newRootfs, mounted, usedCpio, kernel]) assert.ok(existsSync(p), p);
});

test('no cache dir yet: nothing to do', () => {
  const r = pruneCaches({ maxAgeDays: 0, cacheDir: join(tmpdir(), 'ctvm-no-such-cache'), mountinfo: '' });
  assert.deepEqual(r, { removed: [], kept: 0, freedBytes: 0 });
});
