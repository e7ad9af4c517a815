// The density section of a scenario: per-environment caps, KSM and budget fields, and the plan.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planRun } from '../../../src/runner/plan.js';
import { parseScenario } from '../../../src/runner/scenario-load.js';

const yaml = (density: string) =>
  `name: d\nenvironments: [container, vm]\nworkloads: [idle]\nrepetitions: 1\nwarmup: 0\ndensity: ${density}\n`;

test('maxLevel caps an environment: VMs stop at 4 while containers go on to 16', () => {
  const s = parseScenario(
    yaml('{ levels: [1, 4, 16], maxLevel: { vm: 4 }, ksm: true, concurrency: 8 }'),
    'd.yaml',
  );
  assert.deepEqual(
    { ...s.density, levels: undefined },
    {
      levels: undefined,
      repetitions: 1,
      workload: 'idle',
      maxLevel: { vm: 4 },
      concurrency: 8,
      ksm: true,
      ksmSettleTimeout: 120_000,
      ksmPagesToScan: 5000,
    },
  );
  const density = planRun(s, ['container', 'vm'], 1).filter((p) => p.kind === 'density');
  assert.deepEqual(density.map((p) => `${p.env}@${p.density}`).sort(), [
    'container@1',
    'container@16',
    'container@4',
    'vm@1',
    'vm@4',
  ]);
});

test('maxLevel naming an environment the scenario lacks is an error naming it', () => {
  assert.throws(
    () => parseScenario(yaml('{ levels: [1], maxLevel: { vmm: 4 } }'), 'd.yaml'),
    /"vmm" is not an environment of this scenario \(container, vm\)/,
  );
});

test('safetyMargin and ksmSettleTimeout take sizes and durations', () => {
  const s = parseScenario(yaml('{ levels: [2], safetyMargin: 2G, ksmSettleTimeout: 30s }'), 'd.yaml');
  assert.equal(s.density?.safetyMargin, 2 * 1024 ** 3);
  assert.equal(s.density?.ksmSettleTimeout, 30_000);
});
