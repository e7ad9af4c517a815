// What a scratch disk is and where each environment sees it, without doing any I/O: the names,
// the paths, the @SCRATCH@ token, and the size a scenario (or --scratch) asks for. Apart from
// scratch.ts (the image and its loop device), so that what only reads options or rewrites an argv
// (`ctvm vm run`'s path before its guest starts, the workload catalog) does not load exec and the
// reaper.
import { existsSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { HostError, UsageError } from '../errors.js';
import { parseBytes } from '../units.js';

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

export interface ScratchRequest {
  /** A fresh image of this size per instance (removed with it). */
  sizeBytes?: number;
  /** An existing image the caller owns (not removed). */
  imagePath?: string;
}

/** The scratch disk these environment options ask for, validated; undefined = none. */
export function scratchRequest(options?: Record<string, unknown>): ScratchRequest | undefined {
  if (options?.scratchImage !== undefined) {
    if (typeof options.scratchImage !== 'string' || !options.scratchImage.startsWith('/'))
      throw new HostError(`scratchImage: '${String(options.scratchImage)}' is not an absolute path`);
    return { imagePath: options.scratchImage };
  }
  if (options?.scratch === undefined) return undefined;
  return { sizeBytes: parseScratchSize(options.scratch) };
}
