// Scenario validation: each kind of mistake is one clear UsageError naming file:line:col and the field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario, loadScenario } from '../../../src/runner/scenario-load.js';
import { UsageError } from '../../../src/errors.js';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_DIR } from '../../../src/paths.js';

const base = 'name: t\nenvironments: [bare]\nworkloads: [noop]\nrepetitions: 3\n';

function errorOf(text: string): UsageError {
  try {
    parseScenario(text, 'bad.yaml');
  } catch (err) {
    assert.ok(err instanceof UsageError, `expected UsageError, got ${String(err)}`);
    assert.equal(err.exitCode, 2);
    return err;
  }
  assert.fail('scenario was accepted');
}

test('a valid scenario parses with defaults and durations in ms', () => {
  const s = parseScenario(base + 'settle: 500ms\nidleWindow: 3\n', 'ok.yaml');
  assert.equal(s.settle, 500);
  assert.equal(s.idleWindow, 3000);
  assert.equal(s.timeout, 60_000);
  assert.equal(s.warmup, 1);
  assert.deepEqual(s.environments, [{ id: 'bare', type: 'bare', options: {} }]);
  assert.deepEqual(s.workloads, [{ name: 'noop' }]);
});

test('one type listed twice under two labels, each with its own options; a label defaults the type', () => {
  const s = parseScenario(
    base.replace('[bare]', '\n  - vm\n  - { id: vm-minimal, type: vm, options: { kernel: minimal } }'),
    'ok.yaml',
  );
  assert.deepEqual(s.environments, [
    { id: 'vm', type: 'vm', options: { accel: 'auto' } },
    { id: 'vm-minimal', type: 'vm', options: { accel: 'auto', kernel: 'minimal' } },
  ]);
});

const cases: [string, string, RegExp][] = [
  ['unknown field', base + 'bogus: 1\n', /^bad\.yaml:5:1: bogus: unknown field "bogus"$/],
  [
    'wrong type',
    base.replace('repetitions: 3', 'repetitions: three'),
    /^bad\.yaml:4:14: repetitions: expected number, received string$/,
  ],
  [
    'negative repetitions',
    base.replace('repetitions: 3', 'repetitions: -1'),
    /^bad\.yaml:4:14: repetitions: .*>=1/,
  ],
  [
    'unknown environment',
    base.replace('[bare]', '[bare, podman]'),
    /^bad\.yaml:2:22: environments\.1\.id: unknown environment "podman"; known: bare, /,
  ],
  [
    'unknown environment type under a label',
    base.replace('[bare]', '\n  - { id: my-vm, type: hyperv }'),
    /^bad\.yaml:3:\d+: environments\.0\.type: unknown environment type "hyperv"; known: bare, /,
  ],
  [
    'bad label',
    base.replace('[bare]', '\n  - { id: "My VM", type: vm }'),
    /^bad\.yaml:3:\d+: environments\.0\.id: expected a label like "vm-minimal"/,
  ],
  [
    'same label twice',
    base.replace('[bare]', '\n  - vm\n  - { id: vm, type: vm, options: { kernel: minimal } }'),
    /environments\.1: environment "vm" is listed twice \(give each a distinct id/,
  ],
  [
    'unknown workload',
    base.replace('[noop]', '\n  - noop\n  - fft'),
    /^bad\.yaml:5:5: workloads\.1\.name: unknown workload "fft"; known: noop/,
  ],
  ['invalid YAML', 'name: t\nenvironments: [bare\nworkloads: [noop]\n', /^bad\.yaml:3:1: invalid YAML: /],
  [
    'missing field',
    'name: t\nenvironments: [bare]\nworkloads: [noop]\n',
    /^bad\.yaml:1:1: repetitions: missing required field \(expected number\)$/,
  ],
  [
    'bad vm accel',
    base.replace('[bare]', '\n  - id: vm\n    options: { accel: hvf }'),
    /^bad\.yaml:4:23: environments\.0\.options\.accel: .*"auto"\|"kvm"\|"tcg"/,
  ],
  ['bad duration', base + 'settle: soon\n', /^bad\.yaml:5:9: settle: expected a duration like "2s"/],
  [
    'duplicate environment',
    base.replace('[bare]', '[bare, bare]'),
    /environments\.1: environment "bare" is listed twice/,
  ],
  ['duplicate key', base + 'repetitions: 4\n', /^bad\.yaml:5:1: invalid YAML: Map keys must be unique/],
];

for (const [name, text, expected] of cases) {
  test(`rejects ${name} with one clear message`, () => {
    const err = errorOf(text);
    assert.match(err.message, expected);
    assert.equal(err.message.split('\n').length, 1, `one error, got:\n${err.message}`);
  });
}

test('a VM option the VM parser rejects is reported at its path', () => {
  const err = errorOf(base.replace('[bare]', '\n  - id: vm\n    options: { memory: 1M }'));
  assert.match(err.message, /environments\.0\.options: vm memory '1M' is below/);
});

test('every shipped scenario is valid', () => {
  const shipped = readdirSync(join(PROJECT_DIR, 'scenarios'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.replace(/\.yaml$/, ''));
  assert.ok(shipped.length >= 5, shipped.join(' '));
  for (const n of shipped) {
    const { scenario } = loadScenario(n);
    assert.equal(scenario.name, n);
  }
  const vm = loadScenario('quick-minimal-kernel').scenario.environments.find((e) => e.id === 'vm');
  assert.equal((vm?.options as Record<string, unknown> | undefined)?.kernel, 'minimal');
});

test('an unknown scenario name is a UsageError with a hint', () => {
  assert.throws(
    () => loadScenario('no-such-scenario'),
    (e: unknown) => e instanceof UsageError && /not found/.test(e.message) && e.hint !== undefined,
  );
});
