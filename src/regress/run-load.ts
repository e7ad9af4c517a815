// Reads one result dir (run.json + samples.jsonl) and resolves what the user typed (path, run id,
// `latest`) to that dir. Every malformed input is a UsageError naming the file and line.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import type { RunMeta, SampleRecord } from '../results/types.js';
import { readRunMeta } from '../results/run-meta.js';

/** A run as compare sees it: its metadata, its samples, and where it came from. */
export interface LoadedRun {
  dir: string;
  meta: RunMeta;
  samples: SampleRecord[];
}

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
      return candidate;
    }
  }
  throw new UsageError(`no run '${spec}': not a directory and not a run id in ${resultsDir}`, {
    hint: `pass a results dir path, a run id (ls ${resultsDir}), or 'latest'`,
  });
}

export { readRunMeta };

/** Parses samples.jsonl; a bad line is an error naming file:line, never skipped silently. */
export function parseSamples(text: string, file: string): SampleRecord[] {
  const out: SampleRecord[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch (err) {
      // A crash can leave a half-written last line: that one is tolerated, said so by the caller.
      if (i >= lines.length - 2 && !text.endsWith('\n')) break;
      throw new UsageError(
        `${file}:${i + 1}: not JSON (${err instanceof Error ? err.message : String(err)})`,
        {
          hint: 'samples.jsonl holds one SampleRecord per line',
        },
      );
    }
    out.push(checkSample(rec, `${file}:${i + 1}`));
  }
  return out;
}

function checkSample(rec: unknown, where: string): SampleRecord {
  const r = rec as Partial<SampleRecord> | null;
  const missing = (['kind', 'env', 'workload'] as const).filter((k) => typeof r?.[k] !== 'string');
  if (!r || missing.length > 0 || typeof r.metrics !== 'object' || r.metrics === null) {
    throw new UsageError(
      `${where}: not a SampleRecord (missing ${missing.length ? missing.join(', ') : 'metrics'})`,
    );
  }
  return { density: 1, warmup: false, ok: true, ...r } as SampleRecord;
}

export function loadRun(dir: string): LoadedRun {
  const meta = readRunMeta(dir);
  const file = join(dir, 'samples.jsonl');
  if (!existsSync(file)) {
    throw new UsageError(`${file} does not exist`, { hint: `is ${basename(dir)} a complete run dir?` });
  }
  return { dir, meta, samples: parseSamples(readFileSync(file, 'utf8'), file) };
}
