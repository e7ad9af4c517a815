// Harness accuracy: ctvm's `bare` start latency for the noop probe vs `hyperfine -N` on the same
// command, medians side by side, plus the harness's own cost per sample (time outside the
// measured window). Run: npx tsx bench/harness-accuracy.ts [samples]
import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import { createBareEnvironment } from '../src/engine/bare/environment.js';
import { nsexecLaunchCounts } from '../src/engine/container/nsexec-spawn.js';
import { readSmapsRollup } from '../src/measure/smaps.js';
import { RunWriter } from '../src/runner/results-writer.js';
import { startSample } from '../src/runner/samplers.js';
import type { SampleRecord } from '../src/results/types.js';
import { median } from '../src/stats/describe.js';
import { monoNs } from '../src/units.js';
import { prepareWorkload } from '../src/workload/catalog.js';

const SAMPLES = Number(process.argv[2] ?? 60);
const WARMUP = 5;
const ms = (ns: number) => (ns / 1e6).toFixed(3);

async function ctvmSide(tmp: string) {
  const env = createBareEnvironment();
  const workload = await prepareWorkload('noop');
  await env.prepare(workload);
  const writer = RunWriter.create(tmp);
  const start: number[] = [];
  const exit: number[] = [];
  const harness: number[] = [];
  const phases: Record<string, number>[] = [];
  for (let i = 0; i < WARMUP + SAMPLES; i++) {
    const t0 = monoNs();
    const out = await startSample({
      env,
      options: {},
      workload,
      namePrefix: `acc-${i}`,
      timeoutMs: 10_000,
      settleMs: 0,
      idleWindowMs: 0,
    });
    const rec: SampleRecord = {
      runId: 'acc',
      seq: i,
      kind: 'start',
      env: 'bare',
      workload: 'noop',
      repetition: i,
      warmup: i < WARMUP,
      density: 1,
      ok: true,
      metrics: out.metrics,
      timeMs: Date.now(),
    };
    writer.appendSample(rec); // the real per-sample cost includes the fsync'd append
    const total = monoNs() - t0;
    if (i < WARMUP) continue;
    start.push(out.metrics.startNs!);
    exit.push(out.metrics.exitNs!);
    harness.push(total - out.metrics.exitNs!);
    if (out.phases) phases.push(out.phases);
  }
  writer.close();
  return { workload, start, exit, harness, phases };
}

async function hyperfineSide(command: string, tmp: string): Promise<{ medianNs: number; meanNs: number }> {
  const json = join(tmp, 'hyperfine.json');
  await execa(
    'hyperfine',
    ['-N', '--warmup', String(WARMUP), '--runs', String(SAMPLES), '--export-json', json, command],
    {
      stdout: 'ignore',
    },
  );
  const r = (JSON.parse(readFileSync(json, 'utf8')) as { results: { median: number; mean: number }[] })
    .results[0]!;
  return { medianNs: r.median * 1e9, meanNs: r.mean * 1e9 };
}

/** tinybench: the in-process primitives a sample is made of. */
async function primitives(tmp: string): Promise<void> {
  const w = RunWriter.create(join(tmp, 'tb'));
  const rec = {
    runId: 'x',
    seq: 0,
    kind: 'start',
    env: 'bare',
    workload: 'noop',
    repetition: 0,
    warmup: false,
    density: 1,
    ok: true,
    metrics: { startNs: 1 },
    timeMs: 0,
  } as SampleRecord;
  const bench = new Bench({ time: 300 });
  bench
    .add('monoNs() clock read', () => void monoNs())
    .add('samples.jsonl append + fsync', () => w.appendSample(rec))
    .add('smaps_rollup read (self)', async () => void (await readSmapsRollup(process.pid)));
  await bench.run();
  for (const t of bench.tasks) {
    const r = t.result;
    if (r.state === 'completed')
      console.log(`  ${t.name.padEnd(32)} p50 ${(r.latency.p50 * 1000).toFixed(2)} µs`);
    else console.log(`  ${t.name.padEnd(32)} ${r.state}`);
  }
  w.close();
}

const tmp = mkdtempSync(join(tmpdir(), 'ctvm-accuracy-'));
try {
  // Interleave the two sides in halves so host drift hits both (A B B A).
  const a1 = await ctvmSide(join(tmp, 'a1'));
  const command = `${a1.workload.rootfsDir}${a1.workload.argv[0]} ${a1.workload.argv.slice(1).join(' ')}`;
  const h1 = await hyperfineSide(command, tmp);
  const h2 = await hyperfineSide(command, tmp);
  const a2 = await ctvmSide(join(tmp, 'a2'));
  const start = median([...a1.start, ...a2.start]);
  const exit = median([...a1.exit, ...a2.exit]);
  const hyper = (h1.medianNs + h2.medianNs) / 2;
  const harness = median([...a1.harness, ...a2.harness]);
  console.log(
    `command: ${command}   (${SAMPLES * 2} samples per side; host: ${(await execa('nproc')).stdout} cores, load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')})`,
  );
  console.log(`ctvm bare startNs (request -> READY at the launcher) median ${ms(start)} ms`);
  console.log(`ctvm bare exitNs  (request -> reaped by the launcher) median ${ms(exit)} ms`);
  console.log(
    `hyperfine -N (spawn -> wait)                           median ${ms(hyper)} ms   (runs: ${ms(h1.medianNs)} / ${ms(h2.medianNs)})`,
  );
  const ratio = start / hyper;
  console.log(
    `ratio startNs / hyperfine = ${ratio.toFixed(3)}   exitNs / hyperfine = ${(exit / hyper).toFixed(3)}   goal: within 10%  -> ${Math.abs(ratio - 1) <= 0.1 ? 'MET' : 'NOT MET'}`,
  );
  const served = nsexecLaunchCounts();
  console.log(`launches served by an idle pre-forked launcher: ${served.spare}, by a fork: ${served.forked}`);
  console.log(
    `harness cost per sample (outside request..reaped: waiting for a quiet launcher pool, stop, fsync'd append): median ${ms(harness)} ms`,
  );
  // Each phase's time since launch() (median), in the order they happen.
  const all = [...a1.phases, ...a2.phases];
  const names = [...new Set(all.flatMap((p) => Object.keys(p)))];
  const at = names.map((n) => [n, median(all.flatMap((p) => (p[n] === undefined ? [] : [p[n]!])))] as const);
  at.sort((x, y) => x[1] - y[1]);
  console.log(
    'bare phases, median time since the request (launcher = has it, helper = streams wired, exec = about to execve, ready/result/exited = stamped by the launcher):',
  );
  console.log('  ' + at.map(([n, t]) => `${n} ${ms(t)}`).join('  '));
  console.log('in-process primitives (tinybench):');
  await primitives(tmp);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
