// `ctvm report <results/RUN | RUN-ID | latest>`: turns the argument into a run directory.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { RESULTS_DIR } from '../paths.js';

export function resolveRunDir(arg: string, resultsDir: string = RESULTS_DIR): string {
  if (arg === 'latest') return latestRun(resultsDir);
  if (existsSync(arg)) return arg;
  const byId = join(resultsDir, arg);
  if (existsSync(byId)) return byId;
  throw new UsageError(`no run \`${arg}\`: neither a directory nor a run id in \`${resultsDir}\``, {
    hint: 'list runs with `ls results/`, or use `latest`',
  });
}

/** The run directory with the newest run.json (run ids sort by time, but mtime is what we trust). */
function latestRun(resultsDir: string): string {
  const runs = existsSync(resultsDir)
    ? readdirSync(resultsDir)
        .map((name) => join(resultsDir, name, 'run.json'))
        .filter((p) => existsSync(p))
        .map((p) => ({ dir: join(p, '..'), mtimeMs: statSync(p).mtimeMs }))
    : [];
  const newest = runs.sort((a, b) => b.mtimeMs - a.mtimeMs)[0];
  if (!newest) throw new UsageError(`no runs in \`${resultsDir}\``, { hint: 'run `npm run bench` first' });
  return newest.dir;
}
