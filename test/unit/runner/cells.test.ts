// Per-cell skips (#14): a workload whose needs an environment's TYPE cannot meet is left out of
// the plan for that environment alone, with the reason; an entry whose own options conflict is
// bad input naming the field; an environment left with no cell at all is not a silent success.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatSkippedCell, skippedCells } from '../../../src/runner/cells.js';
import { countByEnv, kindFor, planRun } from '../../../src/runner/plan.js';
import { parseScenario } from '../../../src/runner/scenario-load.js';
import { envOutcomes, formatEnvOutcome, runExitCode } from '../../../src/runner/outcome.js';
import { UsageError } from '../../../src/errors.js';

const scenario = parseScenario(
  [
    'name: cells',
    'environments:',
    '  - {id: bare, options: {network: bridge, scratch: 64M}}',
    "  - {id: crun, type: 'oci:crun'}",
    '  - {id: lxc}',
    "workloads: [noop, sockperf, 'fio:randread', redis]",
    'repetitions: 3',
    'warmup: 1',
  ].join('\n') + '\n',
  'cells.yaml',
);

test('cells an environment type cannot run are skipped with the reason, the others planned', () => {
  const cells = skippedCells(scenario);
  assert.deepEqual(cells, [
    {
      env: 'crun',
      workload: 'sockperf',
      reason: 'environment type oci:crun has no lab network (network: bridge) yet',
    },
    {
      env: 'lxc',
      workload: 'sockperf',
      reason: 'environment type lxc has no lab network (network: bridge) yet',
    },
    {
      env: 'crun',
      workload: 'fio:randread',
      reason: 'environment type oci:crun cannot mount the scratch disk',
    },
    { env: 'lxc', workload: 'fio:randread', reason: 'environment type lxc cannot mount the scratch disk' },
    {
      env: 'crun',
      workload: 'redis',
      reason: 'environment type oci:crun has no lab network (network: bridge) yet',
    },
    {
      env: 'lxc',
      workload: 'redis',
      reason: 'environment type lxc has no lab network (network: bridge) yet',
    },
  ]);
  assert.equal(
    formatSkippedCell(cells[0]!),
    'sockperf in crun skipped: environment type oci:crun has no lab network (network: bridge) yet',
  );
  const plan = planRun(scenario, ['bare', 'crun', 'lxc'], 7);
  const cell = (p: (typeof plan)[number]) => `${p.workload}/${p.env}`;
  assert.deepEqual([...new Set(plan.map(cell))].sort(), [
    'fio:randread/bare',
    'noop/bare',
    'noop/crun',
    'noop/lxc',
    'redis/bare',
    'sockperf/bare',
  ]);
  assert.equal(plan.length, 6 * (1 + 3));
  assert.deepEqual(planRun(scenario, ['bare', 'crun', 'lxc'], 7), plan, 'a resumed run plans the same');
  assert.equal(kindFor('sockperf'), 'client');
  assert.equal(kindFor('iperf3'), 'client');
  assert.equal(kindFor('fio:randread'), 'work');
});

test('an environment every cell of which is skipped is SKIPPED with the reason: exit 3, not 0', () => {
  const s = parseScenario(
    "name: none\nworkloads: [iperf3]\nrepetitions: 2\nenvironments: [{id: bare, options: {network: bridge}}, 'oci:runc']\n",
    'none.yaml',
  );
  const plan = planRun(s, ['bare', 'oci:runc'], 1);
  assert.deepEqual(countByEnv(plan), { bare: 3 });
  const envs = envOutcomes(
    { bare: { used: true }, 'oci:runc': { used: true } },
    plan.map((p) => ({ ...p, runId: 'r', ok: true, metrics: { tcpBitsPerSec: 1e9 }, timeMs: 0 })),
    skippedCells(s),
    countByEnv(plan),
  );
  assert.equal(
    formatEnvOutcome(envs[1]!),
    'oci:runc: SKIPPED (every workload skipped: environment type oci:runc has no lab network (network: bridge) yet)',
  );
  assert.equal(envs[0]!.state, 'ok');
  assert.equal(runExitCode({ interrupted: null, envs }), 3);
});

test("an entry's own conflicting option is an error naming the field (exit 2), not a skip", () => {
  const refuse = (env: string, workload: string): string => {
    try {
      parseScenario(
        `name: t\nworkloads: ['${workload}']\nrepetitions: 1\nenvironments:\n  - ${env}\n`,
        't.yaml',
      );
    } catch (err) {
      assert.ok(err instanceof UsageError && err.exitCode === 2);
      return err.message;
    }
    assert.fail(`${env} accepted for ${workload}`);
  };
  assert.match(
    refuse('{id: c, type: container, options: {network: none}}', 'redis'),
    /^t\.yaml:\d+:\d+: environments\.0\.options\.network: workload redis needs a network: network 'none' is not the lab network its clients use; set network: bridge$/m,
  );
  assert.match(
    refuse('vm', 'sockperf'),
    /environments\.0\.options\.network: workload sockperf needs a network: network 'none' \(the default for vm\)/,
  );
  assert.match(refuse('bare', 'fio:seqread'), /environments\.0\.options\.scratch: .*set scratch: SIZE/);
});
