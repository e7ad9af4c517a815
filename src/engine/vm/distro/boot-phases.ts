// The Debian guest's boot phases from its CTVM-BOOT console line (guest uptimes in seconds:
// initramfs-tools' init-top and init-bottom stamps, systemd's own UserspaceTimestamp and
// multi-user.target's ActiveEnterTimestamp, all CLOCK_MONOTONIC), placed on the host clock: a
// guest uptime t happened at arrival - (uptime_s - t). Under TCG the guest clock follows the
// host's; the line's transit time (a few ms of emulated UART) is the error.
import type { Phase } from '../../environment.js';

/** Phase names, in boot order; each marks when that stage began (firmware/loader runs before 'kernel'). */
export const BOOT_PHASES = [
  ['kernel', undefined],
  ['initramfs', 'initramfs_s'],
  ['systemd', 'systemd_s'],
  ['multi-user', 'multiuser_s'],
] as const;

export interface BootTimes {
  phases: Phase[];
  facts: Record<string, number>;
}

/** null when the line lacks its uptime; stages the guest could not time (-1, 0, absent) are left out. */
export function bootPhases(fields: Record<string, string>, arrivalNs: number): BootTimes | null {
  const uptime = Number(fields.uptime_s);
  if (!Number.isFinite(uptime) || uptime <= 0) return null;
  const phases: Phase[] = [];
  const facts: Record<string, number> = {};
  for (const [name, field] of BOOT_PHASES) {
    const t = field === undefined ? 0 : Number(fields[field]);
    if (!Number.isFinite(t) || t < 0 || (field !== undefined && t === 0) || t > uptime) continue;
    phases.push({ name, atNs: Math.round(arrivalNs - (uptime - t) * 1e9) });
    if (field !== undefined) facts[`guest_${field.replace(/_s$/, '')}_ns`] = Math.round(t * 1e9);
  }
  for (const k of ['units', 'failed']) {
    const n = Number(fields[k]);
    if (Number.isInteger(n)) facts[`guestUnits${k === 'units' ? 'Active' : 'Failed'}`] = n;
  }
  return { phases, facts };
}
