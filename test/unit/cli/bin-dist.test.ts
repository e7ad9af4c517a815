// bin/ctvm.js runs dist/ only when it matches the sources: in a scratch project (this bin and
// scripts/dist.mjs, a one-file src/cli/main.ts), a source edited, added or removed after the
// build, or no build at all, makes it run src/ through tsx instead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDist, distStale } from '../../../scripts/dist.mjs';
import { PROJECT_DIR } from '../../../src/paths.js';

const MAIN = (said: string) =>
  `export async function main(argv: string[]): Promise<number> {\n  console.log(${JSON.stringify(said)} + ' ' + import.meta.url.replace(/^.*\\/(src|dist)\\//, '$1/') + ' ' + argv.slice(2).join(' '));\n  return 0;\n}\n`;

function scratchProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ctvm-bin-dist-'));
  for (const f of ['bin/ctvm.js', 'scripts/dist.mjs', 'tsconfig.json', 'tsconfig.build.json', 'package.json'])
    cpSync(join(PROJECT_DIR, f), join(dir, f));
  symlinkSync(join(PROJECT_DIR, 'node_modules'), join(dir, 'node_modules'));
  mkdirSync(join(dir, 'src/cli'), { recursive: true });
  writeFileSync(join(dir, 'src/cli/main.ts'), MAIN('v1'));
  writeFileSync(join(dir, 'src/util.ts'), 'export const x = 1;\n');
  return dir;
}

const ctvm = (dir: string) => {
  const r = spawnSync(process.execPath, [join(dir, 'bin/ctvm.js'), 'hello'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
};

test('bin/ctvm.js: dist/ when fresh, src/ through tsx when there is no build or a source changed', () => {
  const dir = scratchProject();
  try {
    assert.equal(distStale(dir), 'no build');
    assert.equal(ctvm(dir), 'v1 src/cli/main.ts hello');
    assert.deepEqual(buildDist(dir).compiled, ['src/cli/main.ts', 'src/util.ts']);
    assert.equal(distStale(dir), null);
    assert.equal(ctvm(dir), 'v1 dist/cli/main.js hello');
    // Edited with the same size and its old mtime put back: ctime still differs.
    writeFileSync(join(dir, 'src/cli/main.ts'), MAIN('v2'));
    utimesSync(join(dir, 'src/cli/main.ts'), new Date(0), new Date(0));
    assert.equal(distStale(dir), 'src/cli/main.ts changed');
    assert.equal(ctvm(dir), 'v2 src/cli/main.ts hello');
    assert.deepEqual(buildDist(dir).compiled, ['src/cli/main.ts'], 'only the changed file is compiled');
    assert.equal(ctvm(dir), 'v2 dist/cli/main.js hello');
    writeFileSync(join(dir, 'src/new.ts'), 'export const y = 2;\n');
    assert.equal(distStale(dir), 'src/new.ts is new');
    assert.equal(ctvm(dir), 'v2 src/cli/main.ts hello');
    rmSync(join(dir, 'src/new.ts'));
    assert.equal(distStale(dir), null);
    rmSync(join(dir, 'src/util.ts'));
    assert.equal(distStale(dir), 'src/util.ts was removed');
    assert.deepEqual(buildDist(dir), { compiled: [], removed: ['src/util.ts'] });
    assert.equal(ctvm(dir), 'v2 dist/cli/main.js hello');
    writeFileSync(join(dir, 'tsconfig.build.json'), '{ "extends": "./tsconfig.json", "include": ["src"] }\n');
    assert.equal(distStale(dir), 'tsconfig.build.json changed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
