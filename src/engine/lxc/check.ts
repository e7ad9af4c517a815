// doctor's LXC check: can lxc-execute run `/bin/busybox true` from a throwaway rootfs here, with
// the config ctvm generates? Reports LXC's own last error line when not; leaves nothing behind.
import { execa } from 'execa';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RuntimeFacts } from '../../host/facts.js';
import { which } from '../../util/which.js';
import { lxcConfig } from './config.js';
import { LXC_STATE_DIR, removeLxcInstance } from './environment.js';

export async function checkLxc(v2: boolean): Promise<RuntimeFacts> {
  const path = which('lxc-execute');
  if (!path) return { present: false, usable: false, reason: 'lxc not installed (apt-get install lxc)' };
  const version = (await execa(path, ['--version'], { reject: false })).stdout.trim();
  if (process.getuid?.() !== 0) return { present: true, path, version, usable: false, reason: 'needs root' };
  mkdirSync(LXC_STATE_DIR, { recursive: true, mode: 0o700 });
  const dir = mkdtempSync(join(LXC_STATE_DIR, 'doctor-'));
  const name = `ctvm-doctor-${process.pid}`;
  try {
    mkdirSync(join(dir, 'rootfs/bin'), { recursive: true });
    copyFileSync('/bin/busybox', join(dir, 'rootfs/bin/busybox'));
    writeFileSync(join(dir, 'config'), lxcConfig({ rootfs: join(dir, 'rootfs'), name, v2 }));
    const r = await execa(
      path,
      ['-P', dir, '-n', name, '-f', join(dir, 'config'), '--', '/bin/busybox', 'true'],
      {
        reject: false,
        timeout: 30_000,
        stdin: 'ignore',
      },
    );
    if (r.exitCode === 0) return { present: true, path, version, usable: true };
    const why = (r.stderr || r.stdout).trim().split('\n').pop() ?? `exit ${r.exitCode}`;
    return { present: true, path, version, usable: false, reason: why.slice(0, 300) };
  } finally {
    await removeLxcInstance(dir, name);
  }
}
