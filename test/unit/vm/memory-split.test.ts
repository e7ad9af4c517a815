// qemu PSS split: guest RAM mapping vs mapped kernel/initrd files vs everything else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitQemuMemory } from '../../../src/engine/vm/memory-split.js';
import type { Mapping } from '../../../src/measure/smaps.js';
import { MiB } from '../../../src/units.js';

const m = (path: string, sizeBytes: number, pssBytes: number, perms = 'rw-p'): Mapping => ({
  start: 0n,
  end: BigInt(sizeBytes),
  perms,
  path,
  sizeBytes,
  pssBytes,
  rssBytes: pssBytes,
});

test('the guest-sized anonymous mapping is guest RAM; mapped images are the kernel layer; the rest is hypervisor', () => {
  const maps = [
    m('/usr/bin/qemu-system-x86_64', 20 * MiB, 9 * MiB, 'r-xp'),
    m('', 256 * MiB, 98 * MiB), // guest RAM (touched part)
    m('', 1024 * MiB, 30 * MiB, 'rwxp'), // TCG code buffer: executable, not guest RAM
    m('', 8 * MiB, 2 * MiB), // a thread stack / heap arena
    m('[heap]', 40 * MiB, 25 * MiB),
    m('/cache/kernel/vmlinux', 64 * MiB, 60 * MiB, 'r--p'),
  ];
  const s = splitQemuMemory(maps, 256 * MiB, ['/cache/kernel/vmlinux', '/cache/initramfs/x.cpio']);
  assert.deepEqual(s, {
    guestRamBytes: 98 * MiB,
    kernelImageBytes: 60 * MiB,
    hypervisorBytes: (9 + 30 + 2 + 25) * MiB,
  });
});

test('guest RAM split in two regions (e.g. below/above a hole) is summed', () => {
  const s = splitQemuMemory(
    [m('', 192 * MiB, 50 * MiB), m('', 64 * MiB, 10 * MiB), m('', 2 * MiB, 1 * MiB)],
    256 * MiB,
    [],
  );
  assert.equal(s.guestRamBytes, 60 * MiB);
  assert.equal(s.hypervisorBytes, 1 * MiB);
});
