#!/usr/bin/env node
// ctvm entry point: runs dist/ (compiled by set-up) when what this start loads matches the sources,
// and the TypeScript sources through tsx otherwise (a checkout with no build, or edited sources),
// so a fresh clone needs no build step and stale compiled code never runs. What it loads: main.ts
// and its static imports, then the command's module (src/cli/commands/<name>.ts, as
// registry.ts's commandsToLoad picks it) and everything that module may import. Checking only
// that, not all of src/, keeps `ctvm --help` ~10 ms faster (scripts/dist.mjs says why it is enough).
import { fileURLToPath } from 'node:url';
import { distChecker } from '../scripts/dist.mjs';

const project = fileURLToPath(new URL('..', import.meta.url));
/** Why dist/ cannot run this start (null when it can), and the registry entries argv names. */
async function check() {
  const checker = distChecker(project);
  const why = checker({ staticRoots: ['src/cli/main.ts'] });
  if (why !== null) return { why, entries: [] };
  // registry.ts is one of main.ts's static imports: checked fresh just above.
  const { commandsToLoad } = await import('../dist/cli/registry.js');
  const entries = commandsToLoad(process.argv);
  return { why: checker({ roots: entries.map((c) => `src/cli/commands/${c.name}.ts`) }), entries };
}
const { why, entries } = await check();
let main;
if (why === null) {
  // Stack traces (--debug) point into src/*.ts through the source maps.
  if (process.argv.includes('--debug')) process.setSourceMapsEnabled(true);
  ({ main } = await import('../dist/cli/main.js'));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
const code = await main(process.argv);
// A command with nothing left settling (registry.ts, exitsAtOnce) skips Node's heap teardown.
if (why === null && entries.length === 1 && entries[0].exitsAtOnce) process.exit(code);
process.exitCode = code;
