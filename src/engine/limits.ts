// The bounds of the resource limits every environment honours (memory, cpus, pids, cpu weight,
// cpuset), checked where limits enter: CLI flags, scenario files, OCI bundles. A value this host
// cannot honour is then a UsageError (exit 2) naming it, not a failed cgroup write later (exit 3).
import { availableParallelism, totalmem } from 'node:os';
import { UsageError } from '../errors.js';
import type { Limits } from './environment.js';
import { MiB } from '../units.js';

/** Documented in README (Limits): what a limit may be on this host. */
export const LIMIT_BOUNDS = {
  minMemoryBytes: 4 * MiB,
  /** The host's RAM: a higher limit is no limit (swap is off in the cgroup). */
  maxMemoryBytes: (): number => totalmem(),
  /** cpu.cfs_quota_us has a 1 ms floor on a 100 ms period. */
  minCpus: 0.01,
  /** The CPUs this process may run on (nproc). */
  maxCpus: (): number => availableParallelism(),
  /** PID_MAX_LIMIT on 64-bit: pids.max cannot exceed it. */
  maxPids: 4_194_304,
  maxCpuWeight: 10_000,
};

export interface LimitProblem {
  field: keyof Limits;
  message: string;
  hint: string;
}

/** Every limit out of its bounds, each with what is wrong and what is allowed. */
export function limitProblems(l: Limits): LimitProblem[] {
  const out: LimitProblem[] = [];
  const b = LIMIT_BOUNDS;
  const check = (field: keyof Limits, integer: boolean, min: number, max: number, hint: string): void => {
    const v = l[field];
    if (typeof v !== 'number') return;
    if (!Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v)))
      out.push({ field, message: `must be a positive ${integer ? 'integer' : 'number'}`, hint });
    else if (v < min) out.push({ field, message: `below the minimum ${fmtBytes(field, min)}`, hint });
    else if (v > max) out.push({ field, message: `above the maximum ${fmtBytes(field, max)}`, hint });
  };
  const ramGiB = (b.maxMemoryBytes() / 2 ** 30).toFixed(1);
  check(
    'memoryBytes',
    true,
    b.minMemoryBytes,
    b.maxMemoryBytes(),
    `4M up to this host's RAM (${ramGiB} GiB)`,
  );
  check('cpus', false, b.minCpus, b.maxCpus(), `${b.minCpus} up to this host's ${b.maxCpus()} CPUs`);
  check('pids', true, 1, b.maxPids, `1..${b.maxPids}`);
  check('cpuWeight', true, 1, b.maxCpuWeight, `1..${b.maxCpuWeight}`);
  if (l.cpuset !== undefined && !/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(l.cpuset))
    out.push({ field: 'cpuset', message: 'not a cpuset list', hint: 'e.g. 0 or 0-1 or 0,2' });
  return out;
}

const LABELS: Record<keyof Limits, string> = {
  memoryBytes: 'memory',
  cpus: 'cpus',
  pids: 'pids',
  cpuWeight: 'cpu weight',
  cpuset: 'cpuset',
};

/** Throws a UsageError for the first limit out of bounds. */
export function validateLimits(l: Limits): void {
  const p = limitProblems(l)[0];
  if (p)
    throw new UsageError(`invalid ${LABELS[p.field]} limit '${String(l[p.field])}': ${p.message}`, {
      hint: p.hint,
    });
}

function fmtBytes(field: keyof Limits, n: number): string {
  return field === 'memoryBytes' ? `${n} bytes (${(n / MiB).toFixed(0)} MiB)` : String(n);
}
