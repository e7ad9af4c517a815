// A guest too small to unpack its initramfs panics with no root: the error says so, with sizes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unpackHint } from '../../../src/engine/vm/vm-instance.js';

test('initramfs that does not fit the guest RAM: the hint names both sizes and a memory that fits', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ctvm-unpack-'));
  try {
    const initrd = join(dir, 'i.cpio');
    writeFileSync(initrd, Buffer.alloc(90 * 2 ** 20));
    const console = [
      '[    1.56] Initramfs unpacking failed: write error',
      '[    1.94] Kernel panic - not syncing: VFS',
    ];
    const hint = unpackHint(console, { initrdPath: initrd, memoryBytes: 256 * 2 ** 20 });
    assert.match(hint, /256 MiB of RAM could not hold the unpacked initramfs \(90 MiB/);
    assert.match(hint, /memory: 512M/);
    assert.equal(
      unpackHint(['[ 1.9] Kernel panic - not syncing: other'], { initrdPath: initrd, memoryBytes: 1 }),
      '',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
