// #12 "silent success": a run whose environment was skipped or only failed must not end as a
// plain "complete" with exit 0; --require-accel refuses a run/host without the accelerator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { envOutcomes, formatEnvOutcome, runExitCode } from '../../../src/runner/outcome.js';
import { checkHostAccel, checkRunAccel, parseRequiredAccel } from '../../../src/runner/require-accel.js';
import { HostError, UsageError } from '../../../src/errors.js';
import type { DoctorReport } from '../../../src/host/facts.js';
import type { SampleRecord } from '../../../src/results/types.js';

const sample = (env: string, ok: boolean, warmup = false): SampleRecord => ({
  runId: 'r',
  seq: 0,
  kind: 'start',
  env,
  workload: 'noop',
  repetition: 0,
  warmup,
  density: 1,
  ok,
  ...(ok ? {} : { error: 'unshare: EPERM' }),
  metrics: ok ? { startNs: 1 } : {},
  timeMs: 0,
});

test('envOutcomes: ok / failed (every sample failed) / skipped, and exit 3 unless all are ok', () => {
  const envs = envOutcomes(
    {
      bare: { used: true },
      container: { used: true },
      vm: { used: false, reason: 'kvm not usable' },
    },
    [
      sample('bare', true),
      sample('bare', false),
      sample('container', true, true),
      sample('container', false),
    ],
  );
  assert.deepEqual(
    envs.map((e) => [e.id, e.state]),
    [
      ['bare', 'ok'],
      ['container', 'failed'],
      ['vm', 'skipped'],
    ],
  );
  assert.equal(formatEnvOutcome(envs[0]!), 'bare: ok (1 samples, 1 failed)');
  assert.equal(formatEnvOutcome(envs[1]!), 'container: FAILED (0 of 1 samples ok: unshare: EPERM)');
  assert.equal(formatEnvOutcome(envs[2]!), 'vm: SKIPPED (kvm not usable)');
  assert.equal(runExitCode({ interrupted: null, envs }), 3);
  assert.equal(runExitCode({ interrupted: null, envs: envs.slice(0, 1) }), 0);
  assert.equal(runExitCode({ interrupted: 'SIGINT', envs }), 130);
  // An environment that was used but took no sample at all produced nothing either.
  assert.equal(envOutcomes({ bare: { used: true } }, [])[0]!.state, 'failed');
});

test('--require-accel: unknown value is a usage error; an unusable or other accel is exit 3', () => {
  assert.equal(parseRequiredAccel('kvm'), 'kvm');
  assert.throws(
    () => parseRequiredAccel('hvf'),
    (e: unknown) => e instanceof UsageError,
  );
  const isHost = (re: RegExp) => (e: unknown) =>
    e instanceof HostError && e.exitCode === 3 && re.test(e.message);
  assert.throws(
    () => checkRunAccel({ vm: { used: true, facts: { accel: 'tcg' } } }, 'kvm'),
    isHost(/with tcg/),
  );
  assert.throws(() => checkRunAccel({ vm: { used: false, reason: 'no kvm' } }, 'kvm'), isHost(/no kvm/));
  assert.throws(
    () => checkRunAccel({ bare: { used: true } }, 'kvm'),
    (e: unknown) => e instanceof UsageError,
  );
  checkRunAccel({ vm: { used: true, facts: { accel: 'kvm' } } }, 'kvm');
  const report = {
    kvm: { usable: false, reason: '/dev/kvm missing' },
    tcg: { usable: true },
  } as DoctorReport;
  assert.throws(() => checkHostAccel(report, 'kvm'), isHost(/\/dev\/kvm missing/));
  checkHostAccel(report, 'tcg');
});
