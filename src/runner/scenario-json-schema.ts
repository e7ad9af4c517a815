// scenarios/scenario.schema.json, generated from the zod schema in scenario-schema.ts so editors
// (yaml-language-server) check and complete scenario files. scripts/gen-schema.mjs writes it; a
// unit test fails when the committed file and this function disagree.
import { join } from 'node:path';
import { z } from 'zod';
import { SCENARIOS_DIR } from './scenario-load.js';
import {
  ENVIRONMENT_IDS,
  envEntry,
  environment,
  scenarioSchema,
  workload,
  workloadEntry,
} from './scenario-schema.js';

// draft-07: what yaml-language-server (the YAML extension of VS Code and others) reads everywhere.
const options = { io: 'input', unrepresentable: 'any', target: 'draft-7' } as const;

/** A sub-schema to embed: without its own $schema line. */
function embedded(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, options);
  return rest;
}

/** zod sees through a preprocess to its output side; the shorthands (`- vm`, `- noop`) are said here. */
const SHORTHANDS = new Map<unknown, () => Record<string, unknown>>([
  [environment, () => ({ anyOf: [{ type: 'string', enum: [...ENVIRONMENT_IDS] }, embedded(envEntry)] })],
  [workload, () => ({ anyOf: [{ type: 'string' }, embedded(workloadEntry)] })],
]);

export const SCENARIO_JSON_SCHEMA_FILE = join(SCENARIOS_DIR, 'scenario.schema.json');

/** The schema of what a scenario file may contain (zod's input side: '30s' and 30000 alike). */
export function scenarioJsonSchema(): string {
  // Transforms and refinements (durations, sizes, known workload names) cannot be said in JSON
  // Schema: their input type is kept and the check itself stays with `ctvm run`.
  const schema = z.toJSONSchema(scenarioSchema, {
    ...options,
    override: (ctx) => {
      const shorthand = SHORTHANDS.get(ctx.zodSchema);
      if (!shorthand) return;
      for (const key of Object.keys(ctx.jsonSchema)) delete (ctx.jsonSchema as Record<string, unknown>)[key];
      Object.assign(ctx.jsonSchema, shorthand());
    },
  });
  return (
    JSON.stringify(
      {
        ...schema,
        $id: 'https://github.com/ctvm/ctvm/scenarios/scenario.schema.json',
        title: 'ctvm scenario',
        description:
          'A ctvm scenario: generated from src/runner/scenario-schema.ts by scripts/gen-schema.mjs.',
      },
      null,
      2,
    ) + '\n'
  );
}
