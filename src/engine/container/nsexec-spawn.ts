// The one place that starts build/ctvm-nsexec: execa with an extra pipe on fd 3 (the status fd),
// parsed into StatusMessages as lines arrive. Everything else talks to the helper through this.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { execa } from 'execa';
import { HostError } from '../../errors.js';
import { BUILD_DIR } from '../../paths.js';
import { NSEXEC_STATUS_FD, parseStatusLine, type StatusMessage } from './nsexec-protocol.js';

export const NSEXEC_PATH = join(BUILD_DIR, 'ctvm-nsexec');

export type OutputMode = 'pipe' | 'inherit' | 'ignore';

export interface NsexecProcess {
  readonly helperPid: number;
  /** The container's stdout/stderr when piped. */
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  /** Resolves when the helper is gone AND its status fd is drained (every message delivered). */
  readonly done: Promise<{ exitCode: number | undefined; signal: string | undefined }>;
  kill(signal: NodeJS.Signals): void;
}

export function spawnNsexec(
  args: string[],
  opts: { stdout: OutputMode; stderr: OutputMode; onStatus: (m: StatusMessage) => void },
): NsexecProcess {
  if (!existsSync(NSEXEC_PATH)) throw new HostError(`${NSEXEC_PATH} is not built`, { hint: 'npm run setup' });
  // PRIVILEGED: the helper needs root (CAP_SYS_ADMIN for clone/mount/pivot_root, cgroup writes).
  const child = execa(NSEXEC_PATH, args, {
    stdio: ['ignore', opts.stdout, opts.stderr, 'pipe'],
    buffer: false,
    reject: false,
    stripFinalNewline: false,
    env: {},
    extendEnv: false,
  });
  const status = child.stdio[NSEXEC_STATUS_FD] as Readable;
  const drained = new Promise<void>((resolve) => {
    let partial = '';
    status.setEncoding('utf8');
    status.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const m = parseStatusLine(line);
        if (m) opts.onStatus(m);
      }
    });
    status.on('close', () => resolve());
    status.on('error', () => resolve());
  });
  const done = Promise.all([child, drained]).then(([r]) => ({
    exitCode: r.exitCode,
    signal: r.signal,
  }));
  if (child.pid === undefined) throw new HostError(`cannot spawn ${NSEXEC_PATH}`);
  return {
    helperPid: child.pid,
    stdout: opts.stdout === 'pipe' ? child.stdout : null,
    stderr: opts.stderr === 'pipe' ? child.stderr : null,
    done,
    kill: (signal) => {
      child.kill(signal);
    },
  };
}
