// ctvm gc --cache-days: cached builds unused for N days go, recent ones, ones a mount in any
// mount namespace refers to and ones a live instance leases (its state dir's owner.json) stay;
// a cache hit counts as a use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allMountinfo, leasedPaths, markUsed, pruneCaches } from '../../../src/cache/prune.js';

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

  const r = pruneCaches({ maxAgeDays: 7, cacheDir: root, nowMs: now, mountinfo, leases: [] });
  assert.deepEqual(r.removed.sort(), ['initramfs/dddd.cpio', 'rootfs/aaaa']);
  assert.equal(r.freedBytes, 1500);
  assert.equal(r.kept, 3);
  assert.ok(!existsSync(oldRootfs) && !existsSync(oldCpio));
  for (const p of [newRootfs, mounted, usedCpio, kernel]) assert.ok(existsSync(p), p);
});

test('no cache dir yet: nothing to do', () => {
  const r = pruneCaches({
    maxAgeDays: 0,
    cacheDir: join(tmpdir(), 'ctvm-no-such-cache'),
    mountinfo: '',
    leases: [],
  });
  assert.deepEqual(r, { removed: [], kept: 0, freedBytes: 0 });
});

test('leases in state dirs keep entries (container lower, OCI root, VM initramfs); a name prefix does not', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'ctvm-cache-test-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const cache = join(root, 'cache');
  const state = join(root, 'state');
  const old = new Date(Date.now() - 30 * DAY);
  const entry = (rel: string): string => {
    const p = join(cache, rel);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, 'x');
    utimesSync(p, old, old);
    return p;
  };
  const lower = entry('rootfs/aaaa');
  const prefixOnly = entry('rootfs/aaa'); // a prefix of a leased name: not leased
  const cpio = entry('initramfs/bbbb.cpio');
  const free = entry('initramfs/cccc.cpio');
  const record = (name: string, rec: object | string): void => {
    mkdirSync(join(state, name), { recursive: true });
    writeFileSync(join(state, name, 'owner.json'), typeof rec === 'string' ? rec : JSON.stringify(rec));
  };
  record('c1', { format: 1, name: 'c1', ownerPid: 1, ownerStartTicks: 0, cgroupDriver: 'v1', uses: [lower] });
  record('vm.x.abc123', { format: 1, kind: 'vm', name: 'x', ownerPid: 1, ownerStartTicks: 0, uses: [cpio] });
  record('half', '{"format":1,"uses":['); // a record being written: ignored, never a crash
  record('no-uses', { format: 1, name: 'no-uses' }); // an older ctvm's record
  assert.deepEqual(leasedPaths(state).sort(), [lower, cpio].sort());

  const r = pruneCaches({ maxAgeDays: 0, cacheDir: cache, stateRoot: state, mountinfo: '' });
  assert.deepEqual(r.removed.sort(), ['initramfs/cccc.cpio', 'rootfs/aaa']);
  assert.ok(existsSync(lower) && existsSync(cpio));
  assert.ok(!existsSync(prefixOnly) && !existsSync(free));
});

test('a mount names an entry only as a whole path component', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'ctvm-cache-test-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const old = new Date(Date.now() - 30 * DAY);
  for (const n of ['abc', 'abcd']) {
    mkdirSync(join(root, 'rootfs', n), { recursive: true });
    utimesSync(join(root, 'rootfs', n), old, old);
  }
  const mountinfo = `36 25 0:32 / /x rw - overlay overlay rw,lowerdir=${join(root, 'rootfs/abcd')},upperdir=/u\n`;
  const r = pruneCaches({ maxAgeDays: 0, cacheDir: root, mountinfo, leases: [] });
  assert.deepEqual(r.removed, ['rootfs/abc']);
});

test('allMountinfo reads each mount namespace once, skipping vanished processes', (t) => {
  const proc = mkdtempSync(join(tmpdir(), 'ctvm-proc-test-'));
  t.after(() => rmSync(proc, { recursive: true, force: true }));
  const pid = (p: string, ns: string, mounts: string): void => {
    mkdirSync(join(proc, p, 'ns'), { recursive: true });
    symlinkSync(ns, join(proc, p, 'ns', 'mnt'));
    writeFileSync(join(proc, p, 'mountinfo'), mounts);
  };
  pid('self', 'mnt:[1]', 'host\n');
  pid('10', 'mnt:[1]', 'host\n');
  pid('20', 'mnt:[2]', 'container-a\n');
  pid('21', 'mnt:[2]', 'container-a\n');
  mkdirSync(join(proc, '30')); // exited: no ns link
  assert.equal(allMountinfo(proc), 'host\ncontainer-a\n');
});
