// `ctvm run <scenario> [--out DIR] [--seed N] [--repetitions N] [--only ENV,…] [--resume RUN]`.
import { dirname, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { errorMessage, UsageError } from '../../errors.js';
import { RESULTS_DIR } from '../../paths.js';
import { headline } from '../../report/headline.js';
import { loadReportRun } from '../../report/index.js';
import { buildModel } from '../../report/model.js';
import { stacks } from '../../report/stacks.js';
import { formatEnvOutcome, runExitCode } from '../../runner/outcome.js';
import { parseRequiredAccel } from '../../runner/require-accel.js';
import { runScenario, type RunOutcome } from '../../runner/run.js';

interface RunFlags {
  out?: string;
  seed?: string;
  repetitions?: string;
  only?: string;
  resume?: string;
  plain?: boolean;
  quiet?: boolean;
  requireAccel?: string;
}

export function defineRun(cmd: Command): void {
  cmd
    .argument('[scenario]', 'scenario file or name, e.g. quick')
    .option('--out <dir>', 'results directory (default: results/)')
    .option('--seed <n>', "seed for the interleaving order (default: the scenario's, else random)")
    .option('--repetitions <n>', "override the scenario's repetitions (its environments' own too)")
    .option('--only <envs>', 'comma-separated environment ids to keep, e.g. bare,container')
    .option('--resume <run>', 'finish an incomplete run (its id under --out, or its directory)')
    .option('--require-accel <accel>', 'exit 3 before running unless the vm environment uses kvm (or tcg)')
    .option('--plain', 'one line per sample instead of a progress bar')
    .option('--quiet', 'no per-sample output')
    .action(async (scenario: string | undefined, flags: RunFlags) => {
      const outcome = await runScenario({
        ...(scenario ? { scenario } : {}),
        ...(flags.resume ? { resume: flags.resume } : {}),
        ...(flags.out ? { outDir: flags.out } : {}),
        ...(flags.seed !== undefined ? { seed: intFlag('--seed', flags.seed) } : {}),
        ...(flags.repetitions !== undefined
          ? { repetitions: intFlag('--repetitions', flags.repetitions) }
          : {}),
        ...(flags.only
          ? {
              only: flags.only
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean),
            }
          : {}),
        ...(flags.requireAccel ? { requireAccel: parseRequiredAccel(flags.requireAccel) } : {}),
        progress: flags.quiet ? 'quiet' : flags.plain ? 'plain' : 'auto',
      });
      printOutcome(outcome);
      printNext(outcome);
      process.exitCode = runExitCode(outcome);
    });
}

/**
 * After a run that measured something: the report's headline sentence and the command that
 * renders the full report (with --results when the run is not in the default results dir).
 */
export function printNext(o: RunOutcome): void {
  if (o.interrupted || !o.envs.some((e) => e.state === 'ok')) return;
  try {
    const model = buildModel(loadReportRun(o.dir));
    console.log(`headline: ${headline(model, stacks(model)).sentence}`);
  } catch (err) {
    console.error(`warning: no headline for ${o.runId}: ${errorMessage(err)}`);
  }
  const parent = dirname(resolve(o.dir));
  const where = parent === resolve(RESULTS_DIR) ? '' : ` --results ${relative(process.cwd(), parent) || '.'}`;
  console.log(`next: ctvm report ${o.runId}${where}`);
}

/** Per-environment lines, then the run line; an environment that produced nothing is said loudly. */
export function printOutcome(o: RunOutcome): void {
  for (const e of o.envs) console.log(formatEnvOutcome(e));
  console.log(
    `${o.status === 'complete' ? 'complete' : 'INCOMPLETE'}: ${o.taken} samples taken this time, ${o.planned} planned`,
  );
  console.log(`results: ${o.dir}`);
  if (o.status !== 'complete') console.log(`hint: finish it with: ctvm run --resume ${o.dir}`);
  const bad = o.envs.filter((e) => e.state !== 'ok').map((e) => e.id);
  if (bad.length > 0 && !o.interrupted)
    console.error(
      `ctvm: ${bad.join(', ')} produced no measurement (exit 3); drop ${bad.length > 1 ? 'them' : 'it'} with --only, or fix the cause above`,
    );
}

function intFlag(name: string, text: string): number {
  const n = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(n))
    throw new UsageError(`${name} '${text}': expected an integer`, { hint: `e.g. ${name} 5` });
  return n;
}
