// CLI entry: parse -> call -> print. The commands are listed in registry.ts; each one's module
// (src/cli/commands/<name>.ts) is loaded only when that command runs, and defines its options.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError, type OutputConfiguration } from './commander.js';
import { CtvmError, UsageError } from '../errors.js';
import { PROJECT_DIR } from '../paths.js';
import { COMMANDS, commandsToLoad } from './registry.js';

/** The version in package.json (read, not imported: dist/ and src/ sit at the same depth). */
export function ctvmVersion(): string {
  return (JSON.parse(readFileSync(join(PROJECT_DIR, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * The program with every command named and described, and the ones `argv` needs fully defined.
 * `output` replaces stdout/stderr for what commander prints (help, version, completion; tests).
 */
export async function buildProgram(argv: readonly string[], output?: OutputConfiguration): Promise<Command> {
  const program = new Command('ctvm')
    .description('What does a VM cost compared with a container? Measured on this host.')
    .version(ctvmVersion(), '-V, --version', 'print the version')
    .option('--debug', 'print stack traces')
    .exitOverride()
    .showHelpAfterError();
  if (output) program.configureOutput(output);
  const full = commandsToLoad(argv);
  const defines = await Promise.all(full.map((c) => c.load()));
  for (const entry of COMMANDS) {
    const cmd = program.command(entry.name).description(entry.description);
    const i = full.indexOf(entry);
    if (i >= 0) defines[i]!(cmd);
  }
  return program;
}

export async function main(argv: string[], output?: OutputConfiguration): Promise<number> {
  try {
    checkUtf8(argv);
    const program = await buildProgram(argv, output);
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
