// The one place that writes results/<run-id>/: run.json (atomically replaced), samples.jsonl
// (one line appended and fsync'd per sample, so a crash or SIGKILL loses nothing already taken),
// summary.json and summary.csv (bytes from exporters.ts). src/results/read.ts reads them back.
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { atomicWrite } from '../results/atomic-write.js';
import { RUN_FILE, SAMPLES_FILE } from '../results/read.js';
import type { RunMeta, SampleRecord, Summary } from '../results/types.js';
import { summaryCsv, summaryJson } from './exporters.js';

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
