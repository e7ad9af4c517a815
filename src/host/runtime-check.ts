// Can runc / crun actually run a container here? Runs `/bin/busybox true` from a throwaway
// bundle made with `<runtime> spec`, and reports the runtime's own first error line if not.
import { execa } from 'execa';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RuntimeFacts } from './facts.js';
import { which } from '../util/which.js';

/** How to run `<runtime> <args>`; the default runs it as is (crun on hybrid hosts needs a wrapper). */
export type Invoke = (path: string, args: string[]) => { file: string; args: string[] };
const direct: Invoke = (file, args) => ({ file, args });

export async function checkRuntime(
  name: 'runc' | 'crun' | 'runsc',
  invoke: Invoke = direct,
): Promise<RuntimeFacts> {
  const path = which(name);
  if (!path) return { present: false, usable: false, reason: `${name} not installed` };
  const version = (await execa(path, ['--version'], { reject: false })).stdout.split('\n')[0]?.trim() ?? '';
  if (process.getuid?.() !== 0) return { present: true, path, version, usable: false, reason: 'needs root' };
  const dir = mkdtempSync(join(tmpdir(), `ctvm-${name}-check-`));
  const id = `ctvm-doctor-${name}-${process.pid}`;
  try {
    mkdirSync(join(dir, 'rootfs/bin'), { recursive: true });
    copyFileSync('/bin/busybox', join(dir, 'rootfs/bin/busybox'));
    // `crun spec` inspects the host's cgroups and fails without a cgroup mount: that is the
    // runtime's own verdict on this host, reported like a failed run (not thrown at doctor).
    const made = await execa(path, ['spec'], { cwd: dir, reject: false });
    if (made.exitCode !== 0)
      return { present: true, path, version, usable: false, reason: `${name} spec: ${lastLine(made)}` };
    const spec = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as {
      process: { terminal: boolean; args: string[] };
    };
    spec.process.terminal = false;
    spec.process.args = ['/bin/busybox', 'true'];
    writeFileSync(join(dir, 'config.json'), JSON.stringify(spec));
    const run = invoke(path, ['run', '--bundle', dir, id]);
    const r = await execa(run.file, run.args, {
      reject: false,
      timeout: 15_000,
      stdin: 'ignore',
    });
    if (r.exitCode === 0) return { present: true, path, version, usable: true };
    return { present: true, path, version, usable: false, reason: lastLine(r) };
  } finally {
    const del = invoke(path, ['delete', '--force', id]);
    await execa(del.file, del.args, { reject: false });
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The runtime's last non-empty output line (its error), else its exit status. */
function lastLine(r: { stdout?: unknown; stderr?: unknown; exitCode?: number }): string {
  const text = String(r.stderr || r.stdout || '');
  const line =
    text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .pop() ?? `exit ${r.exitCode ?? '?'}`;
  return line.slice(0, 300);
}
