// What compare puts on each side: one run, or several runs whose samples are pooled (baseline.ts
// builds it, compare.ts and host-mismatch.ts read it).
import type { RunMeta, SampleRecord } from '../results/types.js';

/** One side of a comparison: a run, or several runs whose samples are pooled. */
export interface CompareSide {
  /** "run <id>" or "pooled baseline (3 runs)". */
  label: string;
  runs: (Pick<RunMeta, 'runId' | 'scenarioName' | 'startedAt' | 'status' | 'git'> &
    Partial<Pick<RunMeta, 'host' | 'tools' | 'environments'>>)[];
  samples: SampleRecord[];
}
