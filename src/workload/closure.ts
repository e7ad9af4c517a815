// The shared-library closure of a host program (the figure's "Bins/Libs" layer, made real):
// the program, its ELF interpreter and every library ldd resolves, by their host paths.
import { execFile } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { which } from '../util/which.js';

export interface ClosureFile {
  /** Path inside the rootfs (same as on the host, symlinks resolved to the file they name). */
  path: string;
  /** Host file to copy from. */
  source: string;
}

/** Parses `ldd` output lines: "libm.so.6 => /lib/x86_64-linux-gnu/libm.so.6 (0x...)" and "/lib64/ld-linux-x86-64.so.2 (0x...)". */
export function parseLdd(text: string): string[] {
  const paths: string[] = [];
  for (const line of text.split('\n')) {
    const arrow = /=>\s*(\/\S+)/.exec(line);
    const bare = /^\s*(\/\S+)\s+\(/.exec(line);
    const p = arrow?.[1] ?? bare?.[1];
    if (p) paths.push(p);
  }
  return paths;
}

export async function programClosure(program: string): Promise<ClosureFile[]> {
  const path = which(program);
  if (!path)
    throw new UsageError(`host program '${program}' not found on PATH`, {
      hint: `install it (e.g. apt-get install ${program})`,
    });
  // node:child_process, not execa: this runs on every CLI start that prepares a workload, and
  // importing execa alone costs ~100 ms there.
  const ldd = await new Promise<{ ok: boolean; stdout: string }>((resolve) =>
    execFile('ldd', [path], (err, stdout) => resolve({ ok: !err, stdout })),
  );
  const libs = ldd.ok ? parseLdd(ldd.stdout) : []; // static binaries: "not a dynamic executable"
  const files: ClosureFile[] = [{ path, source: realpathSync(path) }];
  for (const lib of libs) files.push({ path: lib, source: realpathSync(lib) });
  return files;
}
