// sha256 of a file, remembered by what identifies its content without reading it: device, inode,
// size, mtime and ctime. ctime cannot be set back (touch -r, cp -p and tar restore mtimes only), so
// any rewrite of the file changes the key and the file is read again. Every CLI start that
// prepares a workload hashes busybox, the probe and the attack binary (~4 MiB): with the memo that
// is a stat per file instead of tens of milliseconds. The memo is a JSON file in the cache dir;
// failing to read or write it only costs the hashing.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

type Memo = Record<string, string>;

/** At most this many entries are kept (the oldest go first): the memo stays a few KiB. */
const MAX_ENTRIES = 256;

const loaded = new Map<string, Memo>();

function memoAt(file: string): Memo {
  let memo = loaded.get(file);
  if (!memo) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
      memo = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Memo) : {};
    } catch {
      memo = {};
    }
    loaded.set(file, memo);
  }
  return memo;
}

function save(file: string, memo: Memo): void {
  const keys = Object.keys(memo);
  for (const k of keys.slice(0, Math.max(0, keys.length - MAX_ENTRIES))) delete memo[k];
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(tmp, JSON.stringify(memo));
    renameSync(tmp, file); // atomic: a concurrent reader sees the old memo or the new one
  } catch {
    /* read-only or foreign cache dir: the digest is still right, only not remembered */
  }
}

export function fileIdentity(path: string): string {
  const st = statSync(path);
  return `${path}:${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
}

/** Hex sha256 of `path`'s bytes; `memoFile` remembers it across processes (see above). */
export function sha256File(path: string, memoFile?: string): string {
  const key = fileIdentity(path);
  const memo = memoFile ? memoAt(memoFile) : undefined;
  const known = memo?.[key];
  if (known) return known;
  const digest = createHash('sha256').update(readFileSync(path)).digest('hex');
  // The file may have changed while it was read: remember the digest only if its identity held.
  if (memo && memoFile && fileIdentity(path) === key) {
    memo[key] = digest;
    save(memoFile, memo);
  }
  return digest;
}
