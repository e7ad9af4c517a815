// A run SIGKILLed while its scratch disk is loop-mounted leaves an image, a loop device and a
// mount; `ctvm gc` (gcScratchDisks) removes all three, and keeps a live owner's image.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { execa } from 'execa';
import { requires } from '../../helpers/requires.js';
import { gcScratchDisks } from '../../../src/disk/gc.js';
import { PROJECT_DIR } from '../../../src/paths.js';

const HOLD = `
import { createScratchImage, loopMount } from './src/disk/scratch.ts';
const image = await createScratchImage(32 * 1024 * 1024);
const m = await loopMount(image.path);
console.log(image.path + ' ' + m.device);
setInterval(() => undefined, 1000);
`;

test(
  "gc removes a SIGKILLed run's scratch image, loop device and mount",
  { skip: requires('root'), timeout: 90_000 },
  async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', HOLD], {
      cwd: PROJECT_DIR,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout.once('data', (b: Buffer) => resolve(b.toString().trim()));
      child.once('exit', (c) => reject(new Error(`holder exited ${c}`)));
    });
    const [image, device] = line.split(' ') as [string, string];
    const kept = await gcScratchDisks();
    assert.ok(
      kept.kept.some((n) => image.endsWith(n)),
      "a live owner's image is kept",
    );
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    assert.ok(existsSync(image) && readFileSync('/proc/mounts', 'utf8').includes(`${image}.mnt`));
    const report = await gcScratchDisks();
    assert.deepEqual(report.errors, []);
    assert.ok(
      report.removed.some((n) => image.endsWith(n)),
      JSON.stringify(report),
    );
    assert.ok(!existsSync(image), 'image left');
    assert.ok(!readFileSync('/proc/mounts', 'utf8').includes(`${image}.mnt`), 'mount left');
    const loops = await execa('losetup', ['-n', '-j', image], { reject: false });
    assert.equal(loops.stdout.trim(), '', `loop device ${device} left`);
  },
);
