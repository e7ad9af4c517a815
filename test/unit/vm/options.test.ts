// VM option parsing: defaults, sizes, and the exact errors for impossible values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseMemory,
  parseVcpus,
  parseVmOptions,
  DEFAULT_VM_OPTIONS,
} from '../../../src/engine/vm/options.js';
import { MiB } from '../../../src/units.js';

const GiB = 1024 * MiB;

test('defaults: microvm, 1 vcpu, 256 MiB, accel auto, plain initramfs', () => {
  assert.deepEqual(parseVmOptions(), DEFAULT_VM_OPTIONS);
  assert.equal(DEFAULT_VM_OPTIONS.machine, 'microvm');
  assert.equal(DEFAULT_VM_OPTIONS.memoryBytes, 256 * MiB);
  assert.equal(DEFAULT_VM_OPTIONS.tbSizeMiB, 16, 'TCG code buffer capped (see options.ts for why)');
  assert.equal(parseVmOptions({ tbSizeMiB: 0 }).tbSizeMiB, undefined, '0 = QEMU default');
  assert.throws(() => parseVmOptions({ tbSizeMiB: -1 }), /tbSizeMiB '-1' must be an integer >= 0/);
});

test('memory sizes parse; impossible ones are refused with the value named', () => {
  assert.equal(parseMemory('512M', 8 * GiB), 512 * MiB);
  assert.equal(parseMemory('1G', 8 * GiB), GiB);
  assert.equal(parseMemory(128 * MiB, 8 * GiB), 128 * MiB);
  assert.throws(() => parseMemory('0', 8 * GiB), { message: "vm memory '0' is below the 64M a guest needs" });
  assert.throws(() => parseMemory('10T', 8 * GiB), {
    message: "vm memory '10T' exceeds this host's 8192M of RAM",
  });
  assert.throws(() => parseMemory('lots', 8 * GiB), { message: "vm memory 'lots' is not a size" });
});

test('vcpus, accel and machine are validated', () => {
  assert.equal(parseVcpus('2'), 2);
  assert.throws(() => parseVcpus('0'), /vm vcpus '0' must be an integer from 1 to 64/);
  assert.throws(() => parseVcpus('1.5'), /must be an integer/);
  assert.throws(() => parseVmOptions({ accel: 'hvf' }), {
    message: "vm option accel: 'hvf' is not one of auto, kvm, tcg",
  });
  assert.throws(() => parseVmOptions({ machine: 'virt' }), /machine: 'virt' is not one of microvm, pc, q35/);
  assert.throws(() => parseVmOptions({ memroy: '1G' }), /unknown vm option 'memroy'/);
  const o = parseVmOptions({ accel: 'tcg', machine: 'q35', vcpus: 2, memory: '128M', tbSizeMiB: 64 });
  assert.equal(o.accel, 'tcg');
  assert.equal(o.machine, 'q35');
  assert.equal(o.vcpus, 2);
  assert.equal(o.memoryBytes, 128 * MiB);
  assert.equal(o.tbSizeMiB, 64);
});
