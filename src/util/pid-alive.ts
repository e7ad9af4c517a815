// Whether a process exists (signal 0): gc keeps what a live owner still uses.
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, not ours to signal
  }
}
