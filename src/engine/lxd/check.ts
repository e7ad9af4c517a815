// doctor's LXD check, run for real: start ctvm's own daemon (throwaway LXD_DIR), import an image of
// a busybox-only rootfs, `lxc launch` it and `lxc exec -- /bin/busybox true`; then ask LXD for an
// empty VM (`lxc init --empty --vm`), whose refusal is LXD's own reason the lxd-vm row is skipped.
// Everything it starts is stopped and removed, whatever happened. Reasons are LXD's own words.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import type { RuntimeFacts } from '../../host/facts.js';
import { errorMessage } from '../../errors.js';
import { which } from '../../util/which.js';
import { startLxdDaemon, type LxdDaemon } from './daemon.js';
import { ensureImage } from './image.js';

export interface LxdFacts {
  /** Containers: the `lxd` environment. */
  container: RuntimeFacts;
  /** Virtual machines: the `lxd-vm` row (`{type: lxd, options: {vm: true}}`). */
  vm: RuntimeFacts;
}

/** LXD's message without the client's "Error: " prefix, one line, bounded. */
export function lxdReason(err: unknown): string {
  return errorMessage(err)
    .replace(/^.*?Error: /, '')
    .slice(0, 300);
}

export async function checkLxd(): Promise<LxdFacts> {
  const path = which('lxd');
  if (!path) {
    const no = { present: false, usable: false, reason: 'lxd not installed (apt-get install lxd)' };
    return { container: no, vm: no };
  }
  const version = (await execa(path, ['--version'], { reject: false })).stdout.trim();
  const base = { present: true, path, version };
  if (process.getuid?.() !== 0) {
    const no = { ...base, usable: false, reason: 'needs root' };
    return { container: no, vm: no };
  }
  let daemon: LxdDaemon | undefined;
  try {
    daemon = await startLxdDaemon('doctor');
  } catch (err) {
    const no = { ...base, usable: false, reason: `daemon: ${lxdReason(err)}` };
    return { container: no, vm: no };
  }
  try {
    return { container: await checkContainer(daemon, base), vm: await checkVm(daemon, base) };
  } finally {
    await daemon.stop();
  }
}

async function checkContainer(d: LxdDaemon, base: Omit<RuntimeFacts, 'usable'>): Promise<RuntimeFacts> {
  const work = mkdtempSync(join(d.dir, 'doctor-rootfs-'));
  try {
    for (const d of ['bin', 'dev', 'proc', 'sys', 'tmp', 'etc', 'root']) mkdirSync(join(work, d));
    copyFileSync('/bin/busybox', join(work, 'bin/busybox'));
    symlinkSync('busybox', join(work, 'bin/sh'));
    await ensureImage(d, { rootfsDir: work, rootfsHash: 'doctor' }, new Map());
    await d.lxc(['launch', 'ctvm-doctor', 'ctvm-doctor'], { timeoutMs: 120_000 });
    await d.lxc(['exec', 'ctvm-doctor', '--force-noninteractive', '--', '/bin/busybox', 'true'], {
      timeoutMs: 60_000,
    });
    return {
      ...base,
      usable: true,
      workaround: 'own daemon (LXD_DIR under /run/ctvm-lxd), dir pool, no network',
    };
  } catch (err) {
    return { ...base, usable: false, reason: lxdReason(err) };
  } finally {
    await d.lxc(['delete', '--force', 'ctvm-doctor'], { timeoutMs: 60_000 }).catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
}

async function checkVm(d: LxdDaemon, base: Omit<RuntimeFacts, 'usable'>): Promise<RuntimeFacts> {
  try {
    await d.lxc(['init', '--empty', '--vm', 'ctvm-doctor-vm'], { timeoutMs: 60_000 });
  } catch (err) {
    return { ...base, usable: false, reason: lxdReason(err) };
  }
  await d.lxc(['delete', '--force', 'ctvm-doctor-vm'], { timeoutMs: 60_000 }).catch(() => undefined);
  return {
    ...base,
    usable: false,
    reason:
      'LXD can create VMs here, but ctvm builds no LXD VM image (bootable disk + lxd-agent) of the workload',
  };
}
