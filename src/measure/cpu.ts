// Host CPU time charged to a process, from /proc/<pid>/stat (utime + stime, plus reaped children).
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Nanoseconds } from '../units.js';

/** Linux USER_HZ is 100 on every mainstream architecture (sysconf(_SC_CLK_TCK)). */
export const CLK_TCK = 100;

/** Fields after the "(comm)" part, which may itself contain spaces and parentheses. */
export function parseStat(text: string): {
  utimeTicks: number;
  stimeTicks: number;
  cutimeTicks: number;
  cstimeTicks: number;
  startTicks: number;
} {
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); utime is field 14 -> rest[11]
  const n = (i: number) => Number(rest[i] ?? 0);
  return { utimeTicks: n(11), stimeTicks: n(12), cutimeTicks: n(13), cstimeTicks: n(14), startTicks: n(19) };
}

/** CPU ns used by pid (and, with children=true, its reaped children). */
export async function procCpuNs(pid: number, children = false): Promise<Nanoseconds> {
  const s = parseStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
  const ticks = s.utimeTicks + s.stimeTicks + (children ? s.cutimeTicks + s.cstimeTicks : 0);
  return (ticks * 1e9) / CLK_TCK;
}

/**
 * CPU time of a live process in ns, summed over its threads' /proc/<pid>/task/<tid>/schedstat
 * (sum_exec_runtime): nanosecond resolution where /proc/<pid>/stat counts 10 ms ticks, so an idle
 * instance over a 2 s window does not read as 0. Null when the process is gone.
 */
export function threadsCpuNs(pid: number): Nanoseconds | null {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  let ns = 0;
  for (const t of tasks) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0] ?? 0);
    } catch {
      /* thread exited meanwhile */
    }
  }
  return ns;
}
