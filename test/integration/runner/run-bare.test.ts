// A small scenario end to end with the bare environment: every result file, failed samples
// recorded (non-zero exit, hang -> timeout) while the run goes on, nothing left running.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { requires } from '../../helpers/requires.js';
import { runScenario } from '../../../src/runner/run.js';
import { readRunMeta as readMeta, readSamples } from '../../../src/results/read.js';
import { liveInstances } from '../../../src/engine/reaper.js';
import type { Summary } from '../../../src/results/types.js';
import { tempDir, writeScenario } from './helpers.js';

test(
  'bare end to end: start/idle/work/density samples, failures recorded, files written',
  { skip: requires('probe', 'busybox') },
  async () => {
    const { dir, cleanup } = tempDir('bare');
    try {
      const file = writeScenario(
        dir,
        'bare-e2e',
        [
          'environments: [bare]',
          'workloads: [noop, idle, {name: cpu, args: ["20000000"]}, "exit:3", hang, host:sysbench]',
          'repetitions: 2',
          'warmup: 1',
          'settle: 100ms',
          'idleWindow: 200ms',
          'timeout: 1s',
          'density: { levels: [1, 3] }',
        ].join('\n') + '\n',
      );
      const out = await runScenario({
        scenario: file,
        outDir: join(dir, 'results'),
        seed: 11,
        progress: 'quiet',
      });
      assert.equal(out.status, 'complete');
      assert.equal(out.planned, 6 * 3 + 2);
      assert.equal(out.taken, out.planned);
      for (const f of ['run.json', 'samples.jsonl', 'summary.json', 'summary.csv'])
        assert.ok(existsSync(join(out.dir, f)), f);

      const samples = readSamples(out.dir);
      assert.deepEqual(
        samples.map((s) => s.seq).sort((a, b) => a - b),
        [...Array(out.planned).keys()],
      );
      const by = (w: string) => samples.filter((s) => s.workload === w && !s.warmup && s.kind !== 'density');
      for (const s of by('noop')) {
        assert.ok(s.ok, s.error);
        assert.ok(
          s.metrics.startNs! > 0 && s.metrics.startNs! < s.metrics.exitNs!,
          JSON.stringify(s.metrics),
        );
        assert.ok(s.phases?.ready === s.metrics.startNs);
      }
      for (const s of by('idle')) {
        assert.ok(s.ok, s.error);
        assert.ok(s.metrics.pssBytes! > 0 && s.metrics.idleCpuPerSec! >= 0);
      }
      for (const s of by('cpu'))
        assert.ok(s.ok && s.metrics.workNs! > 0 && s.metrics.cpuNs !== undefined, s.error);
      for (const s of by('host:sysbench')) assert.ok(s.ok && s.metrics.workNs! > 0, s.error);
      for (const s of by('exit:3')) assert.match(s.error ?? '', /exited with code 3/);
      for (const s of by('hang')) assert.match(s.error ?? '', /timed out/);
      const density = samples.filter((s) => s.kind === 'density');
      assert.deepEqual(density.map((s) => s.density).sort(), [1, 3]);
      assert.ok(
        density.every((s) => s.ok && s.metrics.pssBytes! > 0 && 'memAvailableDropBytes' in s.metrics),
      );

      const meta = readMeta(out.dir);
      assert.equal(meta.status, 'complete');
      assert.equal(meta.seed, 11);
      assert.equal(meta.plannedSamples, out.planned);
      assert.ok(meta.tools.node && meta.tools.kernel);
      assert.equal(meta.environments.bare?.used, true);
      const summary = JSON.parse(readFileSync(join(out.dir, 'summary.json'), 'utf8')) as Summary;
      const hang = summary.rows.find((r) => r.workload === 'hang')!;
      assert.equal(hang.failed, 2);
      assert.ok(summary.rows.some((r) => r.metric === 'startNs' && r.dist.n === 2));
      assert.ok(
        readFileSync(join(out.dir, 'summary.csv'), 'utf8').startsWith('run_id,kind,env,accel,workload'),
      );
      assert.equal(liveInstances(), 0, 'every instance was stopped');
    } finally {
      cleanup();
    }
  },
);

test(
  '--only keeps the named environments; unusable ones are skipped with the reason',
  { skip: requires('probe') },
  async () => {
    const { dir, cleanup } = tempDir('only');
    try {
      const file = writeScenario(
        dir,
        'only',
        'environments: [bare, {id: vm, options: {accel: kvm}}]\nworkloads: [noop]\nrepetitions: 1\nwarmup: 0\n',
      );
      const out = await runScenario({ scenario: file, outDir: dir, progress: 'quiet' });
      const meta = readMeta(out.dir);
      if (!meta.host.kvm.usable) {
        assert.equal(meta.environments.vm?.used, false);
        assert.match(meta.environments.vm?.reason ?? '', /KVM/);
        assert.match(out.skipped.vm ?? '', /KVM/);
      }
      const only = await runScenario({ scenario: file, outDir: dir, only: ['bare'], progress: 'quiet' });
      assert.deepEqual(Object.keys(readMeta(only.dir).environments), ['bare']);
    } finally {
      cleanup();
    }
  },
);
