// Checks the text of results/<run-id>/run.json for every reader (results/read.ts reads the file):
// bad JSON, another format version or a wrong shape is a UsageError naming the
// file and the first fields that are wrong, never a TypeError later on.
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { RESULTS_FORMAT, type RunMeta } from './types.js';

const nullableString = z.string().nullable();

/** The fields of RunMeta that readers use; the rest is kept as it is (loose objects). */
const runMetaSchema = z.looseObject({
  format: z.number(),
  runId: z.string().min(1),
  scenarioName: z.string(),
  scenarioFile: z.string(),
  scenario: z.looseObject({}),
  seed: z.number(),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  status: z.enum(['running', 'complete', 'incomplete']),
  plannedSamples: z.number().int().nonnegative(),
  skippedCells: z.array(z.looseObject({ env: z.string(), workload: z.string(), reason: z.string() })).optional(),
  environments: z.record(
    z.string(),
    z.looseObject({
      used: z.boolean(),
      type: z.string().optional(),
      reason: z.string().optional(),
      facts: z.record(z.string(), z.string()).optional(),
    }),
  ),
  host: z.looseObject({
    host: z.looseObject({
      cpuModel: z.string(),
      cores: z.number(),
      physicalCores: z.number(),
      memTotalBytes: z.number(),
      os: z.string(),
      kernel: z.string(),
      arch: z.string(),
      runningUnder: nullableString,
      tscKhz: z.number().nullable(),
    }),
    cgroup: z.looseObject({ mode: z.string(), driver: nullableString }),
    kvm: z.looseObject({ usable: z.boolean(), reason: z.string().optional() }),
  }),
  tools: z.record(z.string(), z.string()),
  git: z.looseObject({ revision: nullableString, dirty: z.boolean().nullable() }),
});

/** Parses and checks run.json text; `file` names it in messages. */
export function parseRunMeta(text: string, file: string): RunMeta {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file} is not valid JSON (${err instanceof Error ? err.message : String(err)})`, {
      hint: 'the run dir may be truncated or edited; re-run the scenario',
      cause: err,
    });
  }
  const format = (json as { format?: unknown } | null)?.format;
  if (typeof format === 'number' && format !== RESULTS_FORMAT)
    throw new UsageError(`${file}: results format ${format}, this ctvm reads format ${RESULTS_FORMAT}`, {
      hint: 'read runs with the ctvm version that recorded them',
    });
  const r = runMetaSchema.safeParse(json);
  if (!r.success) {
    const issues = r.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.') || '(top level)'}: ${i.message.replace(/^Invalid input: /, '')}`);
    const more = r.error.issues.length > 3 ? ` (and ${r.error.issues.length - 3} more)` : '';
    throw new UsageError(`${file} is not a ctvm run.json: ${issues.join('; ')}${more}`, {
      hint: 'a run dir holds the run.json that `ctvm run` wrote; re-run the scenario',
    });
  }
  return r.data as unknown as RunMeta;
}

/** What ran an environment label: its recorded type, or the label itself (runs before labels). */
export function envTypeOf(meta: Pick<RunMeta, 'environments'>, env: string): string {
  return meta.environments[env]?.type ?? env;
}
