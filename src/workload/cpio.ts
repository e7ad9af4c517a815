// A newc ("070701") cpio writer: the initramfs format the Linux kernel unpacks at boot.
// Entries are written in the order given; parents must come before children.
import { createHash } from 'node:crypto';

export type CpioEntry =
  | { type: 'dir'; path: string; mode?: number }
  | { type: 'file'; path: string; data: Buffer; mode?: number }
  | { type: 'symlink'; path: string; target: string }
  | { type: 'chardev'; path: string; major: number; minor: number; mode?: number };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

function pad4(len: number): Buffer {
  return Buffer.alloc((4 - (len % 4)) % 4);
}

function header(
  ino: number,
  mode: number,
  size: number,
  nameLen: number,
  rdev: [number, number] = [0, 0],
): string {
  // magic ino mode uid gid nlink mtime filesize devmajor devminor rdevmajor rdevminor namesize check
  return '070701' + [ino, mode, 0, 0, 1, 0, size, 0, 0, rdev[0], rdev[1], nameLen, 0].map(hex8).join('');
}

function record(ino: number, name: string, mode: number, data: Buffer, rdev?: [number, number]): Buffer[] {
  const nameBuf = Buffer.from(name + '\0');
  const head = Buffer.from(header(ino, mode, data.length, nameBuf.length, rdev), 'ascii');
  return [head, nameBuf, pad4(head.length + nameBuf.length), data, pad4(data.length)];
}

/** Serialises entries into one uncompressed newc archive (with the TRAILER!!! record). */
export function writeCpio(entries: readonly CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  let ino = 1;
  for (const e of entries) {
    const name = e.path.replace(/^\/+/, '');
    if (!name) continue;
    switch (e.type) {
      case 'dir':
        parts.push(...record(ino++, name, S_IFDIR | (e.mode ?? 0o755), Buffer.alloc(0)));
        break;
      case 'file':
        parts.push(...record(ino++, name, S_IFREG | (e.mode ?? 0o644), e.data));
        break;
      case 'symlink':
        parts.push(...record(ino++, name, S_IFLNK | 0o777, Buffer.from(e.target)));
        break;
      case 'chardev':
        parts.push(...record(ino++, name, S_IFCHR | (e.mode ?? 0o666), Buffer.alloc(0), [e.major, e.minor]));
        break;
    }
  }
  parts.push(...record(0, 'TRAILER!!!', 0, Buffer.alloc(0)));
  const out = Buffer.concat(parts);
  // The kernel accepts any length, but 512-byte blocks match what cpio(1) emits.
  return Buffer.concat([out, Buffer.alloc((512 - (out.length % 512)) % 512)]);
}

/** Parses a newc archive back into entries (tests and integrity checks). */
export function readCpio(buf: Buffer): Array<{ path: string; mode: number; data: Buffer }> {
  const out: Array<{ path: string; mode: number; data: Buffer }> = [];
  let off = 0;
  while (off + 110 <= buf.length) {
    const magic = buf.toString('ascii', off, off + 6);
    if (magic !== '070701') throw new Error(`cpio: bad magic '${magic}' at offset ${off}`);
    const field = (i: number) => parseInt(buf.toString('ascii', off + 6 + i * 8, off + 14 + i * 8), 16);
    const mode = field(1);
    const size = field(6);
    const nameLen = field(11);
    const nameStart = off + 110;
    const name = buf.toString('utf8', nameStart, nameStart + nameLen - 1);
    let dataStart = nameStart + nameLen;
    dataStart += (4 - (dataStart % 4)) % 4;
    if (name === 'TRAILER!!!') break;
    out.push({ path: name, mode, data: buf.subarray(dataStart, dataStart + size) });
    off = dataStart + size;
    off += (4 - (off % 4)) % 4;
  }
  return out;
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}
