// The lab network ctvm owns (network mode `bridge`): one network namespace per ctvm process
// (`ctvm-lab-<pid>`) holding a bridge, and per instance either a netns joined to that bridge by a
// veth pair (bare, container, oci:*) or a tap on the bridge (vm: qemu runs in the lab netns).
// Everything lives in namespaces made here: the host's own interfaces, routes and firewall are
// never touched, and deleting the lab netns takes every veth, tap and the bridge with it.
// Load generators and clients run in the lab netns (clientCommand).
import { HostError } from '../errors.js';
import { track } from '../engine/reaper.js';
import { exec, execQuietSync } from '../util/exec.js';
import { inNetns } from './in-netns.js';

/** Where `ip netns add` keeps its names (a bind mount of the netns per name). */
export const NETNS_DIR = '/run/netns';
export const LAB_PREFIX = 'ctvm-lab-';
export const INSTANCE_PREFIX = 'ctvm-in-';
/** Inside the lab netns only, so it cannot collide with the host's names. */
export const BRIDGE = 'br0';
/** A /16 inside the lab netns: .0.1 is the bridge (clients), instances count up from .0.2. */
export const LAB_SUBNET = { prefix: '10.213', bits: 16, gateway: '10.213.0.1' } as const;

/** One instance's place on the lab bridge. */
export interface LabEndpoint {
  /** IPv4 address of the instance on the bridge (no prefix length). */
  ip: string;
  /** CIDR form for the instance's own configuration (`10.213.0.2/16`). */
  cidr: string;
  /** The lab netns (bridge, clients; qemu runs there for a tap). */
  labNetnsPath: string;
  /** bare/container/oci: the netns the instance joins (already wired and up). */
  netnsPath?: string;
  /** vm: the tap in the lab netns, for `-netdev tap,ifname=…` (qemu runs in the lab netns). */
  tap?: string;
  /** vm: the guest NIC's MAC. */
  mac?: string;
  /** Idempotent: removes the netns/veth or tap. */
  release(): Promise<void>;
}

/** The address of the n-th instance (n >= 0). */
export function instanceAddress(n: number): string {
  const host = n + 2; // .0.0 network, .0.1 bridge
  if (host > 65_534) throw new HostError(`the lab network is full (${n} instances)`);
  return `${LAB_SUBNET.prefix}.${host >> 8}.${host & 255}`;
}

/** A locally administered unicast MAC (QEMU's 52:54:00 prefix) for instance n. */
export function instanceMac(n: number): string {
  const b = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((x) => x.toString(16).padStart(2, '0'));
  return `52:54:00:${b.join(':')}`;
}

async function ip(args: string[]): Promise<void> {
  const r = await exec('ip', args);
  if (r.code !== 0)
    throw new HostError(
      `ip ${args.join(' ')}: ${(r.stderr || r.stdout).trim() || `exit ${r.code ?? r.signal}`}`,
    );
}

/** Teardown at exit: a name already gone is fine. */
function ipSync(args: string[]): void {
  execQuietSync('ip', args);
}

export class LabNetwork {
  readonly name: string;
  readonly netnsPath: string;
  private seq = 0;
  private readonly endpoints = new Set<string>();
  private destroyed = false;
  private readonly untrack: () => void;

  private constructor(name: string) {
    this.name = name;
    this.netnsPath = `${NETNS_DIR}/${name}`;
    this.untrack = track({ name, stop: () => this.destroy(), killSync: () => this.destroySync() });
  }

  /** Creates the lab netns with its bridge (up, gateway address) and loopback. */
  static async create(name = `${LAB_PREFIX}${process.pid}`): Promise<LabNetwork> {
    // PRIVILEGED: netns creation and links need CAP_SYS_ADMIN / CAP_NET_ADMIN.
    await ip(['netns', 'add', name]);
    const lab = new LabNetwork(name);
    try {
      await ip(['-n', name, 'link', 'set', 'lo', 'up']);
      await ip(['-n', name, 'link', 'add', BRIDGE, 'type', 'bridge']);
      await ip(['-n', name, 'addr', 'add', `${LAB_SUBNET.gateway}/${LAB_SUBNET.bits}`, 'dev', BRIDGE]);
      await ip(['-n', name, 'link', 'set', BRIDGE, 'up']);
    } catch (err) {
      await lab.destroy();
      throw err;
    }
    return lab;
  }

  /** How a client (load generator) runs in the lab netns, reaching instances on the bridge. */
  clientCommand(file: string, args: string[]): { file: string; args: string[] } {
    return inNetns(this.netnsPath, file, args);
  }

  /** A netns (for bare/container/oci) whose eth0 is a veth on the bridge, addressed and up. */
  async vethEndpoint(): Promise<LabEndpoint> {
    const n = this.next();
    const ns = `${INSTANCE_PREFIX}${process.pid}-${n}`;
    const hostSide = `veth${n}`;
    const addr = instanceAddress(n);
    const cidr = `${addr}/${LAB_SUBNET.bits}`;
    this.endpoints.add(ns);
    await ip(['netns', 'add', ns]);
    const release = once(async () => {
      this.endpoints.delete(ns);
      // The veth pair dies with either end's netns; delete both names to be sure.
      if (!this.destroyed) await ip(['-n', this.name, 'link', 'del', hostSide]).catch(() => undefined);
      await ip(['netns', 'del', ns]).catch(() => undefined);
    });
    try {
      await ip([
        '-n',
        this.name,
        'link',
        'add',
        hostSide,
        'type',
        'veth',
        'peer',
        'name',
        'eth0',
        'netns',
        ns,
      ]);
      await ip(['-n', this.name, 'link', 'set', hostSide, 'master', BRIDGE, 'up']);
      await ip(['-n', ns, 'addr', 'add', cidr, 'dev', 'eth0']);
      await ip(['-n', ns, 'link', 'set', 'eth0', 'up']);
      await ip(['-n', ns, 'link', 'set', 'lo', 'up']);
    } catch (err) {
      await release();
      throw err;
    }
    return { ip: addr, cidr, labNetnsPath: this.netnsPath, netnsPath: `${NETNS_DIR}/${ns}`, release };
  }

  /** A tap on the bridge (for a VM; qemu must run in this lab netns to open it by name). */
  async tapEndpoint(): Promise<LabEndpoint> {
    const n = this.next();
    const tap = `tap${n}`;
    const addr = instanceAddress(n);
    await ip(['-n', this.name, 'tuntap', 'add', 'dev', tap, 'mode', 'tap']);
    const release = once(async () => {
      if (!this.destroyed) await ip(['-n', this.name, 'link', 'del', tap]).catch(() => undefined);
    });
    try {
      await ip(['-n', this.name, 'link', 'set', tap, 'master', BRIDGE, 'up']);
    } catch (err) {
      await release();
      throw err;
    }
    return {
      ip: addr,
      cidr: `${addr}/${LAB_SUBNET.bits}`,
      labNetnsPath: this.netnsPath,
      tap,
      mac: instanceMac(n),
      release,
    };
  }

  /** Idempotent: the lab netns and every instance netns it made. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const ns of [...this.endpoints]) await ip(['netns', 'del', ns]).catch(() => undefined);
    this.endpoints.clear();
    await ip(['netns', 'del', this.name]).catch(() => undefined);
    this.untrack();
  }

  /** Process exit: the same, synchronously. */
  destroySync(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const ns of this.endpoints) ipSync(['netns', 'del', ns]);
    this.endpoints.clear();
    ipSync(['netns', 'del', this.name]);
  }

  private next(): number {
    if (this.destroyed) throw new HostError(`lab network ${this.name} is gone`);
    return this.seq++;
  }
}

function once(f: () => Promise<void>): () => Promise<void> {
  let p: Promise<void> | undefined;
  return () => (p ??= f());
}

let shared: Promise<LabNetwork> | undefined;

/** This process's lab network, created on first use and torn down on exit (reaper) or destroyLab(). */
export function labNetwork(): Promise<LabNetwork> {
  shared ??= LabNetwork.create().catch((err: unknown) => {
    shared = undefined;
    throw err;
  });
  return shared;
}

/** Ends this process's lab network, if any (end of a run or a CLI command). */
export async function destroyLab(): Promise<void> {
  const p = shared;
  shared = undefined;
  if (p) await (await p.catch(() => undefined))?.destroy();
}
