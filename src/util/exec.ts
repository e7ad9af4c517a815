// Runs a short host command (ip, losetup, mount…) and collects its output, without execa: importing
// execa costs ~100 ms, and `ctvm vm run` pays every import of its path before the guest starts.
import { execFile, spawnSync } from 'node:child_process';

export interface ExecResult {
  /** Exit code, or null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Never rejects for a failing command: the caller reads code/stderr (stdin is /dev/null). */
export function exec(file: string, args: readonly string[]): Promise<ExecResult> {
  return new Promise((resolve) => {
    const child = execFile(
      file,
      args,
      { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { code?: number | string; signal?: NodeJS.Signals }) | null;
        resolve({
          code: e ? (typeof e.code === 'number' ? e.code : e.signal ? null : 127) : 0,
          signal: e?.signal ?? null,
          stdout,
          stderr: stderr || (e && typeof e.code === 'string' ? `${file}: ${e.message}` : stderr),
        });
      },
    );
    child.stdin?.end();
  });
}

/** The same, synchronously and ignoring the outcome (teardown at process exit). */
export function execQuietSync(file: string, args: readonly string[]): void {
  spawnSync(file, args, { stdio: 'ignore' });
}
