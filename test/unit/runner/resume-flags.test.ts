// #12 item 6: `run --resume` used to drop --seed, --repetitions, --only and the scenario argument
// without a word. A contradicting flag is now a usage error (exit 2, nothing run or written);
// consistent ones are accepted, and --only narrows the resume to some of the run's environments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli/main.js';
import { UsageError } from '../../../src/errors.js';
import { readRunMeta } from '../../../src/results/read.js';
import { checkResumeFlags } from '../../../src/runner/resume-flags.js';
import { TRUNCATED } from '../report/fixtures.js';

const meta = readRunMeta(TRUNCATED);
const used = Object.keys(meta.environments).filter((id) => meta.environments[id]!.used);

test('checkResumeFlags: contradicting flags are refused, consistent ones pass, --only narrows', () => {
  const refused = (flags: Parameters<typeof checkResumeFlags>[1], re: RegExp) =>
    assert.throws(
      () => checkResumeFlags(meta, flags),
      (e: unknown) => e instanceof UsageError && e.exitCode === 2 && re.test(e.message),
      JSON.stringify(flags),
    );
  refused({ seed: 7 }, /--seed 7, but the run was recorded with seed 42/);
  refused({ repetitions: 3 }, /--repetitions 3, but the run was recorded with 10 repetitions/);
  refused({ scenario: 'start-latency' }, /the scenario 'start-latency', but .* 'quick'/);
  refused({ only: ['oci:crun'] }, /--only oci:crun: not an environment this run measured/);
  assert.deepEqual(checkResumeFlags(meta, { seed: 42, repetitions: 10, scenario: 'quick' }), used);
  assert.deepEqual(checkResumeFlags(meta, { only: ['vm', 'bare'] }), ['bare', 'vm']);
  assert.ok(used.includes('vm') && used.includes('bare') && used.length > 2, used.join());
});

test('ctvm run --resume RUN --seed 7: exit 2 before anything runs; the run is untouched', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ctvm-resume-flags-'));
  const err: string[] = [];
  const error = console.error;
  console.error = (...a: unknown[]) => void err.push(a.map(String).join(' '));
  try {
    const run = join(dir, 'run');
    cpSync(TRUNCATED, run, { recursive: true });
    const before = readFileSync(join(run, 'samples.jsonl'), 'utf8');
    const code = await main(['node', 'ctvm', 'run', '--resume', run, '--seed', '7', '--quiet']);
    assert.equal(code, 2, err.join('\n'));
    assert.match(err.join('\n'), /--seed 7, but the run was recorded with seed 42/);
    assert.equal(readFileSync(join(run, 'samples.jsonl'), 'utf8'), before);
  } finally {
    console.error = error;
    process.exitCode = undefined;
    rmSync(dir, { recursive: true, force: true });
  }
});
