// The ctvm-nsexec status protocol (native/README.md): constants mirrored from native/nsexec.h
// (a unit test checks they match) and a parser for the lines the helper writes on fd 3.
import type { Nanoseconds } from '../../units.js';

export const NSEXEC_PROTOCOL_VERSION = 1;
export const NSEXEC_STATUS_FD = 3;
export const NSEXEC_MSG_TIME = 'T';
export const NSEXEC_MSG_PID = 'P';
export const NSEXEC_MSG_ERROR = 'E';
export const NSEXEC_MSG_EXIT = 'X';
export const NSEXEC_EXIT_USAGE = 125;
export const NSEXEC_EXIT_SETUP = 126;
export const NSEXEC_EXIT_EXEC = 127;
export const NSEXEC_GO_BYTE = 'g';

/** Namespace names the helper's `ns` keyword accepts. */
export const NAMESPACES = ['pid', 'mnt', 'uts', 'ipc', 'net', 'cgroup'] as const;
export type Namespace = (typeof NAMESPACES)[number];

export type StatusMessage =
  | { kind: 'time'; phase: string; atNs: Nanoseconds }
  | { kind: 'pid'; pid: number }
  | { kind: 'error'; stage: string; op: string; errno: string; path: string | undefined }
  | { kind: 'exit'; code: number | null; signal: number | null };

/** Parses one status line; returns undefined for anything that is not protocol (never throws). */
export function parseStatusLine(line: string): StatusMessage | undefined {
  const tag = line[0];
  const rest = line.slice(2);
  if (tag === NSEXEC_MSG_TIME) {
    const m = /^(\S+) (\d+)$/.exec(rest);
    return m ? { kind: 'time', phase: m[1]!, atNs: Number(m[2]) } : undefined;
  }
  if (tag === NSEXEC_MSG_PID) {
    const pid = Number(rest);
    return Number.isInteger(pid) && pid > 0 ? { kind: 'pid', pid } : undefined;
  }
  if (tag === NSEXEC_MSG_ERROR) {
    // "<stage> <op...> <ERRNO> <path>": op may contain spaces ("mount overlay"), ERRNO starts with E.
    const m = /^(\S+) (.+?) (E[A-Z0-9]+) (.+)$/.exec(rest);
    if (!m) return undefined;
    return { kind: 'error', stage: m[1]!, op: m[2]!, errno: m[3]!, path: m[4] === '-' ? undefined : m[4] };
  }
  if (tag === NSEXEC_MSG_EXIT) {
    const m = /^(code|signal) (\d+)$/.exec(rest);
    if (!m) return undefined;
    const n = Number(m[2]);
    return m[1] === 'code'
      ? { kind: 'exit', code: n, signal: null }
      : { kind: 'exit', code: null, signal: n };
  }
  return undefined;
}
