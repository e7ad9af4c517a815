// The scratch disk (#14): one ext4 image file on the host's disk, the same bytes for every
// environment. bare and container mount it through a loop device (the host kernel's ext4, loop
// in direct-I/O mode so the host page cache holds no second copy); the VM gets the file as
// virtio-blk with cache=none,aio=native (O_DIRECT on the file: no host page cache either) and
// mounts it with its own ext4. A fresh image per instance, so no environment reads another's cache.
// Files are named ctvm-disk-<pid>-<n>.img under SCRATCH_DIR: `ctvm gc` finds a dead owner's.
import { existsSync, mkdirSync, rmdirSync, rmSync, statfsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { HostError, UsageError } from '../errors.js';
import { parseBytes } from '../units.js';
import { track } from '../engine/reaper.js';
import { exec, execQuietSync } from '../util/exec.js';

/** On the host's disk (/var/tmp survives as disk where /tmp may be tmpfs). */
export const SCRATCH_DIR = process.env.CTVM_SCRATCH_DIR ?? '/var/tmp/ctvm-disk';
export const SCRATCH_PREFIX = 'ctvm-disk-';
/** Where every environment sees the disk: the workload's argv says `@SCRATCH@` (scratchArgv). */
export const GUEST_SCRATCH = '/scratch';
export const SCRATCH_TOKEN = '@SCRATCH@';
/** The storage path of bare and container, for describe() and the report. */
export const SCRATCH_PATH_HOST =
  'ext4 image file on the host disk, loop device (direct I/O), host kernel ext4, noatime';
/** The VM's, for describe() and the report. */
export const SCRATCH_PATH_VM =
  'the same kind of image file as virtio-blk (cache=none, aio=native), guest kernel ext4, noatime';
/** ext4 with a journal needs a few MiB; below this mkfs refuses or the disk is useless. */
export const MIN_SCRATCH_BYTES = 16 * 1024 * 1024;
/** Left free on the host's disk after the image is allocated. */
const HEADROOM_BYTES = 1024 * 1024 * 1024;

/** The workload's argv with @SCRATCH@ replaced by where this environment mounted the disk. */
export function scratchArgv(argv: string[], dir: string): string[] {
  return argv.map((a) => a.split(SCRATCH_TOKEN).join(dir));
}

/**
 * `scratch: 256M` in a scenario (or --scratch): a UsageError naming the field when it is not a
 * size, is too small for ext4, or does not fit on the disk holding SCRATCH_DIR.
 */
export function parseScratchSize(v: unknown, field = 'scratch'): number {
  const bytes = typeof v === 'number' ? v : typeof v === 'string' ? parseBytes(v) : undefined;
  if (bytes === undefined || !Number.isSafeInteger(bytes))
    throw new UsageError(`${field}: '${String(v)}' is not a size`, { hint: 'e.g. 256M or 1G' });
  if (bytes < MIN_SCRATCH_BYTES)
    throw new UsageError(
      `${field}: ${String(v)} is below the ${MIN_SCRATCH_BYTES >> 20}M an ext4 scratch disk needs`,
    );
  const free = freeBytes();
  if (free !== undefined && bytes + HEADROOM_BYTES > free)
    throw new UsageError(
      `${field}: ${String(v)} does not fit on the disk holding ${SCRATCH_DIR} (${Math.floor(free / 2 ** 20)} MiB free, ${HEADROOM_BYTES >> 20} MiB kept free)`,
      { hint: 'a smaller scratch size, or CTVM_SCRATCH_DIR on a larger disk' },
    );
  return bytes;
}

function freeBytes(): number | undefined {
  let dir = SCRATCH_DIR;
  while (!existsSync(dir) && dir !== '/') dir = join(dir, '..');
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}

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
