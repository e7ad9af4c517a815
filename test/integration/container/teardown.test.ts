// Nothing is left behind: 200 sequential runs, 20 runs killed by timeout, and a SIGKILLed caller
// followed by `ctvm gc`. Counts only what this test process created (its unique prefix).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_DIR } from '../../../src/paths.js';
import { requires } from '../../helpers/requires.js';
import { PREFIX, leftovers, run } from './helpers.js';

const skip = requires('root', 'helper', 'probe', 'busybox', 'cgroupV1');
const none = { cgroupDirs: [], stateDirs: [], mounts: [], processes: [] };

test('200 sequential runs leave no cgroup dirs, state dirs, mounts or processes', { skip }, async () => {
  assert.deepEqual(leftovers(), none);
  for (let i = 0; i < 200; i++) {
    const { exit } = await run(['/bin/true'], {
      limits: { memoryBytes: 64 * 1024 * 1024, pids: 64, cpus: 1 },
      tag: 'seq',
    });
    assert.equal(exit.code, 0, `run ${i}`);
  }
  assert.deepEqual(leftovers(), none);
});

test('20 runs killed by timeout leave nothing and are reported as timed out', { skip }, async () => {
  for (let i = 0; i < 20; i++) {
    const { exit } = await run(['/bin/sh', '-c', 'sleep 100 & sleep 100 & /bin/ctvm-probe hang'], {
      timeoutMs: 150,
      tag: 'to',
    });
    assert.equal(exit.timedOut, true, `run ${i}`);
    assert.equal(exit.signal, 'SIGKILL');
  }
  assert.deepEqual(leftovers(), none);
});

test('after the caller is SIGKILLed mid-run, `ctvm gc` restores the host', { skip }, async () => {
  const name = `${PREFIX}killed`;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(PROJECT_DIR, 'test/integration/container/fixtures/hold.ts'), name],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (b: Buffer) => (b.toString().includes('RUNNING') ? resolve() : undefined));
    child.on('exit', (code) => reject(new Error(`fixture exited early (${code})`)));
  });
  const during = leftovers();
  assert.equal(during.stateDirs.length, 1);
  assert.ok(during.cgroupDirs.length >= 5, `cgroups while running: ${during.cgroupDirs.length}`);
  assert.ok(during.processes.length >= 1, 'the container is running');
  child.kill('SIGKILL');
  await new Promise((r) => child.on('exit', r));
  await new Promise((r) => setTimeout(r, 300));
  const after = leftovers();
  assert.equal(after.stateDirs.length, 1, 'the crash left its state dir for gc');
  assert.ok(after.cgroupDirs.length >= 5, 'and its cgroups');
  assert.equal(after.processes.length, 0, 'PDEATHSIG took the container down with its caller');
  const out = execFileSync(process.execPath, [join(PROJECT_DIR, 'bin/ctvm.js'), 'gc'], { encoding: 'utf8' });
  assert.match(out, new RegExp(`reaped \\d+ instance\\(s\\):.*${name}`));
  assert.deepEqual(leftovers(), none);
});
