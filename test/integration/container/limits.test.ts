// Limits enforced by the cgroup: OOM under --memory 32M reported as OOM, a fork bomb contained by
// --pids 64 while the host stays responsive, --cpus 0.25 at least 3x slower than --cpus 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { MiB } from '../../../src/units.js';
import { requires } from '../../helpers/requires.js';
import { leftovers, run } from './helpers.js';

const skip = requires('root', 'helper', 'probe', 'busybox', 'cgroupV1');
const none = { cgroupDirs: [], stateDirs: [], mounts: [], processes: [] };

test('allocating 64 MiB under a 32M limit is OOM-killed and reported as OOM', { skip }, async () => {
  const { stdout, exit } = await run(['/bin/ctvm-probe', 'alloc', '64'], {
    limits: { memoryBytes: 32 * MiB },
  });
  assert.match(stdout, /^READY/m);
  assert.doesNotMatch(stdout, /RESULT/, 'the allocation must not complete');
  assert.equal(exit.oomKilled, true, JSON.stringify(exit));
  assert.equal(exit.signal, 'SIGKILL');
  assert.ok((exit.stats?.memoryPeakBytes ?? 0) <= 32 * MiB, `peak ${exit.stats?.memoryPeakBytes}`);
  assert.deepEqual(leftovers(), none);
});

test('the same allocation under 128M completes and is not reported as OOM', { skip }, async () => {
  const { stdout, exit } = await run(['/bin/ctvm-probe', 'alloc', '64'], {
    limits: { memoryBytes: 128 * MiB },
  });
  assert.match(stdout, /RESULT mode=alloc/);
  assert.equal(exit.code, 0);
  assert.equal(exit.oomKilled, false);
});

test('a fork bomb under --pids 64 is contained and the host stays responsive', { skip }, async () => {
  const bomb = 'b() { b | b & }; b; sleep 2; echo DONE';
  const started = Date.now();
  const pending = run(['/bin/sh', '-c', bomb], { limits: { pids: 64 }, timeoutMs: 3000 });
  await new Promise((r) => setTimeout(r, 1000));
  const t0 = process.hrtime.bigint();
  execFileSync('/bin/true'); // the host can still fork and run things
  const hostSpawnMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const { exit, stderr } = await pending;
  assert.match(stderr, /can't fork|Resource temporarily unavailable/, 'the bomb hit the pids limit');
  assert.ok(hostSpawnMs < 1000, `host spawn took ${hostSpawnMs} ms`);
  assert.ok(exit.timedOut || exit.code !== null, 'container ended');
  assert.ok(Date.now() - started < 10_000, 'killed within the timeout');
  assert.deepEqual(leftovers(), none);
});

async function cpuWorkMs(cpus: number): Promise<number> {
  const { stdout, exit } = await run(['/bin/ctvm-probe', 'cpu', '120000000'], { limits: { cpus } });
  assert.equal(exit.code, 0, stdout);
  const ns = /RESULT mode=cpu ns=(\d+)/.exec(stdout)?.[1];
  assert.ok(ns, stdout);
  return Number(ns) / 1e6;
}

test('a CPU-bound loop under --cpus 0.25 takes at least 3x as long as under --cpus 1', { skip }, async () => {
  // Other helpers' work on this shared 2-core host only ever slows the --cpus 1 run (the quota
  // caps the other); so take the best --cpus 1 time, and retry the pair when the host is swamped.
  const tries: string[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    const full = Math.min(await cpuWorkMs(1), await cpuWorkMs(1));
    const quarter = await cpuWorkMs(0.25);
    tries.push(`--cpus 0.25: ${quarter.toFixed(0)} ms vs --cpus 1: ${full.toFixed(0)} ms`);
    if (quarter >= 3 * full) return;
  }
  assert.fail(`never 3x slower: ${tries.join('; ')}`);
});
