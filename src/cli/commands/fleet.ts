// `ctvm fleet run <scenario> -i <inventory> [--serial] [--seed N]` and
// `ctvm fleet run --resume fleet-<id> [-i <inventory>]`: the scenario on every host through
// Ansible; exit 0 when every host completed, 2 when a host was unreachable or not root (bad
// input, named), 3 when a host failed set-up or mid-run.
import { dirOption } from '../flags.js';
import type { Command } from 'commander';
import { relative } from 'node:path';
import { UsageError } from '../../errors.js';
import { RESULTS_DIR } from '../../paths.js';
import { resumeFleet, startFleet, type FleetOutcome } from '../../fleet/run-fleet.js';
import { describeStatus, fleetRunExitCode } from '../../fleet/host-status.js';

interface FleetRunOpts {
  inventory?: string;
  resume?: string;
  serial?: boolean;
  seed?: string;
  results: string;
  quiet?: boolean;
}

export function defineFleet(fleet: Command): void {
  fleet
    .command('run')
    .description('run a scenario on every inventory host into results/fleet-<id>/<host>/')
    .argument('[scenario]', 'scenario file or name (not with --resume)')
    .option('-i, --inventory <file>', 'Ansible inventory (INI or YAML)')
    .option('--resume <fleet>', 'rerun only the hosts of fleet-<id> that did not complete')
    .option('--serial', 'one host at a time (hosts that share hardware)')
    .option('--seed <n>', "seed for every host (default: the scenario's, else one random seed)")
    .addOption(dirOption('--results <dir>', 'results directory', RESULTS_DIR))
    .option('--quiet', "do not echo ansible's output (it is still in ansible.log)")
    .action(async (scenario: string | undefined, opts: FleetRunOpts) => {
      const outcome = await runOrResume(scenario, opts);
      for (const w of outcome.warnings) console.error(`warning: ${w}`);
      process.exitCode = summarize(outcome);
    });
}

async function runOrResume(scenario: string | undefined, opts: FleetRunOpts): Promise<FleetOutcome> {
  if (opts.resume !== undefined) {
    if (scenario !== undefined)
      throw new UsageError('--resume takes no scenario: the fleet keeps its own', {
        hint: `ctvm fleet run --resume ${opts.resume}`,
      });
    return resumeFleet({
      resume: opts.resume,
      resultsDir: opts.results,
      ...(opts.inventory !== undefined ? { inventory: opts.inventory } : {}),
      ...(opts.serial ? { serial: true } : {}),
      quiet: opts.quiet ?? false,
    });
  }
  if (scenario === undefined)
    throw new UsageError('fleet run needs a scenario', { hint: 'ctvm fleet run quick -i hosts.ini' });
  if (opts.inventory === undefined)
    throw new UsageError('fleet run needs an inventory (-i <file>)', {
      hint: 'an Ansible inventory naming the hosts; see README "Fleet runs"',
    });
  if (opts.seed !== undefined && !/^\d+$/.test(opts.seed))
    throw new UsageError(`--seed '${opts.seed}': expected a non-negative integer`);
  return startFleet({
    scenario,
    inventory: opts.inventory,
    resultsDir: opts.results,
    serial: opts.serial ?? false,
    quiet: opts.quiet ?? false,
    ...(opts.seed !== undefined ? { seed: Number(opts.seed) } : {}),
  });
}

/** Prints one line per host and returns the exit code. */
function summarize(o: FleetOutcome): number {
  const hosts = Object.entries(o.manifest.hosts).sort(([a], [b]) => a.localeCompare(b));
  console.log(`fleet ${o.manifest.fleetId} (${relative(process.cwd(), o.dir) || o.dir}):`);
  if (o.ran.length === 0) console.log('  nothing to resume: every host completed');
  for (const [h, s] of hosts) console.log(`  ${describeStatus(h, s)}`);
  const bad = hosts.filter(([, s]) => s.status !== 'complete');
  if (bad.length === 0) return 0;
  for (const [h, s] of bad) console.error(`ctvm: host ${describeStatus(h, s)}`);
  console.error(`hint: fix the cause, then: ctvm fleet run --resume ${o.manifest.fleetId}`);
  return fleetRunExitCode(hosts.map(([, s]) => s));
}
