#!/usr/bin/env node
// ctvm entry point: runs dist/ (compiled by set-up) when it matches the sources, and the
// TypeScript sources through tsx otherwise (a checkout with no build, or edited sources), so a
// fresh clone needs no build step and stale compiled code never runs.
import { fileURLToPath } from 'node:url';
import { distStale } from '../scripts/dist.mjs';

const project = fileURLToPath(new URL('..', import.meta.url));
let main;
if (distStale(project) === null) {
  // Stack traces (--debug) point into src/*.ts through the source maps.
  if (process.argv.includes('--debug')) process.setSourceMapsEnabled(true);
  ({ main } = await import('../dist/cli/main.js'));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv);
