// What the user typed (a results dir path, a run id, or `latest`) -> a run directory, for every
// reader (report, compare, baseline, trend): `latest` is the newest run by run.json's startedAt
// (not file times, which a copy or a --resume changes), and run.json is read with its format checked.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { readRunMeta } from './run-meta.js';
import type { RunMeta } from './types.js';

/** Subdirectory of a results dir that holds saved baselines; never a run itself. */
export const BASELINES_SUBDIR = 'baselines';

/** Run dirs directly under `resultsDir` (those with a run.json), oldest first by startedAt. */
export function listRunDirs(resultsDir: string): { dir: string; meta: RunMeta }[] {
  if (!existsSync(resultsDir)) return [];
  const runs: { dir: string; meta: RunMeta }[] = [];
  for (const name of readdirSync(resultsDir)) {
    const dir = join(resultsDir, name);
    if (name === BASELINES_SUBDIR || !existsSync(join(dir, 'run.json'))) continue;
    runs.push({ dir, meta: readRunMeta(dir) });
  }
  return runs.sort((a, b) => a.meta.startedAt.localeCompare(b.meta.startedAt) || a.dir.localeCompare(b.dir));
}

/** `spec` is a results dir path, a run id under `resultsDir`, or `latest`. */
export function resolveRunDir(spec: string, resultsDir: string): string {
  if (spec === 'latest') {
    const runs = listRunDirs(resultsDir);
    const last = runs[runs.length - 1];
    if (!last) {
      throw new UsageError(`no runs in ${resultsDir}, so 'latest' means nothing`, {
        hint: 'run `ctvm run <scenario>` first, or pass a results dir path / --results <dir>',
      });
    }
    return last.dir;
  }
  for (const candidate of [resolve(spec), join(resultsDir, spec)]) {
    if (existsSync(candidate) && statSync(candidate).isDirectory()) {
      if (!existsSync(join(candidate, 'run.json'))) {
        throw new UsageError(`${candidate} is not a ctvm run: it has no run.json`, {
          hint: 'a run dir holds run.json and samples.jsonl (results/<run-id>/)',
        });
      }
      readRunMeta(candidate); // another results format or a broken run.json: said here, for every reader
      return candidate;
    }
  }
  throw new UsageError(`no run '${spec}': not a directory and not a run id in ${resultsDir}`, {
    hint: `pass a results dir path, a run id (ls ${resultsDir}), or 'latest'`,
  });
}

