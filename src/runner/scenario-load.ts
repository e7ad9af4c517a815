// Reads a scenario YAML file and validates it; every problem becomes one line naming the file,
// line:column, the field path and what was expected (UsageError, exit code 2).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isMap, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { errorMessage, UsageError } from '../errors.js';
import { PROJECT_DIR } from '../paths.js';
import { closest } from '../util/did-you-mean.js';
import { scenarioSchema, type Scenario } from './scenario-schema.js';

export const SCENARIOS_DIR = join(PROJECT_DIR, 'scenarios');

export interface LoadedScenario {
  file: string;
  scenario: Scenario;
}

/** A path, or a bare name looked up as scenarios/<name>.yaml. */
export function resolveScenarioPath(ref: string): string {
  if (existsSync(ref)) return resolve(ref);
  const named = join(SCENARIOS_DIR, ref.endsWith('.yaml') ? ref : `${ref}.yaml`);
  if (!ref.includes('/') && existsSync(named)) return named;
  const names = scenarioNames();
  const near = ref.includes('/') ? [] : closest(ref.replace(/\.yaml$/, ''), names);
  const suggestion = near.length > 0 ? `; did you mean ${near.map((n) => `'${n}'`).join(' or ')}?` : '';
  throw new UsageError(`scenario '${ref}' not found${suggestion}`, {
    hint: `scenarios: ${names.join(', ')} (in ${SCENARIOS_DIR}), or a path to a .yaml file`,
  });
}

/** Names of the shipped scenarios (scenarios/<name>.yaml), sorted. */
export function scenarioNames(): string[] {
  return readdirSync(SCENARIOS_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

/** A scenario is a few KiB of YAML; anything far bigger is not one (or a device that never ends). */
const MAX_SCENARIO_BYTES = 1024 * 1024;

export function loadScenario(ref: string): LoadedScenario {
  const file = resolveScenarioPath(ref);
  let text: string;
  try {
    const st = statSync(file);
    if (st.isDirectory())
      throw new UsageError(`scenario '${ref}' is a directory (${file})`, {
        hint: 'give a .yaml file, e.g. scenarios/quick.yaml',
      });
    if (!st.isFile()) throw new UsageError(`scenario '${ref}' is not a regular file (${file})`);
    if (st.size > MAX_SCENARIO_BYTES)
      throw new UsageError(`scenario ${file} is ${st.size} bytes; a scenario is at most 1 MiB`);
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot read scenario ${file}: ${errorMessage(err)}`, { cause: err });
  }
  return { file, scenario: parseScenario(text, file) };
}

const MAX_ALIAS_COUNT = 100;

/** Validates scenario text; `file` is only used in messages. */
export function parseScenario(text: string, file: string): Scenario {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = lines.linePos(e.pos[0]);
    const where = `${file}:${pos.line}:${pos.col}`;
    throw new UsageError(`${where}: invalid YAML: ${e.message.split('\n')[0]}`, {
      hint: 'fix the YAML syntax',
    });
  }
  let json: unknown;
  try {
    // An alias bomb (aliases of aliases) would expand to gigabytes: yaml refuses past the count.
    json = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    throw new UsageError(`${file}: cannot expand the YAML: ${errorMessage(err)}`, {
      hint: `a scenario needs few aliases (*name); at most ${MAX_ALIAS_COUNT} are expanded`,
    });
  }
  const result = scenarioSchema.safeParse(json);
  if (result.success) return result.data;
  const messages = result.error.issues.map((iss) => formatIssue(iss, doc, lines, file));
  throw new UsageError(messages.join('\n'), {
    hint: 'see scenarios/quick.yaml for a valid example; fields are described in src/runner/scenario-schema.ts',
  });
}

function formatIssue(iss: z.core.$ZodIssue, doc: Document, lines: LineCounter, file: string): string {
  const path = iss.path.map(String);
  let node = nodeAt(doc, path);
  let shownPath = path;
  let message = iss.message;
  if (iss.code === 'unrecognized_keys') {
    const key = iss.keys[0]!;
    shownPath = [...path, key];
    node = keyNodeAt(doc, path, key) ?? node;
    message = `unknown field "${key}"${iss.keys.length > 1 ? ` (also: ${iss.keys.slice(1).join(', ')})` : ''}`;
  } else if (iss.code === 'invalid_type' && node === undefined) {
    message = `missing required field (${iss.message.replace(/^Invalid input: /, '').replace(/, received undefined$/, '')})`;
  }
  node ??= nearestNode(doc, path);
  const offset = node?.range?.[0];
  const pos = offset === undefined ? undefined : lines.linePos(offset);
  const where = pos ? `${file}:${pos.line}:${pos.col}` : file;
  const field = shownPath.length ? shownPath.join('.') : '(top level)';
  return `${where}: ${field}: ${message.replace(/^Invalid input: /, '')}`;
}

function nodeAt(doc: Document, path: string[]): Node | undefined {
  const n = path.length === 0 ? doc.contents : doc.getIn(path.map(asKey), true);
  return (n ?? undefined) as Node | undefined;
}

function nearestNode(doc: Document, path: string[]): Node | undefined {
  for (let i = path.length; i >= 0; i--) {
    const n = nodeAt(doc, path.slice(0, i));
    if (n) return n;
  }
  return undefined;
}

function keyNodeAt(doc: Document, path: string[], key: string): Node | undefined {
  const parent = nodeAt(doc, path);
  if (!isMap(parent)) return undefined;
  const pair = parent.items.find(
    (p) => String((p.key as { value?: unknown } | null)?.value ?? p.key) === key,
  );
  return (pair?.key ?? undefined) as Node | undefined;
}

/** YAML seq indices are numbers; zod paths carry them as numbers already, strings after String(). */
function asKey(seg: string): string | number {
  return /^\d+$/.test(seg) ? Number(seg) : seg;
}
