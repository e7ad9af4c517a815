// The thresholds file: when is a change big enough to call a regression? Defaults, per-metric and
// per-group noise floors; JSON or YAML, validated, errors naming file and path.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import type { GroupId } from '../results/read.js';

/** What a group is judged with. */
export interface Rule {
  /** Relative change in the bad direction that must be exceeded (0.05 = 5%). */
  noiseFloor: number;
  /** Significance level for the permutation test. */
  alpha: number;
  /** Optional absolute change (in the metric's unit) that must also be exceeded. */
  minAbsolute: number;
  /** Leave the group out of the verdict (it is still shown). */
  ignore: boolean;
}

export const DEFAULT_RULE: Rule = { noiseFloor: 0.05, alpha: 0.01, minAbsolute: 0, ignore: false };

const ruleSchema = z
  .object({
    noiseFloor: z.number().min(0).max(10).optional(),
    alpha: z.number().gt(0).lt(1).optional(),
    minAbsolute: z.number().min(0).optional(),
    ignore: z.boolean().optional(),
  })
  .strict();

const matchSchema = z
  .object({
    kind: z.string().optional(),
    env: z.string().optional(),
    workload: z.string().optional(),
    density: z.number().int().positive().optional(),
    metric: z.string().optional(),
  })
  .strict();

export const thresholdsSchema = z
  .object({
    format: z.literal(1).optional(),
    default: ruleSchema.optional(),
    metrics: z.record(z.string(), ruleSchema).optional(),
    groups: z.array(ruleSchema.extend({ match: matchSchema })).optional(),
  })
  .strict();

export type Thresholds = z.infer<typeof thresholdsSchema>;

/** Reads and validates a thresholds file (.json, .yaml, .yml). */
export function loadThresholds(file: string): Thresholds {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(
      `cannot read thresholds file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      {
        hint: 'pass an existing file to --thresholds (format: docs/ci/thresholds.example.yaml)',
      },
    );
  }
  let data: unknown;
  try {
    data = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new UsageError(
      `thresholds file ${file} does not parse: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  return parseThresholds(data ?? {}, file);
}

export function parseThresholds(data: unknown, file: string): Thresholds {
  const r = thresholdsSchema.safeParse(data);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const path = issue.path.length ? issue.path.join('.') : '(top level)';
  throw new UsageError(`thresholds file ${file}: at ${path}: ${issue.message}`, {
    hint: 'keys: format, default, metrics.<name>, groups[].match; rule fields: noiseFloor, alpha, minAbsolute, ignore',
  });
}

function matches(m: z.infer<typeof matchSchema>, g: GroupId): boolean {
  const glob = (pattern: string | undefined, value: string) =>
    pattern === undefined || new RegExp(`^${pattern.split('*').map(escapeRe).join('.*')}$`).test(value);
  return (
    glob(m.kind, g.kind) &&
    glob(m.env, g.env) &&
    glob(m.workload, g.workload) &&
    glob(m.metric, g.metric) &&
    (m.density === undefined || m.density === g.density)
  );
}

function escapeRe(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

/** default < metrics[name] < every matching groups[] entry, later entries winning. */
export function ruleFor(t: Thresholds, g: GroupId): Rule {
  let rule: Rule = { ...DEFAULT_RULE, ...t.default };
  const perMetric = t.metrics?.[g.metric];
  if (perMetric) rule = { ...rule, ...perMetric };
  for (const entry of t.groups ?? []) {
    const { match, ...fields } = entry;
    if (matches(match, g)) rule = { ...rule, ...fields };
  }
  return rule;
}
