// `ctvm completion bash|zsh`: print a completion script generated from this very program.
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { bashCompletion, SHELLS, zshCompletion } from '../completion.js';

export function defineCompletion(cmd: Command): void {
  cmd.argument('<shell>', SHELLS.join(' | ')).action((shell: string) => {
    const program = cmd.parent;
    if (!program) throw new Error('completion: the command has no parent program');
    const write = cmd.configureOutput().writeOut ?? ((s: string) => process.stdout.write(s));
    if (shell === 'bash') write(bashCompletion(program));
    else if (shell === 'zsh') write(zshCompletion(program));
    else
      throw new UsageError(`unknown shell '${shell}' for completion`, {
        hint: `one of: ${SHELLS.join(', ')}`,
      });
  });
}
