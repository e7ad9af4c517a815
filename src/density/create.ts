// Creating a density level: N instances launched with at most `concurrency` of them between
// launch and READY at once; the creation rate is N over the time until the last one is READY.
import { launchTracked, type SampleTarget, type Tracked } from '../runner/sample-context.js';
import { monoNs, type Nanoseconds } from '../units.js';

export interface Creation {
  /** From the first launch to the last READY. */
  allReadyNs: Nanoseconds;
}

/** Pushes every launched instance into `into` at once, so the caller's finally stops them all. */
export async function createLevel(
  t: SampleTarget,
  n: number,
  concurrency: number,
  lifetimeMs: number,
  into: Tracked[],
): Promise<Creation> {
  const t0 = monoNs();
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (next < n && !failed) {
      if (t.signal?.aborted) throw t.signal.reason as Error;
      const i = next++;
      const tracked = await launchTracked(t, i, lifetimeMs);
      into.push(tracked);
      await tracked.inst.ready;
    }
  };
  // allSettled, not all: no worker may still be launching when the caller's finally stops `into`.
  const results = await Promise.allSettled(
    Array.from({ length: Math.min(concurrency, n) }, () =>
      worker().catch((err: unknown) => ((failed = true), Promise.reject(err))),
    ),
  );
  const rejected = results.find((r) => r.status === 'rejected');
  if (rejected) throw rejected.reason;
  return { allReadyNs: monoNs() - t0 };
}
