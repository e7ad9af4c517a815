// An instance's scratch disk, for the engines: from its options (`scratch: SIZE` = a fresh image
// for this instance; `scratchImage: PATH` = an image the caller made and keeps, e.g. a test that
// has two environments write to the same file), made before the instance's start clock.
import { createScratchImage, loopMount, type LoopMount } from './scratch.js';
import type { ScratchRequest } from './scratch-spec.js';

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
