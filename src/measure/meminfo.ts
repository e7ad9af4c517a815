// Host (or guest) /proc/meminfo, in bytes.
import { readFileSync } from 'node:fs';
import type { Bytes } from '../units.js';

export interface Meminfo {
  totalBytes: Bytes;
  availableBytes: Bytes;
  freeBytes: Bytes;
}

export function parseMeminfo(text: string): Meminfo {
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) * 1024;
  return { totalBytes: kb('MemTotal'), availableBytes: kb('MemAvailable'), freeBytes: kb('MemFree') };
}

export function readMeminfo(): Meminfo {
  return parseMeminfo(readFileSync('/proc/meminfo', 'utf8'));
}
