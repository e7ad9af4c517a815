// qemu and kernel command lines: the measured choices are present, and only where they apply.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeDebugExit, kernelCmdline, machineArg, qemuArgs } from '../../../src/engine/vm/qemu-args.js';
import { MiB } from '../../../src/units.js';

const base = {
  accel: 'tcg' as const,
  machine: 'microvm' as const,
  vcpus: 1,
  memoryBytes: 256 * MiB,
  kernelPath: '/k/vmlinux',
  initrdPath: '/c/x.cpio',
  qmpSocket: '/tmp/d/qmp.sock',
  tscKhz: 2096029,
};

function after(args: string[], flag: string): string | undefined {
  return args[args.indexOf(flag) + 1];
}

test('microvm: no PIT/PIC/option ROMs, pci=off and tsc_early_khz on the kernel line', () => {
  const a = qemuArgs(base);
  assert.equal(
    after(a, '-M'),
    'microvm,x-option-roms=off,pit=on,pic=on,rtc=on,isa-serial=on,acpi=off,mem-merge=on',
  );
  const cmd = after(a, '-append') ?? '';
  assert.match(cmd, /\bpci=off\b/);
  assert.match(cmd, /\bacpi=off\b/);
  assert.doesNotMatch(kernelCmdline({ ...base, microvmAcpi: true }), /acpi=off/);
  assert.match(cmd, /\btsc_early_khz=2096029\b/);
  assert.match(cmd, /\bcryptomgr\.notests\b/);
  assert.equal(after(a, '-m'), '256M');
  assert.equal(after(a, '-accel'), 'tcg');
  assert.equal(after(a, '-cpu'), 'max');
  assert.equal(after(a, '-qmp'), 'unix:/tmp/d/qmp.sock,server=on,wait=off');
  assert.ok(a.includes('isa-debug-exit,iobase=0xf4,iosize=0x04'));
  assert.ok(a.includes('-nodefaults'), 'no default NIC or other devices');
  assert.ok(!a.some((x) => /netdev|-nic/.test(x)));
});

test('pc/q35 keep their firmware defaults and get no microvm-only kernel options', () => {
  for (const machine of ['pc', 'q35'] as const) {
    const a = qemuArgs({ ...base, machine, accel: 'kvm' });
    assert.equal(after(a, '-M'), `${machine},mem-merge=on`);
    assert.equal(after(a, '-cpu'), 'host');
    assert.doesNotMatch(after(a, '-append') ?? '', /pci=off|acpi=off|tsc_early_khz/);
  }
});

test('tb-size only for TCG; extra kernel words appended; ACPI opt-in', () => {
  assert.equal(after(qemuArgs({ ...base, tbSizeMiB: 32 }), '-accel'), 'tcg,tb-size=32');
  assert.equal(after(qemuArgs({ ...base, accel: 'kvm', tbSizeMiB: 32 }), '-accel'), 'kvm');
  assert.match(kernelCmdline({ ...base, extraCmdline: ['nokaslr'] }), / nokaslr$/);
  assert.match(machineArg({ machine: 'microvm', microvmAcpi: true }), /acpi=on,mem-merge=on$/);
});

test('isa-debug-exit status decodes to the guest code; other statuses do not', () => {
  assert.equal(decodeDebugExit(7), 3);
  assert.equal(decodeDebugExit(1), 0);
  assert.equal(decodeDebugExit(0), null);
  assert.equal(decodeDebugExit(undefined), null);
});

test('omitCmdline drops default words by name (benchmarks measure each one)', () => {
  const cmd = kernelCmdline({ ...base, omitCmdline: ['quiet', 'tsc_early_khz'] });
  assert.doesNotMatch(cmd, /\bquiet\b|tsc_early_khz/);
  assert.match(cmd, /cryptomgr\.notests/);
});
