#!/usr/bin/env node
// dist/: the CLI's TypeScript compiled ahead of time, so `ctvm` starts without tsx compiling every
// module it loads. Set-up builds it (only the files that changed); bin/ctvm.js runs it only when
// it matches the sources, and the sources through tsx otherwise: stale code never runs.
// Dependency-free on purpose (bin/ctvm.js imports distChecker on every start); typescript is
// loaded only to build. Usage: node scripts/dist.mjs   (build dist/ now, incrementally)
//
// The manifest records each source's fingerprint and its relative imports, static and dynamic (from
// the compiled code). distStaleFor checks only what a start can load: the files reachable from its
// roots. That is enough: a file that changed is checked where it is reachable, a new file runs
// only if a changed file imports it, and a removed one only breaks a changed importer.
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
const FORMAT = 2;
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
    return m && m.format === FORMAT && typeof m.inputs === 'object' && typeof m.imports === 'object'
      ? m
      : undefined;
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

/**
 * Why dist/ cannot run what `staticRoots` import statically and `roots` import in any way, or null
 * when it can. bin/ctvm.js: main.ts's static imports, then the command's module and all it may load.
 */
export function distStaleFor(project, roots) {
  return distChecker(project)(roots);
}

/**
 * distStaleFor in steps: the manifest is read once, and a file checked by one call is not checked
 * again by the next (bin/ctvm.js checks main.ts's imports, loads the registry, then the command's).
 */
export function distChecker(project) {
  const m = readManifest(project);
  const checked = new Set();
  const expanded = { static: new Set(), all: new Set() };
  return ({ staticRoots = [], roots = [] }) => {
    if (!m) return 'no build';
    const stack = [...staticRoots.map((rel) => [rel, 'static']), ...roots.map((rel) => [rel, 'all'])];
    for (const rel of CONFIG_INPUTS) stack.push([rel, 'none']);
    while (stack.length) {
      const [rel, follow] = stack.pop();
      if (!checked.has(rel)) {
        if (m.inputs[rel] === undefined) return `${rel} is new`;
        let fp;
        try {
          fp = fingerprint(project, rel);
        } catch {
          return `${rel} was removed`;
        }
        if (fp !== m.inputs[rel]) return `${rel} changed`;
        checked.add(rel);
      }
      if (follow === 'none' || expanded[follow].has(rel) || expanded.all.has(rel)) continue;
      expanded[follow].add(rel);
      const edges = m.imports[rel] ?? { static: [], dynamic: [] };
      for (const dep of edges.static) stack.push([dep, follow]);
      if (follow === 'all') for (const dep of edges.dynamic) stack.push([dep, 'all']);
    }
    return null;
  };
}

/** `import x from './a.js'`, `export * from './b.js'`, `import './c.js'` (multi-line too). */
const STATIC_IMPORT =
  /(?:^|[;}\n])\s*(?:import|export)\b[^'";]*?\bfrom\s*['"]([^'"]+)['"]|(?:^|[;\n])\s*import\s*['"]([^'"]+)['"]/g;
const DYNAMIC_IMPORT = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/**
 * The sources a compiled file imports, by how: relative specifiers only (packages are not built
 * here), mapped back to src/**.ts, and only ones that are sources. TypeScript's own pre-parser
 * lists every import; one that is not plainly dynamic counts as static, the direction that
 * checks more rather than less.
 */
function importsOf(ts, rel, js, sources) {
  const toSource = (spec) => {
    if (!spec.startsWith('.')) return undefined;
    const src = join(dirname(rel), spec).replace(/\.js$/, '.ts');
    return sources.has(src) ? src : undefined;
  };
  const all = new Set(
    ts
      .preProcessFile(js, true, true)
      .importedFiles.map((f) => toSource(f.fileName))
      .filter(Boolean),
  );
  const dynamicOnly = new Set([...js.matchAll(DYNAMIC_IMPORT)].map((x) => toSource(x[1])));
  for (const x of js.matchAll(STATIC_IMPORT)) dynamicOnly.delete(toSource(x[1] ?? x[2]));
  return {
    static: [...all].filter((f) => !dynamicOnly.has(f)).sort(),
    dynamic: [...all].filter((f) => dynamicOnly.has(f)).sort(),
  };
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
  const known = new Set(sources);
  const imports = {};
  // An unchanged file keeps its imports, less any source removed since.
  const keep = (list = []) => list.filter((f) => known.has(f));
  for (const rel of sources)
    if (configSame && !todo.includes(rel))
      imports[rel] = { static: keep(old.imports[rel]?.static), dynamic: keep(old.imports[rel]?.dynamic) };
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
      imports[rel] = importsOf(ts, rel, r.outputText, known);
    }
  }
  mkdirSync(join(project, 'dist'), { recursive: true });
  const manifest = join(project, 'dist', MANIFEST);
  writeFileSync(manifest + '.tmp', JSON.stringify({ format: FORMAT, inputs: before, imports }) + '\n');
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
