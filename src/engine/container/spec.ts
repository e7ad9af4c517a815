// What a container is made of (rootfs, command, namespaces, limits, network, mounts) and the
// validation that turns bad input into one clear UsageError naming the value (exit code 2).
import { existsSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import type { LaunchOptions, Limits, PreparedWorkload } from '../environment.js';
import { UsageError } from '../../errors.js';
import { commandArgsProblem, NAMESPACES, type Namespace } from '../launcher/nsexec-protocol.js';
import { validateLimits } from '../limits.js';
import { OUTPUT_MARKS } from '../../workload/protocol.js';
import { parseBytes } from '../../units.js';
import { defaultSeccompProfile, seccompToHelper, type OciSeccomp } from './seccomp.js';

/** The writable layer's size unless --disk / `disk:` says otherwise (a tmpfs: see nsexec-args). */
export const DEFAULT_DISK_BYTES = 1024 * 1024 * 1024;
/** The largest --disk: the writable layer is RAM-backed, and this host's RAM bounds it anyway. */
export const MAX_DISK_BYTES = 1024 * 1024 * 1024 * 1024;

/** `bridge`: the lab network (src/net/lab.ts), joined through a prepared netns (spec.netnsPath). */
export type NetworkMode = 'none' | 'loopback' | 'host' | 'bridge';
export const NETWORK_MODES: readonly NetworkMode[] = ['none', 'loopback', 'host', 'bridge'];

/** Modes in which the helper makes a fresh net namespace; host shares ours, bridge joins one. */
const OWN_NET_NS: readonly NetworkMode[] = ['none', 'loopback'];

export interface BindMount {
  /** Host path. */
  source: string;
  /** Path inside the container. */
  destination: string;
  readonly?: boolean;
}

export interface ContainerSpec {
  /** Unique instance name, /^[a-z0-9-]+$/: state dir and cgroup name. */
  name: string;
  /** Host directory used as the read-only overlay lower (shared between instances). */
  rootfs: string;
  /** argv[0] absolute or looked up in env PATH inside the rootfs. */
  args: string[];
  env: Record<string, string>;
  cwd: string;
  hostname: string;
  /** Default: all six (pid, mnt, uts, ipc, net, cgroup); net is dropped for 'host' and 'bridge'. */
  namespaces: Namespace[];
  limits: Limits;
  network: NetworkMode;
  /** Network `bridge`: the wired netns to join (set by the launching code after attachToLab). */
  netnsPath?: string;
  mounts: BindMount[];
  /**
   * Output lines the launcher stamps as their first reader (`T <name> <ns>`): it then relays the
   * command's stdout. Set for workloads (READY / RESULT), empty for `ctvm container run`.
   */
  outputMarks: { name: string; prefix: string }[];
  /** OCI `linux.seccomp` profile installed right before exec; null = no filter (for comparison). */
  seccomp: OciSeccomp | null;
  /** Size of the writable layer (overlay upper + work, a tmpfs): writes past it get ENOSPC. */
  diskBytes: number;
}

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Fills defaults for everything but name, rootfs and args. */
export function makeSpec(
  p: Pick<ContainerSpec, 'name' | 'rootfs' | 'args'> & Partial<ContainerSpec>,
): ContainerSpec {
  const network = p.network ?? 'none';
  return {
    env: { PATH: DEFAULT_PATH },
    cwd: '/',
    hostname: p.name.slice(0, 63),
    namespaces: NAMESPACES.filter((n) => n !== 'net' || OWN_NET_NS.includes(network)),
    limits: {},
    mounts: [],
    outputMarks: [],
    seccomp: defaultSeccompProfile(),
    diskBytes: DEFAULT_DISK_BYTES,
    ...p,
    network,
  };
}

/** The spec both container-style environments (ours, oci:*) run a PreparedWorkload with. */
export function specFromLaunch(opts: LaunchOptions): ContainerSpec {
  return makeSpec({
    name: opts.instanceName,
    rootfs: opts.workload.rootfsDir,
    args: opts.workload.argv,
    env: { PATH: DEFAULT_PATH, ...opts.workload.env },
    limits: opts.limits ?? {},
    network: (opts.options?.network as NetworkMode | undefined) ?? 'none',
    outputMarks: [...OUTPUT_MARKS],
    ...(opts.options?.seccomp === false ? { seccomp: null } : {}),
    ...(opts.options?.disk !== undefined ? { diskBytes: diskOption(opts.options.disk) } : {}),
  });
}

/** `disk: 512M` (or a byte count) in a scenario's environment options. */
export function diskOption(v: unknown): number {
  const bytes = typeof v === 'number' ? v : typeof v === 'string' ? parseBytes(v) : undefined;
  if (bytes === undefined || !Number.isSafeInteger(bytes))
    throw new UsageError(`invalid disk size '${String(v)}'`, { hint: 'a size like 512M or 2G' });
  return bytes;
}

/** prepare() of the container-style environments: the shared rootfs must exist. */
export function checkWorkloadRootfs(workload: PreparedWorkload): void {
  if (!existsSync(workload.rootfsDir))
    throw new UsageError(`workload rootfs '${workload.rootfsDir}' does not exist`);
}

/** The engine creates namespaces, cgroups and mounts: only root can. A UsageError (exit 2) before anything exists. */
export function requireRoot(what = 'the container engine'): void {
  if (process.getuid?.() !== 0)
    throw new UsageError(
      `${what} needs root (namespaces, cgroups, mounts); you are uid ${process.getuid?.()}`,
      {
        hint: 'run it as root, e.g. `sudo npx ctvm ...`; the bare environment works without root',
      },
    );
}

/** Throws UsageError (one line naming the value) for anything the helper must never see. */
export function validateSpec(spec: ContainerSpec): void {
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(spec.name))
    throw new UsageError(`invalid container name '${spec.name}'`, {
      hint: 'use [a-z0-9-], at most 63 characters',
    });
  checkDir('rootfs', spec.rootfs);
  if (spec.args.length === 0 || spec.args[0] === '')
    throw new UsageError('missing command', { hint: 'ctvm container run [options] -- CMD [ARGS...]' });
  if (!NETWORK_MODES.includes(spec.network))
    throw new UsageError(`invalid network mode '${spec.network}'`, {
      hint: `one of ${NETWORK_MODES.join(', ')}`,
    });
  for (const ns of spec.namespaces)
    if (!NAMESPACES.includes(ns))
      throw new UsageError(`unknown namespace '${ns}'`, { hint: NAMESPACES.join(', ') });
  if (OWN_NET_NS.includes(spec.network) && !spec.namespaces.includes('net'))
    throw new UsageError(`network '${spec.network}' needs the net namespace`);
  if (spec.network === 'bridge' && spec.namespaces.includes('net'))
    throw new UsageError("network 'bridge' joins the lab's netns: drop 'net' from the namespaces");
  if (!spec.namespaces.includes('mnt')) throw new UsageError('the mnt namespace is required (pivot_root)');
  if (!/^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$/.test(spec.hostname))
    throw new UsageError(`invalid hostname '${spec.hostname}'`, {
      hint: 'letters, digits, dots and dashes; at most 63',
    });
  validateLimits(spec.limits);
  if (
    !Number.isSafeInteger(spec.diskBytes) ||
    spec.diskBytes < 1024 * 1024 ||
    spec.diskBytes > MAX_DISK_BYTES
  )
    throw new UsageError(`invalid disk size ${spec.diskBytes} bytes`, { hint: 'between 1M and 1T, e.g. 2G' });
  if (spec.seccomp) seccompToHelper(spec.seccomp); // throws UsageError naming a bad rule
  for (const m of spec.mounts) {
    checkDir('mount source', m.source, true);
    checkInside('mount destination', m.destination);
  }
  checkInside('cwd', spec.cwd);
  for (const arg of [...spec.args, ...Object.entries(spec.env).flat()])
    if (arg.includes('\0')) throw new UsageError(`argument contains a NUL byte: ${JSON.stringify(arg)}`);
  const tooBig = commandArgsProblem(spec.args);
  if (tooBig) throw new UsageError(tooBig, { hint: 'pass long inputs in a file or on stdin instead' });
}

/** A host directory given by the user: absolute or relative, but no `..` components. */
function checkDir(what: string, path: string, allowFile = false): void {
  if (path.split('/').includes('..'))
    throw new UsageError(`${what} '${path}' contains '..'`, { hint: 'give the path without .. components' });
  if (!existsSync(path)) throw new UsageError(`${what} '${path}' does not exist`);
  if (!allowFile && !statSync(path).isDirectory())
    throw new UsageError(`${what} '${path}' is not a directory`);
}

/** A path inside the container: absolute, and normalising it must not climb out of '/'. */
function checkInside(what: string, path: string): void {
  if (!isAbsolute(path) || path.split('/').includes('..'))
    throw new UsageError(`${what} '${path}' must be an absolute path inside the container without '..'`);
}
