// `lxc` (Debian's lxc): the workload rootfs through a generated config, run by `lxc-execute`
// (lxc-init as PID 1 execs the workload; the command's exit status is the workload's). Chosen
// over `lxc-start -F` because the workload is one program, not a system with an init: that is
// what lxc-execute is for, and lxc-start would need an /sbin/init in the rootfs. No daemon.
// Started by the resident launcher as bare and oci:* are; its lxcpath is private (the instance's
// dir under ctvm's state), and what LXC leaves in host-wide places is removed after each instance.
import { mkdirSync, rmSync, rmdirSync, writeFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import type { Environment, ExitInfo, Instance, LaunchOptions } from '../environment.js';
import { HostError } from '../../errors.js';
import { STATE_DIR } from '../../paths.js';
import { nsexecPolicy, nsexecSettled } from '../launcher/nsexec-spawn.js';
import { markArgs } from '../../workload/protocol.js';
import { which } from '../../util/which.js';
import { launchBare, launcherEnvArgs } from '../bare/instance.js';
import { detectHostCgroups } from '../../host/cgroup-mode.js';
import { checkWorkloadRootfs } from '../container/spec.js';
import { selfOwner, writeRecord } from '../container/state-dir.js';
import { lxcConfig } from './config.js';

/** Private lxcpath root: one dir per instance below it. */
// The '.d' keeps it apart from container state dirs ([a-z0-9-]): container gc never takes it for one.
export const LXC_STATE_DIR = join(STATE_DIR, 'lxc.d');
/** Where LXC keeps lock files for an lxcpath (it mirrors the path below it). */
const LXC_LOCK_ROOT = '/run/lxc';
/** The cgroup LXC makes in every hierarchy to move itself while it sets up (ENGINES.md). */
const LXC_PIVOT = 'lxc.pivot';

/** Removes LXC's host-wide traces once no instance needs them: empty dirs only, never in use.
 * Besides lxc.pivot, LXC 5 makes `lxc.monitor.<name>` and `lxc.payload.<name>` in every hierarchy
 * and leaves them behind when the container was killed (seen here on the v1 hybrid host). */
export function cleanLxcTraces(lxcpath: string, name?: string): void {
  // LXC mirrors the lxcpath under /run/lxc/lock: ours is ours; its parents go only when empty.
  const lockDir = join(LXC_LOCK_ROOT, 'lock', lxcpath);
  rmSync(lockDir, { recursive: true, force: true });
  for (let d = dirname(lockDir); d.startsWith(LXC_LOCK_ROOT); d = dirname(d)) emptyRmdir(d);
  let hierarchies: string[] = [];
  try {
    hierarchies = readdirSync('/sys/fs/cgroup');
  } catch {
    return;
  }
  const dirs = [LXC_PIVOT, ...(name ? [`lxc.payload.${name}`, `lxc.monitor.${name}`] : [])];
  for (const d of dirs) {
    for (const h of hierarchies) emptyRmdir(join('/sys/fs/cgroup', h, d));
    emptyRmdir(join('/sys/fs/cgroup', d));
  }
}

/** After an instance: its container stopped (a killed lxc-execute can leave it running), its
 * lxcpath and LXC's traces removed. */
export async function removeLxcInstance(lxcpath: string, name: string): Promise<void> {
  await execa('lxc-stop', ['-P', lxcpath, '-n', name, '-k'], {
    reject: false,
    stdio: 'ignore',
    timeout: 10_000,
  });
  // Traces first, the lxcpath (with its owner record) last: an interrupted removal leaves the
  // record that lets `ctvm gc` finish it.
  cleanLxcTraces(lxcpath, name);
  rmSync(lxcpath, { recursive: true, force: true });
  emptyRmdir(LXC_STATE_DIR);
}

function emptyRmdir(d: string): void {
  try {
    rmdirSync(d); // fails (ENOTEMPTY / EBUSY) while someone else uses it: then it stays
  } catch {
    /* absent or in use */
  }
}

export function createLxcEnvironment(): Environment {
  const v2 = () => detectHostCgroups().mode === 'v2';
  return {
    id: 'lxc',
    async probe(host) {
      if (!host.root) return { usable: false, reason: 'needs root' };
      if (!which('lxc-execute'))
        return { usable: false, reason: 'lxc-execute not installed (apt-get install lxc)' };
      return { usable: true, detail: 'lxc-execute, private lxcpath, no network' };
    },
    async prepare(workload) {
      checkWorkloadRootfs(workload);
    },
    async launch(opts: LaunchOptions): Promise<Instance> {
      const exe = which('lxc-execute');
      if (!exe) throw new HostError('lxc-execute not installed', { hint: 'apt-get install lxc' });
      await nsexecSettled();
      const lxcpath = join(LXC_STATE_DIR, opts.instanceName);
      mkdirSync(lxcpath, { recursive: true, mode: 0o700 });
      // Before lxc-execute exists: if ctvm is SIGKILLed, `ctvm gc` (lxc/gc.ts) sees a dead owner.
      writeRecord(lxcpath, { format: 1, name: opts.instanceName, ...selfOwner() });
      const config = join(lxcpath, 'config');
      const name = opts.instanceName;
      writeFileSync(
        config,
        lxcConfig({
          rootfs: opts.workload.rootfsDir,
          name,
          ...(opts.limits ? { limits: opts.limits } : {}),
          v2: v2(),
        }),
      );
      const args = [
        'cwd',
        tmpdir(),
        ...launcherEnvArgs(opts.workload.env),
        ...markArgs(),
        '--',
        exe,
        '-P',
        lxcpath,
        '-n',
        name,
        '-f',
        config,
        '--',
        ...opts.workload.argv,
      ];
      const inst = launchBare(opts, args);
      const cleanup = async (e: ExitInfo): Promise<ExitInfo> => {
        await removeLxcInstance(lxcpath, name);
        return e;
      };
      const exited = inst.exited.then(cleanup);
      return {
        name: inst.name,
        events: inst.events,
        ready: inst.ready,
        exited,
        sampleMemory: () => inst.sampleMemory(),
        sampleCpu: () => inst.sampleCpu(),
        stop: async (reason?: string) => {
          await inst.stop(reason);
          await exited;
        },
      };
    },
    async describe() {
      const v = await execa('lxc-execute', ['--version'], { reject: false });
      return { runtime: 'lxc-execute', version: v.stdout.trim(), launcher: await nsexecPolicy() };
    },
  };
}
