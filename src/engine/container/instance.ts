// Wraps a running Container as an Environment Instance: READY/RESULT detection on stdout,
// ExitInfo, memory (PSS of every cgroup pid + cgroup usage) and CPU (cgroup cpuacct/cpu.stat).
import type { ExitInfo, Instance, MemorySample, CpuSample } from '../environment.js';
import { readSmapsRollup } from '../../measure/smaps.js';
import { monoNs } from '../../units.js';
import type { Readable } from 'node:stream';
import type { PhaseTimeline } from '../environment.js';
import type { Cgroup } from './cgroup/types.js';
import type { ContainerExit } from './lifecycle.js';
import { readLines, ReadyWatch } from '../line-stream.js';
import { WorkloadOutput } from '../workload-output.js';

/** What an Instance needs from a running container: ours (launch.ts) or an OCI runtime's. */
export interface InstanceSource {
  readonly name: string;
  readonly events: PhaseTimeline;
  /** Fed with the launcher's phases by the source; told here when we read the READY line. */
  readonly readyWatch: ReadyWatch;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  /** The container's cgroup while it exists. */
  readonly cgroup: Pick<Cgroup, 'pids' | 'stats'>;
  readonly exited: Promise<ContainerExit>;
  /** Network bridge: the address on the lab bridge. */
  readonly labIp?: string | undefined;
  stop(reason?: string): Promise<void>;
}

export function containerInstance(c: InstanceSource): Instance {
  let final: ContainerExit | undefined;
  void c.exited.then((e) => (final = e));
  const watch = c.readyWatch;
  const output = new WorkloadOutput(watch);
  const streams = [c.stdout, c.stderr].flatMap((s) => (s ? [readLines(s, output.line)] : []));

  const exited = Promise.all([c.exited, ...streams]).then(([e]): ExitInfo => {
    watch.end(() => {
      const why = e.setupError
        ? e.setupError.message
        : `exited (code ${e.code}, signal ${e.signal}) before READY`;
      return e.setupError ?? new Error(`container ${c.name}: ${why}`);
    });
    const result = output.result(c.events);
    return {
      atNs: e.atNs,
      code: e.code,
      signal: e.signal,
      timedOut: e.timedOut,
      oomKilled: e.oomKilled,
      ...(e.stoppedBy !== undefined ? { stoppedBy: e.stoppedBy } : {}),
      ...(result ? { result } : {}),
      outputTail: e.setupError
        ? [...output.tail.lines, `ctvm-nsexec: ${e.setupError.message}`]
        : output.tail.lines,
    };
  });

  return {
    name: c.name,
    events: c.events,
    ...(c.labIp !== undefined ? { labIp: c.labIp } : {}),
    ready: watch.ready,
    exited,
    sampleMemory: async (): Promise<MemorySample> => {
      let pssBytes = 0;
      let rssBytes = 0;
      for (const pid of c.cgroup.pids()) {
        // A pid can exit between listing and reading: it then owns no memory, skip it.
        const s = await readSmapsRollup(pid).catch(() => undefined);
        pssBytes += s?.pssBytes ?? 0;
        rssBytes += s?.rssBytes ?? 0;
      }
      return { pssBytes, rssBytes, cgroupBytes: c.cgroup.stats().memoryBytes };
    },
    sampleCpu: async (): Promise<CpuSample> => {
      // After removal the cgroup is gone: its last counters were saved in the exit record.
      if (final && (final.countersLost || !final.stats))
        throw new Error("CPU time not measured: the instance's cgroup was removed before its last read");
      const cpuNs = final ? final.stats!.cpuNs : c.cgroup.stats().cpuNs;
      return { cpuNs, atNs: monoNs() };
    },
    stop: (reason?: string) => c.stop(reason),
  };
}
