// Saved baselines: copies of reference runs under <results>/baselines/<run-id>/ (a copy, not a
// link, so `gc` of results/ cannot pull the floor from under CI), and the pooled samples of the
// last K of them: noisy CI runners make a single-run baseline flap, K pooled runs do not.
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import type { CompareSide } from './side.js';
import { BASELINES_SUBDIR, loadRun, readRunMeta, type LoadedRun } from '../results/read.js';
import type { RunMeta } from '../results/types.js';

export const DEFAULT_POOL = 5;

export function defaultBaselinesDir(resultsDir: string): string {
  return join(resultsDir, BASELINES_SUBDIR);
}

/** Copies run.json + samples.jsonl (+ summary.json) of `runDir`; returns the baseline dir. */
export function saveBaseline(runDir: string, baselinesDir: string, opts: { force?: boolean } = {}): string {
  const meta = readRunMeta(runDir);
  if (meta.status !== 'complete' && !opts.force) {
    throw new UsageError(
      `run ${meta.runId} is ${meta.status}; an incomplete run makes a misleading baseline`,
      {
        hint: 'save a complete run, or pass --force if you know why it is incomplete',
      },
    );
  }
  loadRun(runDir, { tornTail: 'strict' }); // refuses a run whose samples do not parse
  const dest = join(baselinesDir, meta.runId);
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  for (const f of ['run.json', 'samples.jsonl', 'summary.json']) {
    if (existsSync(join(runDir, f))) copyFileSync(join(runDir, f), join(dest, f));
  }
  writeFileSync(
    join(dest, 'saved.json'),
    JSON.stringify({ savedAt: new Date().toISOString(), from: runDir }, null, 2) + '\n',
  );
  return dest;
}

/** Saved baselines, oldest run first. */
export function listBaselines(baselinesDir: string): { dir: string; meta: RunMeta }[] {
  if (!existsSync(baselinesDir)) return [];
  return readdirSync(baselinesDir)
    .filter((name) => existsSync(join(baselinesDir, name, 'run.json')))
    .map((name) => ({ dir: join(baselinesDir, name), meta: readRunMeta(join(baselinesDir, name)) }))
    .sort((a, b) => a.meta.startedAt.localeCompare(b.meta.startedAt) || a.dir.localeCompare(b.dir));
}

/** The last `k` saved baselines of the candidate's scenario (never the candidate itself), pooled. */
export function pooledBaseline(
  baselinesDir: string,
  k: number,
  candidate: Pick<RunMeta, 'runId' | 'scenarioName'>,
): CompareSide {
  const all = listBaselines(baselinesDir);
  const eligible = all.filter(
    (b) => b.meta.scenarioName === candidate.scenarioName && b.meta.runId !== candidate.runId,
  );
  if (eligible.length === 0) {
    const other = all.length ? ` (${all.length} saved for other scenarios or the candidate itself)` : '';
    throw new UsageError(
      `no saved baseline for scenario '${candidate.scenarioName}' in ${baselinesDir}${other}`,
      {
        hint: 'save reference runs first: ctvm baseline save <run>',
      },
    );
  }
  const chosen: LoadedRun[] = eligible.slice(-k).map((b) => loadRun(b.dir, { tornTail: 'strict' }));
  const ids = chosen.map((r) => r.meta.runId);
  return {
    label: `pooled baseline of ${chosen.length} run${chosen.length === 1 ? '' : 's'} (${ids.join(', ')})`,
    runs: chosen.map((r) => r.meta),
    samples: chosen.flatMap((r) => r.samples),
  };
}

/** One loaded run as a comparison side. */
export function runSide(run: LoadedRun): CompareSide {
  const rev = run.meta.git?.revision
    ? ` @ ${run.meta.git.revision.slice(0, 10)}${run.meta.git.dirty ? '+dirty' : ''}`
    : '';
  return { label: `run ${run.meta.runId}${rev}`, runs: [run.meta], samples: run.samples };
}
