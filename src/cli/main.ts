// CLI entry: parse -> call -> print. Each command lives in src/cli/commands/<name>.ts and only
// registers itself; the logic is in the modules it calls.
import { Command, CommanderError } from 'commander';
import { CtvmError } from '../errors.js';
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
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    return reportError(err, argv.includes('--debug'));
  }
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
