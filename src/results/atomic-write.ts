// Replace a results file so a reader (or a crash) sees the old bytes or the new ones, never half.
import { closeSync, fsyncSync, openSync, renameSync, writeFileSync } from 'node:fs';

export function atomicWrite(path: string, data: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  const fd = openSync(tmp, 'r');
  fsyncSync(fd);
  closeSync(fd);
  renameSync(tmp, path);
}
