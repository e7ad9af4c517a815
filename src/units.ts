// Units carried in type names so a reader (and a reviewer) can see what a number means.
export type Nanoseconds = number;
export type Milliseconds = number;
export type Bytes = number;

export const NS_PER_MS = 1e6;
export const NS_PER_S = 1e9;
export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

/** Host CLOCK_MONOTONIC in ns (same clock the C helper's clock_gettime(CLOCK_MONOTONIC) reads). */
export function monoNs(): Nanoseconds {
  return Number(process.hrtime.bigint());
}

/** Parses "64M", "1G", "512k", "1048576" (bytes). Returns undefined when it is not a size. */
export function parseBytes(text: string): Bytes | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b)?\s*$/i.exec(text);
  if (!m) return undefined;
  const mult: Record<string, number> = { '': 1, k: 1024, m: MiB, g: 1024 * MiB, t: 1024 * 1024 * MiB };
  const v = Number(m[1]) * (mult[(m[2] ?? '').toLowerCase()] ?? 1);
  return Number.isFinite(v) ? Math.round(v) : undefined;
}

/** Parses "10s", "500ms", "2m", "1.5" (seconds) into ms. */
export function parseDurationMs(text: string): Milliseconds | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!m) return undefined;
  const mult: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  return Number(m[1]) * (mult[m[2] ?? 's'] ?? 1000);
}
