// `lxd` (Debian's lxd): the workload rootfs as an LXD image, run as an unprivileged LXD container
// (uid map 0 -> 100000) by ctvm's own daemon (daemon.ts), one daemon per run, shared by every lxd
// entry of the scenario (`lxd` and `lxd-vm` = `{type: lxd, options: {vm: true}}`). Instances are
// started as instance.ts says; memory = the container's processes + LXD's per-instance helpers,
// and the daemon's PSS separately, as the shared "engine" figure.
import { execa } from 'execa';
import type { Environment, EnvironmentSession, LaunchOptions, PreparedWorkload } from '../environment.js';
import { HostError } from '../../errors.js';
import { which } from '../../util/which.js';
import { nsexecPolicy, nsexecSettled } from '../launcher/nsexec-spawn.js';
import { checkWorkloadRootfs } from '../container/spec.js';
import { lxdBinaries, startLxdDaemon, type LxdDaemon } from './daemon.js';
import { ensureImage, IMAGE_ADDITIONS, imageAlias, type LxdImage } from './image.js';
import { launchLxd } from './instance.js';

export interface LxdOptions {
  vm: boolean;
}

export function lxdOptions(o: Record<string, unknown> | undefined): LxdOptions {
  return { vm: o?.vm === true };
}

/** The run's daemon, shared by all lxd environments of this process, and the images it holds. */
let shared: { daemon: Promise<LxdDaemon>; users: number; images: Map<string, LxdImage> } | undefined;

/** Opens (or joins) the daemon of this run; the last close() stops it. */
export async function openLxdSession(): Promise<EnvironmentSession> {
  shared ??= { daemon: startLxdDaemon('run'), users: 0, images: new Map() };
  const s = shared;
  s.users++;
  try {
    await s.daemon;
  } catch (err) {
    s.users--;
    if (shared === s) shared = undefined;
    throw err;
  }
  let closed = false;
  return {
    async close() {
      if (closed) return;
      closed = true;
      if (--s.users > 0) return;
      if (shared === s) shared = undefined;
      await (await s.daemon).stop();
    },
  };
}

function current(): { daemon: Promise<LxdDaemon>; images: Map<string, LxdImage> } {
  if (!shared)
    throw new HostError('lxd: no daemon: the runner opens one per run (Environment.session)', {
      hint: 'call session() before prepare()/launch()',
    });
  return shared;
}

export function createLxdEnvironment(): Environment {
  const images = new Map<string, string>(); // alias -> fingerprint, for describe()
  return {
    id: 'lxd',
    async probe(host) {
      if (!host.root) return { usable: false, reason: 'needs root' };
      if (!which('lxd')) return { usable: false, reason: 'lxd not installed (apt-get install lxd)' };
      return { usable: true, detail: "ctvm's own lxd daemon, dir pool, no network" };
    },
    session: openLxdSession,
    async prepare(workload: PreparedWorkload, options) {
      checkWorkloadRootfs(workload);
      if (lxdOptions(options).vm)
        throw new HostError(
          'lxd-vm: ctvm builds no LXD VM image (a bootable disk with lxd-agent) from the workload rootfs',
          { hint: 'run the lxd container row, or the vm environment' },
        );
      const s = current();
      const image = await ensureImage(await s.daemon, workload, s.images);
      images.set(image.alias, image.fingerprint);
    },
    async launch(opts: LaunchOptions) {
      const s = current();
      const daemon = await s.daemon;
      await nsexecSettled(); // outside the measured window, as for every environment
      return launchLxd(
        {
          daemon,
          lxc: lxdBinaries().lxc,
          imageAlias: imageAlias(opts.workload),
          vm: lxdOptions(opts.options).vm,
        },
        opts,
      );
    },
    async describe(options) {
      const bin = lxdBinaries();
      const daemon = shared ? await shared.daemon.catch(() => undefined) : undefined;
      const v = await execa(bin.lxd, ['--version'], { reject: false });
      return {
        runtime: 'lxd',
        version: v.stdout.trim(),
        instanceType: lxdOptions(options).vm ? 'virtual-machine' : 'container',
        start: 'lxc launch, then lxc exec (workload)',
        storage: 'dir pool in its own LXD_DIR',
        ...(daemon ? { stateDir: daemon.dir } : {}),
        network: 'none (no NIC; daemon in its own netns)',
        imageAdds: Object.entries(IMAGE_ADDITIONS)
          .map(([p, what]) => `${p}: ${what}`)
          .join('; '),
        ...Object.fromEntries([...images].map(([alias, fp]) => [`image ${alias}`, `sha256:${fp}`])),
        launcher: await nsexecPolicy(),
      };
    },
  };
}
