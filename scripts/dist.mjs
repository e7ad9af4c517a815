#!/usr/bin/env node
// dist/: the CLI's TypeScript compiled ahead of time, so `ctvm` starts without tsx compiling every
// module it loads. Set-up builds it (only the files that changed); bin/ctvm.js runs it only when
// it matches the sources, and the sources through tsx otherwise: stale code never runs.
// Dependency-free on purpose (bin/ctvm.js imports distStale on every start); typescript is
// loaded only to build. Usage: node scripts/dist.mjs   (build dist/ now, incrementally)
import { createRequire } from 'node:module';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MANIFEST = '.ctvm-dist.json';
/** Bump when the build itself changes what it emits (its own file is an input too). */
const FORMAT = 1;
/** Besides src/**.ts, what the output depends on. */
const CONFIG_INPUTS = ['tsconfig.json', 'tsconfig.build.json', 'scripts/dist.mjs'];

/** src/**.ts relative to the project, sorted. */
export function sourceFiles(project) {
  // String slicing, not path.relative(): this runs on every CLI start, and relative() on ~200
  // paths costs ~8 ms there. readdirSync's parentPath is src/ itself or below it.
  const src = join(project, 'src');
  return readdirSync(src, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => `src${(e.parentPath ?? e.path).slice(src.length)}/${e.name}`)
    .sort();
}

/**
 * What identifies a file's content without reading it: size, mtime and ctime. ctime cannot be
 * set back (touch -r, cp -p, tar and rsync restore mtimes only), so any rewrite changes it.
 */
function fingerprint(project, rel) {
  const st = statSync(join(project, rel));
  return `${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
}

function currentInputs(project) {
  const out = {};
  for (const rel of [...CONFIG_INPUTS, ...sourceFiles(project)]) out[rel] = fingerprint(project, rel);
  return out;
}

function readManifest(project) {
  try {
    const m = JSON.parse(readFileSync(join(project, 'dist', MANIFEST), 'utf8'));
    return m && m.format === FORMAT && typeof m.inputs === 'object' ? m : undefined;
  } catch {
    return undefined;
  }
}

/** Why dist/ cannot run (no build, a source added, removed or changed since), or null when it can. */
export function distStale(project) {
  const m = readManifest(project);
  if (!m) return 'no build';
  let now;
  try {
    now = currentInputs(project);
  } catch (err) {
    return `cannot stat the sources: ${err.message}`;
  }
  for (const [rel, fp] of Object.entries(now)) {
    if (m.inputs[rel] === undefined) return `${rel} is new`;
    if (m.inputs[rel] !== fp) return `${rel} changed`;
  }
  for (const rel of Object.keys(m.inputs)) if (now[rel] === undefined) return `${rel} was removed`;
  return null;
}

const outputsOf = (rel) => {
  const base = join('dist', rel.slice('src/'.length).replace(/\.ts$/, '.js'));
  return [base, base + '.map'];
};

/**
 * Compiles the sources that changed since the last build (all of them when the config or this
 * script changed) with TypeScript's transpileModule, per file as tsx does (isolatedModules), and
 * removes the outputs of deleted sources. The manifest records the inputs as they were *before*
 * compiling, so a file edited during the build leaves dist/ stale. Returns what was compiled.
 */
export function buildDist(project, log = () => {}) {
  const before = currentInputs(project);
  const old = readManifest(project);
  const configSame = old && CONFIG_INPUTS.every((rel) => old.inputs[rel] === before[rel]);
  const sources = Object.keys(before).filter((rel) => rel.startsWith('src/'));
  const todo = sources.filter((rel) => !configSame || old.inputs[rel] !== before[rel]);
  const removed = old ? Object.keys(old.inputs).filter((rel) => rel.startsWith('src/') && !before[rel]) : [];
  if (!configSame && existsSync(join(project, 'dist'))) rmSync(join(project, 'dist'), { recursive: true });
  for (const rel of removed) for (const out of outputsOf(rel)) rmSync(join(project, out), { force: true });
  if (todo.length > 0) {
    const ts = createRequire(join(project, 'package.json'))('typescript');
    const parsed = ts.getParsedCommandLineOfConfigFile(
      join(project, 'tsconfig.build.json'),
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (d) => {
          throw new Error(`tsconfig.build.json: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
        },
      },
    );
    // The package is "type": "module": every file is an ES module (transpileModule alone cannot
    // know that under NodeNext and would emit CommonJS).
    const compilerOptions = {
      ...parsed.options,
      module: ts.ModuleKind.ES2022,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      declaration: false,
      sourceMap: true,
      inlineSources: true,
    };
    for (const rel of todo) {
      const [js, map] = outputsOf(rel);
      const r = ts.transpileModule(readFileSync(join(project, rel), 'utf8'), {
        compilerOptions,
        fileName: join(project, rel),
        reportDiagnostics: true,
      });
      const errors = (r.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
      if (errors.length)
        throw new Error(
          `${rel}: ${errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('; ')}`,
        );
      mkdirSync(dirname(join(project, js)), { recursive: true });
      writeFileSync(join(project, map), r.sourceMapText ?? '');
      writeFileSync(join(project, js + '.tmp'), r.outputText);
      renameSync(join(project, js + '.tmp'), join(project, js));
    }
  }
  mkdirSync(join(project, 'dist'), { recursive: true });
  const manifest = join(project, 'dist', MANIFEST);
  writeFileSync(manifest + '.tmp', JSON.stringify({ format: FORMAT, inputs: before }) + '\n');
  renameSync(manifest + '.tmp', manifest);
  if (todo.length || removed.length)
    log(
      `dist: compiled ${todo.length} of ${sources.length} source(s)${removed.length ? `, removed ${removed.length}` : ''}`,
    );
  return { compiled: todo, removed };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const project = join(dirname(fileURLToPath(import.meta.url)), '..');
  try {
    const t0 = Date.now();
    const r = buildDist(project, console.log);
    console.log(`dist: up to date in ${Date.now() - t0} ms (${r.compiled.length} compiled)`);
  } catch (err) {
    console.error(`dist: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
