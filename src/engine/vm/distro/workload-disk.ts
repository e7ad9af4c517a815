// The workload for a Debian guest: the same rootfs tree the container and the initramfs VM use,
// plus a script with the command, as a small raw ext4 disk (`mkfs.ext4 -d`, no loop device),
// cached by content in CACHE_DIR/distro/workload/. The guest mounts it (via a per-instance qcow2
// overlay) and chroots into it, as the container pivots into the same tree.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { markUsed } from '../../../cache/prune.js';
import type { PreparedWorkload } from '../../environment.js';
import { envExports, shQuote } from '../init-script.js';
import { WORKLOAD_RUN_SCRIPT } from './guest-files.js';
import { DISTRO_DIR } from './image-spec.js';

const FORMAT = 'ctvm-distro-workload-v1';
export const WORKLOAD_DISK_DIR = join(DISTRO_DIR, 'workload');

/** The script the guest runs in the chroot: the workload's environment and command. */
export function renderRunScript(w: Pick<PreparedWorkload, 'argv' | 'env'>): string {
  if (w.argv.length === 0) throw new Error('renderRunScript: empty argv');
  const exports = envExports(w.env);
  return [
    '# ctvm workload (src/engine/vm/distro/workload-disk.ts)',
    ...exports,
    'cd /',
    `exec ${w.argv.map(shQuote).join(' ')}`,
    '',
  ].join('\n');
}

export function workloadDiskPath(w: PreparedWorkload): string {
  const hash = createHash('sha256')
    .update(`${FORMAT}\0${w.rootfsHash}\0`)
    .update(renderRunScript(w))
    .digest('hex')
    .slice(0, 16);
  return join(WORKLOAD_DISK_DIR, `${hash}.ext4`);
}

/** Builds (or reuses) the workload disk; write-then-rename so concurrent builders never race. */
export function buildWorkloadDisk(w: PreparedWorkload): string {
  const path = workloadDiskPath(w);
  if (existsSync(path)) {
    markUsed(path);
    return path;
  }
  mkdirSync(WORKLOAD_DISK_DIR, { recursive: true });
  const tmp = mkdtempSync(join(WORKLOAD_DISK_DIR, '.build-'));
  try {
    const root = join(tmp, 'root');
    execFileSync('cp', ['-a', '--', w.rootfsDir, root]);
    rmSync(join(root, '.complete'), { force: true });
    for (const d of ['proc', 'sys', 'dev', 'tmp']) mkdirSync(join(root, d), { recursive: true });
    writeFileSync(join(root, WORKLOAD_RUN_SCRIPT), renderRunScript(w), { mode: 0o644 });
    const du = Number(execFileSync('du', ['-sb', root], { encoding: 'utf8' }).split('\t')[0]);
    const kib = Math.ceil((du * 1.5 + 8 * 2 ** 20) / 1024);
    const out = join(tmp, 'disk.ext4');
    execFileSync('mkfs.ext4', ['-q', '-F', '-L', 'ctvm-workload', '-d', root, out, `${kib}k`]);
    chmodSync(out, 0o444);
    renameSync(out, path);
    return path;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
