// The CLI's shape in-process: --version, help listing every command without loading it, the
// completion scripts (driven through a real bash), renamed flags and the lines after a run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { buildProgram, main } from '../../../src/cli/main.js';
import { COMMANDS, commandsToLoad } from '../../../src/cli/registry.js';
import { printNext } from '../../../src/cli/commands/run.js';
import { PROJECT_DIR, RESULTS_DIR } from '../../../src/paths.js';
import type { RunOutcome } from '../../../src/runner/run.js';

const REGRESS_RESULTS = join(PROJECT_DIR, 'test/fixtures/regress/results');
const QUICK = join(PROJECT_DIR, 'test/fixtures/results/20261129-010000-quick');

/** Runs main with argv, capturing what commander and the commands print. */
async function ctvm(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...a: unknown[]) => void out.push(a.join(' ') + '\n');
  console.error = (...a: unknown[]) => void err.push(a.join(' ') + '\n');
  try {
    const output = { writeOut: (s: string) => void out.push(s), writeErr: (s: string) => void err.push(s) };
    return { code: await main(['node', 'ctvm', ...args], output), out: out.join(''), err: err.join('') };
  } finally {
    console.log = log;
    console.error = error;
    process.exitCode = undefined;
  }
}

test('--version and -V print the version in package.json, exit 0', async () => {
  const want = (JSON.parse(readFileSync(join(PROJECT_DIR, 'package.json'), 'utf8')) as { version: string })
    .version;
  for (const flag of ['--version', '-V']) {
    const r = await ctvm(flag);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, `${want}\n`);
  }
});

test('--help lists every command with its description and loads none of their modules', async () => {
  assert.deepEqual(commandsToLoad(['node', 'ctvm', '--help']), []);
  assert.deepEqual(
    commandsToLoad(['node', 'ctvm', '--debug', 'vm', 'run', '--phases']).map((c) => c.name),
    ['vm'],
  );
  assert.deepEqual(
    commandsToLoad(['node', 'ctvm', 'help', 'report']).map((c) => c.name),
    ['report'],
  );
  assert.equal(commandsToLoad(['node', 'ctvm', 'completion', 'bash']).length, COMMANDS.length);
  const r = await ctvm('--help');
  assert.equal(r.code, 0);
  for (const c of COMMANDS) {
    const line = r.out.split('\n').find((l) => l.trimStart().startsWith(`${c.name} `));
    assert.ok(line, `help lists ${c.name}`);
    assert.ok(c.description.startsWith(line.trim().slice(c.name.length).trim().split(' ')[0]!));
  }
  // A command that is not loaded has no options; the one that runs has all of them.
  const program = await buildProgram(['node', 'ctvm', 'report', 'x']);
  const byName = (n: string) => program.commands.find((c) => c.name() === n)!;
  assert.ok(byName('report').options.some((o) => o.long === '--results'));
  assert.equal(byName('run').options.length, 0);
});

/** Completion candidates bash offers for the words (the last one is being completed). */
function bashComplete(script: string, words: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'ctvm-completion-'));
  try {
    writeFileSync(join(dir, 'c.bash'), script);
    const r = spawnSync(
      'bash',
      [
        '-c',
        `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _ctvm; printf '%s\\n' "\${COMPREPLY[@]}"`,
        'bash',
        join(dir, 'c.bash'),
        ...words,
      ],
      { encoding: 'utf8', cwd: dir },
    );
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.split('\n').filter(Boolean).sort();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('completion bash: commands, sub-commands and options from the program, values as files', async () => {
  const r = await ctvm('completion', 'bash');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /complete -o filenames -F _ctvm ctvm/);
  assert.deepEqual(bashComplete(r.out, ['ctvm', '']), COMMANDS.map((c) => c.name).sort());
  assert.deepEqual(bashComplete(r.out, ['ctvm', 'vm', '']), ['run']);
  assert.deepEqual(bashComplete(r.out, ['ctvm', '--debug', 'vm', 'run', '--me']), ['--memory']);
  assert.deepEqual(bashComplete(r.out, ['ctvm', 'compare', '--base']), ['--baseline', '--baselines-dir']);
  assert.deepEqual(bashComplete(r.out, ['ctvm', 'baseline', 'list', '--']), [
    '--baselines-dir',
    '--help',
    '--results',
  ]);
  // The word after an option that takes a value is that value (a file), not a command.
  assert.deepEqual(bashComplete(r.out, ['ctvm', 'run', '--out', 'vm', '--se']), ['--seed']);
  assert.deepEqual(bashComplete(r.out, ['ctvm', 'report', '--out', 'c.b']), ['c.bash']);
});

test('completion zsh: a #compdef script with every command and its description', async () => {
  const r = await ctvm('completion', 'zsh');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^#compdef ctvm\n/);
  for (const c of COMMANDS)
    assert.ok(r.out.includes(`${c.name}:${c.description.replace(/:/g, '\\:')}`), c.name);
  assert.match(r.out, /'ctvm vm run' '[^']*--kernel[^']*'/);
  const zsh = spawnSync('zsh', ['-n'], { input: r.out, encoding: 'utf8' });
  if (!zsh.error) assert.equal(zsh.status, 0, `zsh -n: ${zsh.stderr}`);
});

test('completion with an unknown shell: exit 2 naming it', async () => {
  const r = await ctvm('completion', 'fish');
  assert.equal(r.code, 2);
  assert.match(r.err, /unknown shell 'fish' for completion/);
  assert.match(r.err, /hint: one of: bash, zsh/);
});

/** Through bin/ctvm.js: baseline prints with process.stdout.write (regress/output.ts). */
function bin(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [join(PROJECT_DIR, 'bin/ctvm.js'), ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('baseline --baselines-dir, its former name --dir (hidden), and both at once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ctvm-cli-shape-'));
  try {
    const id = '2025-03-01T10-00-00Z-quick';
    const saved = bin('baseline', 'save', '--results', REGRESS_RESULTS, '--baselines-dir', dir, id);
    assert.equal(saved.code, 0, saved.err);
    assert.match(saved.out, new RegExp(`saved baseline ${dir}/${id}`));
    for (const flag of ['--baselines-dir', '--dir']) {
      const list = bin('baseline', 'list', flag, dir);
      assert.equal(list.code, 0, list.err);
      assert.match(list.out, new RegExp(`${id}\n$`), flag);
    }
    const both = bin('baseline', 'list', '--baselines-dir', dir, '--dir', join(dir, 'other'));
    assert.equal(both.code, 2);
    assert.match(both.err, /--baselines-dir and --dir name the same setting/);
    const help = await ctvm('baseline', 'list', '--help');
    assert.match(help.out, /--baselines-dir <dir>/);
    assert.doesNotMatch(help.out, /--dir </);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('report --results finds a run id there, like compare --results; defaults show as relative paths', async () => {
  const results = mkdtempSync(join(tmpdir(), 'ctvm-cli-shape-'));
  try {
    cpSync(QUICK, join(results, 'r1'), { recursive: true });
    const missing = await ctvm('report', 'r1', '--out', join(results, 'out'));
    assert.equal(missing.code, 2, 'r1 is not in the default results dir');
    const r = await ctvm('report', 'r1', '--results', results, '--out', join(results, 'out'));
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /wrote \d+ files to /);
    const help = await ctvm('report', '--help');
    assert.match(help.out, new RegExp(`\\(default: ${relative(process.cwd(), RESULTS_DIR) || '.'}\\)`));
    assert.doesNotMatch(help.out, new RegExp(PROJECT_DIR));
  } finally {
    rmSync(results, { recursive: true, force: true });
  }
});

const outcome = (dir: string): RunOutcome => ({
  runId: '20261129-010000-quick',
  dir,
  status: 'complete',
  taken: 10,
  planned: 10,
  interrupted: null,
  skipped: {},
  envs: [{ id: 'bare', state: 'ok', ok: 10, failed: 0 }],
});

test('after a run: the headline, then `next: ctvm report <id>` (with --results outside results/)', () => {
  const lines: string[] = [];
  const errors: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...a: unknown[]) => void lines.push(a.join(' '));
  console.error = (...a: unknown[]) => void errors.push(a.join(' '));
  try {
    printNext(outcome(QUICK));
    assert.match(
      lines[0]!,
      /^headline: A container \(ctvm's own engine\) started .* faster than a TCG guest/,
    );
    assert.equal(
      lines[1],
      `next: ctvm report 20261129-010000-quick --results ${relative(process.cwd(), join(QUICK, '..'))}`,
    );
    lines.length = 0;
    // In the default results dir the id alone finds it; a run that cannot be read gets a warning.
    printNext(outcome(join(RESULTS_DIR, 'no-such-run')));
    assert.deepEqual(lines, ['next: ctvm report 20261129-010000-quick']);
    assert.match(errors[0]!, /^warning: no headline for 20261129-010000-quick: no run at/);
    lines.length = 0;
    printNext({ ...outcome(QUICK), interrupted: 'SIGINT' });
    printNext({ ...outcome(QUICK), envs: [{ id: 'vm', state: 'failed', ok: 0, failed: 3 }] });
    assert.deepEqual(lines, [], 'nothing to report after an interrupted or empty run');
  } finally {
    console.log = log;
    console.error = error;
  }
});
