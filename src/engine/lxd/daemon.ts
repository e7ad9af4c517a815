// ctvm's own LXD daemon: one per run (not per sample), with its own LXD_DIR and client config under
// ctvm's state (/run/ctvm-lxd/<id>, see LXD_STATE_ROOT), a preseed with a `dir` storage pool, no managed network
// (no lxdbr0: the host's interfaces are never touched) and a default profile holding only a root
// disk. The daemon runs in a network namespace of its own (`unshare --net`): it needs only its
// unix socket, and its start-up download of instance types then cannot leave the host. It dies
// with its owner (PR_SET_PDEATHSIG); what it leaves after a SIGKILL is `ctvm gc`'s (gc.ts).
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, readdirSync, rmSync, rmdirSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { HostError, errorMessage } from '../../errors.js';
import { STATE_DIR } from '../../paths.js';
import { which } from '../../util/which.js';
import { dieWithOwner } from '../../util/die-with-owner.js';
import { selfOwner, writeRecord, type OwnerIdentity } from '../container/state-dir.js';
import { mountsBelow } from '../container/gc.js';
import { cleanLxcTraces } from '../lxc/environment.js';

/**
 * Every daemon's dir is below this one: next to STATE_DIR (/run/ctvm-lxd), not inside it, because
 * an unprivileged container's root (uid 100000 on this host, from /etc/subuid) must traverse every directory above
 * its rootfs ("Could not access /run/ctvm. Please grant it x access", liblxc) and STATE_DIR is
 * 0700. This root is 0711 (traverse, no listing), as LXD's own /var/lib/lxd; removed when empty.
 */
export const LXD_STATE_ROOT = `${STATE_DIR}-lxd`;
/** How long the daemon may take to answer on its socket (it is ~1-3 s on a busy 2-core host). */
const READY_TIMEOUT_S = 60;

/** The preseed: a `dir` pool, no network, a default profile with only a root disk. */
export const LXD_PRESEED = [
  'config:',
  '  images.auto_update_interval: "0"',
  'networks: []',
  'storage_pools:',
  '- name: default',
  '  driver: dir',
  'profiles:',
  '- name: default',
  '  devices:',
  '    root:',
  '      path: /',
  '      pool: default',
  '      type: disk',
  '',
].join('\n');

export interface LxdOwnerRecord extends OwnerIdentity {
  format: 1;
  daemonPid: number;
  createdAt: string;
}

/** The environment of every lxd/lxc command aimed at the daemon in `dir` (never ~/.config). */
export function lxdEnv(dir: string): Record<string, string> {
  return { LXD_DIR: dir, LXD_CONF: join(dir, 'client'), PATH: '/usr/sbin:/usr/bin:/sbin:/bin' };
}

export interface LxdDaemon {
  readonly dir: string;
  readonly pid: number;
  readonly env: Record<string, string>;
  /** `lxc ARGS` against this daemon; throws with LXD's own message on failure. */
  lxc(args: string[], opts?: { timeoutMs?: number; input?: string }): Promise<string>;
  /** Idempotent: deletes every instance, `lxd shutdown`, then removes the state dir and mounts. */
  stop(): Promise<void>;
  /** Synchronous last resort (process exit): SIGKILL the daemon and its instances, remove the dir. */
  killSync(): void;
}

let seq = 0;

export function lxdBinaries(): { lxd: string; lxc: string } {
  const lxd = which('lxd') ?? which('/usr/sbin/lxd') ?? which('/usr/bin/lxd');
  const lxc = which('lxc') ?? which('/usr/bin/lxc');
  if (!lxd || !lxc) throw new HostError('lxd not installed', { hint: 'apt-get install lxd' });
  return { lxd, lxc };
}

/** Starts a daemon in a fresh dir below LXD_STATE_ROOT and applies the preseed. */
export async function startLxdDaemon(tag = 'run'): Promise<LxdDaemon> {
  const bin = lxdBinaries();
  const unshare = which('unshare');
  if (!unshare) throw new HostError('unshare not found', { hint: 'apt-get install util-linux' });
  mkdirSync(LXD_STATE_ROOT, { recursive: true, mode: 0o711 });
  chmodSync(LXD_STATE_ROOT, 0o711); // whatever the umask
  const dir = join(LXD_STATE_ROOT, `${tag}-${process.pid}-${seq++}`);
  mkdirSync(dir, { mode: 0o711 }); // LXD wants to traverse it as the containers' mapped root
  const env = lxdEnv(dir);
  mkdirSync(env.LXD_CONF!, { mode: 0o700 });
  const log = join(dir, 'lxd.log');
  // PRIVILEGED: lxd needs root; its own netns (only loopback) keeps it off the host's network.
  const cmd = dieWithOwner(unshare, ['--net', '--', bin.lxd, '--group', 'root', '--logfile', log]);
  const child: ResultPromise = execa(cmd.file, cmd.args, {
    env,
    extendEnv: false,
    stdio: 'ignore',
    reject: false,
    detached: false,
  });
  child.catch(() => undefined);
  const pid = child.pid;
  if (pid === undefined) throw new HostError(`cannot spawn ${bin.lxd}`);
  child.unref();
  const record: LxdOwnerRecord = {
    format: 1,
    ...selfOwner(),
    daemonPid: pid,
    createdAt: new Date().toISOString(),
  };
  writeRecord(dir, record);
  const run = async (file: string, args: string[], o: { timeoutMs?: number; input?: string } = {}) => {
    const r = await execa(file, args, {
      env,
      extendEnv: false,
      reject: false,
      timeout: o.timeoutMs ?? 120_000,
      ...(o.input !== undefined ? { input: o.input } : { stdin: 'ignore' }),
    });
    if (r.exitCode !== 0) {
      const why = (r.stderr || r.stdout || `exit ${r.exitCode}`).trim().split('\n').pop()!;
      throw new HostError(`${file.split('/').pop()} ${args.slice(0, 2).join(' ')}: ${why}`);
    }
    return r.stdout;
  };
  let stopping: Promise<void> | undefined;
  const daemon: LxdDaemon = {
    dir,
    pid,
    env,
    lxc: (args, o) => run(bin.lxc, args, o),
    stop: () =>
      (stopping ??= (async () => {
        try {
          const names = (await run(bin.lxc, ['list', '--format', 'csv', '-c', 'n'], { timeoutMs: 30_000 }))
            .split('\n')
            .filter(Boolean);
          if (names.length) await run(bin.lxc, ['delete', '--force', ...names], { timeoutMs: 60_000 });
          await run(bin.lxd, ['shutdown', '--timeout', '30'], { timeoutMs: 40_000 });
        } catch {
          /* the daemon is gone or stuck: the kill below settles it */
        }
        process.off('exit', onExit);
        removeLxdDir(dir, pid);
      })()),
    killSync: () => removeLxdDir(dir, pid),
  };
  const onExit = (): void => daemon.killSync();
  process.on('exit', onExit);
  try {
    // Ready, or the daemon's own end (it refuses to run here): whichever comes first.
    const died = child.then((r) => {
      throw new Error(`lxd exited before it was ready (${r.signal ?? `exit ${r.exitCode}`})`);
    });
    died.catch(() => undefined); // it ends that way after every stop too
    await Promise.race([
      run(bin.lxd, ['waitready', '--timeout', String(READY_TIMEOUT_S)], {
        timeoutMs: (READY_TIMEOUT_S + 5) * 1000,
      }),
      died,
    ]);
    await run(bin.lxd, ['init', '--preseed'], { input: LXD_PRESEED, timeoutMs: 60_000 });
  } catch (err) {
    await daemon.stop();
    throw new HostError(`lxd: the daemon did not come up: ${errorMessage(err)}; ${logTail(log)}`, {
      hint: `LXD's log was ${log} (removed with its state)`,
    });
  }
  return daemon;
}

/** The last lines of LXD's log that say something went wrong (for error messages). */
export function logTail(log: string): string {
  try {
    const bad = readFileSync(log, 'utf8')
      .split('\n')
      .filter((l) => /lvl=(eror|crit)|level=(error|fatal)|Error:/i.test(l));
    return bad.length ? `lxd.log: ${bad.slice(-2).join(' | ')}` : 'lxd.log: no error line';
  } catch {
    return 'no lxd.log';
  }
}

/** Processes whose command line names `dir`: the daemon, `[lxc monitor] DIR/containers NAME`,
 * `lxd forkexec NAME DIR/containers ...`. Found by /proc scan, never by a broad name. */
export function processesNaming(dir: string): number[] {
  const out: number[] = [];
  for (const p of readdirSafe('/proc')) {
    if (!/^\d+$/.test(p) || Number(p) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
      if (cmd.some((a) => a === dir || a.startsWith(dir + '/'))) out.push(Number(p));
    } catch {
      /* gone */
    }
  }
  return out;
}

/** Container names in the daemon's dir (`DIR/containers/<name>`). */
export function containerNames(dir: string): string[] {
  return readdirSafe(join(dir, 'containers'));
}

/** PRIVILEGED: SIGKILLs the daemon and whatever names its dir, kills the containers' cgroups,
 * detaches every mount below the dir and removes it. Synchronous (also used on process exit). */
export function removeLxdDir(dir: string, daemonPid?: number): void {
  const names = containerNames(dir);
  const kill = (pid: number) => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  };
  // The daemon first (it would restart what we kill), if its pid is still ours: it names `dir`.
  const named = processesNaming(dir);
  if (daemonPid !== undefined && named.includes(daemonPid)) kill(daemonPid);
  for (let round = 0; round < 3; round++) {
    const pids = processesNaming(dir);
    for (const name of names)
      pids.push(...cgroupPids(`lxc.payload.${name}`), ...cgroupPids(`lxc.monitor.${name}`));
    if (pids.length === 0) break;
    pids.forEach(kill);
    sleepSync(50);
  }
  for (const name of names) removeLxcCgroups(name);
  // liblxc's lock dirs mirror the lxcpath (DIR/containers) under /run/lxc/lock; and lxc.pivot.
  cleanLxcTraces(join(dir, 'containers'));
  for (const mp of mountsBelow(dir)) {
    try {
      execFileSync('umount', ['-l', mp], { stdio: 'ignore' }); // PRIVILEGED: CAP_SYS_ADMIN
    } catch {
      /* already gone */
    }
  }
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  try {
    rmdirSync(LXD_STATE_ROOT); // only when empty: another run's daemon may live there
  } catch {
    /* not empty or absent */
  }
}

/** Every cgroup dir named `name` at the top of a hierarchy (v1 controllers, v2 root, unified). */
function cgroupDirs(name: string): string[] {
  const roots = ['/sys/fs/cgroup', ...readdirSafe('/sys/fs/cgroup').map((h) => `/sys/fs/cgroup/${h}`)];
  return roots.map((r) => join(r, name));
}

function cgroupPids(name: string): number[] {
  const out: number[] = [];
  for (const d of cgroupDirs(name)) {
    try {
      for (const l of readFileSync(join(d, 'cgroup.procs'), 'utf8').split('\n')) if (l) out.push(Number(l));
    } catch {
      /* no such cgroup in this hierarchy */
    }
  }
  return [...new Set(out)];
}

/** LXC's per-container cgroups, sub-cgroups first (LXD's containers are LXC containers). */
export function removeLxcCgroups(name: string): void {
  for (const top of [`lxc.payload.${name}`, `lxc.monitor.${name}`])
    for (const d of cgroupDirs(top)) rmdirTree(d);
}

function rmdirTree(d: string): void {
  for (const e of readdirEntries(d)) if (e.isDirectory()) rmdirTree(join(d, e.name));
  try {
    rmdirSync(d); // a cgroup dir goes with rmdir(2) once it has no sub-cgroups and no processes
  } catch {
    /* absent or busy */
  }
}

function readdirEntries(p: string): Dirent[] {
  try {
    return readdirSync(p, { withFileTypes: true });
  } catch {
    return [];
  }
}

function readdirSafe(p: string): string[] {
  try {
    return readdirSync(p);
  } catch {
    return [];
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
