import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_DIR } from '../../../src/paths.js';
// @ts-expect-error: plain .mjs set-up script without type declarations
import * as setup from '../../../scripts/setup.mjs';

const {
  missingPackages,
  requiredPackages,
  findXzPayload,
  fragmentMismatches,
  fragmentOptions,
  MINIMAL_KERNEL_FRAGMENT,
  PACKAGES,
  nativePrograms,
  NATIVE_MAX_LINES,
  CFLAGS,
} = setup;

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
  // The minimal guest kernel is built for the tests (they boot it), and for bench only on request.
  for (const p of PACKAGES['minimal-kernel'] as string[]) assert.ok(tst.includes(p), p);
  assert.ok(!bench.includes('linux-source-6.1'));
  assert.ok((requiredPackages('bench', true) as string[]).includes('linux-source-6.1'));
});

test('minimal kernel fragment: options parsed, and what the final .config dropped is named', () => {
  const fragment =
    'CONFIG_PVH=y\n# CONFIG_MODULES is not set\nCONFIG_NR_CPUS=8\n# a comment\nCONFIG_DEVPORT=y\n';
  assert.deepEqual(fragmentOptions(fragment), [
    { name: 'CONFIG_PVH', value: 'y' },
    { name: 'CONFIG_MODULES', value: 'n' },
    { name: 'CONFIG_NR_CPUS', value: '8' },
    { name: 'CONFIG_DEVPORT', value: 'y' },
  ]);
  // DEVPORT depends on PCI || ISA on x86-64: olddefconfig drops it silently without PCI.
  const config = 'CONFIG_PVH=y\n# CONFIG_MODULES is not set\nCONFIG_NR_CPUS=8\n# CONFIG_DEVPORT is not set\n';
  assert.deepEqual(fragmentMismatches(fragment, config), [{ name: 'CONFIG_DEVPORT', value: 'y' }]);
  assert.deepEqual(fragmentMismatches(fragment, config + 'CONFIG_DEVPORT=y\n'), []);
  // An option absent from .config counts as "not set".
  assert.deepEqual(fragmentMismatches('# CONFIG_NET is not set\n', ''), []);
  // The shipped fragment asks for the things the guest needs.
  const shipped = fragmentOptions(readFileSync(MINIMAL_KERNEL_FRAGMENT as string, 'utf8'));
  for (const want of ['CONFIG_PVH', 'CONFIG_SERIAL_8250_CONSOLE', 'CONFIG_DEVPORT', 'CONFIG_BLK_DEV_INITRD'])
    assert.equal(shipped.find((o: { name: string }) => o.name === want)?.value, 'y', want);
  assert.equal(shipped.find((o: { name: string }) => o.name === 'CONFIG_MODULES')?.value, 'n');
});

test('findXzPayload: finds the xz magic inside a bzImage-like buffer, -1 when absent', () => {
  const magic = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);
  const buf = Buffer.concat([Buffer.alloc(1000, 7), magic, Buffer.alloc(10)]);
  assert.equal(findXzPayload(buf), 1000);
  assert.equal(findXzPayload(Buffer.alloc(64)), -1);
});

test('nativePrograms: a native/<name>.c file or a native/<name>/ directory is one program', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ctvm-native-'));
  try {
    writeFileSync(join(dir, 'probe.c'), '');
    writeFileSync(join(dir, 'say.h'), '');
    mkdirSync(join(dir, 'nsexec'));
    for (const f of ['main.c', 'report.c', 'report.h', 'README.txt'])
      writeFileSync(join(dir, 'nsexec', f), '');
    mkdirSync(join(dir, 'empty'));
    const programs = nativePrograms(dir) as Array<{ name: string; sources: string[]; inputs: string[] }>;
    const at = (...p: string[]): string => join(dir, ...p);
    assert.deepEqual(programs, [
      {
        name: 'nsexec',
        sources: [at('nsexec', 'main.c'), at('nsexec', 'report.c')],
        // The stamp covers the directory's headers and the shared ones too; other files are not C.
        inputs: [at('nsexec', 'main.c'), at('nsexec', 'report.c'), at('nsexec', 'report.h'), at('say.h')],
      },
      { name: 'probe', sources: [at('probe.c')], inputs: [at('probe.c'), at('say.h')] },
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test(`no file under native/ is over ${NATIVE_MAX_LINES} lines; set-up compiles with -Werror`, () => {
  const native = join(PROJECT_DIR, 'native');
  const long: string[] = [];
  for (const f of readdirSync(native, { recursive: true, encoding: 'utf8' })) {
    const path = join(native, f);
    if (!statSync(path).isFile()) continue;
    const lines = readFileSync(path, 'utf8').split('\n').length - 1;
    if (lines > NATIVE_MAX_LINES) long.push(`native/${f}: ${lines} lines`);
  }
  assert.deepEqual(long, [], `split these (see native/README.md)`);
  assert.ok((CFLAGS as string[]).includes('-Werror'));
  const names = (nativePrograms(native) as Array<{ name: string }>).map((p) => p.name);
  assert.deepEqual(names, ['attack', 'nsexec', 'probe']);
});
