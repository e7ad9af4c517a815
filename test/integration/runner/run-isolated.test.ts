// The runner with the isolating environments: container and VM rows end to end, the VM's accel
// recorded as actually used, the same workload binary (sha256) in every environment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requires } from '../../helpers/requires.js';
import { runScenario } from '../../../src/runner/run.js';
import { readRunMeta as readMeta, readSamples } from '../../../src/results/read.js';
import { liveInstances } from '../../../src/engine/reaper.js';
import { tempDir, writeScenario } from './helpers.js';

test(
  'container + vm end to end: start and idle samples, accel recorded',
  { skip: requires('root', 'helper', 'qemu', 'kernel') },
  async () => {
    const { dir, cleanup } = tempDir('iso');
    try {
      const file = writeScenario(
        dir,
        'iso',
        'environments: [bare, container, {id: vm, options: {accel: auto, memory: 128M}}]\nworkloads: [noop, idle]\nrepetitions: 1\nwarmup: 0\nsettle: 300ms\nidleWindow: 500ms\ntimeout: 60s\n',
      );
      const out = await runScenario({ scenario: file, outDir: dir, seed: 5, progress: 'quiet' });
      assert.equal(out.status, 'complete');
      const meta = readMeta(out.dir);
      const samples = readSamples(out.dir);
      for (const s of samples) assert.ok(s.ok, `${s.env} ${s.workload}: ${s.error}`);
      const vmAccel = meta.environments.vm?.facts?.accel;
      assert.equal(vmAccel, meta.host.kvm.usable ? 'kvm' : 'tcg');
      for (const s of samples.filter((x) => x.env === 'vm')) assert.equal(s.accel, vmAccel);
      assert.equal(new Set(samples.map((s) => s.workloadSha256)).size, 1, 'same probe bytes everywhere');
      const vmIdle = samples.find((s) => s.env === 'vm' && s.kind === 'idle')!;
      assert.ok(
        vmIdle.metrics.pssBytes! >
          samples.find((s) => s.env === 'container' && s.kind === 'idle')!.metrics.pssBytes!,
      );
      const vmStart = samples.find((s) => s.env === 'vm' && s.kind === 'start')!;
      assert.ok(Object.keys(vmStart.phases ?? {}).length > 2, 'VM phases recorded');
      assert.equal(liveInstances(), 0);
    } finally {
      cleanup();
    }
  },
);
