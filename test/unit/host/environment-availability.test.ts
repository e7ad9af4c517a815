import { test } from 'node:test';
import assert from 'node:assert/strict';
import { environmentAvailability } from '../../../src/host/doctor.js';
import type { DoctorReport } from '../../../src/host/facts.js';

function report(over: Partial<DoctorReport> = {}): DoctorReport {
  return {
    format: 1,
    bootId: 'b',
    generatedAt: '2026-01-01T00:00:00Z',
    root: true,
    host: {
      cpuModel: 'x',
      cores: 2,
      physicalCores: 2,
      memTotalBytes: 1,
      os: 'Debian',
      kernel: '6',
      arch: 'x64',
      cpuVirtualization: false,
      runningUnder: null,
      tscKhz: 2_000_000,
    },
    cgroup: {
      mode: 'hybrid',
      v1: { memory: '/m' },
      v2Mount: '/u',
      v2Controllers: [],
      driver: 'v1',
      missing: [],
    },
    kvm: {
      devicePresent: true,
      module: 'kvm_pvm',
      usable: false,
      reason: 'probe guest printed no marker within 10000 ms under kvm',
    },
    tcg: { usable: true, bootMs: 2100 },
    qemu: { path: '/usr/bin/qemu-system-x86_64', version: '7.2', machines: ['pc', 'microvm'] },
    guestKernel: { present: true },
    busybox: { present: true, path: '/bin/busybox' },
    runtimes: {
      runc: { present: true, usable: true },
      crun: { present: true, usable: false, reason: 'cgroups in hybrid mode not supported' },
    },
    environments: {},
    ...over,
  };
}

test('KVM present but not usable: vm falls back to TCG and says why', () => {
  const env = environmentAvailability(report());
  assert.deepEqual(env['vm:kvm'], {
    usable: false,
    reason: 'KVM: probe guest printed no marker within 10000 ms under kvm',
  });
  assert.equal(env.vm?.usable, true);
  assert.equal(env.vm?.accel, 'tcg');
  assert.match(env.vm?.usable ? (env.vm.detail ?? '') : '', /KVM not usable.*TCG/);
});

test('KVM usable: vm uses kvm', () => {
  const env = environmentAvailability(
    report({ kvm: { devicePresent: true, module: 'kvm_intel', usable: true, bootMs: 150 } }),
  );
  assert.equal(env.vm?.accel, 'kvm');
});

test('not root: container unusable with the reason; oci rows carry the runtime reason', () => {
  const env = environmentAvailability(report({ root: false }));
  assert.deepEqual(env.container, { usable: false, reason: 'needs root (namespaces, cgroups, mounts)' });
  assert.deepEqual(env['oci:crun'], { usable: false, reason: 'crun: cgroups in hybrid mode not supported' });
  assert.equal(env['oci:runc']?.usable, true);
});

test('missing cgroup controller makes container unusable and names it', () => {
  const env = environmentAvailability(
    report({
      cgroup: {
        mode: 'v2',
        v1: {},
        v2Mount: '/sys/fs/cgroup',
        v2Controllers: ['cpu'],
        driver: 'v2',
        missing: ['memory', 'pids'],
      },
    }),
  );
  assert.deepEqual(env.container, { usable: false, reason: 'cgroup v2 lacks controller(s): memory, pids' });
});

test('no accelerator at all: vm unusable with both reasons', () => {
  const env = environmentAvailability(
    report({ tcg: { usable: false, reason: 'qemu-system-x86_64 not installed' } }),
  );
  assert.equal(env.vm?.usable, false);
  assert.match(
    env.vm && !env.vm.usable ? env.vm.reason : '',
    /KVM: .*; TCG: qemu-system-x86_64 not installed/,
  );
});

test("docker: doctor's own-daemon verdict for `docker`; a daemon the user names needs the client and root", () => {
  const base = report().runtimes;
  const failed = environmentAvailability(
    report({
      runtimes: {
        ...base,
        docker: { present: true, usable: false, reason: 'dockerd exited with code 1; its log ends: boom' },
      },
    }),
  );
  assert.deepEqual(failed.docker, {
    usable: false,
    reason: 'docker: dockerd exited with code 1; its log ends: boom',
  });
  assert.equal(failed['docker:external']?.usable, true);
  const missing = environmentAvailability(
    report({
      runtimes: {
        ...base,
        docker: {
          present: false,
          usable: false,
          reason: 'docker.io not installed (apt-get install docker.io)',
        },
      },
    }),
  );
  assert.match(missing.docker?.usable === false ? missing.docker.reason : '', /apt-get install docker.io/);
  assert.equal(missing['docker:external']?.usable, false);
  assert.equal(
    environmentAvailability(report()).docker,
    undefined,
    'a report from before docker had no line',
  );
});

test("lxd and lxd:vm: usable or not with LXD's own reason", () => {
  const vmWhy =
    'Instance type "virtual-machine" is not supported on this server: KVM support is missing (no /dev/kvm)';
  const env = environmentAvailability(
    report({
      runtimes: {
        runc: { present: true, usable: true },
        crun: { present: true, usable: true },
        lxd: { present: true, usable: true, workaround: 'own daemon' },
        'lxd-vm': { present: true, usable: false, reason: vmWhy },
      },
    }),
  );
  assert.deepEqual(env.lxd, { usable: true, detail: 'own daemon' });
  assert.deepEqual(env['lxd:vm'], { usable: false, reason: `lxd (VM): ${vmWhy}` });
});
