// KSM is switched on for a density level and the host's settings come back: after a normal run,
// after SIGINT, and after SIGKILL followed by `ctvm gc`. A distinctive pages_to_scan (1234) shows
// when ctvm holds KSM. Containers only: nothing boots, so each case takes seconds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { execa } from 'execa';
import { requires } from '../../helpers/requires.js';
import { defaultKsmPaths, readKsmSettings } from '../../../src/host/ksm.js';
import { tempDir, writeScenario } from '../runner/helpers.js';
import { CTVM, NO_RUN_LEFTOVERS, onlyRun, runLeftovers, samples, waitFor } from './helpers.js';

const skip = requires('root', 'helper', 'ksm');
const SCENARIO =
  'environments: [container]\nworkloads: [noop]\nrepetitions: 1\nwarmup: 0\nsettle: 500ms\nidleWindow: 500ms\n' +
  'density: { levels: [2], ksm: true, ksmPagesToScan: 1234, ksmSettleTimeout: 20s }\n';
const held = () => readKsmSettings().pages_to_scan === 1234;
async function withRun(tag: string, body: (file: string, out: string) => Promise<void>): Promise<void> {
  const { dir, cleanup } = tempDir(tag);
  try {
    await body(writeScenario(dir, tag, SCENARIO), `${dir}/results`);
  } finally {
    cleanup();
  }
}

test('KSM settings are restored after a normal run', { skip }, async () => {
  const before = readKsmSettings();
  await withRun('ksm-normal', async (file, out) => {
    const r = await execa('node', [CTVM, 'run', file, '--out', out, '--plain'], { reject: false });
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    const d = samples(onlyRun(out)!).find((s) => s.kind === 'density')!;
    assert.ok(d.ok && d.metrics.ksmSettleNs! > 0 && d.metrics.ksmPssBytes! > 0, JSON.stringify(d));
  });
  assert.deepEqual(readKsmSettings(), before);
  assert.equal(existsSync(defaultKsmPaths().recordFile), false);
});

test('KSM settings are restored after SIGINT', { skip }, async () => {
  const before = readKsmSettings();
  await withRun('ksm-int', async (file, out) => {
    const child = execa('node', [CTVM, 'run', file, '--out', out, '--plain'], { reject: false });
    await waitFor(held, 120_000);
    child.kill('SIGINT');
    const r = await child;
    assert.equal(r.exitCode, 130, r.stdout + r.stderr);
    assert.deepEqual(await runLeftovers(onlyRun(out)!), NO_RUN_LEFTOVERS);
  });
  assert.deepEqual(readKsmSettings(), before);
  assert.equal(existsSync(defaultKsmPaths().recordFile), false);
});

test('KSM settings are restored by ctvm gc after SIGKILL', { skip }, async () => {
  const before = readKsmSettings();
  await withRun('ksm-kill', async (file, out) => {
    const child = execa('node', [CTVM, 'run', file, '--out', out, '--plain'], { reject: false });
    await waitFor(held, 120_000);
    child.kill('SIGKILL');
    await child;
    assert.equal(existsSync(defaultKsmPaths().recordFile), true, 'the saved settings survive the kill');
    assert.equal(readKsmSettings().run, 1, 'KSM is still on until gc');
    // The launcher dies with its Node (PDEATHSIG) a moment later; gc reaps what is left.
    await new Promise((r) => setTimeout(r, 2000));
    const gc = await execa('node', [CTVM, 'gc'], { reject: false });
    assert.match(gc.stdout, /gc: restored KSM settings saved by dead pid \d+/);
    assert.deepEqual(await runLeftovers(onlyRun(out)!), NO_RUN_LEFTOVERS);
  });
  assert.deepEqual(readKsmSettings(), before);
  assert.equal(existsSync(defaultKsmPaths().recordFile), false);
});
