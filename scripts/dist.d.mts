// Types of scripts/dist.mjs (plain JavaScript: bin/ctvm.js and set-up run it without a build).
/** src/**.ts relative to the project, sorted. */
export function sourceFiles(project: string): string[];
/** Why dist/ cannot run (no build, a source added, removed or changed), or null when it can. */
export function distStale(project: string): string | null;
/** Compiles the changed sources into dist/ and removes the outputs of deleted ones. */
export function buildDist(
  project: string,
  log?: (line: string) => void,
): { compiled: string[]; removed: string[] };
