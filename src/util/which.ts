// PATH lookup without spawning a shell.
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';

export function which(cmd: string): string | null {
  if (cmd.includes('/')) return canExec(cmd) ? cmd : null;
  for (const dir of (process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin').split(':')) {
    const p = join(dir || '.', cmd);
    if (canExec(p)) return p;
  }
  return null;
}

function canExec(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
