// The one place that starts build/ctvm-nsexec: once per Node process, as the resident launcher
// `ctvm-nsexec serve SOCK` (native/README.md, protocol v2). Every launch is then a request on its
// stdin and a fork of that small static process (~0.1 ms) instead of a Node spawn (~10 ms here).
import { existsSync, fstatSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import { errorMessage, HostError } from '../../errors.js';
import { BUILD_DIR } from '../../paths.js';
import { createLauncherDir, reapLauncherDirs, removeLauncherDir } from './launcher-dir.js';
import { LauncherSession, type Launch, type LaunchOptions, type PreparedLaunch } from './nsexec-session.js';

export const NSEXEC_PATH = join(BUILD_DIR, 'ctvm-nsexec');

export type { OutputMode } from './nsexec-protocol.js';
export type { LaunchEnd } from './launch-state.js';

/** One launch: the launcher's pid, the command's piped streams, its end (nsexec-session.ts). */
export type NsexecProcess = Launch;

let current: { session: LauncherSession; serverPid: number; dir: string } | undefined;

export function spawnNsexec(args: string[], opts: LaunchOptions): NsexecProcess {
  const p = prepareNsexec(args, opts);
  p.start();
  return p;
}

/** spawnNsexec without sending the request: `start()` sends it, returning the time just before. */
export function prepareNsexec(args: string[], opts: LaunchOptions): PreparedLaunch {
  return launcher().prepare(args, opts);
}

/**
 * Waits (at most `maxMs`) until the launcher is idle with a full pool of spares, starting it if
 * needed. Environments call it before a launch, outside the measured window.
 */
export function nsexecSettled(maxMs = 200): Promise<void> {
  return launcher().settled(maxMs);
}

/**
 * How the launcher's idle spares are scheduled: 'SCHED_FIFO' where it could raise itself (its
 * stamps are then within microseconds of the events), else 'SCHED_OTHER'. Recorded with results.
 */
export async function nsexecPolicy(): Promise<string> {
  const session = launcher();
  await session.settled(1000);
  for (const pid of session.sparePids()) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const policy = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[41 - 3];
      return POLICIES[Number(policy)] ?? `policy ${policy}`;
    } catch {
      /* taken or gone meanwhile: try the next */
    }
  }
  return 'unknown (no idle launcher)';
}
const POLICIES: Record<number, string> = {
  0: 'SCHED_OTHER',
  1: 'SCHED_FIFO',
  2: 'SCHED_RR',
  3: 'SCHED_BATCH',
};

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
  // In STATE_DIR (root's, 0700): only we (root) connect, and nobody else can plant anything there.
  const { dir, socketPath: sockPath } = createLauncherDir();
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
  const cleanup = (): void => {
    try {
      removeLauncherDir(dir);
    } catch (err) {
      warn(`launcher socket dir ${dir} not removed: ${errorMessage(err)}`);
    }
  };
  process.once('exit', cleanup);
  const serverPid = child.pid;
  stdout.once('close', () => {
    session.fail(`ctvm-nsexec serve (pid ${serverPid}) exited; the launches it was running are lost`);
    sockets.close();
    cleanup();
    process.off('exit', cleanup);
  });
  current = { session, serverPid, dir };
  reapLauncherDirs({ keep: dir, warn });
  return session;
}

function warn(message: string): void {
  console.error(`warning: ${message}`);
}

function stdoutOpen(): boolean {
  try {
    fstatSync(1);
    return true;
  } catch {
    return false;
  }
}
