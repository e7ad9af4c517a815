// VM state dirs and their reaper, against temp dirs and stand-in processes (no qemu, no root):
// gc ends only the process the record names (pid + start time) of a dead owner, keeps live
// owners' and fresh dirs, and removes old /tmp/ctvm-vm-* dirs without following links.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { processStartTicks, writeRecord } from '../../../src/engine/container/state-dir.js';
import { gcVms, pidsReferring } from '../../../src/engine/vm/gc.js';
import { createVmStateDir, readVmRecord, recordQemu } from '../../../src/engine/vm/vm-state.js';

const OLD = new Date(Date.now() - 3600_000);

function tempRoot(t: { after(fn: () => void): void }): string {
  const root = mkdtempSync(join(tmpdir(), 'ctvm-vmgc-test-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

/** A pid + start time that no live process has any more. */
async function deadOwner(): Promise<{ ownerPid: number; ownerStartTicks: number }> {
  const p = execa('sleep', ['30'], { reject: false });
  const ticks = processStartTicks(p.pid!)!;
  p.kill('SIGKILL');
  await p;
  return { ownerPid: p.pid!, ownerStartTicks: ticks };
}

/** A long-running stand-in whose command line contains `arg` (once it has exec'ed). */
async function standIn(t: { after(fn: () => void): void }, arg = 'none') {
  const p = execa('sh', ['-c', 'while :; do sleep 0.2; done', 'sh', arg], { reject: false });
  t.after(() => void p.kill('SIGKILL'));
  for (let i = 0; i < 200 && !readFileSync(`/proc/${p.pid}/cmdline`, 'latin1').includes(arg); i++)
    await new Promise((r) => setTimeout(r, 10));
  return { pid: p.pid!, done: p }; // not the ResultPromise itself: awaiting that waits for the end
}

test('createVmStateDir: private dir, a record with the lease, qemu added after the spawn', (t) => {
  const root = tempRoot(t);
  const s = createVmStateDir('cli-1/x', ['/k/vmlinux', '/c/i.cpio'], root);
  assert.match(s.dir, /\/vm\.cli-1_x\.[A-Za-z0-9]{6}$/);
  assert.equal(s.qmpSocket, join(s.dir, 'qmp.sock'));
  const r = readVmRecord(s.dir)!;
  assert.deepEqual(
    [r.kind, r.name, r.ownerPid, r.uses],
    ['vm', 'cli-1/x', process.pid, ['/k/vmlinux', '/c/i.cpio']],
  );
  assert.equal(r.qemuPid, undefined);
  recordQemu(s.dir, s.record, process.pid);
  assert.equal(readVmRecord(s.dir)!.qemuStartTicks, processStartTicks(process.pid));
});

test('createVmStateDir: a QMP socket path over 107 bytes is refused with a hint', (t) => {
  const root = join(tempRoot(t), 'x'.repeat(80));
  assert.throws(() => createVmStateDir('vm', [], root), /QMP socket path .* longer than 107 bytes/);
  assert.deepEqual(readdirSync(root), [], 'nothing created');
});

test("gcVms: kills a dead owner's qemu (by pid + start time) and removes its dir; keeps the rest", async (t) => {
  const root = tempRoot(t);
  const legacy = tempRoot(t);
  // A dead owner's VM whose qemu (a stand-in) still runs.
  const orphan = createVmStateDir('orphan', [], root);
  const qemu = await standIn(t);
  writeRecord(orphan.dir, { ...orphan.record, ...(await deadOwner()) });
  recordQemu(orphan.dir, { ...readVmRecord(orphan.dir)! }, qemu.pid);
  // A record naming a pid whose start time differs (reused pid): not killed.
  const stale = createVmStateDir('stale', [], root);
  const bystander = await standIn(t);
  writeRecord(stale.dir, {
    ...stale.record,
    ...(await deadOwner()),
    qemuPid: bystander.pid,
    qemuStartTicks: processStartTicks(bystander.pid)! - 1,
  });
  const live = createVmStateDir('live', [], root); // our own: owner alive
  const young = mkdtempSync(join(root, 'vm.young.')); // launch in progress: no record yet
  const debris = mkdtempSync(join(root, 'vm.debris.'));
  utimesSync(debris, OLD, OLD);
  mkdirSync(join(root, 'c1')); // a container's dir: not the VM reaper's business

  const r = await gcVms({ stateRoot: root, legacyRoot: legacy });
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.killed, [qemu.pid]);
  assert.deepEqual(r.reaped.sort(), [debris, orphan.dir, stale.dir].sort());
  assert.deepEqual(r.kept.sort(), [live.dir, young].sort());
  const end = await qemu.done;
  assert.equal(end.signal, 'SIGKILL');
  assert.equal(processStartTicks(bystander.pid) !== undefined, true, 'the bystander lives');
  assert.ok(existsSync(join(root, 'c1')) && existsSync(live.dir) && existsSync(young));
});

test("gcVms: a dead owner's qemu that is not in the record yet is found by its socket path", async (t) => {
  const root = tempRoot(t);
  const s = createVmStateDir('early', [], root);
  writeRecord(s.dir, { ...s.record, ...(await deadOwner()) });
  const qemu = await standIn(t, `unix:${s.qmpSocket},server=on`);
  assert.deepEqual(pidsReferring(s.dir), [qemu.pid]);
  const r = await gcVms({ stateRoot: root, legacyRoot: tempRoot(t) });
  assert.deepEqual(r.killed, [qemu.pid]);
  assert.equal((await qemu.done).signal, 'SIGKILL');
  assert.equal(existsSync(s.dir), false);
});

test('gcVms: legacy /tmp/ctvm-vm-* dirs go once unused; links, fresh, foreign or busy ones stay', async (t) => {
  const root = tempRoot(t);
  const legacy = tempRoot(t);
  const make = (name: string, files: string[] = ['qmp.sock']): string => {
    const d = join(legacy, name);
    mkdirSync(d, { mode: 0o700 });
    for (const f of files) writeFileSync(join(d, f), '');
    utimesSync(d, OLD, OLD);
    return d;
  };
  const gone = make('ctvm-vm-cli-1-aaaaaa');
  const empty = make('ctvm-vm-cli-2-bbbbbb', []);
  const busy = make('ctvm-vm-cli-3-cccccc');
  await standIn(t, `${busy}/qmp.sock`);
  const foreign = make('ctvm-vm-cli-4-dddddd', ['qmp.sock', 'precious']);
  const fresh = join(legacy, 'ctvm-vm-cli-5-eeeeee');
  mkdirSync(fresh, { mode: 0o700 });
  const target = join(root, 'target');
  mkdirSync(target);
  writeFileSync(join(target, 'qmp.sock'), 'not ours');
  symlinkSync(target, join(legacy, 'ctvm-vm-link'));
  const open = make('ctvm-vm-open-ffffff');
  chmodSync(open, 0o777); // writable by others: anyone could have put anything there

  const r = await gcVms({ stateRoot: root, legacyRoot: legacy });
  assert.deepEqual(r.reaped.sort(), [empty, gone].sort());
  assert.deepEqual(r.kept, [busy, `${foreign} (holds files ctvm did not make: remove them yourself)`]);
  assert.deepEqual(r.errors, []);
  assert.ok(existsSync(join(foreign, 'precious')) && existsSync(fresh) && existsSync(open));
  assert.equal(readFileSync(join(target, 'qmp.sock'), 'utf8'), 'not ours', 'the link was not followed');
});
