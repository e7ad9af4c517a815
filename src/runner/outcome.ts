// How each environment of a run fared (ok / failed / skipped) and the exit code that says so: a
// run in which an environment produced nothing is not a success, whatever the status says (#12).
import type { RunMeta, SampleRecord, SkippedCell } from '../results/types.js';

export type EnvState = 'ok' | 'failed' | 'skipped';

export interface EnvOutcome {
  id: string;
  state: EnvState;
  /** Measured (non-warm-up) samples that succeeded / failed. */
  ok: number;
  failed: number;
  /** Why skipped, or the first error of a failed environment. */
  reason?: string;
}

/**
 * One entry per environment of the run, in run.json order. An environment the plan gave no sample
 * because every one of its cells was skipped (`planned` 0, `skippedCells`) is skipped too: it
 * measured nothing, and says why.
 */
export function envOutcomes(
  environments: RunMeta['environments'],
  samples: readonly SampleRecord[],
  skippedCells: readonly SkippedCell[] = [],
  planned: Record<string, number> = {},
): EnvOutcome[] {
  return Object.entries(environments).map(([id, rec]) => {
    if (!rec.used) return { id, state: 'skipped', ok: 0, failed: 0, reason: rec.reason ?? 'skipped' };
    const cells = skippedCells.filter((c) => c.env === id);
    if (!planned[id] && cells.length > 0)
      return {
        id,
        state: 'skipped',
        ok: 0,
        failed: 0,
        reason: `every workload skipped: ${[...new Set(cells.map((c) => c.reason))].join('; ')}`,
      };
    const mine = samples.filter((s) => s.env === id && !s.warmup);
    const ok = mine.filter((s) => s.ok).length;
    const failed = mine.length - ok;
    if (ok > 0) return { id, state: 'ok', ok, failed };
    const error = mine.find((s) => !s.ok && s.error)?.error;
    return { id, state: 'failed', ok, failed, reason: error ?? 'no sample taken' };
  });
}

/** `bare: ok (30 samples)`, `container: FAILED (0 of 30 samples ok: …)`, `vm: SKIPPED (…)`. */
export function formatEnvOutcome(o: EnvOutcome): string {
  if (o.state === 'skipped') return `${o.id}: SKIPPED (${o.reason})`;
  if (o.state === 'failed') return `${o.id}: FAILED (0 of ${o.failed} samples ok: ${o.reason})`;
  return `${o.id}: ok (${o.ok} samples${o.failed ? `, ${o.failed} failed` : ''})`;
}

/** 130/143 after Ctrl-C/SIGTERM; 3 when an environment produced nothing; else 0. */
export function runExitCode(o: { interrupted: NodeJS.Signals | null; envs: EnvOutcome[] }): number {
  if (o.interrupted) return o.interrupted === 'SIGINT' ? 130 : 143;
  return o.envs.some((e) => e.state !== 'ok') ? 3 : 0;
}
