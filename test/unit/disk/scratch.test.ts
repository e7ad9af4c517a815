// The scratch disk's pure parts: sizes (a field-naming error when it is not one, too small, or
// does not fit), the @SCRATCH@ token, gc's names, the qemu drive, /init's mount, the scenario's
// network/scratch fields.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScratchSize, scratchArgv, SCRATCH_TOKEN } from '../../../src/disk/scratch-spec.js';
import { scratchOwner } from '../../../src/disk/gc.js';
import { diskArgs, kernelCmdline } from '../../../src/engine/vm/qemu-args.js';
import { renderInitScript } from '../../../src/engine/vm/init-script.js';
import { parseScenario } from '../../../src/runner/scenario-load.js';
import { UsageError } from '../../../src/errors.js';
import { needVerdict } from '../../../src/runner/io-options.js';
import { IO_WORKLOADS, workloadNeeds } from '../../../src/workload/io-workloads.js';

test('scratch sizes: a size, at least 16M, and it must fit on the host disk; the field is named', () => {
  assert.equal(parseScratchSize('64M'), 64 * 1024 * 1024);
  assert.throws(
    () => parseScratchSize('lots'),
    (e: unknown) => e instanceof UsageError && /^scratch: 'lots' is not a size/.test(e.message),
  );
  assert.throws(() => parseScratchSize('1M'), /scratch: 1M is below the 16M/);
  assert.throws(() => parseScratchSize('900T'), /scratch: 900T does not fit on the disk holding /);
});

test('@SCRATCH@ becomes where the environment sees the disk', () => {
  assert.deepEqual(scratchArgv(['fio', `--filename=${SCRATCH_TOKEN}/a.dat`, 'x'], '/scratch'), [
    'fio',
    '--filename=/scratch/a.dat',
    'x',
  ]);
});

test('gc knows scratch image names and their owner pid', () => {
  assert.equal(scratchOwner('ctvm-disk-123-0.img'), 123);
  assert.equal(scratchOwner('ctvm-disk-123-4.img.mnt'), 123);
  assert.equal(scratchOwner('ctvm-disk-x-0.img'), undefined);
  assert.equal(scratchOwner('other.img'), undefined);
});

test('vm disk: virtio-blk-device on microvm, -pci on q35, cache=none aio=native; mount point on the cmdline', () => {
  const disk = { imagePath: '/var/tmp/ctvm-disk/ctvm-disk-1-0.img', mountPoint: '/scratch' };
  assert.deepEqual(diskArgs({ machine: 'microvm', disk }), [
    '-drive',
    'file=/var/tmp/ctvm-disk/ctvm-disk-1-0.img,format=raw,if=none,id=d0,cache=none,aio=native',
    '-device',
    'virtio-blk-device,drive=d0',
  ]);
  assert.equal(diskArgs({ machine: 'q35', disk })[3], 'virtio-blk-pci,drive=d0');
  assert.deepEqual(diskArgs({ machine: 'pc' }), []);
  assert.throws(() => diskArgs({ machine: 'pc', disk: { ...disk, imagePath: '/a,b' } }), /comma/);
  assert.match(kernelCmdline({ machine: 'microvm', tscKhz: null, disk }), / ctvm\.disk=\/scratch/);
});

test('/init mounts the disk from the command line and unmounts it before power-off, without forks for it', () => {
  const s = renderInitScript({ argv: ['/bin/true'], env: {} });
  assert.match(s, /ctvm\.disk=\*\) disk=/);
  assert.match(s, /\$B mount -t ext4 -o noatime \/dev\/vda "\$disk"/);
  assert.ok(s.indexOf('umount "$disk"') < s.indexOf('CTVM-EXIT'));
  assert.match(s, /^read -r cmdline < \/proc\/cmdline$/m); // a builtin, not $(cat)
  assert.doesNotMatch(s, /\$\(\$B (ls|cat)/);
});

const base = 'name: t\nworkloads: [noop]\nrepetitions: 3\n';
function scenarioError(envs: string): string {
  try {
    parseScenario(`${base}environments:\n${envs}\n`, 'bad.yaml');
  } catch (err) {
    assert.ok(err instanceof UsageError);
    return err.message;
  }
  assert.fail('accepted');
}

test('scenario: an unknown network mode or a scratch size that does not fit names the field', () => {
  assert.match(
    scenarioError('  - { id: container, options: { network: bridged } }'),
    /options\.network.*unknown network mode 'bridged' for container; known: none, loopback, host, bridge/s,
  );
  assert.match(
    scenarioError('  - { id: bare, options: { network: none } }'),
    /options\.network.*known: host, bridge/s,
  );
  assert.match(
    scenarioError("  - { id: 'oci:crun', options: { network: bridge } }"),
    /options\.network.*has no network option/s,
  );
  assert.match(
    scenarioError('  - { id: container, options: { scratch: 900T } }'),
    /options\.scratch.*does not fit/s,
  );
  assert.match(scenarioError('  - { id: vm, options: { scratch: 1M } }'), /options\.scratch.*below the 16M/s);
  const ok = parseScenario(
    `${base}environments:\n  - { id: bare, options: { network: bridge, scratch: 64M } }\n`,
    'ok.yaml',
  );
  assert.deepEqual(ok.environments[0]!.options, { network: 'bridge', scratch: '64M' });
});

test('a workload that needs the scratch disk: an environment without one is an error naming the field', () => {
  const fio = (envs: string): string => {
    try {
      parseScenario(
        `name: t\nworkloads: ['fio:randread']\nrepetitions: 3\nenvironments:\n${envs}\n`,
        'bad.yaml',
      );
    } catch (err) {
      assert.ok(err instanceof UsageError);
      return err.message;
    }
    assert.fail('accepted');
  };
  assert.match(
    fio('  - container'),
    /options\.scratch.*workload fio:randread needs the scratch disk: set scratch: SIZE/s,
  );
  // A type that cannot mount it at all is a skipped cell (test/unit/runner/cells.test.ts), not an error.
  assert.doesNotThrow(() =>
    parseScenario(
      "name: t\nworkloads: ['fio:randread']\nrepetitions: 3\nenvironments: ['oci:crun']\n",
      'ok.yaml',
    ),
  );
  assert.deepEqual(workloadNeeds('fio:seqread'), ['disk']);
  assert.deepEqual(workloadNeeds('cpu'), []);
  assert.ok(IO_WORKLOADS['fio:randwrite']!.args.includes('--direct=1'));
});

test('a workload that needs a network: none, loopback or host is not the lab network', () => {
  assert.deepEqual(needVerdict('network', 'container', {}), {
    field: 'network',
    error:
      "network 'none' (the default for container) is not the lab network its clients use; set network: bridge",
  });
  assert.deepEqual(needVerdict('network', 'bare', { network: 'host' }), {
    field: 'network',
    error: "network 'host' is not the lab network its clients use; set network: bridge",
  });
  assert.equal(needVerdict('network', 'vm', { network: 'bridge' }), undefined);
  assert.equal(needVerdict('disk', 'vm', { scratch: '64M' }), undefined);
  assert.deepEqual(needVerdict('network', 'oci:crun', {}), {
    skip: 'environment type oci:crun has no lab network (network: bridge) yet',
  });
  assert.deepEqual(needVerdict('disk', 'docker', {}), {
    skip: 'environment type docker cannot mount the scratch disk',
  });
});
