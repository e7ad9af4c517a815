#!/usr/bin/env node
// Runs the test suite with Node's built-in runner through tsx. Node 20's --test takes no globs,
// so this finds the files. Usage: node scripts/test.mjs [dir|file ...] (default: test/)
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function collect(path, out) {
  if (statSync(path).isDirectory()) {
    for (const entry of readdirSync(path).sort()) collect(join(path, entry), out);
  } else if (/\.test\.ts$/.test(path)) out.push(path);
  return out;
}

const targets = process.argv.slice(2);
const files = (targets.length ? targets : ['test']).flatMap((t) => collect(t, []));
if (files.length === 0) {
  console.error('test: no *.test.ts files found');
  process.exit(1);
}
// One file at a time: integration tests share the host's cgroups, mounts and 2 CPUs.
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files],
  { stdio: 'inherit', env: { ...process.env, CTVM_TEST: '1' } },
);
process.exit(r.status ?? 1);
