// Reads one result dir (run.json + samples.jsonl); what the user typed (path, run id, `latest`)
// is resolved by results/run-dir.ts. Every malformed input is a UsageError naming the file and line.
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { UsageError } from '../errors.js';
import type { RunMeta, SampleRecord } from '../results/types.js';
import { readRunMeta } from '../results/run-meta.js';

/** A run as compare sees it: its metadata, its samples, and where it came from. */
export interface LoadedRun {
  dir: string;
  meta: RunMeta;
  samples: SampleRecord[];
}

export { BASELINES_SUBDIR, listRunDirs, resolveRunDir } from '../results/run-dir.js';
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
