// The one place that writes results/<run-id>/: run.json (atomically replaced), samples.jsonl
// (one line appended and fsync'd per sample, so a crash or SIGKILL loses nothing already taken),
// summary.json and summary.csv (bytes from exporters.ts).
import {
  appendFileSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { parseSampleLine } from '../results/sample-record.js';
import type { RunMeta, SampleRecord, Summary } from '../results/types.js';
import { summaryCsv, summaryJson } from './exporters.js';

export const RUN_FILE = 'run.json';
export const SAMPLES_FILE = 'samples.jsonl';

export class RunWriter {
  private fd: number | null = null;
  constructor(readonly dir: string) {}

  /** Creates the directory (new runs) — the first write of a run happens here. */
  static create(dir: string): RunWriter {
    mkdirSync(dir, { recursive: true });
    return new RunWriter(dir);
  }

  writeMeta(meta: RunMeta): void {
    atomicWrite(join(this.dir, RUN_FILE), JSON.stringify(meta, null, 2) + '\n');
  }

  appendSample(rec: SampleRecord): void {
    this.fd ??= openSync(join(this.dir, SAMPLES_FILE), 'a');
    writeSync(this.fd, JSON.stringify(rec) + '\n');
    fsyncSync(this.fd);
  }

  writeSummary(summary: Summary): void {
    atomicWrite(join(this.dir, 'summary.json'), summaryJson(summary));
    atomicWrite(join(this.dir, 'summary.csv'), summaryCsv(summary));
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** run.json, checked: a wrong shape is a UsageError (src/results/run-meta.ts). */
export { readRunMeta as readMeta } from '../results/run-meta.js';

/** Lines of samples.jsonl that were not sample records, moved aside by quarantineBadSamples. */
export const QUARANTINE_FILE = 'samples.quarantine.jsonl';

/** Every sample record in samples.jsonl; any other line (a torn tail, garbage) is skipped. */
export function readSamples(dir: string): SampleRecord[] {
  return scanSamples(dir).samples;
}

export interface Quarantined {
  /** 1-based line numbers in samples.jsonl as it was, and why each is not a sample. */
  lines: { line: number; problem: string }[];
  samples: SampleRecord[];
}

/**
 * Before --resume appends: every line that is not a sample record (a torn tail after a crash, or
 * garbage anywhere) is appended to samples.quarantine.jsonl as {line, problem, text} and the
 * good lines are written back (atomically), so no valid sample is lost or measured again and
 * the file stays parseable. Returns what was moved (nothing when the file was clean).
 */
export function quarantineBadSamples(dir: string): Quarantined {
  const { samples, bad, goodLines } = scanSamples(dir);
  if (bad.length > 0) {
    const at = new Date().toISOString();
    appendFileSync(
      join(dir, QUARANTINE_FILE),
      bad.map((b) => JSON.stringify({ line: b.line, problem: b.problem, text: b.text, at }) + '\n').join(''),
    );
    atomicWrite(join(dir, SAMPLES_FILE), goodLines.map((l) => l + '\n').join(''));
  }
  return { lines: bad.map(({ line, problem }) => ({ line, problem })), samples };
}

function scanSamples(dir: string): {
  samples: SampleRecord[];
  goodLines: string[];
  bad: { line: number; problem: string; text: string }[];
} {
  const file = join(dir, SAMPLES_FILE);
  const out = {
    samples: [] as SampleRecord[],
    goodLines: [] as string[],
    bad: [] as { line: number; problem: string; text: string }[],
  };
  if (!existsSync(file)) return out;
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      if (text.trim() === '') return;
      const r = parseSampleLine(text);
      if ('rec' in r) {
        out.samples.push(r.rec);
        out.goodLines.push(text);
      } else out.bad.push({ line: i + 1, problem: r.problem, text });
    });
  return out;
}

function atomicWrite(path: string, data: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  const fd = openSync(tmp, 'r');
  fsyncSync(fd);
  closeSync(fd);
  renameSync(tmp, path);
}
