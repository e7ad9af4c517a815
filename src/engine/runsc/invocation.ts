// How ctvm calls gVisor's runsc: a state root per instance inside its state dir (removed with it;
// never the host's default /var/run/runsc), no
// network stack (`--network=none`: this runsc's root-netns check misfires on hosts where every
// netns has /proc/sys/net/core/rmem_default, see ENGINES.md), and the platform chosen per host.
import { which } from '../../util/which.js';
import { HostError } from '../../errors.js';

/** gVisor platforms ctvm uses: `kvm` where KVM is usable, else `ptrace` (this runsc predates systrap). */
export type RunscPlatform = 'ptrace' | 'kvm';

export function runscPlatform(kvmUsable: boolean): RunscPlatform {
  return kvmUsable ? 'kvm' : 'ptrace';
}

/** `runsc <global flags> <args>`: the flags go before the subcommand. */
export function runscCommand(
  args: string[],
  platform: RunscPlatform,
  root: string,
): { file: string; args: string[] } {
  const file = which('runsc');
  if (!file) throw new HostError('runsc not installed', { hint: 'apt-get install runsc' });
  return { file, args: ['--root', root, '--network=none', `--platform=${platform}`, ...args] };
}
