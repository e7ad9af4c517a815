// `ctvm report <results/RUN | RUN-ID | latest>`: the one resolver of results/run-dir.ts, with
// results/ as the default place to look.
import { RESULTS_DIR } from '../paths.js';
import { resolveRunDir as resolveIn } from '../results/run-dir.js';

export function resolveRunDir(arg: string, resultsDir: string = RESULTS_DIR): string {
  return resolveIn(arg, resultsDir);
}
