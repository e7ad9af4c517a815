// The LXD image of a workload: LXD's split format, a metadata tarball (metadata.yaml) and a rootfs
// tarball holding the workload rootfs byte for byte plus what an LXD container needs to boot:
// `/sbin/init`, a symlink to the rootfs's own /bin/busybox (busybox's init: it reaps orphans and
// otherwise sleeps), and an empty `/etc/inittab` (so it starts no shell or getty). No new bytes run:
// the workload is started by `lxc exec`. Tarballs are deterministic (sorted, mtime 0, uid 0), so
// the image fingerprint (LXD: sha256 of metadata + rootfs tarballs) is the same for the same rootfs;
// imported once per daemon (that is, per run) and reused by that fingerprint.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import type { PreparedWorkload } from '../environment.js';
import type { LxdDaemon } from './daemon.js';

/** What an LXD image adds to the workload rootfs, by path: an init and its (empty) table. */
export const IMAGE_ADDITIONS = { '/sbin/init': 'symlink to /bin/busybox', '/etc/inittab': 'empty file' };

export interface LxdImage {
  alias: string;
  /** LXD's fingerprint: sha256 of the metadata tarball followed by the rootfs tarball. */
  fingerprint: string;
}

/** The alias an image of this rootfs gets (its content hash). */
export const imageAlias = (w: Pick<PreparedWorkload, 'rootfsHash'>): string => `ctvm-${w.rootfsHash}`;

const TAR_FLAGS = ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '--format=gnu'];

export function metadataYaml(w: Pick<PreparedWorkload, 'rootfsHash'>): string {
  return [
    'architecture: x86_64',
    'creation_date: 1', // fixed (LXD refuses 0): the same rootfs gives the same fingerprint
    'properties:',
    `  description: ctvm workload rootfs ${w.rootfsHash}`,
    '  os: ctvm',
    `  release: "${w.rootfsHash}"`,
    '',
  ].join('\n');
}

/** Builds both tarballs in `work` and returns their paths and LXD's fingerprint of them. */
export async function buildImageTarballs(
  w: Pick<PreparedWorkload, 'rootfsDir' | 'rootfsHash'>,
  work: string,
): Promise<{ meta: string; rootfs: string; fingerprint: string }> {
  const metaDir = join(work, 'meta');
  const extra = join(work, 'extra');
  mkdirSync(metaDir);
  mkdirSync(join(extra, 'sbin'), { recursive: true, mode: 0o755 });
  mkdirSync(join(extra, 'etc'), { mode: 0o755 });
  writeFileSync(join(metaDir, 'metadata.yaml'), metadataYaml(w));
  symlinkSync('/bin/busybox', join(extra, 'sbin/init'));
  writeFileSync(join(extra, 'etc/inittab'), '', { mode: 0o644 });
  const meta = join(work, 'meta.tar');
  const rootfs = join(work, 'rootfs.tar');
  await execa('tar', [...TAR_FLAGS, '-cf', meta, '-C', metaDir, 'metadata.yaml']);
  // The rootfs first, then the additions (./sbin, ./etc/inittab; ./ and ./etc again, same modes).
  await execa('tar', [
    ...TAR_FLAGS,
    '-cf',
    rootfs,
    '-C',
    w.rootfsDir,
    '.',
    '-C',
    extra,
    './sbin',
    './etc/inittab',
  ]);
  const h = createHash('sha256');
  for (const f of [meta, rootfs]) for await (const chunk of createReadStream(f)) h.update(chunk as Buffer);
  return { meta, rootfs, fingerprint: h.digest('hex') };
}

/** Imports the workload's image into `daemon` unless it holds it already (by alias). */
export async function ensureImage(
  daemon: LxdDaemon,
  w: Pick<PreparedWorkload, 'rootfsDir' | 'rootfsHash'>,
  cache: Map<string, LxdImage>,
): Promise<LxdImage> {
  const alias = imageAlias(w);
  const have = cache.get(alias);
  if (have) return have;
  const work = mkdtempSync(join(daemon.dir, 'image-'));
  try {
    const t = await buildImageTarballs(w, work);
    await daemon.lxc(['image', 'import', t.meta, t.rootfs, '--alias', alias], { timeoutMs: 300_000 });
    const info = await daemon.lxc(['image', 'info', alias]);
    const fingerprint = /^Fingerprint:\s*([0-9a-f]{64})/m.exec(info)?.[1];
    if (fingerprint !== t.fingerprint)
      throw new Error(
        `lxd: image ${alias} has fingerprint ${fingerprint ?? '?'}, but its tarballs hash to ${t.fingerprint}`,
      );
    const image = { alias, fingerprint };
    cache.set(alias, image);
    return image;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
