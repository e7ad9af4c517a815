// `ctvm baseline save <run>` / `ctvm baseline list`: keep reference runs for `compare --baseline`.
import type { Command } from 'commander';
import { RESULTS_DIR } from '../../paths.js';
import { defaultBaselinesDir, listBaselines, saveBaseline } from '../../regress/baseline.js';
import { emit } from '../../regress/output.js';
import { resolveRunDir } from '../../results/read.js';

interface BaselineOpts {
  dir?: string;
  results: string;
  force?: boolean;
}

export function registerBaseline(program: Command): void {
  const cmd = program.command('baseline').description('save and list reference runs for compare --baseline');
  cmd
    .command('save')
    .description('copy a run (run.json + samples.jsonl) into the baselines dir')
    .argument('<run>', "results dir path, run id, or 'latest'")
    .option('--dir <dir>', 'baselines dir (default <results>/baselines)')
    .option('--results <dir>', 'where run ids and latest are looked up', RESULTS_DIR)
    .option('--force', 'save even an incomplete run')
    .action((run: string, opts: BaselineOpts) => {
      const dest = saveBaseline(
        resolveRunDir(run, opts.results),
        opts.dir ?? defaultBaselinesDir(opts.results),
        {
          force: opts.force ?? false,
        },
      );
      emit(`saved baseline ${dest}\n`);
    });
  cmd
    .command('list')
    .description('saved baselines, oldest first')
    .option('--dir <dir>', 'baselines dir (default <results>/baselines)')
    .option('--results <dir>', 'results dir', RESULTS_DIR)
    .action((opts: BaselineOpts) => {
      const all = listBaselines(opts.dir ?? defaultBaselinesDir(opts.results));
      const lines = all.map(
        (b) =>
          `${b.meta.startedAt}  ${b.meta.scenarioName.padEnd(12)}  ${(b.meta.git?.revision ?? '-').slice(0, 10)}  ${b.meta.runId}`,
      );
      emit(lines.length ? lines.join('\n') + '\n' : 'no saved baselines\n');
    });
}
