// What a host-kernel instance (bare, container) gets for its I/O before its start clock runs:
// a netns on the lab bridge (network `bridge`) and the scratch disk on a loop mount (`scratch`).
// Both are recorded as facts (labWireMs, scratchMs); release() undoes both, idempotently.
import { mountScratch } from '../disk/attach.js';
import { scratchRequest } from '../disk/scratch-spec.js';
import type { LoopMount } from '../disk/scratch.js';
import { attachToLab } from '../net/attach.js';
import type { LabEndpoint } from '../net/lab.js';
import { monoNs } from '../units.js';

export interface HostIo {
  /** Network bridge: the wired netns to join, and the instance's address. */
  net?: LabEndpoint;
  /** Scratch disk: the host dir the image is mounted on. */
  scratch?: LoopMount;
  facts: Record<string, number>;
  release(): Promise<void>;
}

/** Validates the options first (bad input creates nothing), then wires and mounts. */
export async function attachHostIo(options?: Record<string, unknown>): Promise<HostIo> {
  const disk = scratchRequest(options);
  const io: HostIo = {
    facts: {},
    release: async () => {
      const errors: unknown[] = [];
      for (const r of [io.scratch?.release, io.net?.release])
        if (r) await r().catch((e: unknown) => errors.push(e));
      if (errors.length) throw new AggregateError(errors, 'releasing the instance I/O failed');
    },
  };
  try {
    if (options?.network === 'bridge') {
      const wired = await attachToLab('veth');
      io.net = wired.endpoint;
      io.facts.labWireMs = wired.wireMs;
    }
    if (disk) {
      const t0 = monoNs();
      io.scratch = await mountScratch(disk);
      io.facts.scratchMs = (monoNs() - t0) / 1e6;
    }
  } catch (err) {
    await io.release().catch(() => undefined);
    throw err;
  }
  return io;
}
