// The one place that writes results/<run-id>/: run.json (atomically replaced), samples.jsonl
// (one line appended and fsync'd per sample, so a crash or SIGKILL loses nothing already taken),
// summary.json and summary.csv (bytes from exporters.ts).
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
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

export function readMeta(dir: string): RunMeta {
  return JSON.parse(readFileSync(join(dir, RUN_FILE), 'utf8')) as RunMeta;
}

/**
 * Every complete line of samples.jsonl. A torn last line (the process died mid-write) is cut off
 * the file when `repair` is set, so appending after it keeps the file parseable.
 */
export function readSamples(dir: string, opts: { repair?: boolean } = {}): SampleRecord[] {
  const file = join(dir, SAMPLES_FILE);
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  const out: SampleRecord[] = [];
  let goodBytes = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      goodBytes += line.length + 1;
      continue;
    }
    try {
      out.push(JSON.parse(line) as SampleRecord);
      goodBytes += Buffer.byteLength(line) + 1;
    } catch {
      break; // only a torn tail can be unparseable; keep what precedes it
    }
  }
  const size = Buffer.byteLength(text);
  if (opts.repair && goodBytes < size) truncateSync(file, Math.min(goodBytes, size));
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
