// #12 "silent success", end to end: a run in which an environment is skipped reports it per
// environment and exits 3; --require-accel kvm without the vm using KVM stops before any sample.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { requires } from '../../helpers/requires.js';
import { runScenario } from '../../../src/runner/run.js';
import { runExitCode } from '../../../src/runner/outcome.js';
import { doctor } from '../../../src/host/doctor.js';
import { HostError } from '../../../src/errors.js';
import { tempDir, writeScenario } from './helpers.js';

const BODY =
  ['environments: [bare, vm]', 'workloads: [noop]', 'repetitions: 1', 'warmup: 0'].join('\n') + '\n';

test(
  'a skipped environment: per-environment outcome and exit 3',
  { skip: requires('probe', 'busybox') },
  async () => {
    const { dir, cleanup } = tempDir('outcome');
    try {
      const real = await doctor();
      const host = {
        ...real,
        environments: { ...real.environments, vm: { usable: false, reason: 'test: no accel' } },
      };
      const file = writeScenario(dir, 'outcome', BODY);
      const out = await runScenario({
        scenario: file,
        outDir: join(dir, 'results'),
        progress: 'quiet',
        host,
      });
      assert.equal(out.status, 'complete'); // every planned sample exists: the vm had none planned
      assert.deepEqual(
        out.envs.map((e) => [e.id, e.state]),
        [
          ['bare', 'ok'],
          ['vm', 'skipped'],
        ],
      );
      assert.equal(runExitCode(out), 3);

      const outDir = join(dir, 'results-accel');
      await assert.rejects(
        runScenario({ scenario: file, outDir, progress: 'quiet', host, requireAccel: 'kvm' }),
        (e: unknown) => e instanceof HostError && e.exitCode === 3 && /--require-accel kvm/.test(e.message),
      );
      assert.ok(!existsSync(outDir) || readdirSync(outDir).length === 0, 'nothing written');
    } finally {
      cleanup();
    }
  },
);
