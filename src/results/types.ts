// The on-disk result format: results/<run-id>/{run.json, samples.jsonl, summary.json, summary.csv}.
// Runner writes it; report and regress read it. Change it only with a format version bump.
import type { DoctorReport } from '../host/facts.js';
import type { AttackOutcome } from '../workload/attack-protocol.js';

export const RESULTS_FORMAT = 1;

/** What a sample measured. */
export type SampleKind =
  | 'start' //        launch a workload (noop) and wait for exit: start/exit latency, phases
  | 'idle' //         one idle instance after settle: memory + idle CPU
  | 'density' //      N idle instances at once: memory per instance as N grows
  | 'work' //         fixed work (cpu/mem/syscall/io/host:*): duration, CPU time, throughput
  | 'attack' //       the escape suite (workload `attack`): a verdict per attack, suite duration
  | 'client'; //      a server in the instance, its client from the lab netns (sockperf, iperf3, redis)

/** One line of samples.jsonl, appended and flushed as soon as it is taken. */
export interface SampleRecord {
  runId: string;
  /** Position in the executed plan (0-based); with --resume, plan positions already present are skipped. */
  seq: number;
  kind: SampleKind;
  env: string;
  workload: string;
  repetition: number;
  warmup: boolean;
  /** N instances running at once (density samples; 1 otherwise). */
  density: number;
  ok: boolean;
  error?: string;
  /** Accelerator for VM samples ('kvm' | 'tcg'). */
  accel?: string;
  /** Metric name -> value; names and units come from METRICS in metrics.ts. */
  metrics: Record<string, number>;
  /** Phase name -> ns since launch (start samples). */
  phases?: Record<string, number>;
  /** Attack samples: each attack's verdict and evidence (absent in other kinds and older runs). */
  attacks?: AttackOutcome[];
  /** sha256 of the workload binary this environment ran. */
  workloadSha256?: string;
  /** Wall clock when the sample finished (ms since epoch). */
  timeMs: number;
}

export interface RunMeta {
  format: typeof RESULTS_FORMAT;
  runId: string;
  scenarioName: string;
  scenarioFile: string;
  /** The validated scenario as it was run. */
  scenario: unknown;
  seed: number;
  startedAt: string;
  finishedAt?: string;
  /** 'complete' once every planned sample exists; 'incomplete' while running or after a crash. */
  status: 'running' | 'complete' | 'incomplete';
  plannedSamples: number;
  /**
   * (workload, environment) cells not planned because the environment cannot give the workload
   * what it needs (a network its clients reach, the scratch disk), with the reason; absent when none.
   */
  skippedCells?: SkippedCell[];
  /**
   * Environment label -> its type (what ran it: 'vm', 'docker'...; absent in older runs, where the
   * label is the type), facts (accel actually used, machine, runtime version...) or why skipped.
   */
  environments: Record<
    string,
    { used: boolean; type?: string; reason?: string; facts?: Record<string, string> }
  >;
  host: DoctorReport;
  tools: Record<string, string>;
  git: { revision: string | null; dirty: boolean | null };
}

export interface SkippedCell {
  env: string;
  workload: string;
  reason: string;
}

/** Distribution of one metric over one group of samples. */
export interface Distribution {
  n: number;
  median: number;
  mean: number;
  sd: number;
  min: number;
  max: number;
  p95: number;
  cv: number;
  /** Bootstrap 95% CI of the median; NaN when there is none (n < 3, or a collapsed bootstrap). */
  ciLow: number;
  ciHigh: number;
  /** Indices (into the group's values, in sample order) flagged as outliers by modified Z-score > 3.5. */
  outliers: number[];
}

export interface SummaryRow {
  kind: SampleKind;
  env: string;
  workload: string;
  density: number;
  metric: string;
  /** Accelerator of a VM group ('kvm' | 'tcg'), from its samples. */
  accel?: string;
  unit: string;
  failed: number;
  dist: Distribution;
  /** Ratio of this row's median to the baseline env's median for the same kind/workload/metric. */
  vsBaseline?: { env: string; ratio: number; ciLow: number; ciHigh: number };
}

export interface Summary {
  runId: string;
  rows: SummaryRow[];
}
