// The executor: takes the planned samples one at a time, appends each record as soon as it is
// taken, and stops cleanly when interrupted (an interrupted sample is not recorded, so --resume
// takes it again). A failed or hung sample becomes ok:false with its error; the run goes on.
import type { PreparedWorkload } from '../engine/environment.js';
import { stopAll } from '../engine/reaper.js';
import { errorMessage } from '../errors.js';
import type { SampleRecord } from '../results/types.js';
import type { UsedEnvironment } from './environments.js';
import type { PlannedSample } from './plan.js';
import type { Progress } from './progress.js';
import type { RunWriter } from './results-writer.js';
import type { SampleTarget } from './sample-context.js';
import { densityLevelSample, levelDurationMs } from '../density/sample.js';
import { clientSample } from './client-sample.js';
import { attackSample, idleSample, startSample, workSample, type SampleOutcome } from './samplers.js';
import type { Scenario } from './scenario-schema.js';
import { workloadKey } from './workloads.js';

export interface ExecContext {
  runId: string;
  scenario: Scenario;
  envs: Map<string, UsedEnvironment>;
  /** workloadKey -> prepared workload. */
  workloads: Map<string, PreparedWorkload>;
  writer: RunWriter;
  progress: Progress;
  signal: AbortSignal;
}

/** Extra time a sample may take beyond its instance timeouts before the harness stops it. */
const WATCHDOG_GRACE_MS = 30_000;

export async function executePlan(ctx: ExecContext, plan: readonly PlannedSample[]): Promise<number> {
  let taken = 0;
  for (const p of plan) {
    if (ctx.signal.aborted) break;
    const rec = await takeSample(ctx, p);
    if (ctx.signal.aborted) break;
    ctx.writer.appendSample(rec);
    taken++;
    ctx.progress.sampleDone(sampleLabel(p), rec.ok, rec.ok ? headline(rec) : (rec.error ?? ''));
  }
  return taken;
}

export function sampleLabel(p: PlannedSample): string {
  const what = p.kind === 'density' ? `density ${p.density}` : p.workload;
  return `${p.env} ${what}${p.warmup ? ' (warm-up)' : ` #${p.repetition + 1}`}`;
}

async function takeSample(ctx: ExecContext, p: PlannedSample): Promise<SampleRecord> {
  const used = ctx.envs.get(p.env);
  const workload = ctx.workloads.get(workloadKey({ name: p.workload, args: p.args }));
  const base = {
    runId: ctx.runId,
    seq: p.seq,
    kind: p.kind,
    env: p.env,
    workload: p.workload,
    repetition: p.repetition,
    warmup: p.warmup,
    density: p.density,
    ...(used?.accel ? { accel: used.accel } : {}),
    ...(workload ? { workloadSha256: workload.binarySha256 } : {}),
  };
  if (!used || !workload)
    return {
      ...base,
      ok: false,
      error: 'environment or workload not prepared',
      metrics: {},
      timeMs: Date.now(),
    };
  const s = ctx.scenario;
  const target: SampleTarget = {
    env: used.env,
    options: used.options,
    ...(used.limits ? { limits: used.limits } : {}),
    workload,
    namePrefix: `ctvm-${ctx.runId.slice(-6)}-${p.seq}`.toLowerCase().replace(/[^a-z0-9-]/g, '-'),
    timeoutMs: s.timeout,
    settleMs: s.settle,
    idleWindowMs: s.idleWindow,
    signal: ctx.signal,
  };
  try {
    const budget =
      (p.kind === 'density' && s.density
        ? levelDurationMs(s, s.density, p.density)
        : (s.timeout + s.settle + s.idleWindow) * Math.max(1, p.density)) + WATCHDOG_GRACE_MS;
    const out = await withWatchdog(
      runSampler(target, p, s),
      budget,
      `${sampleLabel(p)} exceeded ${budget} ms`,
    );
    return {
      ...base,
      ok: true,
      metrics: out.metrics,
      ...(out.phases ? { phases: out.phases } : {}),
      ...(out.attacks ? { attacks: out.attacks } : {}),
      timeMs: Date.now(),
    };
  } catch (err) {
    return { ...base, ok: false, error: errorMessage(err), metrics: {}, timeMs: Date.now() };
  }
}

function runSampler(t: SampleTarget, p: PlannedSample, s: Scenario): Promise<SampleOutcome> {
  switch (p.kind) {
    case 'start':
      return startSample(t);
    case 'work':
      return workSample(t);
    case 'attack':
      return attackSample(t);
    case 'client':
      return clientSample(t);
    case 'idle':
      return idleSample(t);
    case 'density':
      if (!s.density) throw new Error('density sample planned without a density section');
      return densityLevelSample(t, p.env, p.density, s, s.density);
  }
}

/** If an engine never settles its promises, stop every live instance so the sampler unwinds. */
async function withWatchdog<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const fired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      void stopAll('watchdog');
      reject(new Error(message));
    }, ms);
  });
  try {
    return await Promise.race([work, fired]);
  } finally {
    clearTimeout(timer);
    work.catch(() => undefined);
  }
}

function headline(rec: SampleRecord): string {
  const m = rec.metrics;
  const ms = (ns: number) => `${(ns / 1e6).toFixed(ns < 1e7 ? 2 : 0)} ms`;
  const mib = (b: number) => `${(b / 1048576).toFixed(1)} MiB`;
  if (m.startNs !== undefined && rec.kind === 'start') return `start ${ms(m.startNs)}`;
  if (rec.attacks) return `${rec.attacks.filter((a) => a.verdict === 'escaped').length} escaped`;
  if (m.workNs !== undefined) return `work ${ms(m.workNs)}`;
  if (m.rttP50Ns !== undefined) return `rtt p50 ${(m.rttP50Ns / 1e3).toFixed(1)} µs`;
  if (m.tcpBitsPerSec !== undefined) return `${(m.tcpBitsPerSec / 1e9).toFixed(2)} Gbit/s`;
  if (m.redisGetOpsPerSec !== undefined) return `GET ${Math.round(m.redisGetOpsPerSec)} op/s`;
  if (m.pssBytes !== undefined) return `PSS ${mib(m.pssBytes)}`;
  return '';
}
