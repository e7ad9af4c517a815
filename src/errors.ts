// One error family for the whole tool: a message that names path/value/cause, an optional hint,
// and an exit code the CLI maps to (2 = bad input, 3 = harness failure).

export type ExitCode = 0 | 1 | 2 | 3;

export class CtvmError extends Error {
  readonly hint: string | undefined;
  readonly exitCode: ExitCode;
  constructor(message: string, opts: { hint?: string; cause?: unknown; exitCode?: ExitCode } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.hint = opts.hint;
    this.exitCode = opts.exitCode ?? 3;
  }
}

/** The user gave us something wrong (scenario, flag, path): exit code 2, nothing written. */
export class UsageError extends CtvmError {
  constructor(message: string, opts: { hint?: string; cause?: unknown } = {}) {
    super(message, { ...opts, exitCode: 2 });
  }
}

/** The host cannot do what was asked (no qemu, not root, no cgroup controller). */
export class HostError extends CtvmError {}

/** A syscall-level failure reported by the native helper or a file write. */
export class SystemError extends CtvmError {
  readonly op: string;
  readonly path: string | undefined;
  readonly errno: string | undefined;
  constructor(
    op: string,
    path: string | undefined,
    errno: string | undefined,
    opts: { hint?: string; cause?: unknown } = {},
  ) {
    super(`${op}${path === undefined ? '' : ` \`${path}\``}: ${errno ?? 'failed'}`, opts);
    this.op = op;
    this.path = path;
    this.errno = errno;
  }
}

/** Message of any thrown value, for logs and sample records. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
