// OCI bundles: write one from a container spec (so runc, crun and ctvm run the same thing) and
// read one back into a ContainerSpec for our engine.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import type { Limits } from '../environment.js';
import { DEFAULT_CAPABILITIES, DEFAULT_MOUNTS, MASKED_PATHS, READONLY_PATHS } from '../container/defaults.js';
import type { Namespace } from '../launcher/nsexec-protocol.js';
import { CFS_PERIOD_US } from '../container/cgroup/types.js';
import { makeSpec, type ContainerSpec } from '../container/spec.js';
import { OCI_TO_NS, type OciConfig } from './config.js';

const NS_TO_OCI: Record<string, string> = Object.fromEntries(
  Object.entries(OCI_TO_NS).map(([k, v]) => [v, k]),
);

/** The config.json for a spec: same namespaces, limits, default mounts and caps as our engine. */
export function specToOciConfig(spec: ContainerSpec, cgroupsPath?: string): OciConfig {
  const caps = Object.keys(DEFAULT_CAPABILITIES);
  const r: NonNullable<NonNullable<OciConfig['linux']>['resources']> = {};
  const l = spec.limits;
  if (l.memoryBytes !== undefined) r.memory = { limit: l.memoryBytes, swap: l.memoryBytes };
  if (l.cpus !== undefined) r.cpu = { quota: Math.round(l.cpus * CFS_PERIOD_US), period: CFS_PERIOD_US };
  if (l.cpuset !== undefined) r.cpu = { ...r.cpu, cpus: l.cpuset };
  if (l.pids !== undefined) r.pids = { limit: l.pids };
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: spec.args,
      env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
      cwd: spec.cwd,
      // Inheritable empty, as runc's own spec and our engine (CVE-2022-24769).
      capabilities: { bounding: caps, effective: caps, permitted: caps, inheritable: [], ambient: [] },
      noNewPrivileges: true,
    },
    root: { path: spec.rootfs, readonly: true },
    hostname: spec.hostname,
    mounts: DEFAULT_MOUNTS.map((m) => ({
      destination: m.destination,
      type: m.type,
      source: m.source,
      options: [...m.flags.filter((f) => f !== 'rec'), ...(m.data ? m.data.split(',') : [])],
    })),
    linux: {
      namespaces: spec.namespaces.map((n) => ({ type: NS_TO_OCI[n] as 'pid' })),
      resources: r,
      ...(cgroupsPath ? { cgroupsPath } : {}),
      maskedPaths: MASKED_PATHS,
      readonlyPaths: READONLY_PATHS,
      // The same filter as our engine's, so all three runtimes do the same isolation work.
      ...(spec.seccomp ? { seccomp: spec.seccomp } : {}),
    },
  };
}

export function writeBundle(dir: string, config: OciConfig): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2) + '\n');
}

/** Reads <dir>/config.json into a spec (our engine applies its own default mounts and devices). */
export function readBundle(dir: string, name: string): ContainerSpec {
  let config: OciConfig;
  try {
    config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as OciConfig;
  } catch (err) {
    throw new UsageError(`cannot read OCI bundle '${join(dir, 'config.json')}': ${(err as Error).message}`);
  }
  if (!config.process?.args?.length) throw new UsageError(`OCI bundle '${dir}': process.args is empty`);
  if (!config.root?.path) throw new UsageError(`OCI bundle '${dir}': root.path is missing`);
  const namespaces: Namespace[] = [];
  for (const n of config.linux?.namespaces ?? []) {
    if (n.path)
      throw new UsageError(`OCI bundle '${dir}': joining namespace ${n.type} at ${n.path} is not supported`);
    const ours = OCI_TO_NS[n.type];
    if (!ours) throw new UsageError(`OCI bundle '${dir}': namespace '${n.type}' is not supported`);
    namespaces.push(ours as Namespace);
  }
  const res = config.linux?.resources ?? {};
  const limits: Limits = {};
  if (res.memory?.limit !== undefined) limits.memoryBytes = res.memory.limit;
  if (res.cpu?.quota !== undefined && res.cpu.quota > 0)
    limits.cpus = res.cpu.quota / (res.cpu.period ?? CFS_PERIOD_US);
  if (res.cpu?.cpus !== undefined) limits.cpuset = res.cpu.cpus;
  if (res.pids?.limit !== undefined) limits.pids = res.pids.limit;
  const env: Record<string, string> = {};
  for (const kv of config.process.env ?? []) {
    const i = kv.indexOf('=');
    if (i > 0) env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  const binds = (config.mounts ?? []).filter(
    (m) => m.type === 'bind' || m.options?.includes('bind') || m.options?.includes('rbind'),
  );
  return makeSpec({
    name,
    rootfs: isAbsolute(config.root.path) ? config.root.path : resolve(dir, config.root.path),
    args: config.process.args,
    env,
    cwd: config.process.cwd || '/',
    hostname: config.hostname ?? name,
    namespaces,
    limits,
    network: namespaces.includes('net') ? 'none' : 'host',
    // The bundle's own profile, or none when it has none (as runc and crun do).
    seccomp: config.linux?.seccomp ?? null,
    mounts: binds.map((m) => ({
      source: m.source ?? '',
      destination: m.destination,
      readonly: m.options?.includes('ro') ?? false,
    })),
  });
}
