// How ctvm calls gVisor's runsc: a state root per instance inside its state dir (removed with it;
// never the host's default /var/run/runsc), no
// network stack (`--network=none`: this runsc's root-netns check misfires on hosts where every
// netns has /proc/sys/net/core/rmem_default, see ENGINES.md), and the platform chosen per host.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { which } from '../../util/which.js';
import { checkRuntime } from '../../host/runtime-check.js';
import type { RuntimeFacts } from '../../host/facts.js';
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

/** doctor's check: `runsc run` of a throwaway bundle with ctvm's flags, its root a temp dir. */
export async function checkRunsc(kvmUsable: boolean): Promise<RuntimeFacts> {
  const platform = runscPlatform(kvmUsable);
  const root = mkdtempSync(join(tmpdir(), 'ctvm-runsc-check-'));
  try {
    const facts = await checkRuntime('runsc', (_path, args) => runscCommand(args, platform, root));
    return facts.usable ? { ...facts, workaround: `--platform=${platform} --network=none` } : facts;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
