// The ctvm-nsexec protocols (native/README.md): constants mirrored from native/nsexec/nsexec.h (a unit
// test checks they match), the status lines a launch writes on fd 3, and the resident server's
// request/reply framing (v2).
import { constants } from 'node:os';
import type { Nanoseconds } from '../../units.js';

export const NSEXEC_PROTOCOL_VERSION = 2;
export const NSEXEC_STATUS_FD = 3;
export const NSEXEC_MSG_TIME = 'T';
export const NSEXEC_MSG_PID = 'P';
export const NSEXEC_MSG_ERROR = 'E';
export const NSEXEC_MSG_RUSAGE = 'U';
export const NSEXEC_MSG_EXIT = 'X';
export const NSEXEC_EXIT_USAGE = 125;
export const NSEXEC_EXIT_SETUP = 126;
export const NSEXEC_EXIT_EXEC = 127;
export const NSEXEC_REQ_LAUNCH = 'L';
export const NSEXEC_REPLY_STARTED = 'S';
export const NSEXEC_REPLY_DONE = 'D';
export const NSEXEC_REPLY_FAILED = 'F';
export const NSEXEC_INHERIT_FD = 3;
export const NSEXEC_SPARES = 2;
/** Arguments one launch request may carry (MAX_ARGS in native/nsexec/serve.c): the helper's own
 * options (mounts, devices, cgroup files, env) plus the command's. A bigger request kills it. */
export const NSEXEC_MAX_ARGS = 4096;
/** The command's share of NSEXEC_MAX_ARGS: the rest is left for the helper's options. */
export const MAX_COMMAND_ARGS = 3584;
/** Total bytes of the command's arguments: well inside execve's ARG_MAX (a quarter of an 8 MiB stack). */
export const MAX_COMMAND_BYTES = 1024 * 1024;
/** One argument: execve's MAX_ARG_STRLEN (32 pages) minus the NUL. */
export const MAX_ARG_BYTES = 128 * 1024 - 1;

/** Why a command's argv cannot be launched (too many, too long, a NUL, not UTF-8), or undefined. */
export function commandArgsProblem(args: readonly string[]): string | undefined {
  if (args.length > MAX_COMMAND_ARGS)
    return `${args.length} command arguments; at most ${MAX_COMMAND_ARGS} are accepted`;
  let total = 0;
  for (const [i, a] of args.entries()) {
    const bytes = Buffer.byteLength(a) + 1;
    if (bytes - 1 > MAX_ARG_BYTES)
      return `command argument ${i} is ${bytes - 1} bytes; at most ${MAX_ARG_BYTES} are accepted (execve)`;
    if (a.includes('\0')) return `command argument ${i} contains a NUL byte`;
    total += bytes;
  }
  if (total > MAX_COMMAND_BYTES)
    return `command arguments total ${total} bytes; at most ${MAX_COMMAND_BYTES} are accepted`;
  return undefined;
}

/** Namespace names the helper's `ns` keyword accepts. */
export const NAMESPACES = ['pid', 'mnt', 'uts', 'ipc', 'net', 'cgroup'] as const;
export type Namespace = (typeof NAMESPACES)[number];

export type StatusMessage =
  | { kind: 'time'; phase: string; atNs: Nanoseconds }
  | { kind: 'pid'; pid: number }
  | { kind: 'error'; stage: string; op: string; errno: string; path: string | undefined }
  | { kind: 'rusage'; cpuNs: Nanoseconds }
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
  if (tag === NSEXEC_MSG_RUSAGE) {
    const m = /^(\d+)$/.exec(rest);
    return m ? { kind: 'rusage', cpuNs: Number(m[1]) } : undefined;
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

/** Where a launched command's stdout/stderr go: a socket read by us, our own fd, or /dev/null. */
export type OutputMode = 'pipe' | 'inherit' | 'ignore';

/** A launcher's connection to our socket names the stream: "<id> <kind>" or "spare <pid> <kind>". */
export type StreamKind = 'out' | 'err' | 'status';

/** "L <id> <out> <err> <argc>\n" then argc NUL-terminated strings (the v1 argv). */
export function encodeLaunchRequest(id: number, out: OutputMode, err: OutputMode, args: string[]): Buffer {
  if (!Number.isSafeInteger(id) || id < 0) throw new Error(`launch id ${id} is not a non-negative integer`);
  if (args.length === 0) throw new Error('launch request without arguments');
  const bad = args.find((a) => a.includes('\0'));
  if (bad !== undefined) throw new Error(`launch argument ${JSON.stringify(bad)} contains a NUL byte`);
  const head = `${NSEXEC_REQ_LAUNCH} ${id} ${out} ${err} ${args.length}\n`;
  return Buffer.concat([Buffer.from(head), ...args.map((a) => Buffer.from(a + '\0'))]);
}

export type ServerReply =
  | { kind: 'started'; id: number; pid: number }
  | { kind: 'done'; pid: number; waitStatus: number; cpuNs: Nanoseconds }
  | { kind: 'failed'; id: number; errno: string };

/** Parses one line of the server's stdout; undefined for anything else (never throws). */
export function parseServerReply(line: string): ServerReply | undefined {
  let m = /^S (\d+) (\d+)$/.exec(line);
  if (m) return { kind: 'started', id: Number(m[1]), pid: Number(m[2]) };
  m = /^D (\d+) (\d+) (\d+)$/.exec(line);
  if (m) return { kind: 'done', pid: Number(m[1]), waitStatus: Number(m[2]), cpuNs: Number(m[3]) };
  m = /^F (\d+) (E[A-Z0-9]+)$/.exec(line);
  if (m) return { kind: 'failed', id: Number(m[1]), errno: m[2]! };
  return undefined;
}

/** A waitpid() status as Node reports a child's end: an exit code or a signal name. */
export function decodeWaitStatus(status: number): {
  exitCode: number | undefined;
  signal: NodeJS.Signals | undefined;
} {
  const sig = status & 0x7f;
  if (sig === 0) return { exitCode: (status >> 8) & 0xff, signal: undefined };
  return { exitCode: undefined, signal: signalName(sig) };
}

/** Signal number -> name as Node reports signals ('SIGKILL'); `SIG<n>` for one Node has no name for. */
export function signalName(n: number): NodeJS.Signals {
  return SIGNAL_NAMES.get(n) ?? (`SIG${n}` as NodeJS.Signals);
}
/** The first name per number: SIGABRT before its alias SIGIOT, SIGIO before SIGPOLL. */
const SIGNAL_NAMES = new Map<number, NodeJS.Signals>();
for (const [name, n] of Object.entries(constants.signals) as [NodeJS.Signals, number][])
  if (!SIGNAL_NAMES.has(n)) SIGNAL_NAMES.set(n, name);
