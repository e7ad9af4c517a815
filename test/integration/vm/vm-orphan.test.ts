// A SIGKILLed `ctvm vm run` takes its qemu with it (parent-death signal), and `ctvm gc` ends a
// qemu whose owner is dead (found by its state record) and removes its state dir. Only what these
// tests started is looked at: their own pids and state dirs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_DIR } from '../../../src/paths.js';
import { leasedPaths } from '../../../src/cache/prune.js';
import { processStartTicks, writeRecord } from '../../../src/engine/container/state-dir.js';
import { qemuBinary } from '../../../src/engine/vm/environment.js';
import { createVmStateDir, readVmRecord, recordQemu, vmStateRoot } from '../../../src/engine/vm/vm-state.js';
import { requires } from '../../helpers/requires.js';
import { alive, pidsWithArg } from './helpers.js';

const CTVM = join(PROJECT_DIR, 'bin/ctvm.js');
const skip = requires('root', 'linux', 'qemu', 'kernel', 'probe', 'busybox');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, ms: number, f: () => T | undefined): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const ownDirs = (marker: string): string[] =>
  readdirSync(vmStateRoot())
    .filter((d) => d.startsWith(marker))
    .map((d) => join(vmStateRoot(), d));

test('SIGKILL of `ctvm vm run`: qemu dies with it; gc removes the state dir', { skip }, async () => {
  const child = execa(
    'node',
    [CTVM, 'vm', 'run', '--workload', 'hang', '--accel', 'tcg', '--timeout', '120s'],
    {
      reject: false,
      buffer: false,
      stdio: 'ignore',
    },
  );
  const marker = `vm.cli-${child.pid}.`; // bin/ctvm.js runs main in this very process
  try {
    const [dir] = await until('the state dir', 30_000, () => {
      const d = ownDirs(marker);
      return d.length ? d : undefined;
    });
    const qemu = await until('qemu in the record', 30_000, () => readVmRecord(dir!)?.qemuPid);
    await until('qemu exec', 10_000, () => (pidsWithArg(`/${marker}`).includes(qemu) ? true : undefined));
    assert.equal(readVmRecord(dir!)!.ownerPid, child.pid);
    const initrd = readVmRecord(dir!)!.uses.find((u) => u.includes('/initramfs/'));
    assert.ok(initrd && leasedPaths().includes(initrd), 'the running VM leases its initramfs');
    child.kill('SIGKILL');
    await child;
    await until('qemu to die with its owner', 5000, () => (alive(qemu) ? undefined : true));
    assert.deepEqual(ownDirs(marker), [dir], 'a SIGKILL leaves the dir for gc');
    const gc = await execa('node', [CTVM, 'gc'], { reject: false });
    assert.equal(gc.exitCode, 0, gc.stderr);
    assert.match(gc.stdout, new RegExp(`gc: vm: removed \\d+ dir\\(s\\): .*${marker.replace('.', '\\.')}`));
    assert.deepEqual(ownDirs(marker), []);
    assert.deepEqual(pidsWithArg(`/${marker}`), []);
  } finally {
    child.kill('SIGKILL');
    for (const q of pidsWithArg(`/${marker}`)) process.kill(q, 'SIGKILL');
    for (const d of ownDirs(marker)) rmSync(d, { recursive: true, force: true });
  }
});

test(
  'a qemu whose owner is dead (started without the death signal): gc kills it and removes its dir',
  { skip },
  async () => {
    // The orphan as older ctvm versions left it: a real qemu, its owner gone. Paused (-S) and
    // without a guest, so it costs no CPU; started directly, so nothing ends it but gc.
    const state = createVmStateDir(`orphan-${process.pid}`, []);
    const owner = execa('sleep', ['30'], { reject: false });
    const ownerTicks = processStartTicks(owner.pid!)!;
    owner.kill('SIGKILL');
    await owner;
    writeRecord(state.dir, { ...state.record, ownerPid: owner.pid!, ownerStartTicks: ownerTicks });
    const qemu = execa(
      qemuBinary(),
      ['-S', '-machine', 'microvm', '-accel', 'tcg', '-m', '64M', '-nodefaults', '-display', 'none'],
      { reject: false, stdio: 'ignore', detached: true, cleanup: false },
    );
    const marker = `vm.orphan-${process.pid}.`;
    try {
      recordQemu(state.dir, readVmRecord(state.dir)!, qemu.pid!);
      await sleep(300);
      assert.ok(alive(qemu.pid!), 'qemu runs');
      const gc = await execa('node', [CTVM, 'gc', '--json'], { reject: false });
      assert.equal(gc.exitCode, 0, gc.stderr);
      const report = JSON.parse(gc.stdout) as { vms: { killed: number[]; reaped: string[] } };
      assert.ok(report.vms.killed.includes(qemu.pid!), `killed: ${report.vms.killed.join(' ')}`);
      assert.ok(report.vms.reaped.includes(state.dir));
      const end = await qemu;
      assert.equal(end.signal, 'SIGKILL');
      assert.equal(existsSync(state.dir), false);
      assert.deepEqual(ownDirs(marker), []);
    } finally {
      qemu.kill('SIGKILL');
    }
  },
);
