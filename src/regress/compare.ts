// Compares a candidate with a base (one run, or pooled baseline runs) group by group, and says
// what the CLI should exit with. Pure: samples in, a Comparison out; nothing printed or written.
import type { ExitCode } from '../errors.js';
import { groupLabel, groupSamples } from '../results/read.js';
import { judgeGroup, type JudgedRow } from './judge.js';
import { hostMismatches } from './host-mismatch.js';
import type { CompareSide } from './side.js';
import { accelsOf } from './series.js';
import { ruleFor, type Thresholds } from './thresholds.js';

export type { CompareSide } from './side.js';

export interface SideInfo {
  label: string;
  runIds: string[];
  scenarioName: string;
  revisions: (string | null)[];
  /** VM env id -> accelerator its samples ran under (series names: vm:tcg, vm:kvm). */
  accels: Record<string, string>;
}

export interface Comparison {
  base: SideInfo;
  candidate: SideInfo;
  rows: JudgedRow[];
  regressions: number;
  improvements: number;
  /** Groups that got a verdict from the test (regression, improvement, within floor, unchanged). */
  judged: number;
  /** Accelerator / CPU / kernel / qemu differences between the sides (also in warnings). */
  mismatches: string[];
  /** --strict: a mismatch is exit 2 (the two runs are not comparable). */
  strict: boolean;
  /** Things that make the candidate untrustworthy (exit 3): incomplete run, groups that only failed. */
  problems: string[];
  /** Worth reading, not failing on: missing groups, scenario mismatch, some failed samples. */
  warnings: string[];
}

function sideInfo(s: CompareSide): SideInfo {
  return {
    label: s.label,
    runIds: s.runs.map((r) => r.runId),
    scenarioName: [...new Set(s.runs.map((r) => r.scenarioName))].join(', '),
    revisions: s.runs.map((r) => r.git?.revision ?? null),
    accels: accelsOf(s.samples),
  };
}

export function compareSides(
  base: CompareSide,
  candidate: CompareSide,
  thresholds: Thresholds,
  opts: { permutations?: number; resamples?: number; minN?: number; strict?: boolean } = {},
): Comparison {
  const b = groupSamples(base.samples);
  const c = groupSamples(candidate.samples);
  const keys = [...new Set([...b.keys(), ...c.keys()])].sort();
  const rows: JudgedRow[] = [];
  for (const key of keys) {
    const bg = b.get(key);
    const cg = c.get(key);
    const id = (bg ?? cg)!;
    if (id.metric === '-' && !cg) continue; // base-only failures say nothing about the candidate
    const empty = { values: [], failed: 0 };
    rows.push(judgeGroup(id, bg ?? empty, cg ?? empty, ruleFor(thresholds, id), opts));
  }
  const problems: string[] = [];
  const warnings: string[] = [];
  for (const run of candidate.runs) {
    if (run.status !== 'complete')
      problems.push(`candidate run ${run.runId} is ${run.status}: not every planned sample exists`);
  }
  for (const r of rows) {
    if (r.verdict === 'failed') problems.push(`${groupLabel(r)}: ${r.reason}`);
    else if (r.verdict === 'missing') warnings.push(`${groupLabel(r)}: in the base only`);
    else if (r.candFailed > 0) warnings.push(`${groupLabel(r)}: ${r.candFailed} candidate sample(s) failed`);
  }
  const judged = rows.filter((r) => JUDGED.has(r.verdict)).length;
  const unjudged = rows.filter((r) => r.verdict === 'insufficient').length;
  if (judged === 0)
    problems.push(
      `nothing judged: ${rows.length} group${rows.length === 1 ? '' : 's'}, none with enough samples for a verdict` +
        (opts.minN ? ` (--min-n ${opts.minN})` : ''),
    );
  else if (unjudged > 0) warnings.push(`${unjudged} of ${rows.length} groups not judged: too few samples`);
  const mismatches = hostMismatches(base, candidate);
  warnings.push(...mismatches);
  const baseScen = sideInfo(base).scenarioName;
  const candScen = sideInfo(candidate).scenarioName;
  if (baseScen !== candScen) warnings.push(`scenarios differ: base '${baseScen}', candidate '${candScen}'`);
  return {
    base: sideInfo(base),
    candidate: sideInfo(candidate),
    rows,
    regressions: rows.filter((r) => r.verdict === 'regression').length,
    improvements: rows.filter((r) => r.verdict === 'improvement').length,
    judged,
    mismatches,
    strict: opts.strict ?? false,
    problems: [...new Set(problems)],
    warnings,
  };
}

const JUDGED = new Set<JudgedRow['verdict']>(['regression', 'improvement', 'below-floor', 'unchanged']);

/** 2 for a host mismatch under --strict; 3 when the candidate cannot be trusted or nothing was
 *  judged; else 1 on any regression, else 0. */
export function exitCodeFor(c: Comparison): ExitCode {
  if (c.strict && c.mismatches.length > 0) return 2;
  if (c.problems.length > 0) return 3;
  return c.regressions > 0 ? 1 : 0;
}
