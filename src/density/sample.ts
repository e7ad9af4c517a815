// One density level: the memory budget check, then N idle instances created with the scenario's
// concurrency (creation rate), measured (PSS, MemAvailable, the guest's view, idle host CPU),
// the N-th stopped and started again while N-1 run (marginal cost, its start latency), and,
// where asked and available, the same N measured again with KSM on until it settled.
import { availableParallelism } from 'node:os';
import type { Instance } from '../engine/environment.js';
import { enableKsm, ksmAvailable, ksmdCpuNs, readKsmStats, thpMode, type KsmSession } from '../host/ksm.js';
import { readMeminfo } from '../measure/meminfo.js';
import {
  sleep,
  launchTracked,
  stopTracked,
  type SampleTarget,
  type Tracked,
} from '../runner/sample-context.js';
import { memoryMetrics, type SampleOutcome } from '../runner/samplers.js';
import type { Scenario } from '../runner/scenario-schema.js';
import { levelBudgetProblem, MeasuredCosts } from './budget.js';
import { createLevel } from './create.js';
import { waitKsmSettled } from './ksm-settle.js';

export type DensityConfig = NonNullable<Scenario['density']>;

/** x86-64 base page: pages_sharing counts these. */
const PAGE_BYTES = 4096;
/** ksmd's sleep between batches while ctvm holds KSM (the kernel default). */
const KSM_SLEEP_MS = 20;
export const THP_CODES: Record<string, number> = { never: 0, madvise: 1, always: 2 };

/** The largest per-instance cost measured per environment in this process (budget of later levels). */
export const measuredCosts = new MeasuredCosts();

/** How long an instance of a level may live, and so how long the sampler's watchdog waits. */
export function levelDurationMs(
  s: Pick<Scenario, 'timeout' | 'settle' | 'idleWindow'>,
  d: DensityConfig,
  n: number,
): number {
  const waves = Math.ceil(n / d.concurrency) + 1;
  return s.timeout * waves + 4 * s.settle + s.idleWindow + (d.ksm ? d.ksmSettleTimeout : 0) + 60_000;
}

interface LevelMemory {
  /** Per-instance means of memoryMetrics. */
  mean: Record<string, number>;
  totalPssBytes: number;
  availableBytes: number;
}

async function measure(all: readonly Tracked[]): Promise<LevelMemory> {
  const per: Record<string, number>[] = [];
  for (const x of all) per.push(memoryMetrics(await x.inst.sampleMemory()));
  const availableBytes = readMeminfo().availableBytes;
  assertRunning(all);
  const mean: Record<string, number> = {};
  for (const key of Object.keys(per[0] ?? {}))
    mean[key] = per.reduce((s, m) => s + (m[key] ?? 0), 0) / per.length;
  return { mean, totalPssBytes: per.reduce((s, m) => s + (m.pssBytes ?? 0), 0), availableBytes };
}

function assertRunning(all: readonly Tracked[]): void {
  const dead = all.find((x) => x.gone());
  if (dead) throw new Error(`${dead.inst.name} exited while it should have been idle`);
}

/** Host CPU per wall second used by all of `insts` together over `windowMs`. */
async function idleCpuPerSec(
  insts: readonly Instance[],
  windowMs: number,
  signal?: AbortSignal,
): Promise<number> {
  const c0 = await Promise.all(insts.map((i) => i.sampleCpu()));
  await sleep(windowMs, signal);
  const c1 = await Promise.all(insts.map((i) => i.sampleCpu()));
  return c1.reduce((s, c, i) => s + (c.cpuNs - c0[i]!.cpuNs) / (c.atNs - c0[i]!.atNs), 0);
}

export async function densityLevelSample(
  t: SampleTarget,
  envId: string,
  n: number,
  s: Pick<Scenario, 'timeout' | 'settle' | 'idleWindow'>,
  d: DensityConfig,
): Promise<SampleOutcome> {
  // Refused before anything of this level starts.
  const problem = levelBudgetProblem(envId, t.options, n, measuredCosts.get(envId), d.safetyMargin);
  if (problem) throw new Error(problem);
  const lifetimeMs = levelDurationMs(s, d, n);
  const availBefore = readMeminfo().availableBytes;
  const all: Tracked[] = [];
  let ksm: KsmSession | undefined;
  try {
    const created = await createLevel(t, n, d.concurrency, lifetimeMs, all);
    await sleep(s.settle, t.signal);
    const full = await measure(all);
    const hostCpu = await idleCpuPerSec(
      all.map((x) => x.inst),
      s.idleWindow,
      t.signal,
    );
    // The marginal instance: stop the N-th, measure N-1, start it again while N-1 run.
    const nth = all.pop()!;
    await stopTracked([nth], 'marginal: N-1 measured');
    await sleep(s.settle, t.signal);
    const fewer = await measure(all);
    const again = await launchTracked(t, n, lifetimeMs);
    all.push(again);
    const ready = await again.inst.ready;
    await sleep(s.settle, t.signal);
    const full2 = await measure(all);
    const creationPerSec = n / (created.allReadyNs / 1e9);
    const metrics: Record<string, number> = {
      ...full.mean,
      memAvailableDropBytes: (availBefore - full.availableBytes) / n,
      levelPssBytes: full.totalPssBytes,
      // Mean of the two N-vs-(N-1) differences (the first creation and the restart).
      marginalPssBytes: (full.totalPssBytes + full2.totalPssBytes) / 2 - fewer.totalPssBytes,
      marginalMemAvailableBytes: fewer.availableBytes - (full.availableBytes + full2.availableBytes) / 2,
      nthStartNs: ready.atNs - again.inst.events.launchNs,
      idleCpuPerSec: hostCpu / n,
      levelIdleCpuPerSec: hostCpu,
      creationAllReadyNs: created.allReadyNs,
      creationPerSec,
      creationPerCorePerSec: creationPerSec / availableParallelism(),
      creationConcurrency: d.concurrency,
    };
    const thp = thpMode();
    if (thp !== undefined && THP_CODES[thp] !== undefined) metrics.thpMode = THP_CODES[thp];
    measuredCosts.record(
      envId,
      Math.max(full.mean.pssBytes ?? 0, metrics.memAvailableDropBytes!, metrics.marginalPssBytes!),
    );
    if (d.ksm && ksmAvailable()) {
      const cpu0 = ksmdCpuNs();
      ksm = enableKsm({ pagesToScan: d.ksmPagesToScan, sleepMs: KSM_SLEEP_MS });
      const settle = await waitKsmSettled(d.ksmSettleTimeout, t.signal);
      const cpu1 = ksmdCpuNs();
      const on = await measure(all);
      const after = readKsmStats();
      ksm.restore();
      Object.assign(metrics, {
        ksmPssBytes: on.mean.pssBytes,
        ksmMemAvailableDropBytes: (availBefore - on.availableBytes) / n,
        ksmSavedPssBytes: (full2.mean.pssBytes ?? 0) - (on.mean.pssBytes ?? 0),
        ksmPagesSharing: after.pagesSharing,
        ksmPagesShared: after.pagesShared,
        ksmSharingBytesPerInstance: (after.pagesSharing * PAGE_BYTES) / n,
        ksmSettleNs: settle.elapsedNs,
        ksmSettled: settle.settled ? 1 : 0,
        ksmFullScans: settle.fullScans,
        ...(cpu0 !== undefined && cpu1 !== undefined
          ? { ksmdCpuPerSec: (cpu1 - cpu0) / settle.elapsedNs }
          : {}),
      });
    }
    return { metrics };
  } finally {
    try {
      ksm?.restore();
    } finally {
      await stopTracked(all, 'sample done');
    }
  }
}
