// Spec + per-instance layout + cgroup procs files -> the helper's argv (native/README.md).
// Pure, so a unit test can read exactly what the helper will be asked to do.
import { markArgs } from '../../workload/protocol.js';
import {
  DEFAULT_DEVICES,
  DEFAULT_MOUNTS,
  DEFAULT_SYMLINKS,
  MASKED_PATHS,
  READONLY_PATHS,
  capabilityMask,
  type MountOp,
} from './defaults.js';
import { deviceRulesArg } from './devices.js';
import type { ContainerSpec } from './spec.js';
import { seccompToHelper } from './seccomp.js';

/** Where one instance's overlay lives (all under its state dir). */
export interface InstanceLayout {
  stateDir: string;
  /** Overlay mount point = the container's new root. */
  rootDir: string;
  /** The writable layer's tmpfs (mounted by the helper in the container's mount namespace). */
  scratchDir: string;
  /** Inside scratchDir, made by the helper. */
  upperDir: string;
  workDir: string;
}

function mountArgs(m: MountOp): string[] {
  return [
    'mount',
    m.type,
    m.source || '-',
    m.destination,
    m.flags.length ? m.flags.join(',') : '-',
    m.data || '-',
  ];
}

/** Overlay option values may not contain ',' or ':' unescaped; our paths never should. */
function overlayData(lower: string, layout: InstanceLayout): string {
  for (const p of [lower, layout.upperDir, layout.workDir])
    if (/[,:\\]/.test(p)) throw new Error(`overlay path '${p}' contains ',', ':' or '\\'`);
  return `lowerdir=${lower},upperdir=${layout.upperDir},workdir=${layout.workDir}`;
}

export function buildNsexecArgs(
  spec: ContainerSpec,
  layout: InstanceLayout,
  cgroupProcs: string[],
  /** cgroup v2 only (Cgroup.deviceProgramDir): v1 applies the device list in the driver. */
  deviceProgramDir?: string,
): string[] {
  const a: string[] = ['ns', spec.namespaces.join(','), 'root', layout.rootDir];
  // The writable layer on a tmpfs of the given size, in the container's mount namespace only.
  a.push('scratch', layout.scratchDir, `${Math.ceil(spec.diskBytes / 1024)}k`);
  // PRIVILEGED: overlay, proc, sysfs, tmpfs mounts and mknod need CAP_SYS_ADMIN / CAP_MKNOD.
  a.push(
    ...mountArgs({
      type: 'overlay',
      source: 'overlay',
      destination: '/',
      flags: [],
      data: overlayData(spec.rootfs, layout),
    }),
  );
  for (const m of DEFAULT_MOUNTS) a.push(...mountArgs(m));
  for (const d of DEFAULT_DEVICES)
    a.push('dev', d.path, d.mode.toString(8), String(d.major), String(d.minor));
  for (const [target, path] of DEFAULT_SYMLINKS) a.push('symlink', target, path);
  for (const m of spec.mounts)
    a.push(
      ...mountArgs({
        type: 'bind',
        source: m.source,
        destination: m.destination,
        flags: ['rec', ...(m.readonly ? ['ro'] : [])],
        data: '',
      }),
    );
  for (const p of MASKED_PATHS)
    a.push(...mountArgs({ type: 'mask', source: '', destination: p, flags: [], data: '' }));
  a.push(...markArgs(spec.outputMarks));
  for (const p of READONLY_PATHS)
    a.push(
      ...mountArgs({
        type: 'ro',
        source: '',
        destination: p,
        flags: ['nosuid', 'nodev', 'noexec'],
        data: '',
      }),
    );
  if (spec.namespaces.includes('uts')) a.push('hostname', spec.hostname);
  if (spec.network === 'loopback') a.push('lo');
  if (spec.network === 'bridge') {
    if (!spec.netnsPath) throw new Error(`container ${spec.name}: network bridge without a wired netns`);
    a.push('netns', spec.netnsPath); // PRIVILEGED: setns
  }
  for (const f of cgroupProcs) a.push('cgroup', f); // PRIVILEGED: cgroup.procs writes
  // PRIVILEGED: bpf(BPF_PROG_LOAD / BPF_PROG_ATTACH) needs CAP_SYS_ADMIN (or CAP_BPF).
  if (deviceProgramDir !== undefined) a.push('devices', deviceProgramDir, deviceRulesArg());
  a.push('caps', capabilityMask().toString(16), 'nonewprivs', 'cwd', spec.cwd);
  if (spec.seccomp) a.push('seccomp', seccompToHelper(spec.seccomp));
  for (const [k, v] of Object.entries(spec.env)) a.push('env', `${k}=${v}`);
  a.push('--', ...spec.args);
  return a;
}
