// Teardown of a container cgroup that has sub-cgroups (issue #11 item 10: v1 removal was a plain
// rmdir, EBUSY with children, and kill-all read only the top cgroup.procs, so a process moved
// into a sub-cgroup survived). Both through Cgroup.remove() and through gc's orphan sweep.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gcContainers } from '../../../src/engine/container/gc.js';
import { detectHostCgroups } from '../../../src/host/cgroup-mode.js';
import { requires } from '../../helpers/requires.js';
import { PREFIX, hostDriver, leftovers, nextName } from './helpers.js';

const skip = requires('root', 'cgroupV1');

/** A `sleep` moved into `<hierarchy>/ctvm/<name>/sub/deeper` of memory, pids and freezer. */
function nestedSleeper(name: string): { child: ChildProcess; dirs: string[] } {
  const child = spawn('sleep', ['1000'], { stdio: 'ignore' });
  const dirs: string[] = [];
  const v1 = detectHostCgroups().v1;
  for (const c of ['memory', 'pids', 'freezer']) {
    const deeper = join(v1[c]!, 'ctvm', name, 'sub', 'deeper');
    mkdirSync(deeper, { recursive: true });
    writeFileSync(join(deeper, 'cgroup.procs'), String(child.pid));
    dirs.push(join(v1[c]!, 'ctvm', name));
  }
  return { child, dirs };
}

const death = (c: ChildProcess): Promise<string | null> =>
  c.exitCode !== null || c.signalCode !== null
    ? Promise.resolve(c.signalCode)
    : new Promise((r) => c.on('exit', (_code, sig) => r(sig)));

/** Creates a cgroup with a nested sleeper, runs `teardown`, checks that nothing is left. */
async function torndown(tag: string, teardown: (name: string) => Promise<void>): Promise<void> {
  const name = nextName(tag);
  const cg = hostDriver().create(name, { pids: 16 });
  const { child, dirs } = nestedSleeper(name);
  try {
    assert.ok(cg.pids().includes(child.pid!), 'pids() sees the nested process');
    await teardown(name);
    assert.equal(await death(child), 'SIGKILL');
    for (const d of dirs) assert.equal(existsSync(d), false, d);
    assert.deepEqual(leftovers().cgroupDirs, []);
  } finally {
    child.kill('SIGKILL');
    await hostDriver().open(name)?.remove(); // only when an assertion failed half-way
  }
}

test('remove() kills a process in a sub-cgroup and removes every dir', { skip }, () =>
  torndown('tree', (name) => hostDriver().open(name)!.remove()),
);

test('gc removes an orphaned ctvm cgroup that has sub-cgroups and a live process', { skip }, () =>
  torndown('orphan', async (name) => {
    const report = await gcContainers({ drivers: [hostDriver()], prefix: PREFIX });
    assert.deepEqual(report.errors, []);
    assert.ok(report.orphanCgroups.includes(name), JSON.stringify(report));
  }),
);
