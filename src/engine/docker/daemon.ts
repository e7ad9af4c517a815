// ctvm's own dockerd, one per run: its data-root, exec-root, pidfile, socket and log live in
// STATE_DIR/docker.d/<owner pid>-<start ticks>-<n>/ (not a container name, so container gc leaves
// it to docker/gc.ts), with no host networking (no iptables, masquerade, forwarding, bridge or
// proxy), the cgroupfs driver (as ctvm's engine and the OCI rows manage cgroups) and its
// containers' cgroups below ctvm-docker/<dir name>/. dockerd starts its own containerd, whose
// state is under the exec-root too. The record (owner.json) lets `ctvm gc` stop a daemon whose
// ctvm was SIGKILLed; teardown() is the one cleanup both paths use.
import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  rmdirSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { HostError } from '../../errors.js';
import { STATE_DIR } from '../../paths.js';
import { SUN_PATH_MAX_BYTES } from '../../util/private-dir.js';
import { cgroupMountPoints, cgroupTree, pruneEmptyParents, rmdirCgroup } from '../container/cgroup/fs.js';
import { selectCgroupDriver } from '../container/cgroup/select.js';
import { mountsBelow } from '../container/gc.js';
import { processStartTicks, selfOwner, writeRecord, type OwnerIdentity } from '../container/state-dir.js';
import { detectHostCgroups } from '../../host/cgroup-mode.js';
import { pidsReferring } from '../vm/gc.js';
import { processTree } from '../bare/proc-tree.js';
import { DockerApi } from './api.js';
import { dockerdPath } from './target.js';

/** Per-daemon dirs; the `.d` keeps it out of the container state dirs' namespace. */
export const DOCKER_STATE_DIR = join(STATE_DIR, 'docker.d');
/** Cgroup parent of every docker instance ctvm runs (per daemon below it). */
export const DOCKER_CGROUP_PARENT = 'ctvm-docker';

/**
 * Paths dockerd/containerd make outside their configured roots (ENGINES.md and seen here): the
 * plugin dir, containerd's shim socket dir, dockerd 20.10's identity key (no flag moves it).
 * Removed after the last of ctvm's daemons when one of them found them absent; dirs only when
 * empty (another Docker on the host may use them). Files before their dirs.
 */
export const HOST_TRACES = [
  '/etc/docker/key.json',
  '/etc/docker',
  '/run/docker/plugins',
  '/run/docker',
  '/run/containerd/s',
  '/run/containerd',
];

/**
 * The HOST_TRACES some ctvm dockerd found absent, kept until the last daemon is gone. One list for
 * every daemon, not one per record: while two overlap (two runs, or a run and doctor's check), the
 * second finds the first's traces present, and once the first stops its containerd makes them
 * again. One empty file per listed path (its name the path, URI-encoded): two daemons adding at
 * the same instant lose nothing, as they could with one file read, changed and written back.
 * Outside docker.d, whose entries are all daemon dirs; the '.' keeps it out of the container
 * state dirs' namespace.
 */
export const DOCKER_TRACES_DIR = join(STATE_DIR, 'docker-traces.d');
/** The list as one JSON file (one earlier version): still read, and folded into the dir. */
const LEGACY_TRACES_FILE = join(STATE_DIR, 'docker-traces.json');

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;

export interface DaemonRecord extends OwnerIdentity {
  format: 1;
  kind: 'owned' | 'external';
  /** The external daemon's socket (kind external). */
  socketPath?: string;
  dockerdPid?: number;
  dockerdStartTicks?: number;
  /** Records before the shared list (DOCKER_TRACES_DIR) carried their own; gc still honours it. */
  traces?: string[];
  /** Images this ctvm imported into an external daemon (removed after the run). */
  images: string[];
  createdAt: string;
}

export interface DaemonDir {
  dir: string;
  /** Its name: also the cgroup dir below DOCKER_CGROUP_PARENT. */
  key: string;
  record: DaemonRecord;
}

let created = 0;

/** A fresh STATE_DIR/docker.d/<key> with its record. */
export function createDaemonDir(kind: DaemonRecord['kind'], socketPath?: string): DaemonDir {
  mkdirSync(DOCKER_STATE_DIR, { recursive: true, mode: 0o700 });
  const self = selfOwner();
  const key = `${self.ownerPid}-${self.ownerStartTicks}-${created++}`;
  const dir = join(DOCKER_STATE_DIR, key);
  mkdirSync(dir, { mode: 0o700 });
  const record: DaemonRecord = {
    format: 1,
    kind,
    ...self,
    ...(socketPath ? { socketPath } : {}),
    images: [],
    createdAt: new Date().toISOString(),
  };
  writeRecord(dir, record);
  if (kind === 'owned') noteHostTraces(HOST_TRACES.filter((p) => !existsSync(p)));
  return { dir, key, record };
}

export function readDaemonRecord(dir: string): DaemonRecord | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'owner.json'), 'utf8')) as DaemonRecord;
  } catch {
    return undefined;
  }
}

export const ownedSocket = (dir: string): string => join(dir, 'docker.sock');

/** dockerd's command line for a daemon dir (exported for tests and the README). */
export function dockerdArgs(dir: string, key: string): string[] {
  return [
    '--data-root',
    join(dir, 'data'),
    '--exec-root',
    join(dir, 'exec'),
    '--pidfile',
    join(dir, 'dockerd.pid'),
    '--host',
    `unix://${ownedSocket(dir)}`,
    // An empty config, so the host's /etc/docker/daemon.json (a user's Docker) is not read.
    '--config-file',
    join(dir, 'daemon.json'),
    // No change to the host's network: no rules, no NAT, no forwarding, no docker0, no proxies.
    '--iptables=false',
    '--ip6tables=false',
    '--ip-masq=false',
    '--ip-forward=false',
    '--bridge=none',
    '--userland-proxy=false',
    '--exec-opt',
    'native.cgroupdriver=cgroupfs',
    '--cgroup-parent',
    `/${DOCKER_CGROUP_PARENT}/${key}`,
  ];
}

/**
 * Starts dockerd for `d` and waits until its API answers. On failure everything is torn down and
 * the error carries the tail of dockerd's log.
 */
export async function startDockerd(d: DaemonDir): Promise<void> {
  const exe = dockerdPath();
  if (!exe) throw new HostError('dockerd not installed', { hint: 'apt-get install docker.io' });
  const sock = ownedSocket(d.dir);
  // containerd's socket is the longest path dockerd makes below the exec-root.
  const longest = join(d.dir, 'exec', 'containerd', 'containerd.sock');
  if (Buffer.byteLength(longest) > SUN_PATH_MAX_BYTES)
    throw new HostError(`dockerd socket path ${longest} is longer than ${SUN_PATH_MAX_BYTES} bytes`, {
      hint: 'set CTVM_STATE_DIR to a shorter path',
    });
  writeFileSync(join(d.dir, 'daemon.json'), '{}\n');
  const log = openSync(join(d.dir, 'dockerd.log'), 'a', 0o600);
  // Detached: a terminal's Ctrl-C reaches ctvm, which stops the daemon after its instances.
  const child = spawn(exe, dockerdArgs(d.dir, d.key), {
    detached: true,
    stdio: ['ignore', log, log],
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
  });
  closeSync(log);
  child.unref();
  let exited: string | undefined;
  child.once(
    'exit',
    (code, signal) => (exited = signal ? `killed by ${signal}` : `exited with code ${code}`),
  );
  child.once('error', (err) => (exited = err.message));
  if (child.pid !== undefined) {
    d.record.dockerdPid = child.pid;
    d.record.dockerdStartTicks = processStartTicks(child.pid);
    writeRecord(d.dir, d.record);
  }
  const api = new DockerApi(sock);
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!exited && Date.now() < deadline) {
    if (existsSync(sock) && (await api.ping(1000))) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  const why = exited ?? `did not answer on ${sock} within ${START_TIMEOUT_MS / 1000} s`;
  const tail = logTail(d.dir);
  await teardown(d.dir, d.record);
  throw new HostError(`dockerd ${why}${tail ? `; its log ends: ${tail}` : ''}`, {
    hint: 'run `ctvm doctor` for the docker line',
  });
}

/** The last lines of dockerd's log, joined (for error messages and doctor). */
export function logTail(dir: string, lines = 3): string {
  try {
    return readFileSync(join(dir, 'dockerd.log'), 'utf8')
      .trim()
      .split('\n')
      .slice(-lines)
      .join(' | ')
      .slice(0, 600);
  } catch {
    return '';
  }
}

/**
 * Stops what a daemon dir's dockerd left running and removes every trace of it: dockerd (SIGTERM,
 * then SIGKILL), containerd and the shims (they name the dir on their command lines), container
 * processes (its cgroups), mounts below the dir, the dir itself, and the host-wide dirs it made.
 * Used after a run and by `ctvm gc`. An external daemon's dir holds only the client's config.
 */
export async function teardown(dir: string, record: DaemonRecord | undefined): Promise<string[]> {
  const killed: number[] = [];
  const key = dir.split('/').pop()!;
  const parent = `${DOCKER_CGROUP_PARENT}/${key}`;
  const facts = detectHostCgroups();
  const driver = facts.driver ? selectCgroupDriver(facts, { parent }) : undefined;
  // Containers first (they are ours, in our cgroups): dockerd then has none to stop, which on
  // SIGTERM would take it up to its 15 s shutdown timeout per container.
  for (const name of driver?.list() ?? []) await driver?.open(name)?.killAll();
  const dockerd = record?.dockerdPid;
  if (dockerd !== undefined && processStartTicks(dockerd) === record?.dockerdStartTicks) {
    if (!(await signalAndWait(dockerd, 'SIGTERM', STOP_TIMEOUT_MS)))
      await signalAndWait(dockerd, 'SIGKILL', 5000);
    killed.push(dockerd);
  }
  for (const pid of pidsReferring(dir)) {
    await signalAndWait(pid, 'SIGKILL', 5000);
    killed.push(pid);
  }
  for (const name of driver?.list() ?? []) await driver?.open(name)?.remove(); // kills, then removes
  // runc also makes the path in hierarchies the driver does not manage (name=systemd, ...).
  removeCgroupTrees(parent);
  pruneEmptyParents([DOCKER_CGROUP_PARENT]);
  for (const mp of mountsBelow(dir)) await execa('umount', ['-l', mp], { reject: false }); // PRIVILEGED
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  noteHostTraces(record?.traces ?? []);
  emptyRmdir(DOCKER_STATE_DIR);
  removeHostTraces();
  return killed.map(String);
}

const traceEntry = (p: string) => join(DOCKER_TRACES_DIR, encodeURIComponent(p));

/** The listed paths, in HOST_TRACES order (files before their dirs, dirs before their parents). */
function readHostTraces(): string[] {
  let names: string[] = [];
  try {
    names = readdirSync(DOCKER_TRACES_DIR);
  } catch {
    /* nothing listed */
  }
  const listed = new Set(names.map((n) => decodeURIComponent(n)));
  return HOST_TRACES.filter((p) => listed.has(p));
}

/** Adds `traces` (HOST_TRACES a daemon found absent) to the shared list. */
function noteHostTraces(traces: string[]): void {
  for (const p of [...traces, ...legacyTraces()])
    for (let attempt = 0; ; attempt++)
      try {
        mkdirSync(DOCKER_TRACES_DIR, { recursive: true, mode: 0o700 });
        writeFileSync(traceEntry(p), '');
        break;
      } catch (err) {
        // The last one out removed the emptied dir between the two steps: make it again.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempt === 2) throw err;
      }
  rmSync(LEGACY_TRACES_FILE, { force: true });
}

function legacyTraces(): string[] {
  try {
    const list: unknown = JSON.parse(readFileSync(LEGACY_TRACES_FILE, 'utf8'));
    return Array.isArray(list) ? list.filter((p): p is string => HOST_TRACES.includes(p)) : [];
  } catch {
    return [];
  }
}

/**
 * Once no daemon dir is left (the last one out, or `ctvm gc`), removes the listed traces: files,
 * and dirs that are empty. What cannot go yet (a dir someone fills meanwhile) stays listed.
 */
export function removeHostTraces(): void {
  if (existsSync(DOCKER_STATE_DIR)) return; // another daemon still runs (or awaits gc)
  if (existsSync(LEGACY_TRACES_FILE)) noteHostTraces([]);
  for (const p of readHostTraces()) {
    if (p.endsWith('.json')) rmSync(p, { force: true });
    else emptyRmdir(p);
    if (!existsSync(p)) rmSync(traceEntry(p), { force: true });
  }
  emptyRmdir(DOCKER_TRACES_DIR);
}

/** `<hierarchy>/<parent>` and everything below it, in every hierarchy (empty cgroups only). */
export function removeCgroupTrees(parent: string): void {
  for (const mount of cgroupMountPoints()) {
    const top = join(mount, parent);
    if (!existsSync(top)) continue;
    for (const dir of cgroupTree(top))
      try {
        rmdirCgroup(dir);
      } catch {
        /* a process still in it (EBUSY): teardown's callers report what is left */
      }
  }
}

/** Sends `signal` and waits up to `ms` for the process to be gone; true when it is. */
async function signalAndWait(pid: number, signal: NodeJS.Signals, ms: number): Promise<boolean> {
  const ticks = processStartTicks(pid);
  try {
    process.kill(pid, signal);
  } catch {
    return true;
  }
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (processStartTicks(pid) !== ticks || zombie(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

function zombie(pid: number): boolean {
  try {
    return /^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return true;
  }
}

function emptyRmdir(d: string): void {
  try {
    rmdirSync(d); // ENOTEMPTY / EBUSY while someone uses it: it stays
  } catch {
    /* absent or in use */
  }
}

/** dockerd + the containerd it started (its child): the engine's shared processes. */
export function daemonPids(dockerdPid: number): number[] {
  return processTree(dockerdPid).filter((p) => {
    try {
      return ['dockerd', 'containerd'].includes(readFileSync(`/proc/${p}/comm`, 'utf8').trim());
    } catch {
      return false; // gone meanwhile
    }
  });
}
