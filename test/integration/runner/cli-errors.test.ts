// Negative CLI tests: each bad scenario or flag gives one clear error, exit code 2, and nothing
// is written under results/ (these runs use the default results dir on purpose).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { PROJECT_DIR, RESULTS_DIR } from '../../../src/paths.js';
import { tempDir, writeScenario } from './helpers.js';
import { main } from '../../../src/cli/main.js';

const CTVM = join(PROJECT_DIR, 'bin/ctvm.js');
const tag = `neg${process.pid}`;
const good = 'environments: [bare]\nworkloads: [noop]\nrepetitions: 2\n';

const cases: { name: string; body?: string; args?: string[]; expect: RegExp }[] = [
  {
    name: 'unknown field',
    body: good + 'repititions: 3\n',
    expect: /:5:1: repititions: unknown field "repititions"/,
  },
  {
    name: 'wrong type',
    body: good.replace('repetitions: 2', 'repetitions: [2]'),
    expect: /:4:14: repetitions: expected number, received array/,
  },
  {
    name: 'negative repetitions',
    body: good.replace('repetitions: 2', 'repetitions: -3'),
    expect: /:4:14: repetitions: Too small/,
  },
  {
    name: 'unknown environment',
    body: good.replace('[bare]', '[bare, podman]'),
    expect: /environments\.1\.id: unknown environment "podman"/,
  },
  {
    name: 'unknown workload',
    body: good.replace('[noop]', '[noop, fibonacci]'),
    expect: /workloads\.1\.name: unknown workload "fibonacci"/,
  },
  { name: 'invalid YAML', body: 'environments: [bare\nrepetitions: 2\n', expect: /invalid YAML/ },
  {
    name: 'bad --repetitions',
    body: good,
    args: ['--repetitions', '0'],
    expect: /--repetitions 0: expected an integer 1\.\.10000/,
  },
  {
    name: 'unknown --only env',
    body: good,
    args: ['--only', 'podman'],
    expect: /--only: unknown environment 'podman'/,
  },
  {
    name: 'missing scenario',
    args: ['no-such-scenario-here'],
    expect: /scenario 'no-such-scenario-here' not found/,
  },
  { name: 'resume of nothing', args: ['--resume', `no-such-run-${tag}`], expect: /no run to resume/ },
];

/** The CLI in-process (main() returns the exit code); stderr captured from console.error. */
async function ctvm(args: string[]): Promise<{ exitCode: number; stderr: string }> {
  const lines: string[] = [];
  const orig = console.error;
  console.error = (...a: unknown[]) => void lines.push(a.map(String).join(' '));
  try {
    const exitCode = await main(['node', 'ctvm', ...args]);
    return { exitCode, stderr: lines.join('\n') };
  } finally {
    console.error = orig;
    process.exitCode = undefined;
  }
}

test('the real process exits with code 2 on a bad scenario', async () => {
  const { dir, cleanup } = tempDir('neg-proc');
  try {
    const file = writeScenario(dir, `${tag}-proc`, good + 'bogus: 1\n');
    const r = await execa('node', [CTVM, 'run', file], { reject: false, cwd: dir });
    assert.equal(r.exitCode, 2, r.stderr);
    assert.match(r.stderr, /^ctvm: .*:5:1: bogus: unknown field "bogus"$/m);
  } finally {
    cleanup();
  }
});

test('bad input: exit 2, one clear error, nothing under results/', async () => {
  const { dir, cleanup } = tempDir('neg');
  const before = existsSync(RESULTS_DIR) ? new Set(readdirSync(RESULTS_DIR)) : new Set<string>();
  try {
    for (const [i, c] of cases.entries()) {
      const args = c.body === undefined ? [] : [writeScenario(dir, `${tag}-${i}`, c.body)];
      const r = await ctvm(['run', ...args, ...(c.args ?? [])]);
      assert.equal(r.exitCode, 2, `${c.name}: exit ${r.exitCode}\n${r.stderr}`);
      assert.match(r.stderr, c.expect, c.name);
      const errorLines = r.stderr.split('\n').filter((l) => l.startsWith('ctvm: '));
      assert.equal(errorLines.length, 1, `${c.name}: one error line\n${r.stderr}`);
      assert.match(r.stderr, /^hint: /m, `${c.name}: has a hint`);
    }
    const after = existsSync(RESULTS_DIR) ? readdirSync(RESULTS_DIR) : [];
    assert.deepEqual(
      after.filter((d) => !before.has(d) && d.includes(tag)),
      [],
      'nothing written under results/',
    );
  } finally {
    cleanup();
  }
});
