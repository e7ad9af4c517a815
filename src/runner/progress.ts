// Progress while a run goes: a bar with ETA on a TTY (cli-progress), one plain line per sample
// otherwise (CI logs, pipes), nothing at all when quiet.
import cliProgress from 'cli-progress';

export interface Progress {
  start(total: number, done: number): void;
  sampleDone(label: string, ok: boolean, detail: string): void;
  warn(message: string): void;
  stop(): void;
}

export function createProgress(mode: 'auto' | 'plain' | 'quiet' = 'auto'): Progress {
  if (mode === 'quiet')
    return { start() {}, sampleDone() {}, warn: (m) => console.error(`warning: ${m}`), stop() {} };
  if (mode === 'auto' && process.stderr.isTTY) return barProgress();
  return plainProgress();
}

function plainProgress(): Progress {
  let total = 0;
  let done = 0;
  return {
    start(t, d) {
      total = t;
      done = d;
    },
    sampleDone(label, ok, detail) {
      done++;
      console.error(`[${done}/${total}] ${label}: ${ok ? 'ok' : 'FAILED'} ${detail}`);
    },
    warn: (m) => console.error(`warning: ${m}`),
    stop() {},
  };
}

function barProgress(): Progress {
  const multi = new cliProgress.MultiBar(
    {
      format: '{bar} {value}/{total} | ETA {eta_formatted} | {label}',
      stream: process.stderr,
      etaBuffer: 20,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let bar: cliProgress.SingleBar | undefined;
  return {
    start(total, done) {
      bar = multi.create(total, done, { label: 'starting' });
    },
    sampleDone(label, ok, detail) {
      if (!ok) multi.log(`FAILED ${label}: ${detail}\n`);
      bar?.increment(1, { label: `${label} ${ok ? detail : 'FAILED'}` });
    },
    warn: (m) => multi.log(`warning: ${m}\n`),
    stop: () => multi.stop(),
  };
}
