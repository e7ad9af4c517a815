import { test } from 'node:test';
import assert from 'node:assert/strict';
// @ts-expect-error: plain .mjs set-up script without type declarations
import { missingPackages, requiredPackages, findXzPayload, PACKAGES } from '../../../scripts/setup.mjs';

type Query = (pkgs: string[]) => Map<string, string>;

test('missingPackages: only packages not "install ok installed" are missing', () => {
  const calls: string[][] = [];
  const fake: Query = (pkgs) => {
    calls.push(pkgs);
    return new Map([
      ['qemu-system-x86', 'install ok installed'],
      ['crun', 'deinstall ok config-files'], // removed, config left: missing
      ['runc', 'install ok half-configured'], // broken install: missing
      // busybox-static absent from dpkg's answer entirely: missing
    ]);
  };
  const missing = missingPackages(['qemu-system-x86', 'crun', 'runc', 'busybox-static'], fake);
  assert.deepEqual(missing, ['crun', 'runc', 'busybox-static']);
  assert.equal(calls.length, 1, 'one dpkg query for all packages');
});

test('missingPackages: nothing missing -> empty list (set-up does no apt work)', () => {
  const all = requiredPackages('test') as string[];
  const fake: Query = (pkgs) => new Map(pkgs.map((p) => [p, 'install ok installed']));
  assert.deepEqual(missingPackages(all, fake), []);
});

test('requiredPackages: test purpose adds browser + vagrant, bench needs qemu and busybox', () => {
  const bench = requiredPackages('bench') as string[];
  const tst = requiredPackages('test') as string[];
  assert.ok(
    bench.includes('qemu-system-x86') && bench.includes('busybox-static') && bench.includes('libcairo2-dev'),
  );
  assert.ok(!bench.includes('chromium'));
  for (const p of PACKAGES.test as string[]) assert.ok(tst.includes(p));
});

test('findXzPayload: finds the xz magic inside a bzImage-like buffer, -1 when absent', () => {
  const magic = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);
  const buf = Buffer.concat([Buffer.alloc(1000, 7), magic, Buffer.alloc(10)]);
  assert.equal(findXzPayload(buf), 1000);
  assert.equal(findXzPayload(Buffer.alloc(64)), -1);
});
