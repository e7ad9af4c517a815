// CLI entry: parse -> call -> print. Each command lives in src/cli/commands/<name>.ts and only
// registers itself; the logic is in the modules it calls.
import { Command, CommanderError } from 'commander';
import { CtvmError, UsageError } from '../errors.js';
import { registerDoctor } from './commands/doctor.js';
import { registerBench } from './commands/bench.js';
import { registerReport } from './commands/report.js';
import { registerRun } from './commands/run.js';
import { registerCompare } from './commands/compare.js';
import { registerBaseline } from './commands/baseline.js';
import { registerTrend } from './commands/trend.js';
import { registerVm } from './commands/vm.js';
import { registerContainer } from './commands/container.js';
import { registerGc } from './commands/gc.js';
import { registerFleet } from './commands/fleet.js';

export async function main(argv: string[]): Promise<number> {
  const program = new Command('ctvm')
    .description('What does a VM cost compared with a container? Measured on this host.')
    .option('--debug', 'print stack traces')
    .exitOverride()
    .showHelpAfterError();
  registerDoctor(program);
  registerBench(program);
  registerReport(program);
  registerRun(program);
  registerCompare(program);
  registerBaseline(program);
  registerTrend(program);
  registerVm(program);
  registerContainer(program);
  registerGc(program);
  registerFleet(program);
  try {
    checkUtf8(argv);
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    return reportError(err, argv.includes('--debug'));
  }
}

/**
 * Node decodes argv as UTF-8 and turns invalid bytes into U+FFFD: a file name in another encoding
 * would silently become a different name (and a command argument different bytes). Such
 * arguments are refused instead; the check sees U+FFFD itself too, which no caller needs.
 */
function checkUtf8(argv: string[]): void {
  argv.slice(2).forEach((arg, i) => {
    if (arg.includes('\uFFFD'))
      throw new UsageError(`argument ${i + 1} is not valid UTF-8: ${JSON.stringify(arg.slice(0, 80))}`, {
        hint: 'ctvm passes arguments on as UTF-8 only; rename the file or give the value in UTF-8',
      });
  });
}

/** Prints message + hint (stack only with --debug) and returns the exit code for the error. */
export function reportError(err: unknown, debug: boolean): number {
  if (err instanceof CommanderError) {
    if (
      err.code === 'commander.helpDisplayed' ||
      err.code === 'commander.version' ||
      err.code === 'commander.help'
    )
      return 0;
    return 2; // commander already printed the message
  }
  if (err instanceof CtvmError) {
    console.error(`ctvm: ${err.message}`);
    if (err.hint) console.error(`hint: ${err.hint}`);
    if (debug && err.stack) console.error(err.stack);
    return err.exitCode;
  }
  console.error(`ctvm: internal error: ${err instanceof Error ? err.message : String(err)}`);
  if (debug && err instanceof Error && err.stack) console.error(err.stack);
  else console.error('hint: re-run with --debug for the stack trace');
  return 3;
}
