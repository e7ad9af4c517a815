// The memory budget of a density level: before N instances start, what they may need (from the
// options, or what this run measured per instance, whichever is larger) must leave MemAvailable
// above a safety margin. A level that would not is refused, naming the level and the numbers,
// before anything of it starts: ctvm never runs the host out of memory.
import { parseVmOptions } from '../engine/vm/options.js';
import { readMeminfo, type Meminfo } from '../measure/meminfo.js';
import { UsageError } from '../errors.js';
import { GiB, MiB, type Bytes } from '../units.js';

/** qemu's own memory besides guest RAM (binary, libraries, TCG code buffer): 49 MiB measured idle. */
export const VM_OVERHEAD_BYTES = 64 * MiB;
/** A container or bare process before this run measured one: ~0.7 MiB measured idle, + cgroup/launcher. */
export const PROCESS_ESTIMATE_BYTES = 8 * MiB;

export const isVmEnv = (id: string): boolean => id === 'vm' || id.startsWith('vm:');

/** Per-instance bytes a level of `env` reserves before this run has measured it. */
export function optionEstimateBytes(env: string, options: Record<string, unknown>): Bytes {
  return isVmEnv(env) ? parseVmOptions(options).memoryBytes + VM_OVERHEAD_BYTES : PROCESS_ESTIMATE_BYTES;
}

export function defaultSafetyMargin(m: Meminfo): Bytes {
  return Math.max(GiB, Math.round(m.totalBytes * 0.1));
}

export interface BudgetInput {
  env: string;
  level: number;
  perInstanceBytes: Bytes;
  /** Where perInstanceBytes came from, for the message. */
  basis: string;
  availableBytes: Bytes;
  safetyMarginBytes: Bytes;
}

const mib = (b: number) => `${(b / MiB).toFixed(0)} MiB`;

/** Why this level would take MemAvailable below the margin, or undefined when it fits. */
export function budgetProblem(b: BudgetInput): string | undefined {
  const need = b.level * b.perInstanceBytes;
  const left = b.availableBytes - need;
  if (left >= b.safetyMarginBytes) return undefined;
  return (
    `density level N=${b.level} of ${b.env} refused: it needs ${b.level} x ${mib(b.perInstanceBytes)} (${b.basis}) = ` +
    `${mib(need)}, MemAvailable is ${mib(b.availableBytes)}, which would leave ${mib(left)}, below the safety margin of ${mib(b.safetyMarginBytes)}`
  );
}

/** Per environment: the largest per-instance cost a density sample of this run has measured. */
export class MeasuredCosts {
  private readonly byEnv = new Map<string, Bytes>();
  record(env: string, perInstanceBytes: Bytes): void {
    if (Number.isFinite(perInstanceBytes))
      this.byEnv.set(env, Math.max(this.byEnv.get(env) ?? 0, perInstanceBytes));
  }
  get(env: string): Bytes | undefined {
    return this.byEnv.get(env);
  }
}

/** The check run before each level: options estimate vs measured cost, whichever is larger. */
export function levelBudgetProblem(
  env: string,
  options: Record<string, unknown>,
  level: number,
  measured: Bytes | undefined,
  safetyMarginBytes: Bytes | undefined,
  mem: Meminfo = readMeminfo(),
): string | undefined {
  const estimate = optionEstimateBytes(env, options);
  const useMeasured = measured !== undefined && measured > estimate;
  return budgetProblem({
    env,
    level,
    perInstanceBytes: useMeasured ? measured : estimate,
    basis: useMeasured
      ? 'the largest per-instance cost measured so far in this run'
      : isVmEnv(env)
        ? `guest RAM + ${mib(VM_OVERHEAD_BYTES)} qemu`
        : 'estimate for one process',
    availableBytes: mem.availableBytes,
    safetyMarginBytes: safetyMarginBytes ?? defaultSafetyMargin(mem),
  });
}

/**
 * Before a run starts anything: each environment's highest level, at the options' estimate, must
 * fit now. Throws a UsageError (exit 2) naming every level that cannot.
 */
export function assertDensityFits(
  density: { levels: number[]; maxLevel: Record<string, number>; safetyMargin?: Bytes } | undefined,
  envs: readonly { id: string; options: Record<string, unknown> }[],
  mem: Meminfo = readMeminfo(),
): void {
  if (!density) return;
  const problems = envs.flatMap((e) => {
    const levels = density.levels.filter((l) => l <= (density.maxLevel[e.id] ?? Infinity));
    if (levels.length === 0) return [];
    const p = levelBudgetProblem(e.id, e.options, Math.max(...levels), undefined, density.safetyMargin, mem);
    return p ? [p] : [];
  });
  if (problems.length)
    throw new UsageError(problems.join('; '), {
      hint: 'lower density.levels (or density.maxLevel for that environment), the guest memory, or density.safetyMargin',
    });
}
