// The workload's output protocol (native/probe.c): `READY` first, `RESULT mode=.. ns=.. k=v` last.

export const READY_LINE = 'READY';

/**
 * Lines the launcher (native `mark`) stamps as their first reader: phase name -> line prefix.
 * Start latency ends at `ready`, work at `result`; Node's own stamps are the fallback.
 */
export const OUTPUT_MARKS: readonly { name: 'ready' | 'result'; prefix: string }[] = [
  { name: 'ready', prefix: READY_LINE },
  { name: 'result', prefix: 'RESULT' },
];

/** The launcher's argv for marks (default: OUTPUT_MARKS). */
export function markArgs(marks: readonly { name: string; prefix: string }[] = OUTPUT_MARKS): string[] {
  return marks.flatMap((m) => ['mark', m.name, m.prefix]);
}

/** Parses `RESULT mode=cpu ns=123 k=v` into { mode: 'cpu', ns: '123', k: 'v' }; undefined if not one. */
export function parseResultLine(line: string): Record<string, string> | undefined {
  const m = /^RESULT(?:\s+(.*))?$/.exec(line.trim());
  if (!m) return undefined;
  const fields: Record<string, string> = {};
  for (const tok of (m[1] ?? '').split(/\s+/)) {
    const eq = tok.indexOf('=');
    if (eq > 0) fields[tok.slice(0, eq)] = tok.slice(eq + 1);
  }
  return fields;
}
