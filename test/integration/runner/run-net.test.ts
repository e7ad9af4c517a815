// Client/server workloads through the runner (#14): sockperf, iperf3 and redis served by bare and
// a container on the lab bridge, their clients in the lab netns; a minimal-kernel TCG guest
// serves sockperf; an environment type without a lab network gets its cells skipped (recorded,
// warned, and the run does not exit 0 for it); `network: none` with a network workload is an
// exit-2 error naming the field; no netns, veth, tap or server process is left.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { requires } from '../../helpers/requires.js';
import { runScenario } from '../../../src/runner/run.js';
import { readRunMeta, readSamples } from '../../../src/results/read.js';
import { liveInstances } from '../../../src/engine/reaper.js';
import { ourNetns } from '../../helpers/netns.js';
import { PROJECT_DIR } from '../../../src/paths.js';
import { which } from '../../../src/util/which.js';
import { pidsMatching, tempDir, writeScenario } from './helpers.js';

const toolsMissing = ['sockperf', 'iperf3', 'redis-server', 'redis-benchmark'].find((t) => !which(t));
const skipTools = toolsMissing
  ? `needs ${toolsMissing} (apt-get install sockperf iperf3 redis-server redis-tools)`
  : false;

after(async () => {
  assert.deepEqual(ourNetns(), [], 'netns left behind');
  for (const server of ['sockperf server', 'iperf3 -s', 'redis-server 0.0.0.0:6379'])
    assert.deepEqual(await pidsMatching(server), [], `${server} left running`);
});

test(
  'bare and container on the lab bridge: sockperf, iperf3 and redis figures; chroot cells skipped',
  { skip: requires('root', 'helper', 'busybox') || skipTools, timeout: 120_000 },
  async () => {
    const { dir, cleanup } = tempDir('net');
    try {
      const file = writeScenario(
        dir,
        'net',
        [
          'environments:',
          '  - {id: bare, options: {network: bridge}}',
          '  - {id: container, options: {network: bridge}}',
          '  - chroot',
          'workloads: [sockperf, iperf3, redis]',
          'repetitions: 1',
          'warmup: 0',
          'timeout: 30s',
        ].join('\n') + '\n',
      );
      const out = await runScenario({ scenario: file, outDir: dir, seed: 3, progress: 'quiet' });
      const meta = readRunMeta(out.dir);
      assert.deepEqual(
        meta.skippedCells,
        ['sockperf', 'iperf3', 'redis'].map((workload) => ({
          env: 'chroot',
          workload,
          reason: 'environment type chroot has no lab network (network: bridge) yet',
        })),
      );
      assert.deepEqual(
        out.envs.map((e) => [e.id, e.state]),
        [
          ['bare', 'ok'],
          ['container', 'ok'],
          ['chroot', 'skipped'],
        ],
      );
      assert.match(
        out.envs[2]!.reason ?? '',
        /^every workload skipped: environment type chroot has no lab network/,
      );
      assert.equal(out.planned, 6);
      const samples = readSamples(out.dir);
      for (const s of samples) {
        assert.ok(s.ok, `${s.env} ${s.workload}: ${s.error}`);
        assert.equal(s.kind, 'client');
        const m = s.metrics;
        if (s.workload === 'sockperf')
          assert.ok(m.rttP50Ns! > 1_000 && m.rttP99Ns! >= m.rttP50Ns!, JSON.stringify(m));
        if (s.workload === 'iperf3') assert.ok(m.tcpBitsPerSec! > 1e7, JSON.stringify(m));
        if (s.workload === 'redis')
          for (const op of ['Get', 'Set'])
            assert.ok(
              m[`redis${op}OpsPerSec`]! > 100 && m[`redis${op}P99Ns`]! >= m[`redis${op}P50Ns`]!,
              JSON.stringify(m),
            );
      }
      // The same server bytes in both environments.
      for (const w of ['sockperf', 'iperf3', 'redis']) {
        const shas = samples.filter((s) => s.workload === w).map((s) => s.workloadSha256);
        assert.equal(shas.length, 2);
        assert.equal(shas[0], shas[1]);
      }
      assert.equal(liveInstances(), 0);
      assert.deepEqual(ourNetns(), [], 'the run ends its lab network');
      // `ctvm report` names the cells it has no figures for.
      const report = spawnSync(
        process.execPath,
        [join(PROJECT_DIR, 'bin/ctvm.js'), 'report', out.dir, '--out', join(dir, 'reports')],
        { encoding: 'utf8', timeout: 60_000 },
      );
      assert.equal(report.status, 0, report.stderr);
      assert.match(
        report.stdout,
        /^not measured: redis in chroot skipped: environment type chroot has no lab network \(network: bridge\) yet$/m,
      );
    } finally {
      cleanup();
    }
  },
);

test(
  'a minimal-kernel TCG guest on the lab bridge serves sockperf to the lab netns',
  { skip: requires('root', 'qemu', 'busybox', 'minimalKernel') || skipTools, timeout: 120_000 },
  async () => {
    const { dir, cleanup } = tempDir('net-vm');
    try {
      const file = writeScenario(
        dir,
        'net-vm',
        [
          'environments:',
          '  - {id: vm, options: {accel: tcg, kernel: minimal, memory: 256M, network: bridge}}',
          'workloads: [sockperf]',
          'repetitions: 1',
          'warmup: 0',
          'timeout: 60s',
        ].join('\n') + '\n',
      );
      const out = await runScenario({ scenario: file, outDir: dir, progress: 'quiet' });
      const [s] = readSamples(out.dir);
      assert.ok(s?.ok, s?.error);
      assert.equal(s.accel, 'tcg');
      assert.ok(
        s.metrics.rttP50Ns! > 1_000 && s.metrics.rttP99Ns! >= s.metrics.rttP50Ns!,
        JSON.stringify(s.metrics),
      );
      assert.deepEqual(
        out.envs.map((e) => e.state),
        ['ok'],
      );
      assert.deepEqual(ourNetns(), []);
    } finally {
      cleanup();
    }
  },
);

test(
  'network: none with a network workload: exit 2 naming the field, nothing written',
  { skip: requires('root') },
  () => {
    const { dir, cleanup } = tempDir('net-bad');
    try {
      const file = writeScenario(
        dir,
        'net-bad',
        'environments: [{id: c, type: container, options: {network: none}}]\nworkloads: [redis]\nrepetitions: 1\n',
      );
      const r = spawnSync(
        process.execPath,
        [join(PROJECT_DIR, 'bin/ctvm.js'), 'run', file, '--out', join(dir, 'results')],
        {
          encoding: 'utf8',
          timeout: 60_000,
        },
      );
      assert.equal(r.status, 2, r.stderr);
      assert.match(
        r.stderr,
        /net-bad\.yaml:\d+:\d+: environments\.0\.options\.network: workload redis needs a network: network 'none' is not the lab network its clients use; set network: bridge/,
      );
      assert.deepEqual(
        readdirSync(dir).filter((f) => f !== 'net-bad.yaml'),
        [],
        'nothing written',
      );
    } finally {
      cleanup();
    }
  },
);
