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

/** utime+stime+cutime+cstime of this Node process, in clock ticks: CPU of children reaped so far. */
export function selfChildrenTicks(): number {
  const text = readFileSync('/proc/self/stat', 'utf8');
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return Number(rest[13] ?? 0) + Number(rest[14] ?? 0);
}
