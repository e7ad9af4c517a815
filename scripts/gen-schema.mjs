#!/usr/bin/env node
// Writes scenarios/scenario.schema.json from the zod scenario schema (src/runner/scenario-json-schema.ts).
// Run it after changing src/runner/scenario-schema.ts; test/unit/runner/scenario-json-schema.test.ts
// fails while the committed file is out of date. `--check` only compares (exit 1 when stale).
import { readFileSync, writeFileSync } from 'node:fs';
import { tsImport } from 'tsx/esm/api';

const { scenarioJsonSchema, SCENARIO_JSON_SCHEMA_FILE } = await tsImport(
  '../src/runner/scenario-json-schema.ts',
  import.meta.url,
);
const text = scenarioJsonSchema();
if (process.argv.includes('--check')) {
  let old = '';
  try {
    old = readFileSync(SCENARIO_JSON_SCHEMA_FILE, 'utf8');
  } catch {
    // missing: stale
  }
  if (old !== text) {
    console.error(`${SCENARIO_JSON_SCHEMA_FILE} is out of date: run node scripts/gen-schema.mjs`);
    process.exit(1);
  }
} else {
  writeFileSync(SCENARIO_JSON_SCHEMA_FILE, text);
  console.log(`wrote ${SCENARIO_JSON_SCHEMA_FILE}`);
}
