// Figure 12.1's numbers: the container stack and the VM stack, layer by layer, from the model.
// Guest OS = what the VM keeps resident beyond the app itself, which the container measures.
import type { EnvInfo, ReportModel } from './model.js';

export interface LayerCosts {
  env: EnvInfo;
  /** Median start latency (launch -> READY). */
  startNs?: number;
  exitNs?: number;
  /** Median PSS of one idle instance. */
  pssBytes?: number;
  /** Host CPU seconds per second while idle. */
  idleCpuPerSec?: number;
  /** Median overhead vs bare of the `cpu` work mode (or the first work mode), as a fraction. */
  workOverhead?: { workload: string; fraction: number; ciLow: number; ciHigh: number };
}

export interface ContainerStack extends LayerCosts {
  /** Container minus bare: the engine + isolation's own cost (may be absent without `bare`). */
  engineStartNs?: number;
  enginePssBytes?: number;
}

export interface VmStack extends LayerCosts {
  /** The app's share inside the guest (= the container's PSS: same binary, same workload). */
  appBytes?: number;
  guestOsBytes?: number;
  /** Kernel/initrd file mappings (shared between guests), counted with the Guest OS. */
  kernelImageBytes?: number;
  hypervisorBytes?: number;
  /** The guest's own view: MemTotal - MemAvailable. */
  guestUsedBytes?: number;
  guestTotalBytes?: number;
  /** One sentence saying how Guest OS was derived in this run. */
  derivation: string;
}

export interface Stacks {
  bare?: LayerCosts;
  container?: ContainerStack;
  vm?: VmStack;
}

/** Container engines in order of preference for the classic two-column figure and headline. */
const CONTAINER_ENVS = ['container', 'oci:runc', 'oci:crun', 'lxc', 'docker', 'lxd'];

export function stacks(model: ReportModel): Stacks {
  const costs = (envId: string | undefined): LayerCosts | undefined => {
    const env = model.envs.find((e) => e.id === envId);
    return env ? layerCosts(model, env) : undefined;
  };
  const bare = costs('bare');
  const containerId = CONTAINER_ENVS.map((t) => model.envs.find((e) => e.type === t)).find(Boolean)?.id;
  const vmId = model.envs.find((e) => e.type === 'vm')?.id;
  const c = costs(containerId);
  const container: ContainerStack | undefined = c && {
    ...c,
    ...(bare?.startNs !== undefined && c.startNs !== undefined
      ? { engineStartNs: c.startNs - bare.startNs }
      : {}),
    ...(bare?.pssBytes !== undefined && c.pssBytes !== undefined
      ? { enginePssBytes: c.pssBytes - bare.pssBytes }
      : {}),
  };
  const v = costs(vmId);
  return { bare, container, vm: v && vmStack(model, v, container) };
}

export function layerCosts(model: ReportModel, env: EnvInfo): LayerCosts {
  const start = model.start.find((r) => r.env.id === env.id);
  const idle = model.idle.find((r) => r.env.id === env.id);
  const works = model.work.filter((w) => w.env.id === env.id && w.work?.vsBaseline);
  const w = works.find((x) => x.workload === 'cpu') ?? works[0];
  const vs = w?.work?.vsBaseline;
  return {
    env,
    startNs: start?.start?.median,
    exitNs: start?.exit?.median,
    pssBytes: idle?.metrics.pssBytes?.dist.median,
    idleCpuPerSec: idle?.metrics.idleCpuPerSec?.dist.median,
    ...(w && vs
      ? {
          workOverhead: {
            workload: w.workload,
            fraction: vs.ratio - 1,
            ciLow: vs.ciLow - 1,
            ciHigh: vs.ciHigh - 1,
          },
        }
      : {}),
  };
}

function vmStack(model: ReportModel, vm: LayerCosts, container: ContainerStack | undefined): VmStack {
  const m = model.idle.find((r) => r.env.id === vm.env.id)?.metrics ?? {};
  const med = (name: string) => m[name]?.dist.median;
  const guestRam = med('guestRamPssBytes');
  const hypervisor = med('hypervisorPssBytes');
  const kernelImage = med('kernelImagePssBytes');
  const app = container?.pssBytes;
  const base = {
    ...vm,
    hypervisorBytes: hypervisor,
    kernelImageBytes: kernelImage,
    guestUsedBytes: med('guestUsedBytes'),
    guestTotalBytes: med('guestTotalBytes'),
  };
  if (app === undefined)
    return {
      ...base,
      derivation: 'no container run to subtract the app from: Guest OS not separated from the app',
    };
  if (guestRam !== undefined)
    return {
      ...base,
      appBytes: app,
      guestOsBytes: Math.max(0, guestRam - app),
      derivation:
        "Guest OS = PSS of qemu's guest-RAM mapping (what the guest kernel + app touched) minus the app's share, " +
        `taken to be the ${container!.env.label} instance's PSS (same binary, same workload)` +
        (kernelImage !== undefined
          ? '; the kernel/initrd file mappings are added to it (shared between guests)'
          : ''),
    };
  if (vm.pssBytes !== undefined)
    return {
      ...base,
      appBytes: app,
      guestOsBytes: Math.max(0, vm.pssBytes - app - (hypervisor ?? 0)),
      derivation: `Guest OS = VM PSS - ${container!.env.label} PSS${hypervisor !== undefined ? ' - hypervisor PSS' : ''} (no guest-RAM split in this run)`,
    };
  return { ...base, derivation: 'the run has no idle memory samples for the VM' };
}
