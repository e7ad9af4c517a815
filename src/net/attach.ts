// An instance's place on the lab bridge, for the engines: checks support (a clear HostError with
// the skip reason when missing), then a veth netns or a tap from this process's lab network.
import { HostError } from '../errors.js';
import { monoNs } from '../units.js';
import { labNetwork, type LabEndpoint } from './lab.js';
import { bridgeSupport, type BridgeLink } from './support.js';

/** Throws HostError with the probe's reason when this host cannot wire `link`s to the lab bridge. */
export async function requireBridge(link: BridgeLink): Promise<void> {
  const a = await bridgeSupport(link);
  if (!a.usable)
    throw new HostError(a.reason, { hint: 'use --net none (or loopback), or run where it is available' });
}

/** A wired endpoint plus how long the wiring took (recorded as a fact, outside start latency). */
export async function attachToLab(link: BridgeLink): Promise<{ endpoint: LabEndpoint; wireMs: number }> {
  await requireBridge(link);
  const t0 = monoNs();
  const lab = await labNetwork();
  const endpoint = link === 'veth' ? await lab.vethEndpoint() : await lab.tapEndpoint();
  return { endpoint, wireMs: (monoNs() - t0) / 1e6 };
}
