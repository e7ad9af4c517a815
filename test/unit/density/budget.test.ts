import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertDensityFits,
  budgetProblem,
  levelBudgetProblem,
  MeasuredCosts,
  VM_OVERHEAD_BYTES,
} from '../../../src/density/budget.js';
import { UsageError } from '../../../src/errors.js';
import { GiB, MiB } from '../../../src/units.js';

const mem = (availGiB: number) => ({ totalBytes: 24 * GiB, availableBytes: availGiB * GiB, freeBytes: 0 });

test('a level that leaves MemAvailable above the margin fits; one that does not names level and numbers', () => {
  const base = { env: 'vm', basis: 'test', availableBytes: 20 * GiB, safetyMarginBytes: 2 * GiB };
  assert.equal(budgetProblem({ ...base, level: 64, perInstanceBytes: 128 * MiB }), undefined);
  assert.equal(
    budgetProblem({ ...base, level: 64, perInstanceBytes: 512 * MiB }),
    'density level N=64 of vm refused: it needs 64 x 512 MiB (test) = 32768 MiB, MemAvailable is 20480 MiB, ' +
      'which would leave -12288 MiB, below the safety margin of 2048 MiB',
  );
});

test('the estimate is guest RAM + qemu for VMs, and a larger measured cost replaces it', () => {
  const vm = { memory: '256M' };
  // 20 GiB available, margin 2.4 GiB (10% of 24): 64 x (256 + 64) MiB = 20 GiB does not fit.
  assert.match(
    levelBudgetProblem('vm', vm, 64, undefined, undefined, mem(20))!,
    /64 x 320 MiB \(guest RAM \+ 64 MiB qemu\)/,
  );
  assert.equal(levelBudgetProblem('vm', vm, 16, undefined, undefined, mem(20)), undefined);
  assert.equal(256 * MiB + VM_OVERHEAD_BYTES, 320 * MiB);
  // A container measured at 100 MiB per instance: 512 of them no longer fit in 20 GiB.
  assert.equal(levelBudgetProblem('container', {}, 512, undefined, undefined, mem(20)), undefined);
  assert.match(
    levelBudgetProblem('container', {}, 512, 100 * MiB, undefined, mem(20))!,
    /N=512 of container refused: it needs 512 x 100 MiB \(the largest per-instance cost measured so far/,
  );
});

test('MeasuredCosts keeps the largest cost per environment', () => {
  const c = new MeasuredCosts();
  c.record('vm', 80 * MiB);
  c.record('vm', 60 * MiB);
  c.record('vm', NaN);
  assert.equal(c.get('vm'), 80 * MiB);
  assert.equal(c.get('container'), undefined);
});

test('assertDensityFits checks each environment at its highest level (after maxLevel) and throws a UsageError', () => {
  const envs = [
    { id: 'container', options: {} },
    { id: 'vm', options: { memory: '4G' } },
  ];
  const density = { levels: [1, 64, 512], maxLevel: { vm: 64 } };
  assert.throws(
    () => assertDensityFits(density, envs, mem(20)),
    (err: unknown) =>
      err instanceof UsageError &&
      /^density level N=64 of vm refused: it needs 64 x 4160 MiB/.test(err.message) &&
      !/container/.test(err.message),
  );
  assert.doesNotThrow(() => assertDensityFits({ ...density, maxLevel: { vm: 1 } }, envs, mem(20)));
  assert.doesNotThrow(() => assertDensityFits(undefined, envs, mem(0)));
});
