// What makes a line of samples.jsonl a sample record: the check every reader shares, so a line
// of garbage (or valid JSON of another shape) is named as such instead of failing later.
import type { SampleRecord } from './types.js';

/** Why `rec` (a parsed line) is not a SampleRecord, or undefined when it is one. */
export function sampleProblem(rec: unknown): string | undefined {
  if (typeof rec !== 'object' || rec === null || Array.isArray(rec)) return 'not a JSON object';
  const r = rec as Partial<Record<keyof SampleRecord, unknown>>;
  if (typeof r.seq !== 'number' || !Number.isInteger(r.seq) || r.seq < 0) return 'seq is not a plan position';
  const missing = (['kind', 'env', 'workload'] as const).filter((k) => typeof r[k] !== 'string');
  if (missing.length > 0) return `${missing.join(', ')} missing`;
  if (typeof r.metrics !== 'object' || r.metrics === null) return 'metrics missing';
  return undefined;
}

/** One line parsed and checked: the record, or why it is not one. */
export function parseSampleLine(line: string): { rec: SampleRecord } | { problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (err) {
    return { problem: `not JSON (${err instanceof Error ? err.message : String(err)})` };
  }
  const problem = sampleProblem(json);
  return problem === undefined ? { rec: json as SampleRecord } : { problem };
}
