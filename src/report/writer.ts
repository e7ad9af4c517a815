// The one place a report touches the disk: writes every rendered file into reports/<run-id>/
// (through a temp dir + rename per file, so a reader never sees half a PNG).
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SystemError } from '../errors.js';
import type { RenderedReport } from './render-report.js';

export function writeRendered(
  report: RenderedReport,
  outDir: string,
  name = report.runId,
): { dir: string; files: string[] } {
  const dir = join(outDir, name);
  const files: string[] = [];
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new SystemError('mkdir', dir, (err as NodeJS.ErrnoException).code, {
      cause: err,
      hint: 'pass a writable --out directory',
    });
  }
  for (const [name, bytes] of report.files) {
    const path = join(dir, name);
    try {
      mkdirSync(dirname(path), { recursive: true }); // a fleet report nests each host's files
      writeFileSync(`${path}.tmp`, bytes);
      renameSync(`${path}.tmp`, path);
    } catch (err) {
      throw new SystemError('write', path, (err as NodeJS.ErrnoException).code, { cause: err });
    }
    files.push(path);
  }
  return { dir, files };
}
