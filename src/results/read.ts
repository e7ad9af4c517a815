// The one reader of results/<run-id>/ for the runner (--resume), report and regress (compare,
// baseline, trend): run.json with its format checked, samples.jsonl with one policy per caller for
// lines that are not samples, what the user typed (path, run id, `latest`) -> a run dir, and the
// metric groups every consumer keys by. Bad input is a UsageError naming the file (and line).
import { appendFileSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { atomicWrite } from './atomic-write.js';
import { parseRunMeta } from './run-meta.js';
import { parseSampleLine } from './sample-record.js';
import type { RunMeta, SampleKind, SampleRecord } from './types.js';

export const RUN_FILE = 'run.json';
export const SAMPLES_FILE = 'samples.jsonl';
/** Lines of samples.jsonl that were not sample records, moved aside by readSamples 'repair'. */
export const QUARANTINE_FILE = 'samples.quarantine.jsonl';
/** Subdirectory of a results dir that holds saved baselines; never a run itself. */
export const BASELINES_SUBDIR = 'baselines';

/** run.json of a run dir, checked: missing, bad JSON, another format version or a wrong shape is a UsageError. */
export function readRunMeta(dir: string): RunMeta {
  const file = join(dir, RUN_FILE);
  if (!existsSync(file))
    throw new UsageError(`\`${file}\` is missing: \`${dir}\` is not a ctvm run`, {
      hint: 'pass results/<run-id>, a run id, or `latest`',
    });
  return parseRunMeta(readFileSync(file, 'utf8'), file);
}

/** Run dirs directly under `resultsDir` (those with a run.json), oldest first by startedAt. */
export function listRunDirs(resultsDir: string): { dir: string; meta: RunMeta }[] {
  if (!existsSync(resultsDir)) return [];
  const runs: { dir: string; meta: RunMeta }[] = [];
  for (const name of readdirSync(resultsDir)) {
    const dir = join(resultsDir, name);
    if (name === BASELINES_SUBDIR || !existsSync(join(dir, RUN_FILE))) continue;
    runs.push({ dir, meta: readRunMeta(dir) });
  }
  return runs.sort((a, b) => a.meta.startedAt.localeCompare(b.meta.startedAt) || a.dir.localeCompare(b.dir));
}

/**
 * `spec` is a results dir path, a run id under `resultsDir`, or `latest`: the newest run by
 * run.json's startedAt (not file times, which a copy or a --resume changes). The run.json of the
 * dir is read here, so another results format is refused for every reader alike.
 */
export function resolveRunDir(spec: string, resultsDir: string): string {
  if (spec === 'latest') {
    const last = listRunDirs(resultsDir).at(-1);
    if (!last) {
      throw new UsageError(`no runs in ${resultsDir}, so 'latest' means nothing`, {
        hint: 'run `ctvm run <scenario>` first, or pass a results dir path / --results <dir>',
      });
    }
    return last.dir;
  }
  for (const candidate of [resolve(spec), join(resultsDir, spec)]) {
    if (existsSync(candidate) && statSync(candidate).isDirectory()) {
      if (!existsSync(join(candidate, RUN_FILE))) {
        throw new UsageError(`${candidate} is not a ctvm run: it has no run.json`, {
          hint: 'a run dir holds run.json and samples.jsonl (results/<run-id>/)',
        });
      }
      readRunMeta(candidate);
      return candidate;
    }
  }
  throw new UsageError(`no run '${spec}': not a directory and not a run id in ${resultsDir}`, {
    hint: `pass a results dir path, a run id (ls ${resultsDir}), or 'latest'`,
  });
}

/**
 * What readSamples does with a line that is not a sample record. A torn tail is an unterminated
 * last line: what a crash (or SIGKILL) in the middle of an append leaves.
 * - 'repair' (run --resume): every bad line is appended to samples.quarantine.jsonl and the good
 *   lines are written back atomically, so nothing valid is lost or measured again and later
 *   appends stay parseable; a missing file is a run that took no sample yet.
 * - 'warn' (report): every bad line is skipped with a warning naming it.
 * - 'strict' (compare, baseline, trend): a bad line is a UsageError naming file:line; only a torn
 *   tail is dropped, with a warning.
 */
export type TornTail = 'repair' | 'warn' | 'strict';

export interface ReadSamplesOptions {
  tornTail?: TornTail;
  /** Receives one line per skipped or quarantined line (or block of lines). */
  warnings?: string[];
}

interface BadLine {
  /** 1-based line number in samples.jsonl as it was. */
  line: number;
  problem: string;
  text: string;
  torn: boolean;
}

/** Every sample record of a run dir's samples.jsonl, in file order (see TornTail for bad lines). */
export function readSamples(dir: string, opts: ReadSamplesOptions = {}): SampleRecord[] {
  const mode = opts.tornTail ?? 'strict';
  const warnings = opts.warnings ?? [];
  if (mode === 'repair') {
    const q = quarantineBadSamples(dir);
    if (q.lines.length > 0) warnings.push(quarantineMessage(q.lines, q.samples.length));
    return q.samples;
  }
  const file = join(dir, SAMPLES_FILE);
  if (!existsSync(file))
    throw new UsageError(`\`${file}\` is missing: the run recorded no samples`, {
      hint: `is ${basename(dir)} a complete run dir? (\`ctvm run\` writes samples.jsonl with its first sample)`,
    });
  const { samples, bad } = scanSamples(readFileSync(file, 'utf8'));
  for (const b of bad) {
    if (mode === 'strict' && !b.torn)
      throw new UsageError(`${file}:${b.line}: ${b.problem}`, {
        hint: 'samples.jsonl holds one sample record (JSON) per line',
      });
    const why = b.torn ? 'truncated last line (the run was interrupted?)' : `not a sample record: ${b.problem}`;
    warnings.push(`skipped ${basename(dir)}/${SAMPLES_FILE} line ${b.line}: ${why}`);
  }
  return samples;
}

/** readSamples 'repair', returning what was moved aside (1-based line numbers) and the samples kept. */
export function quarantineBadSamples(dir: string): {
  lines: { line: number; problem: string }[];
  samples: SampleRecord[];
} {
  const file = join(dir, SAMPLES_FILE);
  const { samples, bad, goodLines } = scanSamples(existsSync(file) ? readFileSync(file, 'utf8') : '');
  if (bad.length > 0) quarantine(dir, bad, goodLines);
  return { lines: bad.map(({ line, problem }) => ({ line, problem })), samples };
}

function scanSamples(text: string): { samples: SampleRecord[]; goodLines: string[]; bad: BadLine[] } {
  const out = { samples: [] as SampleRecord[], goodLines: [] as string[], bad: [] as BadLine[] };
  const lines = text.split('\n');
  const lastFilled = lines.findLastIndex((l) => l.trim() !== '');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const r = parseSampleLine(line);
    if ('rec' in r) {
      out.samples.push(r.rec);
      out.goodLines.push(line);
    } else {
      const torn = i === lastFilled && !text.endsWith('\n');
      out.bad.push({ line: i + 1, problem: r.problem, text: line, torn });
    }
  });
  return out;
}

function quarantine(dir: string, bad: BadLine[], goodLines: string[]): void {
  const at = new Date().toISOString();
  appendFileSync(
    join(dir, QUARANTINE_FILE),
    bad.map((b) => JSON.stringify({ line: b.line, problem: b.problem, text: b.text, at }) + '\n').join(''),
  );
  atomicWrite(join(dir, SAMPLES_FILE), goodLines.map((l) => l + '\n').join(''));
}

function quarantineMessage(bad: { line: number; problem: string }[], kept: number): string {
  const many = bad.length > 1;
  const numbers = bad
    .slice(0, 5)
    .map((b) => b.line)
    .join(', ');
  const more = bad.length > 5 ? ` (and ${bad.length - 5} more)` : '';
  return (
    `samples.jsonl line${many ? 's' : ''} ${numbers}${more} ${many ? 'are' : 'is'} not a sample ` +
    `(${bad[0]!.problem}): moved to ${QUARANTINE_FILE}; the ${kept} valid samples are kept and not taken again`
  );
}

/** A run as every reader sees it: where it is, its checked run.json, its samples (warm-ups included). */
export interface LoadedRun {
  dir: string;
  meta: RunMeta;
  samples: SampleRecord[];
  /** Lines readSamples skipped (see TornTail). */
  warnings: string[];
}

/** run.json + samples.jsonl of a run dir; `tornTail` as in readSamples ('strict' unless told). */
export function loadRun(dir: string, opts: { tornTail?: Exclude<TornTail, 'repair'> } = {}): LoadedRun {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new UsageError(`no run at \`${dir}\``, { hint: 'pass results/<run-id>, a run id, or `latest`' });
  const meta = readRunMeta(dir);
  const warnings: string[] = [];
  const samples = readSamples(dir, { tornTail: opts.tornTail ?? 'strict', warnings });
  return { dir, meta, samples, warnings };
}

/** The samples of one instance shape: kind + env + workload + density. */
export interface InstanceId {
  kind: SampleKind;
  env: string;
  workload: string;
  density: number;
}

/** A metric group (instance + metric): the unit summaries describe and compare judges. */
export interface GroupId extends InstanceId {
  metric: string;
}

export interface SampleGroup extends GroupId {
  values: number[];
  /** Samples of this kind/env/workload/density that failed (ok: false). */
  failed: number;
}

export function instanceKey(s: InstanceId): string {
  return [s.kind, s.env, s.workload, s.density].join('\u0000');
}

export function groupKey(g: GroupId): string {
  return `${instanceKey(g)}\u0000${g.metric}`;
}

/** Human label: "start/container/noop startNs", with "xN" when density > 1. */
export function groupLabel(g: GroupId): string {
  const density = g.density > 1 ? ` x${g.density}` : '';
  return `${g.kind}/${g.env}/${g.workload}${density} ${g.metric}`;
}

/**
 * Groups of every metric in `samples`, sorted by key; pooling runs = concatenating their samples.
 * Warm-ups are dropped, failed samples counted, non-finite values ignored; an instance that only
 * ever failed gets one row with metric '-' (that is what a harness failure looks like).
 */
export function groupSamples(samples: readonly SampleRecord[]): Map<string, SampleGroup> {
  const failed = new Map<string, number>();
  const groups = new Map<string, SampleGroup>();
  for (const s of samples) {
    if (s.warmup) continue;
    if (!s.ok) {
      failed.set(instanceKey(s), (failed.get(instanceKey(s)) ?? 0) + 1);
      continue;
    }
    for (const [metric, value] of Object.entries(s.metrics)) {
      if (typeof value !== 'number' || !Number.isFinite(value)) continue;
      const id: GroupId = { kind: s.kind, env: s.env, workload: s.workload, density: s.density, metric };
      const g = groups.get(groupKey(id)) ?? { ...id, values: [], failed: 0 };
      g.values.push(value);
      groups.set(groupKey(id), g);
    }
  }
  const measured = new Set<string>();
  for (const g of groups.values()) {
    g.failed = failed.get(instanceKey(g)) ?? 0;
    measured.add(instanceKey(g));
  }
  for (const [key, n] of failed) {
    if (measured.has(key)) continue;
    const [kind, env, workload, density] = key.split('\u0000') as [SampleKind, string, string, string];
    const id: GroupId = { kind, env, workload, density: Number(density), metric: '-' };
    groups.set(groupKey(id), { ...id, values: [], failed: n });
  }
  return new Map([...groups].sort(([a], [b]) => a.localeCompare(b)));
}
