// One function per sample kind; each returns the metrics of METRICS (src/results/metrics.ts)
// that its kind defines, or throws with a message that says what went wrong. Every instance a
// sampler launches is stopped in its finally block, whatever happened.
import type { ExitInfo, Instance, MemorySample, PhaseTimeline, ReadyInfo } from '../engine/environment.js';
import { readMeminfo } from '../measure/meminfo.js';
import { attacksFromResult, type AttackOutcome } from '../workload/attack-protocol.js';
import { launchTracked, sleep, stopTracked, type SampleTarget, type Tracked } from './sample-context.js';

export interface SampleOutcome {
  metrics: Record<string, number>;
  phases?: Record<string, number>;
  attacks?: AttackOutcome[];
}

/** noop-style: launch -> READY (startNs) -> exit (exitNs), with the environment's phases. */
export function startSample(t: SampleTarget): Promise<SampleOutcome> {
  return runToExit(t, (inst, ready, exit) => {
    const launchNs = inst.events.launchNs;
    return {
      metrics: { startNs: ready.atNs - launchNs, exitNs: exit.atNs - launchNs, ...numericFacts(inst.events) },
      phases: phasesSinceLaunch(inst.events),
    };
  });
}

/** RESULT fields that are metrics: mbps (mem, io, fio), iops (fio), mups (gups). */
const RESULT_METRICS = [
  ['mbps', 'throughputMBps'],
  ['iops', 'iops'],
  ['mups', 'randomAccessMups'],
] as const;

/** Fixed work: READY -> RESULT (workNs), host CPU over the life (cpuNs), reported throughput. */
export function workSample(t: SampleTarget): Promise<SampleOutcome> {
  return runToExit(t, async (inst, ready, exit) => {
    if (!exit.result)
      throw new Error(`no RESULT line; last output: ${exit.outputTail.slice(-3).join(' | ')}`);
    const metrics: Record<string, number> = { workNs: exit.result.atNs - ready.atNs };
    const cpu = await inst.sampleCpu().catch(() => undefined);
    if (cpu) metrics.cpuNs = cpu.cpuNs;
    // Workload-reported figures (probe mem/io/gups, fio), each under its metric.
    for (const [field, metric] of RESULT_METRICS) {
      const v = Number(exit.result.fields[field]);
      if (exit.result.fields[field] !== undefined && Number.isFinite(v)) metrics[metric] = v;
    }
    return { metrics };
  });
}

/** The escape suite: one verdict per attack from its RESULT line, and how long the suite took (workNs). */
export function attackSample(t: SampleTarget): Promise<SampleOutcome> {
  return runToExit(t, (_inst, ready, exit) => {
    const attacks = exit.result ? attacksFromResult(exit.result.fields) : [];
    if (!exit.result || attacks.length === 0)
      throw new Error(`no RESULT line with verdicts; last output: ${exit.outputTail.slice(-3).join(' | ')}`);
    return { metrics: { workNs: exit.result.atNs - ready.atNs }, attacks };
  });
}

/** One instance run to its end (READY, then a clean exit), measured by `then` before it is stopped. */
async function runToExit(
  t: SampleTarget,
  then: (inst: Instance, ready: ReadyInfo, exit: ExitInfo) => SampleOutcome | Promise<SampleOutcome>,
): Promise<SampleOutcome> {
  const tracked = await launchTracked(t, 0);
  try {
    const { inst } = tracked;
    const ready = await inst.ready;
    const exit = await inst.exited;
    assertCleanExit(exit);
    return await then(inst, ready, exit);
  } finally {
    await stopTracked([tracked], 'sample done');
  }
}

/** One idle instance: memory after settle, MemAvailable drop, then idle CPU over a window. */
export async function idleSample(t: SampleTarget): Promise<SampleOutcome> {
  const availBefore = readMeminfo().availableBytes;
  const tracked = await launchTracked(t, 0, t.timeoutMs + t.settleMs + t.idleWindowMs);
  try {
    const { inst } = tracked;
    const ready = await inst.ready;
    await sleep(t.settleMs, t.signal);
    const mem = await inst.sampleMemory();
    const availAfter = readMeminfo().availableBytes;
    const cpu0 = await inst.sampleCpu();
    await sleep(t.idleWindowMs, t.signal);
    const cpu1 = await inst.sampleCpu();
    assertStillRunning(tracked);
    return {
      metrics: {
        startNs: ready.atNs - inst.events.launchNs,
        ...memoryMetrics(mem),
        memAvailableDropBytes: availBefore - availAfter,
        idleCpuPerSec: (cpu1.cpuNs - cpu0.cpuNs) / (cpu1.atNs - cpu0.atNs),
      },
    };
  } finally {
    await stopTracked([tracked], 'sample done');
  }
}

export function memoryMetrics(m: MemorySample): Record<string, number> {
  const out: Record<string, number> = { pssBytes: m.pssBytes, rssBytes: m.rssBytes };
  if (m.cgroupBytes !== undefined) out.cgroupBytes = m.cgroupBytes;
  if (m.enginePssBytes !== undefined) out.enginePssBytes = m.enginePssBytes;
  if (m.guestTotalBytes !== undefined) out.guestTotalBytes = m.guestTotalBytes;
  if (m.guestTotalBytes !== undefined && m.guestAvailableBytes !== undefined)
    out.guestUsedBytes = m.guestTotalBytes - m.guestAvailableBytes;
  if (m.split) {
    out.guestRamPssBytes = m.split.guestRamBytes;
    out.kernelImagePssBytes = m.split.kernelImageBytes;
    out.hypervisorPssBytes = m.split.hypervisorBytes;
  }
  for (const [name, bytes] of Object.entries(m.parts ?? {})) out[name] = bytes;
  return out;
}

function phasesSinceLaunch(ev: PhaseTimeline): Record<string, number> {
  return Object.fromEntries(ev.phases.map((p) => [p.name, p.atNs - ev.launchNs]));
}

/** Environment facts that are durations (e.g. guestUptimeAtInitNs) travel as metrics. */
function numericFacts(ev: PhaseTimeline): Record<string, number> {
  return Object.fromEntries(
    Object.entries(ev.facts).filter(([k, v]) => k.endsWith('Ns') && Number.isFinite(v)),
  );
}

function assertCleanExit(exit: ExitInfo): void {
  if (exit.timedOut) throw new Error(`timed out; last output: ${exit.outputTail.slice(-3).join(' | ')}`);
  if (exit.code !== 0)
    throw new Error(
      `exited with ${exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`}` +
        (exit.oomKilled ? ' (OOM-killed)' : '') +
        `; last output: ${exit.outputTail.slice(-3).join(' | ')}`,
    );
}

/** An idle instance that died before we stopped it is a failed sample, not a cheap one. */
function assertStillRunning(t: Tracked): void {
  if (t.gone()) throw new Error(`${t.inst.name} exited while it should have been idle`);
}
