// Initramfs: the rootfs tree + /dev/console + /init, parents first, cached by content.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initramfsEntries } from '../../../src/engine/vm/initramfs.js';
import { readCpio, writeCpio } from '../../../src/workload/cpio.js';

function fakeRootfs(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ctvm-initramfs-test-'));
  for (const d of ['bin', 'dev', 'proc', 'lib/x86_64-linux-gnu'])
    mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(join(dir, 'bin/busybox'), 'BB', { mode: 0o755 });
  writeFileSync(join(dir, 'bin/ctvm-probe'), 'PROBE', { mode: 0o755 });
  writeFileSync(join(dir, 'lib/x86_64-linux-gnu/libc.so.6'), 'LIBC');
  symlinkSync('busybox', join(dir, 'bin/sh'));
  writeFileSync(join(dir, '.complete'), 'hash\n');
  return dir;
}

test('entries: every rootfs file, parents before children, /dev/console and an executable /init added', () => {
  const dir = fakeRootfs();
  try {
    const entries = initramfsEntries({
      rootfsDir: dir,
      argv: ['/bin/ctvm-probe', 'noop'],
      env: { PATH: '/bin' },
    });
    const paths = entries.map((e) => e.path);
    assert.ok(!paths.includes('.complete'), 'bookkeeping file skipped');
    for (const p of [
      'bin/busybox',
      'bin/ctvm-probe',
      'bin/sh',
      'lib/x86_64-linux-gnu/libc.so.6',
      'dev/console',
      'init',
    ])
      assert.ok(paths.includes(p), p);
    for (const [i, p] of paths.entries()) {
      const parent = p.split('/').slice(0, -1).join('/');
      if (parent) assert.ok(paths.indexOf(parent) < i, `${parent} before ${p}`);
    }
    const archive = readCpio(writeCpio(entries));
    const init = archive.find((e) => e.path === 'init')!;
    assert.equal(init.mode & 0o777, 0o755);
    assert.match(init.data.toString(), /'\/bin\/ctvm-probe' 'noop'/);
    assert.equal(archive.find((e) => e.path === 'bin/sh')!.data.toString(), 'busybox', 'symlink kept');
    assert.equal(
      archive.find((e) => e.path === 'bin/ctvm-probe')!.data.toString(),
      'PROBE',
      'same bytes as the rootfs',
    );
    const console = archive.find((e) => e.path === 'dev/console')!;
    assert.equal(console.mode & 0o170000, 0o020000, 'a character device');
    // Reproducible: same tree, same bytes.
    assert.ok(
      writeCpio(entries).equals(
        writeCpio(
          initramfsEntries({ rootfsDir: dir, argv: ['/bin/ctvm-probe', 'noop'], env: { PATH: '/bin' } }),
        ),
      ),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
