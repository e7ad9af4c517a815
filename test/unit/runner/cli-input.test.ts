// Hostile or absurd input at the CLI edge (issue #11, "bugs found on the way"): each one is a
// usage error, exit 2, with one `ctvm:` line and a hint, found before anything runs; before
// these checks they were internal errors (exit 3), out-of-memory, or failed late in a cgroup write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli/main.js';
import {
  commandArgsProblem,
  MAX_COMMAND_ARGS,
  NSEXEC_MAX_ARGS,
} from '../../../src/engine/launcher/nsexec-protocol.js';
import { PROJECT_DIR } from '../../../src/paths.js';
import { QUICK } from '../report/fixtures.js';

async function ctvm(...args: string[]): Promise<{ code: number; err: string }> {
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = () => undefined;
  console.error = (...a: unknown[]) => void err.push(a.map(String).join(' '));
  try {
    return { code: await main(['node', 'ctvm', ...args]), err: err.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
    process.exitCode = undefined;
  }
}

function usage(r: { code: number; err: string }, expect: RegExp, what: string): void {
  assert.equal(r.code, 2, `${what}: exit ${r.code}\n${r.err}`);
  assert.match(r.err, expect, what);
  assert.equal(r.err.split('\n').filter((l) => l.startsWith('ctvm: ')).length, 1, `${what}: one error line`);
  assert.doesNotMatch(r.err, /internal error/, what);
}

function withDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctvm-cli-input-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

const GOOD = 'name: edge\nenvironments: [bare]\nworkloads: [noop]\nrepetitions: 2\n';

test(
  'scenarios out of bounds: limits, repetitions, density, durations, workload args',
  withDir(async (dir) => {
    const cases: [string, string, RegExp][] = [
      [
        'memory',
        GOOD.replace('[bare]', '[{id: container, limits: {memory: 99999999999999999999G}}]'),
        /environments\.0\.limits\.memory: above the maximum .*host's RAM/,
      ],
      ['pids', GOOD.replace('[bare]', '[{id: container, limits: {pids: 1e20}}]'), /limits\.pids: .*4194304/],
      [
        'cpus',
        GOOD.replace('[bare]', '[{id: container, limits: {cpus: 1e9}}]'),
        /limits\.cpus: above the maximum .*CPUs/,
      ],
      ['repetitions', GOOD.replace('repetitions: 2', 'repetitions: 1e9'), /repetitions: Too big.*10000/],
      [
        'density',
        GOOD + 'density: {levels: [100000]}\n',
        /density\.levels\.0: more instances than this host/,
      ],
      ['timeout', GOOD + 'timeout: 1e12\n', /timeout: "1000000000000" is longer than the maximum/],
      [
        'workload args',
        GOOD.replace(
          '[noop]',
          `[{name: cpu, args: [${Array(MAX_COMMAND_ARGS + 1)
            .fill('"1"')
            .join(',')}]}]`,
        ),
        /workloads\.0\.args: 3585 command arguments; at most 3584/,
      ],
    ];
    for (const [what, body, expect] of cases) {
      const file = join(dir, `${what.replace(/ /g, '-')}.yaml`);
      writeFileSync(file, body);
      usage(await ctvm('run', file), expect, what);
    }
    usage(
      await ctvm('run', join(PROJECT_DIR, 'scenarios/quick.yaml'), '--repetitions', '1000000000'),
      /--repetitions 1000000000: expected an integer 1\.\.10000/,
      '--repetitions',
    );
  }),
);

test(
  'a YAML alias bomb is refused, not expanded',
  withDir(async (dir) => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (const [i, n] of ['b', 'c', 'd', 'e', 'f', 'g', 'h'].entries()) {
      const prev = 'abcdefg'[i]!;
      levels.push(`${n}: &${n} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    }
    const file = join(dir, 'bomb.yaml');
    writeFileSync(file, GOOD + levels.join('\n') + '\n');
    usage(await ctvm('run', file), /bomb\.yaml: cannot expand the YAML: Excessive alias count/, 'alias bomb');
  }),
);

test(
  'a directory given as the scenario',
  withDir(async (dir) => {
    usage(await ctvm('run', dir), /scenario '.*' is a directory/, 'directory');
  }),
);

test(
  'a wrong-shape run.json in report and run --resume',
  withDir(async (dir) => {
    const shapes: [string, unknown, RegExp][] = [
      ['array', [1, 2], /is not a ctvm run\.json: \(top level\): expected object/],
      ['no host', { ...json(QUICK), host: 'x' }, /is not a ctvm run\.json: host: expected object/],
      [
        'environments wrong',
        { ...json(QUICK), environments: [1] },
        /is not a ctvm run\.json: environments: expected record/,
      ],
      ['not JSON', '{"runId":', /is not valid JSON/],
    ];
    for (const [what, meta, expect] of shapes) {
      const run = join(dir, what.replace(/ /g, '-'));
      cpSync(QUICK, run, { recursive: true });
      writeFileSync(join(run, 'run.json'), typeof meta === 'string' ? meta : JSON.stringify(meta));
      usage(await ctvm('report', run, '--out', join(dir, 'out')), expect, `report: ${what}`);
      usage(await ctvm('run', '--resume', run), expect, `resume: ${what}`);
    }
    // Valid as run.json, but its scenario is not one ctvm recorded: resume refuses it too.
    const run = join(dir, 'bad-scenario');
    cpSync(QUICK, run, { recursive: true });
    writeFileSync(
      join(run, 'run.json'),
      JSON.stringify({
        ...json(QUICK),
        status: 'incomplete',
        scenario: { name: 'quick', environments: 'bare' },
      }),
    );
    usage(
      await ctvm('run', '--resume', run),
      /run\.json: scenario\.environments: .*not a scenario ctvm recorded/,
      'resume: scenario',
    );
  }),
);

function json(runDir: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as Record<string, unknown>;
}

test('container run: limits beyond this host and too many arguments, before anything starts', async () => {
  const cases: [string[], RegExp][] = [
    [['--memory', '99999999999999999999G'], /invalid --memory '99999999999999999999G': above the maximum/],
    [
      ['--pids', '100000000000000000000'],
      /invalid --pids '100000000000000000000': above the maximum 4194304/,
    ],
    [['--cpus', '1e9'], /invalid --cpus '1e9': above the maximum \d+/],
  ];
  for (const [flags, expect] of cases)
    usage(await ctvm('container', 'run', ...flags, '--', '/bin/true'), expect, flags[0]!);
  const rootfs = mkdtempSync(join(tmpdir(), 'ctvm-cli-input-rootfs-'));
  try {
    mkdirSync(join(rootfs, 'bin'));
    const many = Array.from({ length: 5000 }, (_, i) => String(i));
    usage(
      await ctvm('container', 'run', '--rootfs', rootfs, '--', '/bin/true', ...many),
      /5001 command arguments; at most 3584 are accepted/,
      '5000 arguments',
    );
  } finally {
    rmSync(rootfs, { recursive: true, force: true });
  }
});

test('arguments that were not UTF-8 (U+FFFD after Node decoded them) are refused, naming which', async () => {
  usage(
    await ctvm('report', '/tmp/r\uFFFD\uFFFD'),
    /^ctvm: argument 2 is not valid UTF-8: "\/tmp\/r\uFFFD\uFFFD"$/m,
    'non-UTF-8',
  );
});

test('argument bounds: the C helper takes MAX_ARGS arguments, the command a share of them', () => {
  const c = readFileSync(join(PROJECT_DIR, 'native/nsexec/serve.c'), 'utf8');
  assert.equal(Number(/#define MAX_ARGS (\d+)/.exec(c)?.[1]), NSEXEC_MAX_ARGS, 'mirrors nsexec/serve.c');
  assert.ok(MAX_COMMAND_ARGS < NSEXEC_MAX_ARGS - 256, "room for the helper's own options");
  assert.equal(commandArgsProblem(['a', 'b']), undefined);
  assert.match(commandArgsProblem(['x'.repeat(200_000)]) ?? '', /argument 0 is 200000 bytes/);
  assert.match(
    commandArgsProblem(Array(20).fill('y'.repeat(100_000))) ?? '',
    /total \d+ bytes; at most 1048576/,
  );
});
