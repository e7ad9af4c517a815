// Builds the guest initramfs: a newc cpio of the workload rootfs (the same tree the container
// pivots into) plus /init and /dev/console, cached by content hash in .cache/initramfs/.
import { createHash } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { markUsed } from '../../cache/prune.js';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { CACHE_DIR } from '../../paths.js';
import { writeCpio, type CpioEntry } from '../../workload/cpio.js';
import type { PreparedWorkload } from '../environment.js';
import { GUEST_MODULES_DIR, renderInitScript } from './init-script.js';
import type { GuestModule } from './guest-modules.js';

export const INITRAMFS_DIR = join(CACHE_DIR, 'initramfs');
const FORMAT = 'ctvm-initramfs-v1';

/** Files in the rootfs that are bookkeeping, not part of the workload. */
const SKIP = new Set(['.complete']);

/** Rootfs entries in parent-before-child order (sorted, so the archive bytes are reproducible). */
export function rootfsEntries(rootDir: string, rel = ''): CpioEntry[] {
  const out: CpioEntry[] = [];
  for (const name of readdirSync(join(rootDir, rel)).sort()) {
    const path = rel ? `${rel}/${name}` : name;
    if (!rel && SKIP.has(name)) continue;
    const abs = join(rootDir, path);
    const st = lstatSync(abs);
    if (st.isSymbolicLink()) out.push({ type: 'symlink', path, target: readlinkSync(abs) });
    else if (st.isDirectory()) {
      out.push({ type: 'dir', path, mode: st.mode & 0o7777 });
      out.push(...rootfsEntries(rootDir, path));
    } else if (st.isFile()) out.push({ type: 'file', path, data: readFileSync(abs), mode: st.mode & 0o7777 });
    // sockets, fifos and device nodes are not part of a workload rootfs
  }
  return out;
}

/** The whole archive: rootfs + /dev/console (the kernel opens it for init's stdio) + /init. */
export function initramfsEntries(
  workload: Pick<PreparedWorkload, 'rootfsDir' | 'argv' | 'env'>,
  modules: GuestModule[] = [],
): CpioEntry[] {
  const entries = rootfsEntries(workload.rootfsDir).filter(
    (e) => e.path !== 'init' && e.path !== 'dev/console',
  );
  if (!entries.some((e) => e.path === 'dev')) entries.push({ type: 'dir', path: 'dev' });
  const devAt = entries.findIndex((e) => e.path === 'dev');
  entries.splice(devAt + 1, 0, { type: 'chardev', path: 'dev/console', major: 5, minor: 1, mode: 0o600 });
  if (modules.length) {
    // /lib/modules/ctvm, loaded by /init in name order (GUEST_MODULES_DIR).
    const dir = GUEST_MODULES_DIR.slice(1);
    const have = new Set(entries.map((e) => e.path));
    let path = '';
    for (const part of dir.split('/')) {
      path = path ? `${path}/${part}` : part;
      if (!have.has(path)) entries.push({ type: 'dir', path });
    }
    for (const m of modules)
      entries.push({ type: 'file', path: `${dir}/${m.name}`, data: m.data, mode: 0o644 });
  }
  entries.push({ type: 'file', path: 'init', data: Buffer.from(renderInitScript(workload)), mode: 0o755 });
  return entries;
}

export interface Initramfs {
  path: string;
  hash: string;
  bytes: number;
  compressed: boolean;
}

/** node:zlib costs ~4 ms to load here, and only a build (not a reuse) compresses: loaded then. */
const gzip = (data: Buffer): Buffer =>
  (createRequire(import.meta.url)('node:zlib') as typeof import('node:zlib')).gzipSync(data, { level: 6 });

/** Builds (or reuses) the initramfs for this workload; the key covers rootfs, command and format. */
export function buildInitramfs(
  workload: PreparedWorkload,
  opts: { compress?: boolean; modules?: GuestModule[] } = {},
): Initramfs {
  const compressed = opts.compress ?? false;
  const modules = opts.modules ?? [];
  const h = createHash('sha256')
    .update(`${FORMAT}\0${workload.rootfsHash}\0${compressed ? 'gz' : 'cpio'}\0`)
    .update(renderInitScript(workload));
  for (const m of modules) h.update(`\0${m.name}\0`).update(m.data);
  const hash = h.digest('hex').slice(0, 16);
  const path = join(INITRAMFS_DIR, `${hash}.${compressed ? 'cpio.gz' : 'cpio'}`);
  if (existsSync(path)) {
    markUsed(path); // for ctvm gc --cache-days
    return { path, hash, bytes: lstatSync(path).size, compressed };
  }
  mkdirSync(INITRAMFS_DIR, { recursive: true });
  const cpio = writeCpio(initramfsEntries(workload, modules));
  const data = compressed ? gzip(cpio) : cpio;
  // Write-then-rename: concurrent builders (density runs) never see a half-written archive.
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
  return { path, hash, bytes: data.length, compressed };
}
