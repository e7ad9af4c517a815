// What a sampler needs to launch one instance: the environment, its scenario options, the prepared
// workload and a name that is unique on this host (state dirs, cgroups and sockets use it).
import type {
  Environment,
  Instance,
  LaunchOptions,
  Limits,
  PreparedWorkload,
} from '../engine/environment.js';
import { track } from '../engine/reaper.js';

export interface SampleTarget {
  env: Environment;
  options: Record<string, unknown>;
  limits?: Limits;
  workload: PreparedWorkload;
  /** Base of instance names, e.g. "ctvm-r4f2a-17"; instance i appends "-i". */
  namePrefix: string;
  timeoutMs: number;
  settleMs: number;
  idleWindowMs: number;
  /** Aborted on SIGINT/SIGTERM: waits end early so the run can finalise promptly. */
  signal?: AbortSignal;
}

/** A launched instance plus the release function of its reaper entry. */
export interface Tracked {
  inst: Instance;
  untrack: () => void;
  /** Set once the instance's `exited` promise resolved (it died, or was stopped). */
  readonly gone: () => boolean;
}

export async function launchTracked(
  t: SampleTarget,
  index: number,
  timeoutMs = t.timeoutMs,
): Promise<Tracked> {
  const opts: LaunchOptions = {
    workload: t.workload,
    instanceName: `${t.namePrefix}-${index}`,
    timeoutMs,
    options: t.options,
    ...(t.limits ? { limits: t.limits } : {}),
  };
  const inst = await t.env.launch(opts);
  let gone = false;
  void inst.exited.then(() => (gone = true));
  return { inst, untrack: track(inst), gone: () => gone };
}

export async function stopTracked(items: readonly Tracked[], reason: string): Promise<void> {
  await Promise.allSettled(
    items.map(async (t) => {
      await t.inst.stop(reason);
      t.untrack();
    }),
  );
}

/** setTimeout as a promise that rejects as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
