// One run's use of a Docker daemon: opened before the first image import, closed after the last
// instance (the Environment's open/close hooks). Sessions for the same daemon are shared within
// the process and counted, so two `docker` entries of one scenario use one dockerd. Closing the
// last user stops ctvm's own dockerd and removes all of its state; for a daemon the user named,
// only what ctvm created there (its images, any container of ours left) is removed.
import { HostError } from '../../errors.js';
import { DockerApi } from './api.js';
import {
  createDaemonDir,
  DOCKER_CGROUP_PARENT,
  ownedSocket,
  startDockerd,
  teardown,
  type DaemonDir,
} from './daemon.js';
import { writeRecord } from '../container/state-dir.js';

export interface DockerSession {
  readonly owned: boolean;
  readonly socketPath: string;
  /** For the client's --host. */
  readonly host: string;
  readonly api: DockerApi;
  /** The session's state dir: the client's DOCKER_CONFIG (and, owned, the daemon's roots). */
  readonly dir: string;
  /** The state dir's name: labels this session's containers (`ctvm.session=<key>`). */
  readonly key: string;
  /** Cgroup parent of this session's instances, below each hierarchy ('ctvm-docker/<key>'). */
  readonly cgroupParent: string;
  /** dockerd's pid when ctvm started it (its PSS and containerd's are the engine figure). */
  readonly dockerdPid: number | undefined;
  /** Host wall clock minus CLOCK_MONOTONIC, ns: turns dockerd's event times into ours. */
  readonly wallMinusMonoNs: number;
  /** The daemon's version and storage driver, for the results. */
  readonly facts: Record<string, string>;
  /** Records an image ctvm imported (removed at close on a daemon ctvm does not own). */
  imported(ref: string): void;
}

interface Entry {
  session: Promise<DockerSession>;
  users: number;
  daemon: DaemonDir;
}

const sessions = new Map<string, Entry>();
let exitHooked = false;

/** The session for the daemon on `wanted` (target.ts's requestedSocket), or for ctvm's own. */
export async function openSession(wanted: string | undefined): Promise<DockerSession> {
  const key = wanted ?? '(owned)';
  let entry = sessions.get(key);
  if (!entry) {
    const daemon = createDaemonDir(wanted ? 'external' : 'owned', wanted);
    const session = start(daemon, wanted);
    entry = { session, users: 0, daemon };
    sessions.set(key, entry);
    hookExit();
    session.catch(() => sessions.get(key) === entry && sessions.delete(key));
  }
  entry.users++;
  try {
    return await entry.session;
  } catch (err) {
    entry.users--;
    throw err;
  }
}

/** Releases one user; the last one stops/cleans as described above. Idempotent per session. */
export async function closeSession(s: DockerSession): Promise<void> {
  for (const [key, entry] of sessions) {
    if (entry.daemon.dir !== s.dir) continue;
    if (--entry.users > 0) return;
    sessions.delete(key);
    await finish(s, entry.daemon);
    return;
  }
}

/** Daemon dirs of this process's open sessions (tests and gc look for strays). */
export function openSessionDirs(): string[] {
  return [...sessions.values()].map((e) => e.daemon.dir);
}

async function start(daemon: DaemonDir, external: string | undefined): Promise<DockerSession> {
  const socketPath = external ?? ownedSocket(daemon.dir);
  const api = new DockerApi(socketPath);
  try {
    if (external) {
      if (!(await api.ping()))
        throw new HostError(`no Docker daemon answers on ${socketPath}`, {
          hint: 'start it, fix the `host` option / DOCKER_HOST, or unset both so ctvm starts its own dockerd',
        });
    } else await startDockerd(daemon);
    const info = await api.json<{ CgroupDriver?: string; Driver?: string; ServerVersion?: string }>(
      'GET',
      '/info',
    );
    // Instances are found (memory, CPU, cleanup) in cgroups ctvm names with --cgroup-parent.
    if (info.CgroupDriver !== 'cgroupfs')
      throw new HostError(`the Docker daemon on ${socketPath} uses the ${info.CgroupDriver} cgroup driver`, {
        hint: 'ctvm measures docker instances in cgroups it names, which needs a cgroupfs-driver daemon; unset `host`/DOCKER_HOST to use ctvm’s own',
      });
    return {
      owned: !external,
      socketPath,
      host: `unix://${socketPath}`,
      api,
      dir: daemon.dir,
      key: daemon.key,
      cgroupParent: `${DOCKER_CGROUP_PARENT}/${daemon.key}`,
      dockerdPid: external ? undefined : daemon.record.dockerdPid,
      wallMinusMonoNs: wallMinusMono(),
      facts: {
        daemon: external ? `external (${socketPath})` : 'ctvm-owned dockerd',
        serverVersion: info.ServerVersion ?? '?',
        storageDriver: info.Driver ?? '?',
        cgroupDriver: info.CgroupDriver,
      },
      imported: (ref) => {
        if (!external) return; // the owned daemon's whole data-root goes at close
        daemon.record.images.push(ref);
        writeRecord(daemon.dir, daemon.record);
      },
    };
  } catch (err) {
    await teardown(daemon.dir, daemon.record);
    throw err;
  }
}

async function finish(s: DockerSession, daemon: DaemonDir): Promise<void> {
  if (!s.owned) {
    // Containers of ours still there (a killed client), then the images ctvm imported itself.
    for (const name of await s.api.containersLabelled(`ctvm.session=${daemon.key}`).catch(() => []))
      await s.api.forceRemove(name).catch(() => undefined);
    for (const ref of daemon.record.images) await s.api.removeImage(ref).catch(() => undefined);
  }
  await teardown(daemon.dir, daemon.record);
}

/** Last resort when the process exits without closing: dockerd is told to stop (gc does the rest). */
function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.once('exit', () => {
    for (const e of sessions.values()) {
      const pid = e.daemon.record.dockerdPid;
      if (pid === undefined) continue;
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        /* gone */
      }
    }
  });
}

/** CLOCK_REALTIME - CLOCK_MONOTONIC in ns, read at a millisecond edge of Date.now() (±~10 µs). */
function wallMinusMono(): number {
  const t0 = Date.now();
  let t = t0;
  while (t === t0) t = Date.now();
  return t * 1e6 - Number(process.hrtime.bigint());
}
