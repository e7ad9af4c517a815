// Types of scripts/dist.mjs (plain JavaScript: bin/ctvm.js and set-up run it without a build).
/** src/**.ts relative to the project, sorted. */
export function sourceFiles(project: string): string[];
/** Why dist/ cannot run (no build, a source added, removed or changed), or null when it can. */
export function distStale(project: string): string | null;
/**
 * Why dist/ cannot run what `staticRoots` import statically and `roots` import in any way (the
 * build config included), or null when it can. Paths are src/**.ts relative to the project.
 */
export function distStaleFor(
  project: string,
  roots: { staticRoots?: readonly string[]; roots?: readonly string[] },
): string | null;
/** distStaleFor in steps sharing one read of the manifest and the files already checked. */
export function distChecker(
  project: string,
): (roots: { staticRoots?: readonly string[]; roots?: readonly string[] }) => string | null;
/** Compiles the changed sources into dist/ and removes the outputs of deleted ones. */
export function buildDist(
  project: string,
  log?: (line: string) => void,
): { compiled: string[]; removed: string[] };
