// A process and its descendants, from /proc/<pid>/task/<tid>/children (no cgroup for bare).
import { readdirSync, readFileSync } from 'node:fs';

export function processTree(pid: number): number[] {
  const out: number[] = [];
  const queue = [pid];
  while (queue.length) {
    const p = queue.shift()!;
    out.push(p);
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${p}/task`);
    } catch {
      continue; // exited meanwhile
    }
    for (const t of tasks) {
      try {
        const kids = readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').trim();
        if (kids) queue.push(...kids.split(/\s+/).map(Number));
      } catch {
        /* task gone */
      }
    }
  }
  return out;
}

/**
 * CPU time of a live process in ns from /proc/<pid>/task/<tid>/schedstat (sum_exec_runtime):
 * nanosecond resolution, where /proc/<pid>/stat counts 10 ms ticks (idle CPU over a 2 s window
 * would read 0 or 0.005). Null when the process is gone.
 */
export function schedRuntimeNs(pid: number): number | null {
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
      /* thread exited */
    }
  }
  return ns;
}
