// `ctvm compare BASE CANDIDATE` / `ctvm compare --baseline [K] [CANDIDATE]`: per metric group,
// medians, ratio with CI, permutation p, verdict; exit 0 ok, 1 regression, 2 bad input, 3 harness.
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { RESULTS_DIR } from '../../paths.js';
import { dirOption } from '../flags.js';
import { compareSides, exitCodeFor, type CompareSide } from '../../regress/compare.js';
import { DEFAULT_POOL, defaultBaselinesDir, pooledBaseline, runSide } from '../../regress/baseline.js';
import { EXPORTERS, isExportFormat } from '../../regress/export/index.js';
import { emit } from '../../regress/output.js';
import { loadRun, resolveRunDir } from '../../results/read.js';
import { loadThresholds, type Thresholds } from '../../regress/thresholds.js';
import { isFleetSpec, resolveFleetDir } from '../../fleet/fleet-dir.js';
import { compareFleets, fleetExitCode, formatFleetComparison } from '../../fleet/compare-fleets.js';

interface CompareOpts {
  baseline?: string | true;
  baselinesDir?: string;
  results: string;
  thresholds?: string;
  format: string;
  output?: string;
  minN?: string;
  strict?: boolean;
}

/** `--baseline latest` makes commander take 'latest' as K: a non-number K is the candidate. */
function parsePool(value: string | true | undefined, runs: string[]): { k: number; runs: string[] } {
  if (value === undefined || value === true) return { k: DEFAULT_POOL, runs };
  if (/^\d+$/.test(value) && Number(value) > 0) return { k: Number(value), runs };
  if (runs.length === 0) return { k: DEFAULT_POOL, runs: [value] };
  throw new UsageError(`--baseline takes a positive count of saved runs to pool, got '${value}'`, {
    hint: 'e.g. ctvm compare --baseline 5 latest',
  });
}

function sides(runs: string[], opts: CompareOpts): { base: CompareSide; candidate: CompareSide } {
  if (opts.baseline !== undefined) {
    const pool = parsePool(opts.baseline, runs);
    if (pool.runs.length > 1) {
      throw new UsageError('with --baseline give only the candidate run', {
        hint: 'ctvm compare --baseline 5 <candidate>',
      });
    }
    const cand = loadRun(resolveRunDir(pool.runs[0] ?? 'latest', opts.results), { tornTail: 'strict' });
    const dir = opts.baselinesDir ?? defaultBaselinesDir(opts.results);
    return { base: pooledBaseline(dir, pool.k, cand.meta), candidate: runSide(cand) };
  }
  if (runs.length !== 2) {
    throw new UsageError(`compare needs a base and a candidate run, got ${runs.length}`, {
      hint: "ctvm compare <base> <candidate>  (a results dir, a run id, or 'latest'), or ctvm compare --baseline [K] <candidate>",
    });
  }
  const [base, cand] = runs.map((r) => loadRun(resolveRunDir(r, opts.results), { tornTail: 'strict' })) as [
    ReturnType<typeof loadRun>,
    ReturnType<typeof loadRun>,
  ];
  return { base: runSide(base), candidate: runSide(cand) };
}

function minNFlag(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1)
    throw new UsageError(`--min-n '${text}': expected a positive integer`, { hint: 'e.g. --min-n 5' });
  return Number(text);
}

/** Two fleets (fleet-<id>): compared host by host; returns false when the arguments are runs. */
function compareFleetsIfFleets(runs: string[], opts: CompareOpts, thresholds: Thresholds): boolean {
  const fleets = runs.map((r) => isFleetSpec(r, opts.results));
  if (!fleets.includes(true)) return false;
  if (runs.length !== 2 || fleets.includes(false) || opts.baseline !== undefined)
    throw new UsageError(
      'a fleet compares only with another fleet: ctvm compare fleet-<base> fleet-<candidate>',
      {
        hint: 'to compare one host of a fleet with a run, pass its directory: results/fleet-<id>/<host>',
      },
    );
  const [b, c] = runs.map((r) => resolveFleetDir(r, opts.results)) as [string, string];
  const fc = compareFleets(b, c, thresholds, {
    ...(opts.minN !== undefined ? { minN: minNFlag(opts.minN) } : {}),
    strict: opts.strict ?? false,
  });
  const exporter = EXPORTERS[opts.format as keyof typeof EXPORTERS];
  emit(formatFleetComparison(fc, exporter), opts.output);
  process.exitCode = fleetExitCode(fc);
  return true;
}

export function defineCompare(cmd: Command): void {
  cmd
    .argument('[runs...]', "base and candidate: results dir paths, run ids, or 'latest'")
    .option(
      '--baseline [K]',
      `compare against the pooled samples of the last K saved baselines (default ${DEFAULT_POOL})`,
    )
    .option('--baselines-dir <dir>', 'where baselines are saved (default <results>/baselines)')
    .addOption(dirOption('--results <dir>', 'where run ids and latest are looked up', RESULTS_DIR))
    .option('--thresholds <file>', 'noise floors and alpha per metric/group (JSON or YAML)')
    .option('--format <name>', `output: ${Object.keys(EXPORTERS).join(', ')}`, 'table')
    .option('--output <file>', 'write the output to a file instead of stdout')
    .option('--min-n <n>', 'judge only groups with at least n samples on each side; nothing judged = exit 3')
    .option('--strict', 'exit 2 when accelerator, CPU model, host kernel or qemu version differ')
    .action((runs: string[], opts: CompareOpts) => {
      if (!isExportFormat(opts.format)) {
        throw new UsageError(`unknown --format '${opts.format}'`, {
          hint: `one of: ${Object.keys(EXPORTERS).join(', ')}`,
        });
      }
      const thresholds: Thresholds = opts.thresholds ? loadThresholds(opts.thresholds) : {};
      if (compareFleetsIfFleets(runs, opts, thresholds)) return;
      const { base, candidate } = sides(runs, opts);
      const comparison = compareSides(base, candidate, thresholds, {
        ...(opts.minN !== undefined ? { minN: minNFlag(opts.minN) } : {}),
        strict: opts.strict ?? false,
      });
      emit(EXPORTERS[opts.format](comparison), opts.output);
      process.exitCode = exitCodeFor(comparison);
    });
}
