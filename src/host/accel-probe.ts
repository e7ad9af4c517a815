// Is an accelerator usable? Decided by booting a tiny guest (the cached kernel + a one-file
// initramfs that prints a marker), never by the existence of /dev/kvm: on paravirtual KVM
// variants (kvm_pvm) a stock guest hangs after real mode.
import { execa } from 'execa';
import { mkdtempSync, rmSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeCpio } from '../workload/cpio.js';
import { monoNs } from '../units.js';
import type { AccelFacts } from './facts.js';
import { dieWithOwner } from '../util/die-with-owner.js';

export const PROBE_MARKER = 'CTVM-PROBE-OK';

/** One-file initramfs: busybox as /init's interpreter; prints the marker, then halts. */
export function probeInitramfs(busyboxPath = '/bin/busybox'): Buffer {
  const script = `#!/bin/busybox sh\n/bin/busybox echo ${PROBE_MARKER}\n/bin/busybox poweroff -f\n`;
  return writeCpio([
    { type: 'dir', path: 'bin' },
    { type: 'dir', path: 'dev' },
    { type: 'chardev', path: 'dev/console', major: 5, minor: 1, mode: 0o600 },
    { type: 'file', path: 'bin/busybox', data: readFileSync(busyboxPath), mode: 0o755 },
    { type: 'file', path: 'init', data: Buffer.from(script), mode: 0o755 },
  ]);
}

export interface ProbeOptions {
  accel: 'kvm' | 'tcg';
  kernel: string;
  timeoutMs: number;
  qemu?: string;
  busybox?: string;
}

/** Boots the probe guest; usable when the marker reaches the serial console before the timeout. */
export async function probeAccel(opts: ProbeOptions): Promise<AccelFacts> {
  if (!existsSync(opts.kernel))
    return { usable: false, reason: `guest kernel ${opts.kernel} missing (npm run setup)` };
  if (opts.accel === 'kvm' && !existsSync('/dev/kvm'))
    return { usable: false, reason: '/dev/kvm does not exist' };
  const dir = mkdtempSync(join(tmpdir(), 'ctvm-probe-'));
  try {
    const initrd = join(dir, 'probe.cpio');
    writeFileSync(initrd, probeInitramfs(opts.busybox));
    const args = [
      '-accel',
      opts.accel,
      '-M',
      'pc',
      '-cpu',
      opts.accel === 'kvm' ? 'host' : 'max',
      '-m',
      '128M',
      '-smp',
      '1',
      '-nodefaults',
      '-no-user-config',
      '-display',
      'none',
      '-serial',
      'stdio',
      '-monitor',
      'none',
      '-no-reboot',
      '-kernel',
      opts.kernel,
      '-initrd',
      initrd,
      '-append',
      'console=ttyS0 rdinit=/init panic=-1 quiet cryptomgr.notests',
    ];
    const t0 = monoNs();
    // Dies with us (PDEATHSIG), like every guest: a killed `ctvm doctor` leaves no qemu running.
    const cmd = dieWithOwner(opts.qemu ?? 'qemu-system-x86_64', args);
    const child = execa(cmd.file, cmd.args, {
      reject: false,
      stdin: 'ignore',
      buffer: false,
      all: true,
    });
    let serial = '';
    const seen = new Promise<number>((resolve) => {
      child.all?.on('data', (chunk: Buffer) => {
        serial += chunk.toString('latin1');
        if (serial.includes(PROBE_MARKER)) resolve(monoNs());
      });
    });
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), opts.timeoutMs).unref());
    const exited = child.then((r) => ({ exit: r.exitCode ?? r.signal ?? 'unknown' }));
    const outcome = await Promise.race([seen, timer, exited]);
    child.kill('SIGKILL');
    const done = await child;
    if (typeof outcome === 'number') return { usable: true, bootMs: Math.round((outcome - t0) / 1e6) };
    const tail = lastLine(serial) || lastLine(String(done.all ?? ''));
    if (outcome === 'timeout') {
      return {
        usable: false,
        timedOut: true,
        reason:
          `probe guest printed no marker within ${opts.timeoutMs} ms under ${opts.accel}` +
          (tail ? ` (last console line: ${tail})` : ' (console stayed silent)'),
      };
    }
    return {
      usable: false,
      reason: `qemu exited (${outcome.exit}) before the marker: ${tail || 'no output'}`,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function lastLine(text: string): string {
  return (
    text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter(Boolean)
      .pop()
      ?.slice(0, 200) ?? ''
  );
}
