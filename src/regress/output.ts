// The one place regress output leaves the process: stdout, or a file (parent dirs created).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SystemError } from '../errors.js';

export function emit(text: string, file?: string): void {
  if (file === undefined || file === '-') {
    process.stdout.write(text);
    return;
  }
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  } catch (err) {
    throw new SystemError('write', file, (err as NodeJS.ErrnoException).code, {
      cause: err,
      hint: 'check the --output path',
    });
  }
}
