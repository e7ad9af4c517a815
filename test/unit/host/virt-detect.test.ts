// #12 item 4: doctor said "bare metal or not detected" on a VM host (systeminformation's guess).
// VM and container are now detected separately from systemd-detect-virt, the CPU flag
// `hypervisor`, DMI names and container marker files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describeVirt, detectVirt, type VirtIo } from '../../../src/host/virt-detect.js';

function fakeIo(files: Record<string, string>, sdv: Record<string, string> | null): VirtIo {
  return {
    readFile: (p) => files[p] ?? null,
    detectVirt: (args) => (sdv === null ? null : (sdv[args[0]!] ?? 'none')),
  };
}
const CPU_VM = 'processor\t: 0\nflags\t\t: fpu vme de pse hypervisor lahf_lm\n';
const CPU_METAL = 'processor\t: 0\nflags\t\t: fpu vme de pse lahf_lm\n';

test('a container on a VM host (this CI host): both facts, each with its evidence', () => {
  const v = detectVirt(
    fakeIo({ '/proc/cpuinfo': CPU_VM, '/.dockerenv': '' }, { '--vm': 'bhyve', '--container': 'docker' }),
  );
  assert.equal(v.vm, 'bhyve');
  assert.equal(v.container, 'docker');
  assert.deepEqual(v.evidence, [
    'systemd-detect-virt --vm: bhyve',
    'systemd-detect-virt --container: docker',
    'CPU flag hypervisor',
  ]);
  assert.equal(describeVirt(v), 'a VM (bhyve) and a container (docker)');
});

test('without systemd-detect-virt: CPU flag, DMI, marker files; bare metal stays null', () => {
  assert.equal(
    describeVirt(detectVirt(fakeIo({ '/proc/cpuinfo': CPU_VM }, null))),
    'a VM (unknown hypervisor)',
  );
  const dmi = detectVirt(
    fakeIo(
      { '/proc/cpuinfo': CPU_VM, '/sys/class/dmi/id/sys_vendor': 'QEMU\n', '/run/.containerenv': '' },
      null,
    ),
  );
  assert.equal(describeVirt(dmi), 'a VM (QEMU) and a container (podman)');
  const metal = detectVirt(
    fakeIo({ '/proc/cpuinfo': CPU_METAL, '/sys/class/dmi/id/sys_vendor': 'Dell Inc.' }, {}),
  );
  assert.deepEqual(metal, { vm: null, container: null, evidence: [] });
  assert.equal(describeVirt(metal), null);
});

test(
  'this host: a CPU with the hypervisor flag is reported as a VM',
  { skip: !/\bhypervisor\b/.test(readFileSync('/proc/cpuinfo', 'utf8')) && 'no hypervisor CPU flag here' },
  () => {
    assert.notEqual(detectVirt().vm, null);
  },
);
