// dieWithOwner (src/util/die-with-owner.ts, how qemu is started): the started process is the
// command itself (exec in place, same pid) and it dies when its owner is SIGKILLed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_DIR } from '../../../src/paths.js';
import { processStartTicks } from '../../../src/engine/container/state-dir.js';
import { which } from '../../../src/util/which.js';

const skip =
  process.platform !== 'linux' || !which('setpriv') ? 'needs Linux and setpriv (util-linux)' : false;

test('a process started through dieWithOwner is SIGKILLed when its owner is', { skip }, async () => {
  // The owner: a Node process that starts `sleep` as qemu is started and prints its pid.
  const owner = execa(
    process.execPath,
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      `import { execa } from 'execa';
       import { dieWithOwner } from ${JSON.stringify(join(PROJECT_DIR, 'src/util/die-with-owner.ts'))};
       const c = dieWithOwner('sleep', ['600']);
       const p = execa(c.file, c.args, { reject: false });
       console.log(p.pid);
       setInterval(() => undefined, 1000);`,
    ],
    { reject: false, cwd: PROJECT_DIR, buffer: false },
  );
  const pid = await new Promise<number>((resolve) =>
    owner.stdout!.once('data', (b: Buffer) => resolve(Number(b))),
  );
  try {
    // exec in place: the pid execa reports becomes `sleep` itself.
    for (let i = 0; i < 100 && !readFileSync(`/proc/${pid}/cmdline`, 'latin1').startsWith('sleep'); i++)
      await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0'), ['sleep', '600', '']);
    owner.kill('SIGKILL');
    await owner;
    let gone = false;
    for (let i = 0; i < 100 && !gone; i++) {
      gone =
        processStartTicks(pid) === undefined ||
        /^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (!gone) await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(gone, `pid ${pid} outlived its owner`);
  } finally {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone, as it should be */
    }
  }
});
