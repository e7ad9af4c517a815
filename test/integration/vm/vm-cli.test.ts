// `ctvm vm run`: exit-code passthrough, one-line errors with exit 2, and Ctrl-C leaves nothing behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { join } from 'node:path';
import { PROJECT_DIR } from '../../../src/paths.js';
import { vmStateRoot } from '../../../src/engine/vm/vm-state.js';
import { requires } from '../../helpers/requires.js';
import { alive, pidsWithArg } from './helpers.js';
import { readdirSync } from 'node:fs';
import { buildRootfs } from '../../../src/workload/rootfs.js';

const CTVM = join(PROJECT_DIR, 'bin/ctvm.js');
const skip = requires('linux', 'qemu', 'kernel', 'probe', 'busybox');

test(
  'exit code of the workload is the exit code of ctvm vm run; --phases prints the timeline',
  { skip },
  async () => {
    const child = execa('node', [CTVM, 'vm', 'run', '--workload', 'exit:3', '--accel', 'tcg', '--phases'], {
      reject: false,
    });
    const pid = child.pid!;
    const r = await child;
    assert.equal(r.exitCode, 3, r.stderr);
    assert.match(r.stdout, /^READY$/m);
    assert.match(r.stderr, /accel=tcg machine=microvm/);
    assert.match(r.stderr, /start latency \(launch -> READY\): \d+\.\d ms/);
    // bin/ctvm.js ends `vm` at once, without Node's teardown (registry.ts, exitsAtOnce): the
    // output above came out whole, and what the run made is gone by then.
    assert.deepEqual(
      readdirSync(vmStateRoot()).filter(
        (d) => d.startsWith(`vm.cli-${pid}.`) || d.startsWith(`lease.${pid}.`),
      ),
      [],
    );
    assert.deepEqual(pidsWithArg(`/vm.cli-${pid}.`), [], 'its qemu is gone');
  },
);

// Before: microvm with pit=off,pic=off gave the guest no timer interrupt under TCG ("APIC timer
// disabled due to verification failure"), so any sleep in the guest hung until the harness timeout.
for (const kernel of ['default', 'minimal'] as const)
  test(
    `the guest keeps time: sleep 1 returns (microvm, ${kernel} kernel)`,
    { skip: skip || requires(...(kernel === 'minimal' ? (['minimalKernel'] as const) : [])) },
    async () => {
      const rootfs = (await buildRootfs()).dir;
      const r = await execa(
        'node',
        [
          CTVM,
          'vm',
          'run',
          '--accel',
          'tcg',
          ...(kernel === 'minimal' ? ['--kernel', 'minimal'] : []),
          '--rootfs',
          rootfs,
          '--timeout',
          '40s',
          '--',
          '/bin/sh',
          '-c',
          'sleep 1; echo SLEPT',
        ],
        { reject: false },
      );
      assert.equal(r.exitCode, 0, r.stderr);
      assert.match(r.stdout, /^SLEPT$/m);
    },
  );

for (const [args, message] of [
  [['--kernel', '/nonexistent/bzImage'], 'ctvm: guest kernel /nonexistent/bzImage does not exist'],
  [
    ['--kernel', '/etc/hostname'],
    'ctvm: guest kernel /etc/hostname is neither an x86-64 ELF vmlinux nor a bzImage',
  ],
  [['--memory', '0'], "ctvm: vm memory '0' is below the 64M a guest needs"],
  [['--memory', '10T'], /^ctvm: vm memory '10T' exceeds this host's \d+M of RAM$/],
] as const) {
  test(`bad input ${args.join(' ')} -> exit 2 with one clear line`, async () => {
    const r = await execa('node', [CTVM, 'vm', 'run', '--workload', 'noop', ...args], { reject: false });
    assert.equal(r.exitCode, 2);
    const first = r.stderr.split('\n')[0] ?? '';
    if (typeof message === 'string') assert.equal(first, message);
    else assert.match(first, message);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  });
}

test('SIGINT while a guest runs: qemu killed and its state dir removed', { skip }, async () => {
  const child = execa(
    'node',
    [CTVM, 'vm', 'run', '--workload', 'idle', '--accel', 'tcg', '--timeout', '120s'],
    { reject: false, buffer: false },
  );
  const pid = child.pid!;
  const marker = `vm.cli-`; // our instance dir prefix; matched with the CLI's pid below
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no READY within 60 s')), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('READY')) {
        clearTimeout(t);
        resolve();
      }
    });
  });
  // The tsx loader runs main in the same process as bin/ctvm.js: the instance is cli-<that pid>.
  const qemus = pidsWithArg(`/${marker}${pid}.`);
  assert.equal(qemus.length, 1, 'exactly our qemu is running');
  child.kill('SIGINT');
  const r = await child;
  assert.ok(r.signal === 'SIGINT' || r.exitCode !== 0, `ctvm ended: ${r.exitCode} ${r.signal}`);
  await new Promise((res) => setTimeout(res, 200));
  for (const q of qemus) assert.equal(alive(q), false, `qemu ${q} survived Ctrl-C`);
  assert.deepEqual(
    readdirSync(vmStateRoot()).filter((d) => d.startsWith(`${marker}${pid}.`)),
    [],
  );
});
