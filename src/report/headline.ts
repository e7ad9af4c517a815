// The one sentence a reader takes away, generated from the data, with its caveats beside it.
import type { ReportModel } from './model.js';
import type { Stacks } from './stacks.js';
import { fmtMiB, fmtMs, fmtTimes, noCI, tcgMark } from './format.js';
import { sidesSentence } from './spectrum/spectrum-text.js';
import { densitySentence } from './density.js';
import { relativeSentence } from './relative/relative-text.js';

export interface Headline {
  sentence: string;
  caveats: string[];
}

/** The container-vs-VM sentence, followed by the density one when the run has density levels. */
export function headline(model: ReportModel, s: Stacks): Headline {
  const h = stackHeadline(model, s);
  const density = densitySentence(model);
  return density ? { ...h, sentence: `${h.sentence} ${density}` } : h;
}

function stackHeadline(model: ReportModel, s: Stacks): Headline {
  const host = model.run.meta.host.host;
  const on = `on ${host.cpuModel} (${host.cores} cores, Linux ${host.kernel})`;
  const c = s.container;
  const v = s.vm;
  const caveats = caveatsFor(model, s);
  if (!c || !v) {
    const which = !c ? 'container' : 'VM';
    return {
      sentence: `This run has no ${which} measurements, so there is no container-vs-VM headline ${on}.`,
      caveats,
    };
  }
  const accel = (v.env.accel ?? 'unknown-accelerator').toUpperCase();
  const parts: string[] = [];
  if (c.startNs !== undefined && v.startNs !== undefined)
    parts.push(
      `started ${fmtTimes(v.startNs / c.startNs)} faster than a ${accel} guest (${fmtMs(c.startNs)} vs ${fmtMs(v.startNs)} to READY)`,
    );
  if (c.pssBytes !== undefined && v.pssBytes !== undefined)
    parts.push(
      `used ${fmtTimes(v.pssBytes / c.pssBytes)}${tcgMark(v.pssBytes / c.pssBytes, v.env.accel)} less memory when idle (${fmtMiB(c.pssBytes)} vs ${fmtMiB(v.pssBytes)} PSS)`,
    );
  if (parts.length === 0) {
    // A workload run (the I/O paths): its headline is the relative-to-native table's.
    const relative = relativeSentence(model);
    return {
      sentence: relative
        ? `${relative.replace(/\.$/, '')}, ${on}.`
        : `This run measured neither start latency nor idle memory for both a container and a VM ${on}.`,
      caveats,
    };
  }
  const subject =
    c.env.id === 'container' ? "A container (ctvm's own engine)" : `A container (${c.env.label})`;
  // With several container engines and VM kinds, the headline compares the two sides as ranges.
  const sides = sidesSentence(model);
  return {
    sentence: sides ? `${sides.replace(/\.$/, '')}, ${on}.` : `${subject} ${parts.join(' and ')}, ${on}.`,
    caveats,
  };
}

function caveatsFor(model: ReportModel, s: Stacks): string[] {
  const out: string[] = [];
  const meta = model.run.meta;
  if (s.vm?.env.accel === 'tcg')
    out.push(
      "The VM ran under TCG, QEMU's software emulation, because KVM was not usable here" +
        (meta.host.kvm.reason ? ` (${meta.host.kvm.reason})` : '') +
        ': its start latency and CPU overhead are those of an emulated CPU, not of a KVM guest, which would start and compute far faster. Its memory figures are much less affected.',
    );
  const few = lowSampleFigures(model, s);
  if (few.length > 0)
    out.push(
      `Too few samples for a confidence interval: ${few.join('; ')}. Such a figure is a single observation (or two), not an estimate.`,
    );
  if (meta.status !== 'complete')
    out.push(
      `The run is ${meta.status}: ${model.run.samples.length} of ${meta.plannedSamples} planned samples exist.`,
    );
  if (meta.host.host.cores <= 2)
    out.push(
      `The host has ${meta.host.host.cores} cores, shared with other work: timings are noisy; compare the CIs, not single numbers.`,
    );
  if (meta.host.host.runningUnder) out.push(`The host itself runs under ${meta.host.host.runningUnder}.`);
  return out;
}

/** The headline's figures (start, idle PSS of the container and the VM) that have no CI. */
function lowSampleFigures(model: ReportModel, s: Stacks): string[] {
  const out: string[] = [];
  for (const env of [s.container?.env, s.vm?.env]) {
    if (!env) continue;
    const start = model.start.find((r) => r.env.id === env.id)?.start;
    const pss = model.idle.find((r) => r.env.id === env.id)?.metrics.pssBytes?.dist;
    for (const [what, d] of [
      ['start', start],
      ['idle PSS', pss],
    ] as const)
      if (d && !Number.isFinite(d.ciHigh)) out.push(`${env.label} ${what} ${noCI(d.n)}`);
  }
  return out;
}
