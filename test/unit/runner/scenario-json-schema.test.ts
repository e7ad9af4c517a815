// scenarios/scenario.schema.json is generated from the zod schema (scripts/gen-schema.mjs) and every
// shipped scenario points its editor at it; a typo'd scenario name lists the names, nearest first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../../src/errors.js';
import { loadScenario, scenarioNames, SCENARIOS_DIR } from '../../../src/runner/scenario-load.js';
import { SCENARIO_JSON_SCHEMA_FILE, scenarioJsonSchema } from '../../../src/runner/scenario-json-schema.js';

test('the committed scenario.schema.json is what the zod schema generates', () => {
  assert.equal(
    readFileSync(SCENARIO_JSON_SCHEMA_FILE, 'utf8'),
    scenarioJsonSchema(),
    'scenarios/scenario.schema.json is stale: run `node scripts/gen-schema.mjs` and commit it',
  );
  const schema = JSON.parse(scenarioJsonSchema()) as {
    required: string[];
    properties: { environments: { items: { anyOf: { enum?: string[] }[] } } };
  };
  assert.deepEqual(schema.required, ['name', 'environments', 'workloads', 'repetitions']);
  assert.deepEqual(schema.properties.environments.items.anyOf[0]!.enum, [
    'bare',
    'chroot',
    'container',
    'oci:runc',
    'oci:crun',
    'oci:runsc',
    'lxc',
    'docker',
    'lxd',
    'vm',
  ]);
});

test('every shipped scenario names the schema on its first line', () => {
  const files = readdirSync(SCENARIOS_DIR).filter((f) => f.endsWith('.yaml'));
  assert.ok(files.length >= 5);
  for (const f of files)
    assert.equal(
      readFileSync(join(SCENARIOS_DIR, f), 'utf8').split('\n')[0],
      '# yaml-language-server: $schema=./scenario.schema.json',
      f,
    );
});

test('a mistyped scenario name: did you mean, and the list of names (exit 2)', () => {
  const err = (ref: string): UsageError => {
    try {
      loadScenario(ref);
    } catch (e) {
      if (e instanceof UsageError) return e;
      throw e;
    }
    assert.fail(`${ref} loaded`);
  };
  const typo = err('quik');
  assert.equal(typo.exitCode, 2);
  assert.match(typo.message, /^scenario 'quik' not found; did you mean 'quick'\?$/);
  assert.match(typo.hint ?? '', new RegExp(`scenarios: ${scenarioNames().join(', ')} `));
  assert.ok(scenarioNames().includes('start-latency'));
  assert.match(err('start-latncy.yaml').message, /did you mean 'start-latency'\?/);
  assert.equal(err('zzzzzz').message, "scenario 'zzzzzz' not found", 'nothing close: no guess');
});
