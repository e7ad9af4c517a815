// Reads results/<run-id>/ (run.json + samples.jsonl) into memory, tolerating what a crash leaves
// behind (a truncated last line, no summary.json) with warnings instead of failures.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../errors.js';
import { readRunMeta } from '../results/run-meta.js';
import { parseSampleLine } from '../results/sample-record.js';
import type { RunMeta, SampleRecord, Summary } from '../results/types.js';
import { summarize } from '../stats/index.js';

export interface LoadedRun {
  dir: string;
  meta: RunMeta;
  /** Every parseable sample, warm-ups included (charts and stats exclude them). */
  samples: SampleRecord[];
  /** Recomputed from samples.jsonl, the source of truth (summary.json may be missing or stale after a
   *  crash), with the run's seed exactly as src/runner/run.ts does, so the bootstrap CIs are the run's. */
  summary: Summary;
  warnings: string[];
}

export function loadRun(dir: string): LoadedRun {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new UsageError(`no run at \`${dir}\``, { hint: 'pass results/<run-id>, a run id, or `latest`' });
  const meta = readRunMeta(dir);
  const warnings: string[] = [];
  const samples = readSamples(join(dir, 'samples.jsonl'), warnings);
  if (!samples.some((s) => !s.warmup && s.ok))
    throw new UsageError(`run \`${dir}\` has no successful samples: nothing to report`, {
      hint: 'run `ctvm bench` (or check samples.jsonl for the errors of failed samples)',
    });
  if (meta.status !== 'complete')
    warnings.push(
      `run ${meta.runId} is ${meta.status}: ${samples.length} of ${meta.plannedSamples} planned samples`,
    );
  return { dir, meta, samples, summary: summarize(meta.runId, samples, { seed: meta.seed }), warnings };
}

/** Parses samples.jsonl line by line; an unparseable line becomes a warning naming it. */
export function readSamples(path: string, warnings: string[]): SampleRecord[] {
  if (!existsSync(path))
    throw new UsageError(`\`${path}\` is missing: the run recorded no samples`, { hint: 'run `ctvm bench`' });
  const lines = readFileSync(path, 'utf8').split('\n');
  const samples: SampleRecord[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${basename(dirname(path))}/samples.jsonl line ${i + 1}`;
    const r = parseSampleLine(line);
    if ('rec' in r) return void samples.push(r.rec);
    const last = lines.slice(i + 1).every((l) => l.trim() === '');
    const why = last ? 'truncated last line (the run was interrupted?)' : `not a sample record: ${r.problem}`;
    warnings.push(`skipped ${where}: ${why}`);
  });
  return samples;
}
