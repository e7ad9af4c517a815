// docs/ci/bench-gate.yml is only an example, but it must stay valid YAML with the GitHub Actions
// shape and call ctvm the way this version's CLI parses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const FILE = join(import.meta.dirname, '../../../docs/ci/bench-gate.yml');

test('bench-gate.yml: jobs.bench on a self-hosted KVM runner; compare, summary, tracker, gate', () => {
  const wf = parse(readFileSync(FILE, 'utf8')) as {
    on: unknown;
    jobs: {
      bench: {
        'runs-on': string[];
        steps: { name?: string; run?: string; uses?: string; with?: Record<string, unknown> }[];
      };
    };
  };
  assert.ok(wf.on);
  const job = wf.jobs.bench;
  assert.deepEqual(job['runs-on'], ['self-hosted', 'linux', 'x64', 'kvm']);
  const runs = job.steps.map((s) => s.run ?? '').join('\n');
  assert.match(runs, /ctvm\.js run quick/);
  assert.match(runs, /ctvm\.js compare --baseline "\$POOL" .* --format md latest > compare\.md/s);
  assert.match(runs, />> "\$GITHUB_STEP_SUMMARY"/);
  assert.match(runs, /--format benchmark-action --output bench\.json/);
  assert.match(runs, /baseline save --baselines-dir/);
  const tracker = job.steps.find((s) => s.uses?.startsWith('benchmark-action/github-action-benchmark'));
  assert.equal(tracker?.with?.tool, 'customSmallerIsBetter');
  assert.equal(tracker?.with?.['output-file-path'], 'bench.json');
  const gate = job.steps[job.steps.length - 1]!;
  assert.match(gate.run!, /1\) .*exit 1/);
});

test('bench-gate.yml: KVM required explicitly; fork pull requests never run on the self-hosted runner', () => {
  const text = readFileSync(FILE, 'utf8');
  const wf = parse(text) as {
    on: Record<string, unknown>;
    jobs: { bench: { if?: string; steps: { run?: string }[] } };
  };
  const runs = wf.jobs.bench.steps.map((s) => s.run ?? '');
  assert.ok(
    runs.some((r) => /ctvm\.js doctor .*--require-accel kvm/.test(r)),
    'doctor --require-accel kvm',
  );
  assert.ok(
    runs.some((r) => /ctvm\.js run quick .*--require-accel kvm/.test(r)),
    'run --require-accel kvm',
  );
  assert.ok(!('pull_request_target' in wf.on), 'pull_request_target would run fork code with the token');
  assert.match(
    wf.jobs.bench.if ?? '',
    /github\.event_name != 'pull_request' \|\| github\.event\.pull_request\.head\.repo\.full_name == github\.repository/,
  );
});
