// Where a user's ctvm state may live, and the check that makes removing things in it safe: a real
// directory (not a link) of this user that nobody else can write, so no one can swap what is inside.
import { lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** sockaddr_un.sun_path holds 108 bytes including the terminating NUL. */
export const SUN_PATH_MAX_BYTES = 107;

/** A non-root user's own state root: $XDG_RUNTIME_DIR/ctvm, else $TMPDIR/ctvm-<uid>. */
export function userStateRoot(): string {
  const xdg = process.env.XDG_RUNTIME_DIR;
  return xdg ? join(xdg, 'ctvm') : join(tmpdir(), `ctvm-${process.geteuid?.() ?? 'user'}`);
}

/** Why `path` is not a private dir of ours (lstat: a symlink is not one), or undefined if it is. */
export function privateDirProblem(path: string): string | undefined {
  const st = lstatSync(path);
  if (!st.isDirectory()) return 'not a directory (or a symlink)';
  if (st.uid !== process.geteuid?.()) return `owned by uid ${st.uid}`;
  if ((st.mode & 0o022) !== 0) return `writable by others (mode ${(st.mode & 0o7777).toString(8)})`;
  return undefined;
}
