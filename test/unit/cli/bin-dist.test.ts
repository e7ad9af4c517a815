// bin/ctvm.js runs dist/ only when what it is about to load matches the sources: main.ts and its
// static imports, then the command's module and everything it may import. In a scratch project
// (this bin and scripts/dist.mjs, a main.ts, a registry.ts, one command importing util.ts, an
// unrelated other.ts), a loaded source edited or removed after the build, or no build at all,
// makes it run src/ through tsx instead; a file nothing loaded imports does not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDist, distStale, distStaleFor } from '../../../scripts/dist.mjs';
import { PROJECT_DIR } from '../../../src/paths.js';
import { COMMANDS } from '../../../src/cli/registry.js';

const HERE = `(u: string) => u.replace(/^.*\\/(src|dist)\\//, '$1/')`;
const MAIN = (said: string) =>
  `import { commandsToLoad } from './registry.js';\n` +
  `export async function main(argv: string[]): Promise<number> {\n` +
  `  const parts = [${JSON.stringify(said)}, (${HERE})(import.meta.url)];\n` +
  `  for (const c of commandsToLoad(argv)) parts.push((await c.load()).where());\n` +
  `  console.log(parts.join(' '));\n  return 0;\n}\n`;
const REGISTRY =
  `export const COMMANDS = [{ name: 'hello', load: () => import('./commands/hello.js') }];\n` +
  `export const commandsToLoad = (argv: readonly string[]) => COMMANDS.filter((c) => c.name === argv[2]);\n`;
const HELLO = `import { x } from '../../util.js';\nexport const where = () => x + ' ' + (${HERE})(import.meta.url);\n`;

function scratchProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ctvm-bin-dist-'));
  for (const f of ['bin/ctvm.js', 'scripts/dist.mjs', 'tsconfig.json', 'tsconfig.build.json', 'package.json'])
    cpSync(join(PROJECT_DIR, f), join(dir, f));
  symlinkSync(join(PROJECT_DIR, 'node_modules'), join(dir, 'node_modules'));
  mkdirSync(join(dir, 'src/cli/commands'), { recursive: true });
  writeFileSync(join(dir, 'src/cli/main.ts'), MAIN('v1'));
  writeFileSync(join(dir, 'src/cli/registry.ts'), REGISTRY);
  writeFileSync(join(dir, 'src/cli/commands/hello.ts'), HELLO);
  writeFileSync(join(dir, 'src/util.ts'), 'export const x = 1;\n');
  writeFileSync(join(dir, 'src/other.ts'), 'export const y = 1;\n');
  return dir;
}

const ctvm = (dir: string, command = 'hello') => {
  const r = spawnSync(process.execPath, [join(dir, 'bin/ctvm.js'), command], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
};

test('bin/ctvm.js: dist/ when what it loads is fresh, src/ through tsx when there is no build or a loaded source changed', () => {
  const dir = scratchProject();
  const fromSrc = (said: string) => `${said} src/cli/main.ts 1 src/cli/commands/hello.ts`;
  const fromDist = (said: string) => `${said} dist/cli/main.js 1 dist/cli/commands/hello.js`;
  try {
    assert.equal(distStale(dir), 'no build');
    assert.equal(ctvm(dir), fromSrc('v1'));
    assert.deepEqual(buildDist(dir).compiled, [
      'src/cli/commands/hello.ts',
      'src/cli/main.ts',
      'src/cli/registry.ts',
      'src/other.ts',
      'src/util.ts',
    ]);
    assert.equal(distStale(dir), null);
    assert.equal(ctvm(dir), fromDist('v1'));
    const manifest = JSON.parse(readFileSync(join(dir, 'dist/.ctvm-dist.json'), 'utf8'));
    assert.deepEqual(manifest.imports['src/cli/main.ts'], { static: ['src/cli/registry.ts'], dynamic: [] });
    assert.deepEqual(manifest.imports['src/cli/registry.ts'], {
      static: [],
      dynamic: ['src/cli/commands/hello.ts'],
    });
    // Edited with the same size and its old mtime put back: ctime still differs.
    writeFileSync(join(dir, 'src/cli/main.ts'), MAIN('v2'));
    utimesSync(join(dir, 'src/cli/main.ts'), new Date(0), new Date(0));
    assert.equal(distStale(dir), 'src/cli/main.ts changed');
    assert.equal(ctvm(dir), fromSrc('v2'));
    assert.deepEqual(buildDist(dir).compiled, ['src/cli/main.ts'], 'only the changed file is compiled');
    assert.equal(ctvm(dir), fromDist('v2'));
    // A file only the command imports: stale for that command, not for a start that loads none.
    writeFileSync(join(dir, 'src/util.ts'), 'export const x = 1; // edited\n');
    const roots = { roots: ['src/cli/commands/hello.ts'] };
    assert.equal(distStaleFor(dir, roots), 'src/util.ts changed');
    assert.equal(distStaleFor(dir, { staticRoots: ['src/cli/main.ts'] }), null);
    assert.equal(ctvm(dir), fromSrc('v2'));
    assert.equal(ctvm(dir, 'other'), 'v2 dist/cli/main.js');
    buildDist(dir);
    assert.equal(ctvm(dir), fromDist('v2'));
    // Files nothing loaded imports: a new one, an edited one, a removed one.
    writeFileSync(join(dir, 'src/new.ts'), 'export const y = 2;\n');
    writeFileSync(join(dir, 'src/other.ts'), 'export const y = 3;\n');
    assert.equal(distStale(dir), 'src/new.ts is new');
    assert.equal(ctvm(dir), fromDist('v2'));
    rmSync(join(dir, 'src/new.ts'));
    rmSync(join(dir, 'src/other.ts'));
    assert.equal(distStale(dir), 'src/other.ts was removed');
    assert.equal(ctvm(dir), fromDist('v2'));
    assert.deepEqual(buildDist(dir), { compiled: [], removed: ['src/other.ts'] });
    // A loaded one removed (its importer then fails either way, as it would from src/).
    rmSync(join(dir, 'src/util.ts'));
    assert.equal(distStaleFor(dir, roots), 'src/util.ts was removed');
    writeFileSync(join(dir, 'tsconfig.build.json'), '{ "extends": "./tsconfig.json", "include": ["src"] }\n');
    assert.equal(distStale(dir), 'tsconfig.build.json changed');
    assert.equal(distStaleFor(dir, {}), 'tsconfig.build.json changed', 'the build config always counts');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("bin/ctvm.js's convention: each command's module is src/cli/commands/<name>.ts, as registry.ts imports it", () => {
  const registry = readFileSync(join(PROJECT_DIR, 'src/cli/registry.ts'), 'utf8');
  const imported = [...registry.matchAll(/import\('\.\/commands\/([a-z-]+)\.js'\)/g)].map((m) => m[1]);
  assert.equal(imported.length, COMMANDS.length, 'one dynamic import per command');
  for (const c of COMMANDS)
    assert.match(c.load.toString(), new RegExp(`['"]\\./commands/${c.name}\\.js['"]`), c.name);
});
