// The one place that starts build/ctvm-nsexec: once per Node process, as the resident launcher
// `ctvm-nsexec serve SOCK` (native/README.md, protocol v2). Every launch is then a request on its
// stdin and a fork of that small static process (~0.1 ms) instead of a Node spawn (~10 ms here).
import { fstatSync, mkdtempSync, rmSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { execa } from 'execa';
import { HostError } from '../../errors.js';
import { BUILD_DIR } from '../../paths.js';
import type { OutputMode, StatusMessage } from './nsexec-protocol.js';
import { LauncherSession, type LaunchEnd } from './nsexec-session.js';

export const NSEXEC_PATH = join(BUILD_DIR, 'ctvm-nsexec');

export type { OutputMode } from './nsexec-protocol.js';
export type { LaunchEnd } from './nsexec-session.js';

export interface NsexecProcess {
  /** The launcher's pid (with no namespaces and no root: the command itself). */
  readonly helperPid: Promise<number>;
  /** The command's stdout/stderr when piped. */
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  /** Resolves when the launcher is reaped AND its status stream is drained. Never rejects. */
  readonly done: Promise<LaunchEnd>;
  kill(signal: NodeJS.Signals): void;
}

let current: { session: LauncherSession; serverPid: number; dir: string } | undefined;

export function spawnNsexec(
  args: string[],
  opts: { stdout: OutputMode; stderr: OutputMode; onStatus: (m: StatusMessage) => void },
): NsexecProcess {
  const l = launcher().launch(args, opts);
  return { helperPid: l.pid, stdout: l.stdout, stderr: l.stderr, done: l.done, kill: l.kill };
}

/** The resident server if one is running (tests check its pid and socket dir; nothing else needs it). */
export function nsexecServer(): { pid: number; socketDir: string } | undefined {
  return current && !current.session.gone ? { pid: current.serverPid, socketDir: current.dir } : undefined;
}

/** How this process's launches were served so far: by an idle spare, or by a fork (benches). */
export function nsexecLaunchCounts(): { spare: number; forked: number } {
  return { ...(current?.session.counts ?? { spare: 0, forked: 0 }) };
}

/** The running session, or a new one if there is none or its server died. */
function launcher(): LauncherSession {
  if (current && !current.session.gone) return current.session;
  if (!existsSync(NSEXEC_PATH)) throw new HostError(`${NSEXEC_PATH} is not built`, { hint: 'npm run setup' });
  const dir = mkdtempSync(join(tmpdir(), 'ctvm-nsexec-')); // 0700: only we (root) connect
  const sockPath = join(dir, 'launch.sock');
  const sockets = createServer();
  sockets.listen(sockPath); // bound synchronously: launchers may connect right away
  sockets.unref();
  // PRIVILEGED: the launchers need root (CAP_SYS_ADMIN for clone/mount/pivot_root, cgroup writes).
  const child = execa(NSEXEC_PATH, ['serve', sockPath], {
    // fd 3 (NSEXEC_INHERIT_FD) = our stdout, for launches whose output mode is 'inherit'.
    stdio: ['pipe', 'pipe', 'inherit', stdoutOpen() ? 1 : 'ignore'],
    buffer: false,
    reject: false,
    env: {},
    extendEnv: false,
  });
  if (child.pid === undefined) throw new HostError(`cannot spawn ${NSEXEC_PATH}`);
  const stdin = child.stdin!;
  const stdout = child.stdout!;
  // An idle launcher never keeps Node alive; pending launches do (through the reply pipe).
  child.unref();
  stdin.on('error', () => undefined); // EPIPE after the server died: reported via stdout EOF
  (stdin as unknown as { unref(): void }).unref();
  const ref = stdout as unknown as { ref(): void; unref(): void };
  ref.unref();
  const session = new LauncherSession(stdin, stdout, sockets, (busy) => (busy ? ref.ref() : ref.unref()));
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
  process.once('exit', cleanup);
  const serverPid = child.pid;
  stdout.once('close', () => {
    session.fail(`ctvm-nsexec serve (pid ${serverPid}) exited; the launches it was running are lost`);
    sockets.close();
    cleanup();
    process.off('exit', cleanup);
  });
  current = { session, serverPid, dir };
  return session;
}

function stdoutOpen(): boolean {
  try {
    fstatSync(1);
    return true;
  } catch {
    return false;
  }
}
