// The planner: warm-up first, every (workload, env) pair once per round, seeded order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planRun, kindFor } from '../../../src/runner/plan.js';
import { parseScenario } from '../../../src/runner/scenario-load.js';

const scenario = parseScenario(
  'name: p\nenvironments: [bare, container, vm]\nworkloads: [noop, idle, cpu]\nrepetitions: 20\nwarmup: 1\ndensity: { levels: [4, 1] }\n',
  'p.yaml',
);
const envs = ['bare', 'container', 'vm'];

test('same seed -> same plan; another seed -> another order with the same samples', () => {
  const a = planRun(scenario, envs, 42);
  assert.deepEqual(planRun(scenario, envs, 42), a);
  const b = planRun(scenario, envs, 43);
  assert.notDeepEqual(
    b.map((p) => p.env + p.workload),
    a.map((p) => p.env + p.workload),
  );
  const key = (p: (typeof a)[number]) =>
    `${p.kind}/${p.env}/${p.workload}/${p.repetition}/${p.warmup}/${p.density}`;
  assert.deepEqual(b.map(key).sort(), a.map(key).sort());
});

test('seqs are 0..n-1, warm-up precedes every measured sample, density comes last in ascending N', () => {
  const plan = planRun(scenario, envs, 1);
  assert.deepEqual(
    plan.map((p) => p.seq),
    plan.map((_, i) => i),
  );
  assert.equal(plan.length, 3 * 3 * (1 + 20) + 2 * 3);
  const lastWarm = plan.findLastIndex((p) => p.warmup);
  const firstMeasured = plan.findIndex((p) => !p.warmup);
  assert.equal(lastWarm, 8);
  assert.equal(firstMeasured, 9);
  const density = plan.filter((p) => p.kind === 'density');
  assert.deepEqual(
    density.map((p) => p.density),
    [1, 1, 1, 4, 4, 4],
  );
  assert.ok(plan.slice(-6).every((p) => p.kind === 'density'));
});

test('each round holds every (workload, env) pair exactly once', () => {
  const measured = planRun(scenario, envs, 5).filter((p) => !p.warmup && p.kind !== 'density');
  for (let r = 0; r < 20; r++) {
    const round = measured.slice(r * 9, r * 9 + 9);
    assert.ok(
      round.every((p) => p.repetition === r),
      `round ${r} is contiguous`,
    );
    assert.equal(new Set(round.map((p) => `${p.env}/${p.workload}`)).size, 9);
  }
});

test('interleaving: over the rounds, no environment is always first or always last', () => {
  const measured = planRun(scenario, envs, 9).filter((p) => !p.warmup && p.kind !== 'density');
  const firsts = new Set<string>();
  const lasts = new Set<string>();
  for (let r = 0; r < 20; r++) {
    firsts.add(measured[r * 9]!.env);
    lasts.add(measured[r * 9 + 8]!.env);
  }
  assert.equal(firsts.size, 3);
  assert.equal(lasts.size, 3);
  // Mean position per env within a round should be near the middle (4) for each env.
  for (const env of envs) {
    const pos = measured.flatMap((p, i) => (p.env === env ? [i % 9] : []));
    const mean = pos.reduce((s, v) => s + v, 0) / pos.length;
    assert.ok(mean > 3 && mean < 5, `${env} mean position ${mean}`);
  }
});

test('kinds follow the workload', () => {
  assert.equal(kindFor('noop'), 'start');
  assert.equal(kindFor('exit:3'), 'start');
  assert.equal(kindFor('idle'), 'idle');
  assert.equal(kindFor('cpu'), 'work');
  assert.equal(kindFor('host:sysbench'), 'work');
});

test("an environment's own repetitions and warmup replace the scenario's for it alone", () => {
  const s = parseScenario(
    'name: p\nenvironments: [bare, {id: vm-distro, type: vm, repetitions: 2, warmup: 0, options: {image: debian}}]\n' +
      'workloads: [noop, idle]\nrepetitions: 5\nwarmup: 1\n',
    'p.yaml',
  );
  const plan = planRun(s, ['bare', 'vm-distro'], 3);
  const count = (env: string, warmup: boolean) =>
    plan.filter((p) => p.env === env && p.warmup === warmup).length;
  assert.equal(count('bare', true), 2);
  assert.equal(count('bare', false), 10);
  assert.equal(count('vm-distro', true), 0);
  assert.equal(count('vm-distro', false), 4);
  assert.deepEqual(
    [...new Set(plan.filter((p) => p.env === 'vm-distro').map((p) => p.repetition))].sort(),
    [0, 1],
  );
  assert.throws(
    () =>
      parseScenario(
        'name: p\nenvironments: [{id: bare, repetitions: 0}]\nworkloads: [noop]\nrepetitions: 1\n',
        'p.yaml',
      ),
    /repetitions/,
  );
});
