// gVisor's processes, told apart for the memory figures: the sentry (runsc-sandbox, gVisor's
// user-space kernel, which also holds the workload's memory under ptrace) and the gofer
// (runsc-gofer, serving the rootfs) are in the instance's cgroup, so in its PSS; the foreground
// `runsc run` parent waits outside it. Each is found by its command line naming the bundle (the
// instance's state dir), which no other instance shares.
import { readFileSync, readdirSync } from 'node:fs';
import { readSmapsRollup } from '../../measure/smaps.js';

export type RunscRole = 'sentry' | 'gofer' | 'parent';

/** The role of a process from its argv, when it serves the bundle `bundle`. */
export function runscRole(argv: string[], bundle: string): RunscRole | undefined {
  const names = argv.some((a) => a === bundle || a === `--bundle=${bundle}`);
  if (!names) return undefined;
  if (argv[0] === 'runsc-sandbox') return 'sentry';
  if (argv[0] === 'runsc-gofer') return 'gofer';
  if (/(^|\/)runsc$/.test(argv[0] ?? '') && argv.includes('run')) return 'parent';
  return undefined;
}

/** PSS by role of the processes that serve `bundle` right now (a role absent is 0). */
export async function runscPssByRole(bundle: string): Promise<Record<RunscRole, number>> {
  const out: Record<RunscRole, number> = { sentry: 0, gofer: 0, parent: 0 };
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // gone meanwhile
    }
    const role = runscRole(argv, bundle);
    if (!role) continue;
    const s = await readSmapsRollup(Number(pid)).catch(() => undefined);
    out[role] += s?.pssBytes ?? 0;
  }
  return out;
}
