// What each kind of environment is, as data: its isolation class and the layers of its
// Figure 12.1 stack. An environment type added elsewhere (docker, lxc, lxd, runsc, chroot, ...)
// plugs in with one entry here; an unknown type still gets a stack (app + "runtime").
import type { RunMeta } from '../../results/types.js';

/** Where the workload's system calls are served: the classic spectrum, left to right. */
export type Isolation = 'none' | 'filesystem only' | 'shared kernel' | 'user-space kernel' | 'guest kernel';

export const ISOLATION_TEXT: Record<Isolation, string> = {
  none: 'none: a host process',
  'filesystem only': 'filesystem only (chroot): shared kernel, no namespaces or limits',
  'shared kernel': 'shared kernel: namespaces + cgroups on the host kernel',
  'user-space kernel': "user-space kernel: gVisor's sentry serves the syscalls, on the host kernel",
  'guest kernel': 'guest kernel: its own kernel on an emulated machine (hypervisor)',
};

/** How a layer's bytes are found in the run (see env-stacks.ts). */
export type LayerSource =
  /** The instance's PSS (the whole stack when nothing splits it). */
  | 'app'
  /** This env's PSS minus bare's: what the engine and its isolation add per instance. */
  | 'per-instance-overhead'
  /** A named idle metric (median), e.g. a daemon's shared PSS or gVisor's sentry. */
  | { metric: string; shared?: boolean }
  /** VM: guest RAM touched minus the app, plus the kernel/initrd file mappings. */
  | 'guest-os'
  /** VM: qemu's own PSS (binary, libraries, heap, TCG buffers). */
  | 'hypervisor';

export interface LayerDef {
  name: string;
  source: LayerSource;
  fill: string;
}

export interface EnvKind {
  /** Family for the headline: containers vs VMs (bare and chroot are references). */
  side: 'reference' | 'container' | 'sandbox' | 'vm';
  isolation: Isolation;
  /** Column title; `%s` is the environment's label. */
  title: string;
  layers: LayerDef[];
}

const APP: LayerDef = { name: 'Apps + Bins/Libs', source: 'app', fill: '#aed6f1' };
const VM_APP: LayerDef = { name: 'Apps + Bins/Libs', source: 'app', fill: '#f9e79f' };
const ENGINE: LayerDef = { name: 'Container Engine', source: 'per-instance-overhead', fill: '#5dade2' };
const HYPERVISOR: LayerDef = { name: 'Hypervisor', source: 'hypervisor', fill: '#dc7633' };

const KINDS: Record<string, EnvKind> = {
  bare: { side: 'reference', isolation: 'none', title: 'Bare process', layers: [APP] },
  chroot: { side: 'reference', isolation: 'filesystem only', title: 'chroot', layers: [APP, ENGINE] },
  container: {
    side: 'container',
    isolation: 'shared kernel',
    title: "Container (ctvm's engine)",
    layers: [APP, ENGINE],
  },
  'oci:runc': {
    side: 'container',
    isolation: 'shared kernel',
    title: 'Container (runc)',
    layers: [APP, ENGINE],
  },
  'oci:crun': {
    side: 'container',
    isolation: 'shared kernel',
    title: 'Container (crun)',
    layers: [APP, ENGINE],
  },
  lxc: { side: 'container', isolation: 'shared kernel', title: 'Container (LXC)', layers: [APP, ENGINE] },
  docker: {
    side: 'container',
    isolation: 'shared kernel',
    title: 'Container (Docker)',
    layers: [
      APP,
      ENGINE,
      {
        name: 'Engine daemons (shared)',
        source: { metric: 'enginePssBytes', shared: true },
        fill: '#2e86c1',
      },
    ],
  },
  lxd: {
    side: 'container',
    isolation: 'shared kernel',
    title: 'Container (LXD)',
    layers: [
      APP,
      ENGINE,
      { name: 'LXD daemon (shared)', source: { metric: 'enginePssBytes', shared: true }, fill: '#2e86c1' },
    ],
  },
  'oci:runsc': {
    side: 'sandbox',
    isolation: 'user-space kernel',
    title: 'gVisor (runsc)',
    layers: [
      APP,
      { name: 'Sentry + gofer (user-space kernel)', source: { metric: 'sentryPssBytes' }, fill: '#a569bd' },
      ENGINE,
    ],
  },
  vm: {
    side: 'vm',
    isolation: 'guest kernel',
    title: 'VM (QEMU)',
    layers: [VM_APP, { name: 'Guest OS', source: 'guest-os', fill: '#f0b27a' }, HYPERVISOR],
  },
  'vm:debian': {
    side: 'vm',
    isolation: 'guest kernel',
    title: 'VM (QEMU, Debian + systemd)',
    layers: [VM_APP, { name: 'Guest OS (Debian, systemd)', source: 'guest-os', fill: '#eb984e' }, HYPERVISOR],
  },
  'vm:minimal': {
    side: 'vm',
    isolation: 'guest kernel',
    title: 'VM (QEMU, minimal kernel)',
    layers: [VM_APP, { name: 'Guest OS (minimal kernel)', source: 'guest-os', fill: '#f8c471' }, HYPERVISOR],
  },
};

const UNKNOWN: EnvKind = {
  side: 'container',
  isolation: 'shared kernel',
  title: '%s',
  layers: [APP, { name: 'Runtime', source: 'per-instance-overhead', fill: '#85c1e9' }],
};

/** The environment's type: the scenario's `type` when the run records one, else its id. */
export function envType(id: string, meta: RunMeta): string {
  const e = meta.environments[id] as { type?: unknown } | undefined;
  return typeof e?.type === 'string' ? e.type : id;
}

/** The kind of `id` in this run; VMs are told apart by the facts their describe() recorded. */
export function envKind(id: string, meta: RunMeta): EnvKind {
  const type = envType(id, meta);
  if (type === 'vm' || type.startsWith('vm')) {
    const facts = meta.environments[id]?.facts ?? {};
    if (facts.image?.startsWith('debian')) return KINDS['vm:debian']!;
    if (facts.kernelVersion?.endsWith('-minimal')) return KINDS['vm:minimal']!;
    return KINDS.vm!;
  }
  return KINDS[type] ?? UNKNOWN;
}
