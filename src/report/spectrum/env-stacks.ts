// One Figure 12.1 stack per environment of the run, layer by layer from env-kinds.ts: the data
// says which layers an environment has, this file finds their bytes in the run's medians.
import type { EnvInfo, ReportModel } from '../model.js';
import { layerCosts, type LayerCosts } from '../stacks.js';
import { fmtMiB, fmtMs } from '../format.js';
import { envKind, ISOLATION_TEXT, type EnvKind, type LayerDef } from './env-kinds.js';

export interface EnvLayer {
  name: string;
  fill: string;
  /** Host PSS this layer holds (median of idle samples), when the run measured it. */
  bytes?: number;
  /** Held once for all instances (a daemon), not per instance. */
  shared: boolean;
  lines: string[];
}

export interface EnvStack extends LayerCosts {
  kind: EnvKind;
  title: string;
  isolation: string;
  /** Top (the app) to bottom (what sits on the host OS). */
  layers: EnvLayer[];
}

export function envStacks(model: ReportModel): EnvStack[] {
  const meta = model.run.meta;
  const costs = model.envs.map((env) => layerCosts(model, env));
  const bare = costs.find((c) => c.env.id === 'bare');
  // The app inside a VM is taken to be the first container's instance (same binary, same work).
  const container = costs.find(
    (c) => envKind(c.env.id, meta).side === 'container' && c.pssBytes !== undefined,
  );
  return costs.map((c) => {
    const kind = envKind(c.env.id, meta);
    const refApp = kind.side === 'vm' ? (container ?? bare) : bare;
    const layers = kind.layers.map((def) => layer(model, def, c, refApp, bare, kind.layers));
    return {
      ...c,
      kind,
      title: kind.title.replace('%s', c.env.label) + (c.env.accel ? `, ${c.env.accel.toUpperCase()}` : ''),
      isolation: ISOLATION_TEXT[kind.isolation],
      layers,
    };
  });
}

function idleMedian(model: ReportModel, env: EnvInfo, metric: string): number | undefined {
  return model.idle.find((r) => r.env.id === env.id)?.metrics[metric]?.dist.median;
}

function layer(
  model: ReportModel,
  def: LayerDef,
  c: LayerCosts,
  refApp: LayerCosts | undefined,
  bare: LayerCosts | undefined,
  siblings: readonly LayerDef[],
): EnvLayer {
  const base = { name: def.name, fill: def.fill, shared: false };
  const med = (m: string) => idleMedian(model, c.env, m);
  const src = def.source;
  if (src === 'app') {
    const split =
      c !== refApp && refApp?.pssBytes !== undefined && refApp.pssBytes <= (c.pssBytes ?? Infinity);
    const bytes = split ? refApp!.pssBytes : c.pssBytes;
    return {
      ...base,
      ...(bytes !== undefined ? { bytes } : {}),
      lines: [
        bytes === undefined
          ? 'memory not measured'
          : split
            ? `${fmtMiB(bytes)}: the app as ${refApp!.env.label} holds it`
            : `${fmtMiB(bytes)} PSS, app + its libs`,
      ],
    };
  }
  if (src === 'per-instance-overhead') {
    // What the stack shows as its own per-instance layers (gVisor's sentry + gofer) is part of the
    // instance's PSS too: the engine layer is the rest, so that no byte is drawn twice.
    const own = siblings.flatMap((d) =>
      typeof d.source === 'object' && !d.source.shared ? [med(d.source.metric) ?? 0] : [],
    );
    const bytes =
      c.pssBytes !== undefined && bare?.pssBytes !== undefined
        ? Math.max(0, c.pssBytes - bare.pssBytes - own.reduce((a, b) => a + b, 0))
        : undefined;
    const startNs =
      c.startNs !== undefined && bare?.startNs !== undefined ? c.startNs - bare.startNs : undefined;
    return {
      ...base,
      ...(bytes !== undefined ? { bytes } : {}),
      lines: [
        ...(startNs !== undefined ? [`+${fmtMs(startNs)} to start vs bare`] : []),
        ...(bytes !== undefined
          ? [`${fmtMiB(bytes)} PSS vs bare${own.length > 0 ? ', besides the layers above' : ''}`]
          : ['no bare run to subtract']),
      ],
    };
  }
  if (src === 'guest-os') {
    const ram = med('guestRamPssBytes');
    const image = med('kernelImagePssBytes') ?? 0;
    const app = refApp?.pssBytes ?? 0;
    const bytes = ram !== undefined ? Math.max(0, ram - app) + image : undefined;
    const used = med('guestUsedBytes');
    return {
      ...base,
      ...(bytes !== undefined ? { bytes } : {}),
      lines: [
        bytes !== undefined ? `${fmtMiB(bytes)} on the host: a second kernel` : 'guest RAM not split',
        ...(used !== undefined ? [`guest's view: ${fmtMiB(used)} used`] : []),
      ],
    };
  }
  if (src === 'hypervisor') {
    const bytes = med('hypervisorPssBytes');
    return {
      ...base,
      ...(bytes !== undefined ? { bytes } : {}),
      lines: [
        bytes !== undefined ? `${fmtMiB(bytes)} qemu + ${(c.env.accel ?? '?').toUpperCase()}` : 'not split',
      ],
    };
  }
  const bytes = med(src.metric);
  return {
    ...base,
    shared: src.shared === true,
    ...(bytes !== undefined ? { bytes } : {}),
    lines: [
      bytes !== undefined
        ? `${fmtMiB(bytes)} PSS${src.shared ? ', once for all instances' : ''}`
        : `${src.metric} not measured in this run`,
    ],
  };
}
