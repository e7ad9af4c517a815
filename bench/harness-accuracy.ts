// Harness accuracy: ctvm's `bare` start latency for the noop probe vs `hyperfine -N` on the same
// command, medians side by side, plus the harness's own cost per sample (time outside the
// measured window). Like with like: the same endpoints (spawn -> reaped) and the same output path
// (ctvm reads the command's stdout through a pipe, to stamp READY; so does `hyperfine --output=pipe`).
// Run: npx tsx bench/harness-accuracy.ts [samples per half, 60] [rounds, 5]
import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import { createBareEnvironment } from '../src/engine/bare/environment.js';
import { nsexecLaunchCounts } from '../src/engine/launcher/nsexec-spawn.js';
import { readSmapsRollup } from '../src/measure/smaps.js';
import { RunWriter } from '../src/runner/results-writer.js';
import { startSample } from '../src/runner/samplers.js';
import type { SampleRecord } from '../src/results/types.js';
import { median } from '../src/stats/quantile.js';
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

/** hyperfine's median; `output` is where the command's stdout goes: /dev/null (its default) or a
 * pipe that hyperfine reads to the end, as ctvm's launcher does. */
async function hyperfineSide(
  command: string,
  tmp: string,
  output: 'null' | 'pipe',
): Promise<{ medianNs: number; meanNs: number }> {
  const json = join(tmp, `hyperfine-${output}.json`);
  await execa(
    'hyperfine',
    [
      '-N',
      '--output',
      output,
      '--warmup',
      String(WARMUP),
      '--runs',
      String(SAMPLES),
      '--export-json',
      json,
      command,
    ],
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

/** Median of a phase's time since the request, per sample (ns). */
const phaseAt = (phases: Record<string, number>[], name: string): number[] =>
  phases.flatMap((p) => (p[name] === undefined ? [] : [p[name]!]));

/** One A B C C B A round: ctvm's bare side and hyperfine's (output piped, output to /dev/null). */
async function round(tmp: string) {
  const a1 = await ctvmSide(join(tmp, 'a1'));
  const command = `${a1.workload.rootfsDir}${a1.workload.argv[0]} ${a1.workload.argv.slice(1).join(' ')}`;
  const p1 = await hyperfineSide(command, tmp, 'pipe');
  const n1 = await hyperfineSide(command, tmp, 'null');
  const n2 = await hyperfineSide(command, tmp, 'null');
  const p2 = await hyperfineSide(command, tmp, 'pipe');
  const a2 = await ctvmSide(join(tmp, 'a2'));
  const phases = [...a1.phases, ...a2.phases];
  // Like endpoints: hyperfine's clock runs from its posix_spawn to its wait returning; ours from the
  // launcher having the request (it then vforks, as hyperfine does) to the launcher's reap stamp.
  const launcherToExit = phases.flatMap((p) =>
    p.launcher !== undefined && p.exited !== undefined ? [p.exited - p.launcher] : [],
  );
  return {
    command,
    start: median([...a1.start, ...a2.start]),
    exit: median([...a1.exit, ...a2.exit]),
    launcherToExit: median(launcherToExit),
    hyper: (p1.medianNs + p2.medianNs) / 2,
    hyperNull: (n1.medianNs + n2.medianNs) / 2,
    harness: median([...a1.harness, ...a2.harness]),
    phases,
  };
}

const ROUNDS = Number(process.argv[3] ?? 5);
const verdict = (r: number): string => (Math.abs(r - 1) <= 0.1 ? 'MET' : 'NOT MET');
const tmp = mkdtempSync(join(tmpdir(), 'ctvm-accuracy-'));
try {
  const rounds: Awaited<ReturnType<typeof round>>[] = [];
  for (let i = 0; i < ROUNDS; i++) rounds.push(await round(join(tmp, `r${i}`)));
  const last = rounds[rounds.length - 1]!;
  const load1 = Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  const cores = Number((await execa('nproc')).stdout);
  if (load1 > cores / 2)
    console.log(
      `warning: load ${load1} on ${cores} cores: other work competes with both sides; the ratio is not stable, rerun on a quiet host`,
    );
  console.log(
    `command: ${last.command}   (${ROUNDS} rounds of A B C C B A (A = ctvm, B = hyperfine pipe, C = hyperfine null), ${SAMPLES * 2} samples per side per round; host: ${(await execa('nproc')).stdout} cores, load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')})`,
  );
  console.log(
    'round  hyperfine -N pipe   (null)   ctvm launcher->reaped   request->reaped   request->READY   (medians, ms)',
  );
  for (const [i, r] of rounds.entries())
    console.log(
      `${String(i + 1).padStart(5)}  ${ms(r.hyper).padStart(17)}   ${ms(r.hyperNull).padStart(6)}   ${ms(r.launcherToExit).padStart(21)}   ${ms(r.exit).padStart(15)}   ${ms(r.start).padStart(14)}`,
    );
  const ratio = (f: (r: (typeof rounds)[number]) => number): number =>
    median(rounds.map((r) => f(r) / r.hyper));
  const like = ratio((r) => r.launcherToExit);
  const viaRequest = ratio((r) => r.exit);
  console.log(
    `like endpoints (spawn -> reaped) and output path (a pipe read to EOF): ctvm launcher->reaped / hyperfine --output=pipe = ${like.toFixed(3)} (median of ${ROUNDS} rounds: ${rounds.map((r) => (r.launcherToExit / r.hyper).toFixed(3)).join(', ')})   goal: within 10% -> ${verdict(like)}`,
  );
  const vsNull = median(rounds.map((r) => r.launcherToExit / r.hyperNull));
  console.log(
    `the same against hyperfine's default --output=null (no reader: unlike output paths) = ${vsNull.toFixed(3)} -> ${verdict(vsNull)}; the pipe itself costs hyperfine ${ms(median(rounds.map((r) => r.hyper - r.hyperNull)))} ms`,
  );
  console.log(
    `with the request hop (Node's write -> the launcher has it): request->reaped / hyperfine = ${viaRequest.toFixed(3)} -> ${verdict(viaRequest)}`,
  );
  console.log(
    `(request->READY / hyperfine = ${ratio((r) => r.start).toFixed(3)}: unlike endpoints, READY is before the process ends; not a goal)`,
  );
  const served = nsexecLaunchCounts();
  console.log(`launches served by an idle pre-forked launcher: ${served.spare}, by a fork: ${served.forked}`);
  console.log(
    `harness cost per sample (outside request..reaped: waiting for a quiet launcher pool, stop, fsync'd append): median ${ms(median(rounds.map((r) => r.harness)))} ms`,
  );
  // Each phase's time since the request (median), in the order they happen.
  const all = rounds.flatMap((r) => r.phases);
  const names = [...new Set(all.flatMap((p) => Object.keys(p)))];
  const at = names.map((n) => [n, median(phaseAt(all, n))] as const);
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
