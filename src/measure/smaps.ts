// Process memory from /proc/<pid>/smaps_rollup (totals) and /proc/<pid>/smaps (per mapping).
import { readFile } from 'node:fs/promises';
import type { Bytes } from '../units.js';

export interface SmapsTotals {
  pssBytes: Bytes;
  rssBytes: Bytes;
  pssAnonBytes: Bytes;
  pssFileBytes: Bytes;
  swapBytes: Bytes;
}

export interface Mapping {
  start: bigint;
  end: bigint;
  perms: string;
  /** Backing file path, or '' / '[heap]' / '[stack]' / '[anon:...]'. */
  path: string;
  sizeBytes: Bytes;
  pssBytes: Bytes;
  rssBytes: Bytes;
}

/** Parses "Key:   1234 kB" lines into bytes. */
function kbField(text: string, key: string): Bytes {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
  return m ? Number(m[1]) * 1024 : 0;
}

export function parseSmapsRollup(text: string): SmapsTotals {
  return {
    pssBytes: kbField(text, 'Pss'),
    rssBytes: kbField(text, 'Rss'),
    pssAnonBytes: kbField(text, 'Pss_Anon'),
    pssFileBytes: kbField(text, 'Pss_File'),
    swapBytes: kbField(text, 'Swap'),
  };
}

export async function readSmapsRollup(pid: number): Promise<SmapsTotals> {
  return parseSmapsRollup(await readFile(`/proc/${pid}/smaps_rollup`, 'utf8'));
}

const HEADER = /^([0-9a-f]+)-([0-9a-f]+)\s+(\S+)\s+\S+\s+\S+\s+\d+\s*(.*)$/;

export function parseSmaps(text: string): Mapping[] {
  const maps: Mapping[] = [];
  let cur: Mapping | null = null;
  for (const line of text.split('\n')) {
    const h = HEADER.exec(line);
    if (h) {
      cur = {
        start: BigInt('0x' + h[1]),
        end: BigInt('0x' + h[2]),
        perms: h[3] ?? '',
        path: (h[4] ?? '').trim(),
        sizeBytes: 0,
        pssBytes: 0,
        rssBytes: 0,
      };
      maps.push(cur);
      continue;
    }
    if (!cur) continue;
    const f = /^(Size|Pss|Rss):\s+(\d+) kB/.exec(line);
    if (!f) continue;
    const bytes = Number(f[2]) * 1024;
    if (f[1] === 'Size') cur.sizeBytes = bytes;
    else if (f[1] === 'Pss') cur.pssBytes = bytes;
    else cur.rssBytes = bytes;
  }
  return maps;
}

export async function readSmapsByMapping(pid: number): Promise<Mapping[]> {
  return parseSmaps(await readFile(`/proc/${pid}/smaps`, 'utf8'));
}

/** Sum of smaps_rollup over pids; pids that vanished meanwhile count as 0. */
export async function sumSmaps(pids: number[]): Promise<{ pssBytes: Bytes; rssBytes: Bytes }> {
  let pssBytes = 0;
  let rssBytes = 0;
  for (const pid of pids) {
    try {
      const t = await readSmapsRollup(pid);
      pssBytes += t.pssBytes;
      rssBytes += t.rssBytes;
    } catch {
      /* process exited between listing and reading */
    }
  }
  return { pssBytes, rssBytes };
}
