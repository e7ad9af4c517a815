// The Debian guest's pure parts: options, boot phases from the console line, the run script, the
// overlay drive arguments and the image key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseVmOptions } from '../../../src/engine/vm/options.js';
import { bootPhases } from '../../../src/engine/vm/distro/boot-phases.js';
import { parseConsoleLine } from '../../../src/engine/vm/console-parser.js';
import { renderRunScript } from '../../../src/engine/vm/distro/workload-disk.js';
import { drive } from '../../../src/engine/vm/distro/overlay.js';
import { DEBIAN_IMAGE, imageKey } from '../../../src/engine/vm/distro/image-spec.js';

test('image: debian defaults to q35; microvm and a kernel path are refused with the reason', () => {
  assert.equal(parseVmOptions({ image: 'debian' }).machine, 'q35');
  assert.equal(parseVmOptions({ image: 'debian', machine: 'pc' }).machine, 'pc');
  assert.equal(parseVmOptions({}).machine, 'microvm');
  assert.throws(() => parseVmOptions({ image: 'debian', machine: 'microvm' }), /no PCI bus/);
  assert.throws(() => parseVmOptions({ image: 'debian', kernel: 'minimal' }), /boots its own kernel/);
  assert.throws(() => parseVmOptions({ image: 'ubuntu' }), /image: 'ubuntu' is not one of initramfs, debian/);
});

test('CTVM-BOOT line -> phases on the host clock (arrival minus the guest time since each stamp)', () => {
  const ev = parseConsoleLine(
    'CTVM-BOOT initramfs_s=2.000 switchroot_s=5.5 systemd_s=5.600 multiuser_s=20.000 units=40 failed=0 uptime_s=21.000',
  );
  assert.equal(ev?.kind, 'boot');
  const arrival = 100e9;
  const b = bootPhases((ev as { fields: Record<string, string> }).fields, arrival)!;
  assert.deepEqual(
    b.phases.map((p) => [p.name, p.atNs]),
    [
      ['kernel', 79e9],
      ['initramfs', 81e9],
      ['systemd', 84.6e9],
      ['multi-user', 99e9],
    ],
  );
  assert.equal(b.facts.guestUnitsActive, 40);
  assert.equal(b.facts.guestUnitsFailed, 0);
  // A stage the guest could not time (-1: no stamp) is left out, not placed at a made-up time.
  const partial = bootPhases(
    { uptime_s: '10', initramfs_s: '-1', systemd_s: '3', multiuser_s: '9' },
    arrival,
  )!;
  assert.deepEqual(
    partial.phases.map((p) => p.name),
    ['kernel', 'systemd', 'multi-user'],
  );
  assert.equal(bootPhases({ initramfs_s: '1' }, arrival), null, 'no uptime: no phases');
});

test('run script: exports, cd /, exec of the quoted argv', () => {
  assert.equal(
    renderRunScript({ argv: ['/bin/ctvm-probe', 'cpu', "it's"], env: { PATH: '/bin', 'bad-name': 'x' } }),
    "# ctvm workload (src/engine/vm/distro/workload-disk.ts)\nexport PATH='/bin'\ncd /\nexec '/bin/ctvm-probe' 'cpu' 'it'\\''s'\n",
  );
});

test('overlay drives are virtio-blk on PCI over qcow2 files; the image key follows its inputs', () => {
  assert.deepEqual(drive('/run/ctvm/vm.x/disk0.qcow2', 0), [
    '-blockdev',
    'driver=qcow2,node-name=disk0,file.driver=file,file.filename=/run/ctvm/vm.x/disk0.qcow2',
    '-device',
    'virtio-blk-pci,drive=disk0',
  ]);
  assert.equal(imageKey(), imageKey(DEBIAN_IMAGE));
  assert.notEqual(imageKey({ ...DEBIAN_IMAGE, suite: 'trixie' }), imageKey());
});
