// `run --resume` with other flags: the run.json decides the scenario, seed and repetitions, so a
// flag that disagrees is refused (exit 2) instead of silently dropped; a consistent one is fine,
// and --only may narrow the resume to some of the run's environments.
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import type { RunMeta } from '../results/types.js';
import { resolveScenarioPath } from './scenario-load.js';

export interface ResumeFlags {
  scenario?: string;
  seed?: number;
  repetitions?: number;
  only?: string[];
}

/** Throws a UsageError for a flag that contradicts the run; returns the environments to resume. */
export function checkResumeFlags(meta: RunMeta, flags: ResumeFlags): string[] {
  const used = Object.keys(meta.environments).filter((id) => meta.environments[id]!.used);
  const repetitions = (meta.scenario as { repetitions?: unknown }).repetitions;
  const refuse = (what: string, given: string, recorded: string) =>
    new UsageError(`--resume ${meta.runId}: ${what} ${given}, but the run was recorded with ${recorded}`, {
      hint: `resume without ${what} (run.json decides it), or start a new run`,
    });
  if (flags.scenario !== undefined && flags.scenario !== meta.scenarioName) {
    let file: string | undefined;
    try {
      file = resolveScenarioPath(flags.scenario);
    } catch {
      file = undefined;
    }
    if (file === undefined || file !== resolve(meta.scenarioFile))
      throw refuse('the scenario', `'${flags.scenario}'`, `'${meta.scenarioName}' (${meta.scenarioFile})`);
  }
  if (flags.seed !== undefined && flags.seed !== meta.seed)
    throw refuse('--seed', String(flags.seed), `seed ${meta.seed}`);
  if (flags.repetitions !== undefined && flags.repetitions !== repetitions)
    throw refuse('--repetitions', String(flags.repetitions), `${String(repetitions)} repetitions`);
  if (!flags.only) return used;
  for (const id of flags.only)
    if (!used.includes(id))
      throw new UsageError(`--resume ${meta.runId}: --only ${id}: not an environment this run measured`, {
        hint: `the run measured: ${used.join(', ') || 'nothing'}`,
      });
  return used.filter((id) => flags.only!.includes(id));
}
