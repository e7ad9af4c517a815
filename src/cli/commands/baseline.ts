// `ctvm baseline save <run>` / `ctvm baseline list`: keep reference runs for `compare --baseline`.
import type { Command } from 'commander';
import { RESULTS_DIR } from '../../paths.js';
import { dirOption, eitherName, formerFlag } from '../flags.js';
import { defaultBaselinesDir, listBaselines, saveBaseline } from '../../regress/baseline.js';
import { emit } from '../../regress/output.js';
import { resolveRunDir } from '../../results/read.js';

interface BaselineOpts {
  baselinesDir?: string;
  /** Former name of --baselines-dir. */
  dir?: string;
  results: string;
  force?: boolean;
}

const BASELINES_DIR_HELP = 'where baselines are saved (default <results>/baselines)';

function baselinesDir(opts: BaselineOpts): string {
  const dir = eitherName(opts.baselinesDir, opts.dir, ['--baselines-dir', '--dir']);
  return dir ?? defaultBaselinesDir(opts.results);
}

export function defineBaseline(cmd: Command): void {
  cmd
    .command('save')
    .description('copy a run (run.json + samples.jsonl) into the baselines dir')
    .argument('<run>', "results dir path, run id, or 'latest'")
    .option('--baselines-dir <dir>', BASELINES_DIR_HELP)
    .addOption(formerFlag('--dir <dir>', '--baselines-dir'))
    .addOption(dirOption('--results <dir>', 'where run ids and latest are looked up', RESULTS_DIR))
    .option('--force', 'save even an incomplete run')
    .action((run: string, opts: BaselineOpts) => {
      const dest = saveBaseline(resolveRunDir(run, opts.results), baselinesDir(opts), {
        force: opts.force ?? false,
      });
      emit(`saved baseline ${dest}\n`);
    });
  cmd
    .command('list')
    .description('saved baselines, oldest first')
    .option('--baselines-dir <dir>', BASELINES_DIR_HELP)
    .addOption(formerFlag('--dir <dir>', '--baselines-dir'))
    .addOption(dirOption('--results <dir>', 'where run ids and latest are looked up', RESULTS_DIR))
    .action((opts: BaselineOpts) => {
      const all = listBaselines(baselinesDir(opts));
      const lines = all.map(
        (b) =>
          `${b.meta.startedAt}  ${b.meta.scenarioName.padEnd(12)}  ${(b.meta.git?.revision ?? '-').slice(0, 10)}  ${b.meta.runId}`,
      );
      emit(lines.length ? lines.join('\n') + '\n' : 'no saved baselines\n');
    });
}
