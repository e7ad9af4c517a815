// `--require-accel kvm|tcg` (run and doctor): an explicitly requested accelerator that the host
// cannot give is an error before anything runs, not a silently TCG-measured (or skipped) VM.
import { HostError, UsageError } from '../errors.js';
import type { DoctorReport } from '../host/facts.js';
import type { EnvironmentRecord } from './environments.js';

export const ACCELS = ['kvm', 'tcg'] as const;
export type RequiredAccel = (typeof ACCELS)[number];

export function parseRequiredAccel(text: string): RequiredAccel {
  if ((ACCELS as readonly string[]).includes(text)) return text as RequiredAccel;
  throw new UsageError(`--require-accel '${text}': expected ${ACCELS.join(' or ')}`, {
    hint: 'e.g. --require-accel kvm',
  });
}

/** doctor: throws a HostError (exit 3) when the host cannot run guests with `accel`. */
export function checkHostAccel(report: DoctorReport, accel: RequiredAccel): void {
  const facts = report[accel];
  if (!facts.usable)
    throw new HostError(
      `--require-accel ${accel}: ${accel} is not usable here: ${facts.reason ?? 'probe failed'}`,
      {
        hint:
          accel === 'kvm'
            ? 'needs /dev/kvm (nested virtualisation on a VM host) and a user allowed to open it'
            : 'install qemu-system-x86 (node scripts/setup.mjs)',
      },
    );
}

/** run: the vm environment must be in the run and use `accel`; else a HostError (exit 3). */
export function checkRunAccel(records: Record<string, EnvironmentRecord>, accel: RequiredAccel): void {
  const vm = records.vm;
  if (!vm)
    throw new UsageError(`--require-accel ${accel}: the scenario has no vm environment`, {
      hint: 'drop --require-accel, or run a scenario (or --only) that includes vm',
    });
  if (!vm.used)
    throw new HostError(
      `--require-accel ${accel}: the vm environment cannot run here (${vm.reason ?? 'skipped'})`,
      {
        hint: 'run `ctvm doctor --refresh` to see why',
      },
    );
  const got = vm.facts?.accel;
  if (got !== accel)
    throw new HostError(
      `--require-accel ${accel}: the vm environment would run with ${got ?? 'an unknown accelerator'}`,
      {
        hint: `set \`accel: ${accel}\` on the scenario's vm entry, or check \`ctvm doctor --require-accel ${accel}\``,
      },
    );
}
