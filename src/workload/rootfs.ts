// Builds the workload rootfs: busybox-static + ctvm-probe + ctvm-attack (+ host program closures), content-
// hashed and cached in .cache/rootfs/<hash>. The same tree is the container's overlay lower
// and the source of the VM's initramfs, so every environment runs the same bytes.
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { HostError } from '../errors.js';
import { markUsed } from '../cache/prune.js';
import { BUILD_DIR, CACHE_DIR } from '../paths.js';
import { which } from '../util/which.js';
import { programClosure, type ClosureFile } from './closure.js';
import { sha256File } from '../util/file-digest.js';

/** Where file digests are remembered between CLI starts (util/file-digest.ts). */
export const DIGEST_MEMO = join(CACHE_DIR, 'digests.json');

/** Busybox applets linked into /bin (what tests and `ctvm container run` use inside). */
export const APPLETS = [
  'sh',
  'ls',
  'cat',
  'echo',
  'ps',
  'hostname',
  'mount',
  'id',
  'sleep',
  'true',
  'false',
  'sha256sum',
  'ip',
  'grep',
  'head',
  'tail',
  'wc',
  'env',
  'uname',
  'dd',
  'mkdir',
  'rm',
  'poweroff',
  'reboot',
  'halt',
  'free',
  'top',
  'kill',
  'touch',
];

export interface Rootfs {
  dir: string;
  hash: string;
}

export const PROBE_IN_ROOTFS = '/bin/ctvm-probe';
/** The escape suite (native/attack/), the `attack` workload. */
export const ATTACK_IN_ROOTFS = '/bin/ctvm-attack';

/** Builds (or reuses) the rootfs holding busybox, the probe, the escape suite and the closures of `hostPrograms`. */
export async function buildRootfs(opts: { hostPrograms?: string[] } = {}): Promise<Rootfs> {
  const busybox = which('busybox') ?? '/bin/busybox';
  const probe = join(BUILD_DIR, 'ctvm-probe');
  const attack = join(BUILD_DIR, 'ctvm-attack');
  if (!existsSync(busybox))
    throw new HostError('busybox not found', {
      hint: 'apt-get install busybox-static (npm run setup does it)',
    });
  if (!existsSync(probe)) throw new HostError(`${probe} not built`, { hint: 'npm run setup' });
  if (!existsSync(attack)) throw new HostError(`${attack} not built`, { hint: 'npm run setup' });
  const extra: ClosureFile[] = [];
  for (const p of [...new Set(opts.hostPrograms ?? [])].sort()) extra.push(...(await programClosure(p)));
  const files: ClosureFile[] = [
    { path: '/bin/busybox', source: busybox },
    { path: PROBE_IN_ROOTFS, source: probe },
    { path: ATTACK_IN_ROOTFS, source: attack },
    ...extra,
  ];
  // The content hash of every file (memoised by its identity: a stat, not a read, on each start).
  const h = createHash('sha256').update('ctvm-rootfs-v2\0' + APPLETS.join(','));
  for (const f of files) h.update(`${f.path}\0${sha256File(f.source, DIGEST_MEMO)}\n`);
  const hash = h.digest('hex').slice(0, 16);
  const dir = join(CACHE_DIR, 'rootfs', hash);
  if (existsSync(join(dir, '.complete'))) {
    markUsed(dir); // for ctvm gc --cache-days
    return { dir, hash };
  }
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  for (const d of ['bin', 'etc', 'proc', 'sys', 'dev', 'tmp', 'run', 'root', 'usr/bin', 'lib', 'lib64'])
    mkdirSync(join(tmp, d), { recursive: true });
  chmodSync(join(tmp, 'tmp'), 0o1777);
  for (const f of files) {
    const dest = join(tmp, f.path);
    mkdirSync(dirname(dest), { recursive: true });
    if (!existsSync(dest)) copyFileSync(f.source, dest);
    chmodSync(dest, 0o755);
  }
  for (const a of APPLETS) symlinkSync('busybox', join(tmp, 'bin', a));
  writeFileSync(
    join(tmp, 'etc/passwd'),
    'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n',
  );
  writeFileSync(join(tmp, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
  writeFileSync(join(tmp, 'etc/hostname'), 'ctvm\n');
  writeFileSync(join(tmp, '.complete'), hash + '\n');
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return { dir, hash };
}
