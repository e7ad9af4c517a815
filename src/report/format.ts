// Number formatting for charts, tables and the figure: ms, MiB, %, "400x", 3 significant digits.
import type { RunMeta } from '../results/types.js';
import { envTypeOf } from '../results/run-meta.js';

export const MiB = 1024 * 1024;

export const nsToMs = (ns: number): number => ns / 1e6;
export const bytesToMiB = (b: number): number => b / MiB;

/** 3 significant digits, no exponent, thousands separated: 0.0123, 4.56, 2,070. */
export function sig(v: number, digits = 3): string {
  if (!Number.isFinite(v)) return '–';
  if (v === 0) return '0';
  const mag = Math.floor(Math.log10(Math.abs(v)));
  const decimals = Math.max(0, digits - 1 - mag);
  return v.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

export const fmtMs = (ns: number): string => `${sig(nsToMs(ns))} ms`;
/** "12.3 MiB"; below 1 MiB in KiB ("421 KiB", not "0.411 MiB"). */
export const fmtMiB = (bytes: number): string =>
  Math.abs(bytes) < MiB ? `${sig(bytes / 1024)} KiB` : `${sig(bytesToMiB(bytes))} MiB`;
export const fmtPct = (fraction: number): string => `${fraction >= 0 ? '+' : ''}${sig(fraction * 100, 2)}%`;
/** "400x" with 2 significant digits below 100, whole numbers above. */
export const fmtTimes = (ratio: number): string =>
  `${ratio >= 100 ? Math.round(ratio).toLocaleString('en-US') : sig(ratio, 2)}x`;

/** What a table shows instead of a CI it does not have (too few samples): "n=1: no CI". */
export const noCI = (n: number): string => `n=${n}: no CI`;

/** A ratio this far from 1 (either way) is "large": one involving a TCG guest gets " (TCG)". */
export const LARGE_RATIO = 2;

/** " (TCG)" beside a large ratio that involves a TCG (emulated) guest, else "". */
export const tcgMark = (ratio: number, accel: string | undefined): string =>
  accel === 'tcg' && (ratio >= LARGE_RATIO || ratio <= 1 / LARGE_RATIO) ? ' (TCG)' : '';

/** Formats a value of a METRICS unit for tables. */
export function fmtUnit(value: number, unit: string): string {
  switch (unit) {
    case 'ns':
      // Below a millisecond (network round trips, redis latencies) in µs: "31.2 µs", not "0.0312 ms".
      return value !== 0 && Math.abs(value) < 1e6 ? `${sig(value / 1e3)} µs` : fmtMs(value);
    case 'bytes':
      return fmtMiB(value);
    case 'bit/s':
      return Math.abs(value) >= 1e9 ? `${sig(value / 1e9)} Gbit/s` : `${sig(value / 1e6)} Mbit/s`;
    case 'cpu-s/s':
      return `${sig(value * 100, 2)}% CPU`;
    case 'MB/s':
      return `${sig(value)} MB/s`;
    case 'count':
    case 'ratio':
      return sig(value);
    default:
      return `${sig(value)} ${unit}`; // op/s, Mup/s, ...
  }
}

/** Display name of an environment: `vm (TCG)` carries the accelerator actually used. */
export function envLabel(env: string, meta: RunMeta, accel?: string): string {
  const a = accel ?? meta.environments[env]?.facts?.accel;
  return a && envTypeOf(meta, env) === 'vm' ? `${env} (${a.toUpperCase()})` : env;
}

const ENV_ORDER = ['bare', 'container', 'oci:runc', 'oci:crun', 'vm'];
export function envOrder(a: string, b: string): number {
  const rank = (e: string) => {
    const i = ENV_ORDER.indexOf(e);
    return i >= 0 ? i : e.startsWith('vm') ? ENV_ORDER.length : ENV_ORDER.length - 1;
  };
  return rank(a) - rank(b) || a.localeCompare(b);
}

const ENV_COLORS: Record<string, string> = {
  bare: '#7f8c8d',
  container: '#2471a3',
  'oci:runc': '#17a589',
  'oci:crun': '#28b463',
  vm: '#d35400',
};
export function envColor(env: string): string {
  return ENV_COLORS[env] ?? (env.startsWith('vm') ? '#c0392b' : '#8e44ad');
}

/** Axis tick: 0.1, 1, 10, 1,000 (no trailing zeros). */
export function tick(v: number): string {
  if (v < 0) return `-${tick(-v)}`;
  if (v === 0) return '0';
  return v >= 1 ? v.toLocaleString('en-US', { maximumFractionDigits: 1 }) : String(Number(v.toPrecision(3)));
}
