// An instance's scratch disk, for the engines: from its options (`scratch: SIZE` = a fresh image
// for this instance; `scratchImage: PATH` = an image the caller made and keeps, e.g. a test that
// has two environments write to the same file), made before the instance's start clock.
import { HostError } from '../errors.js';
import { createScratchImage, loopMount, parseScratchSize, type LoopMount } from './scratch.js';

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

/** The image file for one instance, and what removes it afterwards (nothing for a caller's). */
export async function scratchImageFor(
  req: ScratchRequest,
): Promise<{ path: string; release(): Promise<void> }> {
  if (req.imagePath) return { path: req.imagePath, release: async () => undefined };
  const image = await createScratchImage(req.sizeBytes!);
  return { path: image.path, release: () => image.remove() };
}

/** bare/container: the image mounted through a loop device; release() unmounts and removes it. */
export async function mountScratch(req: ScratchRequest): Promise<LoopMount> {
  const image = await scratchImageFor(req);
  let m: LoopMount;
  try {
    m = await loopMount(image.path);
  } catch (err) {
    await image.release();
    throw err;
  }
  return {
    ...m,
    release: async () => {
      await m.release();
      await image.release();
    },
  };
}
