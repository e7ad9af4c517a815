// A density run for real: 32 containers and 8 VMs (TCG, minimal kernel) at once start, are
// measured (per-instance and marginal PSS, the N-th's start, creation rate, the guest's view) and
// leave nothing behind; and a level the host cannot hold is refused before anything starts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { requires } from '../../helpers/requires.js';
import { tempDir, writeScenario } from '../runner/helpers.js';
import { CTVM, NO_RUN_LEFTOVERS, onlyRun, runLeftovers, samples } from './helpers.js';

const VM = '{ id: vm, options: { accel: auto, machine: microvm, vcpus: 1, memory: 64M, kernel: minimal } }';

test(
  'N=32 containers and N=8 VMs start, are measured and leave nothing behind',
  { skip: requires('root', 'helper', 'qemu', 'minimalKernel') },
  async () => {
    const { dir, cleanup } = tempDir('density');
    try {
      const file = writeScenario(
        dir,
        'density-it',
        `environments: [container, ${VM}]\nworkloads: [noop]\nrepetitions: 1\nwarmup: 0\nsettle: 1s\nidleWindow: 1s\ntimeout: 90s\n` +
          'density: { levels: [8, 32], maxLevel: { vm: 8 }, concurrency: 4 }\n',
      );
      const out = `${dir}/results`;
      const r = await execa('node', [CTVM, 'run', file, '--out', out, '--plain'], { reject: false });
      assert.equal(r.exitCode, 0, r.stdout + r.stderr);
      const runDir = onlyRun(out)!;
      const density = samples(runDir).filter((s) => s.kind === 'density');
      assert.deepEqual(density.map((s) => `${s.env}@${s.density}:${s.ok}`).sort(), [
        'container@32:true',
        'container@8:true',
        'vm@8:true',
      ]);
      for (const s of density) {
        const m = s.metrics;
        const what = `${s.env}@${s.density}`;
        assert.ok(
          m.pssBytes! > 0 && m.levelPssBytes! >= m.pssBytes! * s.density * 0.99,
          `${what} PSS ${m.pssBytes}`,
        );
        assert.ok(Number.isFinite(m.marginalPssBytes), `${what} marginal`);
        assert.ok(m.nthStartNs! > 0 && m.creationAllReadyNs! > 0, `${what} start/creation`);
        assert.ok(
          Math.abs(m.creationPerSec! - s.density / (m.creationAllReadyNs! / 1e9)) < 1e-6,
          `${what} rate`,
        );
        assert.ok(m.levelIdleCpuPerSec! >= 0, `${what} idle CPU`);
      }
      const vm = density.find((s) => s.env === 'vm')!.metrics;
      assert.ok(
        vm.guestUsedBytes! > 0 && vm.guestTotalBytes! <= 64 * 1024 * 1024,
        'the guest reports its own view',
      );
      assert.ok(
        vm.marginalPssBytes! > 10 * 1024 * 1024,
        `one more TCG guest costs more than 10 MiB: ${vm.marginalPssBytes}`,
      );
      assert.deepEqual(await runLeftovers(runDir), NO_RUN_LEFTOVERS);
    } finally {
      cleanup();
    }
  },
);

test(
  'a level the host cannot hold is refused before anything starts, naming the level and the numbers',
  { skip: requires('root', 'qemu', 'kernel') },
  async () => {
    const { dir, cleanup } = tempDir('density-budget');
    try {
      const file = writeScenario(
        dir,
        'density-budget',
        'environments: [{ id: vm, options: { memory: 4G } }]\nworkloads: [idle]\nrepetitions: 1\nwarmup: 0\n' +
          'density: { levels: [1, 64] }\n',
      );
      const out = `${dir}/results`;
      const r = await execa('node', [CTVM, 'run', file, '--out', out, '--plain'], { reject: false });
      assert.equal(r.exitCode, 2, r.stdout + r.stderr);
      assert.match(
        r.stderr,
        /density level N=64 of vm refused: it needs 64 x 4160 MiB \(guest RAM \+ 64 MiB qemu\) = 266240 MiB, MemAvailable is \d+ MiB, which would leave -\d+ MiB, below the safety margin of \d+ MiB/,
      );
      assert.equal(onlyRun(out), undefined, 'no run was started: no results dir');
    } finally {
      cleanup();
    }
  },
);
