// Option helpers shared by the commands: directory defaults shown as relative paths in help, and
// the hidden old name of a renamed flag.
import { relative } from 'node:path';
import { Argument, Option } from './commander.js';
import { UsageError } from '../errors.js';

/** How help shows a default directory: relative to the working directory (`results`, `../ctvm/reports`). */
export const shownDir = (dir: string): string => relative(process.cwd(), dir) || '.';

/** `--flag <dir>` defaulting to `dir`, which help shows relative to the working directory. */
export function dirOption(flags: string, description: string, dir: string): Option {
  return new Option(flags, description).default(dir, shownDir(dir));
}

/** An optional directory argument defaulting to `dir`, shown relative like dirOption. */
export function dirArgument(name: string, description: string, dir: string): Argument {
  return new Argument(name, description).default(dir, shownDir(dir));
}

/** The former name of a flag, still accepted (scripts use it) but no longer listed in help. */
export function formerFlag(flags: string, current: string): Option {
  return new Option(flags, `former name of ${current}`).hideHelp();
}

/** The value of a renamed flag given under either name; both with different values is an error. */
export function eitherName<T>(
  current: T | undefined,
  former: T | undefined,
  names: [string, string],
): T | undefined {
  if (current !== undefined && former !== undefined && current !== former)
    throw new UsageError(`${names[0]} and ${names[1]} name the same setting; give it once`, {
      hint: `use ${names[0]} (${names[1]} is its former name)`,
    });
  return current ?? former;
}
