// Can this host give an instance a place on the lab bridge? Probed, not assumed: root, `ip` and
// `nsenter`, a veth pair really created in a throwaway netns (container/bare/oci), and a tap
// device node (vm). Each failure is a one-line skip reason naming what is missing.
import { accessSync, constants } from 'node:fs';
import { exec } from '../util/exec.js';
import type { Availability } from '../engine/environment.js';
import { which } from '../util/which.js';
import { INSTANCE_PREFIX } from './lab.js';

export type BridgeLink = 'veth' | 'tap';

/**
 * Test seams, so a test can show the skip reasons on a host that has everything:
 * CTVM_TUN_DEVICE (default /dev/net/tun) and CTVM_VETH_KIND (default veth, the `ip link` type).
 */
export const tunDevice = (): string => process.env.CTVM_TUN_DEVICE ?? '/dev/net/tun';
const vethKind = (): string => process.env.CTVM_VETH_KIND ?? 'veth';

const cache = new Map<string, Promise<Availability>>();

/** Whether network mode `bridge` works here for this link kind (cached per process and seam values). */
export function bridgeSupport(link: BridgeLink): Promise<Availability> {
  const key = `${link}\0${tunDevice()}\0${vethKind()}`;
  let p = cache.get(key);
  if (!p) cache.set(key, (p = probe(link)));
  return p;
}

async function probe(link: BridgeLink): Promise<Availability> {
  if (process.getuid?.() !== 0)
    return { usable: false, reason: 'network bridge needs root (network namespaces, veth/tap)' };
  for (const tool of ['ip', 'nsenter'])
    if (!which(tool))
      return {
        usable: false,
        reason: `network bridge needs \`${tool}\` (apt-get install iproute2 util-linux)`,
      };
  if (link === 'tap') {
    const dev = tunDevice();
    try {
      accessSync(dev, constants.R_OK | constants.W_OK);
    } catch {
      return {
        usable: false,
        reason: `network bridge for a VM needs a tap device, and ${dev} is missing or not accessible (modprobe tun)`,
      };
    }
    return { usable: true, detail: `tap via ${dev}` };
  }
  // A veth pair inside a throwaway netns: proves the kernel has veth without touching the host.
  const ns = `${INSTANCE_PREFIX}probe-${process.pid}`;
  const add = await exec('ip', ['netns', 'add', ns]);
  if (add.code !== 0)
    return {
      usable: false,
      reason: `network bridge: cannot create a network namespace: ${add.stderr.trim()}`,
    };
  try {
    const r = await exec('ip', ['-n', ns, 'link', 'add', 'p0', 'type', vethKind(), 'peer', 'name', 'p1']);
    if (r.code !== 0)
      return {
        usable: false,
        reason: `network bridge needs veth support in the kernel (CONFIG_VETH, modprobe veth): ip link add type ${vethKind()}: ${r.stderr.trim()}`,
      };
    return { usable: true, detail: 'veth' };
  } finally {
    await exec('ip', ['netns', 'del', ns]);
  }
}
