// Facts a run records about where it ran: tool versions and the git revision of the harness.
import { execa } from 'execa';
import { release } from 'node:os';
import type { DoctorReport } from '../host/facts.js';
import { PROJECT_DIR } from '../paths.js';

export function toolVersions(host: DoctorReport): Record<string, string> {
  const tools: Record<string, string> = { node: process.version, kernel: release() };
  if (host.qemu) tools.qemu = host.qemu.version;
  for (const [name, rt] of Object.entries(host.runtimes))
    if (rt.present && rt.version) tools[name] = rt.version.replace(/^\S+ version /, '');
  if (host.guestKernel.version) tools.guestKernel = host.guestKernel.version;
  return tools;
}

export async function gitInfo(): Promise<{ revision: string | null; dirty: boolean | null }> {
  const rev = await execa('git', ['rev-parse', 'HEAD'], { cwd: PROJECT_DIR, reject: false });
  if (rev.exitCode !== 0) return { revision: null, dirty: null };
  const st = await execa('git', ['status', '--porcelain', '--untracked-files=no'], {
    cwd: PROJECT_DIR,
    reject: false,
  });
  return {
    revision: String(rev.stdout).trim(),
    dirty: st.exitCode === 0 ? String(st.stdout).trim() !== '' : null,
  };
}
