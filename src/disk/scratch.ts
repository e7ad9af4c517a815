// The scratch disk (#14): one ext4 image file on the host's disk, the same bytes for every
// environment. bare and container mount it through a loop device (the host kernel's ext4, loop
// in direct-I/O mode so the host page cache holds no second copy); the VM gets the file as
// virtio-blk with cache=none,aio=native (O_DIRECT on the file: no host page cache either) and
// mounts it with its own ext4. A fresh image per instance, so no environment reads another's cache.
// Files are named ctvm-disk-<pid>-<n>.img under SCRATCH_DIR: `ctvm gc` finds a dead owner's.
import { mkdirSync, rmdirSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { HostError } from '../errors.js';
import { SCRATCH_DIR, SCRATCH_PREFIX } from './scratch-spec.js';
import { track } from '../engine/reaper.js';
import { exec, execQuietSync } from '../util/exec.js';

async function run(file: string, args: string[]): Promise<string> {
  const r = await exec(file, args);
  if (r.code !== 0)
    throw new HostError(
      `${file} ${args.join(' ')}: ${(r.stderr || r.stdout).trim() || `exit ${r.code ?? r.signal}`}`,
    );
  return r.stdout.trim();
}

let seq = 0;

export interface ScratchImage {
  readonly path: string;
  readonly sizeBytes: number;
  /** Idempotent: deletes the file (and SCRATCH_DIR when it is then empty). */
  remove(): Promise<void>;
}

/**
 * A new image file of `sizeBytes` with a fresh ext4 on it. Inode tables and journal are
 * initialised by mkfs (lazy_*_init=0): otherwise the first mount starts a kernel thread zeroing
 * them in the background, which would compete with the measured I/O of the first environment.
 */
export async function createScratchImage(sizeBytes: number): Promise<ScratchImage> {
  mkdirSync(SCRATCH_DIR, { recursive: true, mode: 0o700 });
  const path = join(SCRATCH_DIR, `${SCRATCH_PREFIX}${process.pid}-${seq++}.img`);
  let removed = false;
  const removeSync = (): void => {
    if (removed) return;
    removed = true;
    rmSync(path, { force: true });
    try {
      rmdirSync(SCRATCH_DIR);
    } catch {
      /* other images still there */
    }
  };
  const untrack = track({ name: path, stop: async () => removeSync(), killSync: removeSync });
  const image: ScratchImage = {
    path,
    sizeBytes,
    remove: async () => {
      removeSync();
      untrack();
    },
  };
  try {
    const fh = await open(path, 'wx', 0o600);
    await fh.truncate(sizeBytes).finally(() => fh.close());
    // prettier-ignore
    await run('mkfs.ext4', ['-F', '-q', '-m', '0', '-E', 'lazy_itable_init=0,lazy_journal_init=0,nodiscard', path]);
  } catch (err) {
    await image.remove();
    throw err;
  }
  return image;
}

function removeDir(dir: string): void {
  try {
    rmdirSync(dir); // only an empty dir: never what a failed umount still shows
  } catch {
    /* gone, or still mounted (then the umount error is the one to see) */
  }
}

export interface LoopMount {
  /** /dev/loopN. */
  readonly device: string;
  /** Host directory the ext4 is mounted on. */
  readonly dir: string;
  /** Idempotent: unmount, detach the loop device, remove the directory. */
  release(): Promise<void>;
}

/** PRIVILEGED (loop devices, mount): the image on a loop device in direct-I/O mode, mounted on a new dir. */
export async function loopMount(imagePath: string): Promise<LoopMount> {
  const device = await run('losetup', ['--find', '--show', '--direct-io=on', imagePath]);
  const dir = `${imagePath}.mnt`;
  let released: Promise<void> | undefined;
  const releaseSync = (): void => {
    execQuietSync('umount', [dir]);
    execQuietSync('losetup', ['-d', device]);
    removeDir(dir);
  };
  const untrack = track({ name: device, stop: () => release(), killSync: releaseSync });
  const release = (): Promise<void> =>
    (released ??= (async () => {
      await exec('umount', [dir]);
      await exec('losetup', ['-d', device]);
      removeDir(dir);
      untrack();
    })());
  try {
    mkdirSync(dir, { mode: 0o755 });
    await run('mount', ['-t', 'ext4', '-o', 'noatime', device, dir]);
  } catch (err) {
    await release();
    throw err;
  }
  return { device, dir, release };
}
