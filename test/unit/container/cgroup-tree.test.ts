// Teardown of a cgroup the workload nested sub-cgroups into, on a temp dir standing in for
// cgroupfs: pids() sees the whole tree, killAll() kills a process listed only in a sub-cgroup,
// remove() rmdirs children before parents (a cgroupfs rmdir of a dir with children fails).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  rmdirSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cgroupTree } from '../../../src/engine/container/cgroup/fs.js';
import { CgroupV1Driver } from '../../../src/engine/container/cgroup/v1.js';
import { CgroupV2Driver } from '../../../src/engine/container/cgroup/v2.js';

/** Like cgroupfs: the virtual files go with the dir, but a dir with sub-dirs cannot be removed. */
const removed: string[] = [];
function cgroupfsRmdir(dir: string): void {
  for (const e of readdirSync(dir, { withFileTypes: true }))
    if (!e.isDirectory()) unlinkSync(join(dir, e.name));
  rmdirSync(dir); // ENOTEMPTY while a sub-cgroup exists
  removed.push(dir);
}

/** A real process "in" the fake sub-cgroup: its pid leaves the procs file when it exits. */
function sleeperIn(procsFile: string): ChildProcess {
  const child = spawn('sleep', ['1000'], { stdio: 'ignore' });
  writeFileSync(procsFile, `${child.pid}\n`);
  child.on('exit', () => writeFileSync(procsFile, ''));
  return child;
}

const exited = (c: ChildProcess): Promise<string | null> =>
  c.exitCode !== null || c.signalCode !== null
    ? Promise.resolve(c.signalCode)
    : new Promise((r) => c.on('exit', (_code, sig) => r(sig)));

test('cgroupTree lists every descendant, children before their parent', () => {
  const top = mkdtempSync(join(tmpdir(), 'ctvm-tree-'));
  try {
    mkdirSync(join(top, 'a', 'b'), { recursive: true });
    mkdirSync(join(top, 'c'));
    writeFileSync(join(top, 'a', 'cgroup.procs'), '');
    const tree = cgroupTree(top);
    assert.deepEqual(new Set(tree), new Set([top, join(top, 'a'), join(top, 'a', 'b'), join(top, 'c')]));
    for (const d of tree)
      for (const sub of tree.filter((x) => x.startsWith(d + '/')))
        assert.ok(tree.indexOf(sub) < tree.indexOf(d), `${sub} before ${d}`);
  } finally {
    rmSync(top, { recursive: true, force: true });
  }
});

test('v1: remove() kills a process in a nested sub-cgroup and removes the tree bottom-up', async () => {
  const root = mkdtempSync(join(tmpdir(), 'ctvm-tree1-'));
  let child: ChildProcess | undefined;
  try {
    const roots: Record<string, string> = {};
    for (const c of ['memory', 'cpu', 'cpuacct', 'pids', 'freezer', 'devices'])
      mkdirSync((roots[c] = join(root, c)), { recursive: true });
    const driver = new CgroupV1Driver(roots, { rmdir: cgroupfsRmdir });
    const cg = driver.create('t1', {});
    const top = join(roots.freezer!, 'ctvm', 't1');
    writeFileSync(join(top, 'freezer.state'), 'THAWED');
    const sub = join(top, 'x', 'y'); // what a workload that mounted cgroupfs could make
    mkdirSync(sub, { recursive: true });
    mkdirSync(join(roots.memory!, 'ctvm', 't1', 'z'));
    child = sleeperIn(join(sub, 'cgroup.procs'));
    assert.deepEqual(cg.pids(), [child.pid], 'pids() sees the sub-cgroup');
    await cg.remove();
    assert.equal(await exited(child), 'SIGKILL');
    for (const c of Object.keys(roots))
      assert.equal(existsSync(join(roots[c]!, 'ctvm', 't1')), false, `${c} tree removed`);
    assert.ok(removed.indexOf(sub) < removed.indexOf(join(top, 'x')));
    assert.ok(removed.indexOf(join(top, 'x')) < removed.indexOf(top));
    assert.equal(driver.open('t1'), undefined);
  } finally {
    child?.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  }
});

test('v2: killAll() (freeze fallback) kills a process in a sub-cgroup; remove() clears the tree', async () => {
  const mount = mkdtempSync(join(tmpdir(), 'ctvm-tree2-'));
  let child: ChildProcess | undefined;
  try {
    const cg = new CgroupV2Driver(mount, { rmdir: cgroupfsRmdir }).create('t2', {});
    const top = join(mount, 'ctvm', 't2');
    writeFileSync(join(top, 'cgroup.events'), 'populated 1\nfrozen 1\n');
    const sub = join(top, 'inner');
    mkdirSync(sub);
    child = sleeperIn(join(sub, 'cgroup.procs'));
    assert.deepEqual(cg.pids(), [child.pid]);
    await cg.killAll();
    assert.equal(await exited(child), 'SIGKILL');
    assert.deepEqual(cg.pids(), []);
    await cg.remove();
    assert.equal(existsSync(top), false);
    assert.ok(removed.indexOf(sub) < removed.indexOf(top));
  } finally {
    child?.kill('SIGKILL');
    rmSync(mount, { recursive: true, force: true });
  }
});
