// Where the resident launcher's socket lives, and how dead launchers' dirs are removed. The dirs
// are STATE_DIR/launch.d/<pid>-<startTicks>-<n>/launch.sock: inside ctvm's own state dir (root's,
// 0700), never in the world-writable $TMPDIR, and named after their owner so a dead owner is told
// from a live one without guessing from ages. Removal takes only what ctvm created and never
// follows a symlink: every path component above an entry is checked to be a dir of ours that
// nobody else may write (so nobody can swap it), entries are checked with lstat, and only
// unlink(launch.sock) + rmdir are used, neither of which follows a symlink in the last component.
import { accessSync, constants, lstatSync, mkdirSync, readdirSync, rmdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage, HostError } from '../../errors.js';
import { STATE_DIR } from '../../paths.js';
import { privateDirProblem, SUN_PATH_MAX_BYTES, userStateRoot } from '../../util/private-dir.js';
import { processStartTicks } from '../container/state-dir.js';

/** Not a valid container name ([a-z0-9-]), so it never clashes with an instance's state dir. */
export const LAUNCH_DIR = 'launch.d';
export const LAUNCH_SOCKET = 'launch.sock';
const ENTRY = /^(\d+)-(\d+)-(\d+)$/;

const SELF_START_TICKS = processStartTicks(process.pid) ?? 0;
let created = 0;

export interface LauncherDir {
  dir: string;
  socketPath: string;
}

/**
 * STATE_DIR for root; userStateRoot() for a caller (bare launches need no root) that may not
 * create or write it.
 */
export function launcherStateRoot(): string {
  if (process.geteuid?.() === 0) return STATE_DIR;
  try {
    mkdirSync(STATE_DIR, { recursive: true, mode: 0o700 });
    accessSync(STATE_DIR, constants.W_OK);
    return STATE_DIR;
  } catch {
    return userStateRoot();
  }
}

/** A fresh socket dir for this process's launcher (a new one per server it starts). */
export function createLauncherDir(stateRoot = launcherStateRoot()): LauncherDir {
  const root = launchRoot(stateRoot);
  const dir = join(root, `${process.pid}-${SELF_START_TICKS}-${created++}`);
  const socketPath = join(dir, LAUNCH_SOCKET);
  if (Buffer.byteLength(socketPath) > SUN_PATH_MAX_BYTES)
    throw new HostError(
      `launcher socket path ${socketPath} is ${Buffer.byteLength(socketPath)} bytes; a unix socket path holds at most ${SUN_PATH_MAX_BYTES}`,
      { hint: 'set CTVM_STATE_DIR to a shorter path' },
    );
  mkdirSync(dir, { mode: 0o700 });
  return { dir, socketPath };
}

/** STATE_DIR/launch.d, created 0700; refuses a dir that is a symlink, not ours or writable by others. */
export function launchRoot(stateRoot = STATE_DIR): string {
  mkdirSync(stateRoot, { recursive: true, mode: 0o700 });
  assertPrivateDir(stateRoot);
  const root = join(stateRoot, LAUNCH_DIR);
  try {
    mkdirSync(root, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  assertPrivateDir(root);
  return root;
}

function assertPrivateDir(path: string): void {
  const why = privateDirProblem(path);
  if (why)
    throw new HostError(`${path} is ${why}: ctvm keeps its launcher sockets only in a private dir`, {
      hint: 'remove it (ctvm creates it 0700), or set CTVM_STATE_DIR to a dir only you can write',
    });
}

/**
 * Removes the socket dirs whose owner process is gone (SIGKILLed before its 'exit' handler ran),
 * except `keep`. Never throws: anything it refuses or fails to remove is reported once through
 * `warn` (the first problem and how many there were). Returns the paths it removed.
 */
export function reapLauncherDirs(opts: {
  stateRoot?: string;
  keep?: string;
  warn: (message: string) => void;
}): string[] {
  const removed: string[] = [];
  const problems: string[] = [];
  const stateRoot = opts.stateRoot ?? launcherStateRoot();
  const root = join(stateRoot, LAUNCH_DIR);
  try {
    assertPrivateDir(stateRoot);
    assertPrivateDir(root);
    for (const name of readdirSync(root)) {
      const path = join(root, name);
      const m = ENTRY.exec(name);
      if (path === opts.keep) continue;
      if (!m) {
        problems.push(`${path}: not a launcher dir name; left alone`);
        continue;
      }
      if (processStartTicks(Number(m[1])) === Number(m[2])) continue; // its owner is alive
      try {
        removeLauncherDir(path);
        removed.push(path);
      } catch (err) {
        problems.push(`${path}: ${errorMessage(err)}`);
      }
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') problems.push(`${root}: ${errorMessage(err)}`);
  }
  if (problems.length > 0)
    opts.warn(
      `stale launcher dirs not removed: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`,
    );
  return removed;
}

/**
 * Removes one launcher dir: a real dir of ours holding nothing but the socket (or nothing).
 * Anything else (a symlink, another owner, a regular file named launch.sock, extra entries) is
 * refused with an Error naming what was found; nothing is followed and nothing else is touched.
 */
export function removeLauncherDir(dir: string): void {
  const st = lstatSync(dir);
  if (!st.isDirectory()) throw new Error('not a real directory (a symlink?); refused');
  if (st.uid !== process.geteuid?.()) throw new Error(`owned by uid ${st.uid}, not us; refused`);
  const names = readdirSync(dir);
  const extra = names.filter((n) => n !== LAUNCH_SOCKET);
  if (extra.length > 0)
    throw new Error(`holds ${extra.slice(0, 3).join(', ')}, not only ${LAUNCH_SOCKET}; refused`);
  if (names.length > 0) {
    const sock = join(dir, LAUNCH_SOCKET);
    if (!lstatSync(sock).isSocket()) throw new Error(`${LAUNCH_SOCKET} is not a socket; refused`);
    unlinkSync(sock);
  }
  rmdirSync(dir);
}
