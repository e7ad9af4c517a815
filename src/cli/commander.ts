// commander's classes, loaded with require(): commander is CommonJS, and Node's `import` of a
// CommonJS package first scans each of its files for export names (cjs-module-lexer) and builds an
// ES module facade, ~10 ms of every CLI start on a 2-core host. Each name is the class and its type.
import { createRequire } from 'node:module';
import type * as C from 'commander';

const commander = createRequire(import.meta.url)('commander') as typeof C;

export const { Argument, Command, CommanderError, InvalidArgumentError, Option } = commander;
export type Argument = C.Argument;
export type Command = C.Command;
export type CommanderError = C.CommanderError;
export type InvalidArgumentError = C.InvalidArgumentError;
export type Option = C.Option;
export type { OutputConfiguration } from 'commander';
