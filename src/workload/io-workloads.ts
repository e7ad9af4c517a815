// I/O workloads (#14) that run inside the instance and report through a RESULT line: fio on the
// scratch disk (4 KiB random read / write IOPS, sequential read MB/s, O_DIRECT, libaio) and xz
// of a fixed generated buffer, and the client/server network workloads of net-workloads.ts. Each
// declares what it needs from its environment (`disk`: the scratch disk, option `scratch`;
// `network`: the lab bridge, option `network: bridge`); see src/runner/cells.ts for what happens
// where an environment lacks it.
// The program is a host binary with its closure in the rootfs (the same bytes everywhere), run
// under the rootfs's busybox sh, which prints READY before it and RESULT after it.
import { SCRATCH_TOKEN } from '../disk/scratch-spec.js';
import { NET_WORKLOADS, type NetClient } from './net-workloads.js';

export type WorkloadNeed = 'disk' | 'network';

export interface IoWorkload {
  /** Host program (its closure goes into the rootfs). */
  program: string;
  args: string[];
  /** busybox sh script: "$0" is the program, "$@" its args. */
  script: string;
  needs: WorkloadNeed[];
  /** Client/server workloads: the client the sampler runs from the lab netns. */
  client?: NetClient;
}

// prettier-ignore
const FIO_COMMON = [
  '--name=ctvm', `--filename=${SCRATCH_TOKEN}/fio.dat`, '--size=64M', '--direct=1',
  '--ioengine=libaio', '--iodepth=16', '--runtime=3', '--time_based', '--randrepeat=1',
  '--output-format=terse', '--terse-version=3',
];

/**
 * fio's terse v3 line: field 7/8 = read KiB/s and IOPS, 48/49 = write KiB/s and IOPS. The job is
 * laid out (written) before its timed part; READY comes before that, so only fio's own figures
 * are its result, not workNs.
 */
const FIO_SCRIPT = [
  'echo READY',
  'out=$("$0" "$@") || exit $?',
  `echo "$out" | /bin/busybox awk -F';' '{ printf "RESULT mode=fio iops=%.1f mbps=%.2f\\n", $8 + $49, ($7 + $48) * 1024 / 1e6 }'`,
].join('; ');

/** xz -6 of a fixed buffer (the numbers 1..N, generated in the instance): workNs is the figure. */
const XZ_SCRIPT = [
  'echo READY',
  '/bin/busybox seq 1 300000 | "$0" "$@" | /bin/busybox wc -c > /dev/null || exit $?',
  'echo "RESULT mode=xz"',
].join('; ');

export const IO_WORKLOADS: Record<string, IoWorkload> = {
  'fio:randread': {
    program: 'fio',
    args: [...FIO_COMMON, '--rw=randread', '--bs=4k'],
    script: FIO_SCRIPT,
    needs: ['disk'],
  },
  'fio:randwrite': {
    program: 'fio',
    args: [...FIO_COMMON, '--rw=randwrite', '--bs=4k'],
    script: FIO_SCRIPT,
    needs: ['disk'],
  },
  'fio:seqread': {
    program: 'fio',
    args: [...FIO_COMMON, '--rw=read', '--bs=1M'],
    script: FIO_SCRIPT,
    needs: ['disk'],
  },
  xz: { program: 'xz', args: ['-6', '-T1', '-c'], script: XZ_SCRIPT, needs: [] },
  ...NET_WORKLOADS,
};

/** What a workload needs from its environment (none for the probe and host:* workloads). */
export function workloadNeeds(name: string): WorkloadNeed[] {
  return IO_WORKLOADS[name]?.needs ?? [];
}

/** The client of a client/server workload, or undefined for the others. */
export function workloadClient(name: string): NetClient | undefined {
  return IO_WORKLOADS[name]?.client;
}
