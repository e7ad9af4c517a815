// The guest kernel: Debian's cached kernel by default (PVH ELF vmlinux, or the bzImage), any
// other file on request; validated up front so a wrong path is one clear line, not a qemu error.
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { HostError, UsageError } from '../../errors.js';
import { KERNEL_DIR } from '../../paths.js';

/** 'pvh' = ELF with a PVH entry note (booted directly); 'bzimage' = x86 boot-protocol image. */
export type KernelForm = 'pvh' | 'bzimage';

export interface GuestKernel {
  path: string;
  form: KernelForm;
  /** e.g. "6.1.0-56-amd64", or 'unknown' when the image does not say. */
  version: string;
}

/** `kernel: minimal`: the optional kernel built from scripts/kernel/minimal.config by set-up. */
export const MINIMAL_KERNEL = 'minimal';
export const minimalKernelPath = (): string => join(KERNEL_DIR, 'minimal', 'vmlinux');

/** The kernel setup caches: PVH vmlinux (fastest under TCG: no in-guest xz unpacking) or bzImage. */
export function defaultKernelPath(form: KernelForm = 'pvh'): string {
  return join(KERNEL_DIR, form === 'pvh' ? 'vmlinux' : 'vmlinuz');
}

/** Reads `len` bytes at `offset` (shorter at end of file). */
function readAt(fd: number, offset: number, len: number): Buffer {
  const buf = Buffer.alloc(len);
  const n = readSync(fd, buf, 0, len, offset);
  return buf.subarray(0, n);
}

function withFd<T>(path: string, fn: (fd: number) => T): T {
  const fd = openSync(path, 'r');
  try {
    return fn(fd);
  } finally {
    closeSync(fd);
  }
}

/** Classifies a kernel image by its first bytes: ELF (PVH decided from its notes) or bzImage. */
export function kernelForm(head: Buffer): 'elf' | 'bzimage' | null {
  if (head.length >= 64 && head.readUInt32BE(0) === 0x7f454c46) {
    // ELFCLASS64, little-endian, EM_X86_64
    if (head[4] !== 2 || head[5] !== 1 || head.readUInt16LE(0x12) !== 0x3e) return null;
    return 'elf';
  }
  if (
    head.length >= 0x210 &&
    head.toString('latin1', 0x202, 0x206) === 'HdrS' &&
    head.readUInt16LE(0x1fe) === 0xaa55
  )
    return 'bzimage';
  return null;
}

export interface ElfNote {
  owner: string;
  type: number;
  desc: Buffer;
}

/** Notes of every PT_NOTE segment of a 64-bit little-endian ELF (read through `readAt`). */
export function elfNotes(readAt: (offset: number, len: number) => Buffer): ElfNote[] {
  const eh = readAt(0, 64);
  const phoff = Number(eh.readBigUInt64LE(0x20));
  const phentsize = eh.readUInt16LE(0x36);
  const phnum = eh.readUInt16LE(0x38);
  const phs = readAt(phoff, phentsize * phnum);
  const notes: ElfNote[] = [];
  for (let i = 0; i < phnum && (i + 1) * phentsize <= phs.length; i++) {
    const ph = i * phentsize;
    if (phs.readUInt32LE(ph) !== 4) continue; // PT_NOTE
    const seg = readAt(
      Number(phs.readBigUInt64LE(ph + 8)),
      Math.min(Number(phs.readBigUInt64LE(ph + 32)), 1 << 20),
    );
    let off = 0;
    while (off + 12 <= seg.length) {
      const namesz = seg.readUInt32LE(off);
      const descsz = seg.readUInt32LE(off + 4);
      const owner = seg.toString('latin1', off + 12, off + 12 + Math.max(0, namesz - 1));
      const descAt = off + 12 + align4(namesz);
      notes.push({ owner, type: seg.readUInt32LE(off + 8), desc: seg.subarray(descAt, descAt + descsz) });
      off = descAt + align4(descsz);
    }
  }
  return notes;
}

/** XEN_ELFNOTE_PHYS32_ENTRY (owner "Xen", type 18): what QEMU needs to boot an ELF with -kernel. */
export const isPvhNote = (n: ElfNote) => n.owner === 'Xen' && n.type === 18;

const align4 = (n: number) => (n + 3) & ~3;

/** Resolves and validates a kernel path (default: the cached PVH vmlinux). Throws UsageError. */
export function resolveKernel(path?: string): GuestKernel {
  if (path === MINIMAL_KERNEL) {
    if (!existsSync(minimalKernelPath()))
      throw new HostError(
        `the minimal guest kernel is not built (${minimalKernelPath()}): npm run setup -- --with minimal-kernel`,
        { hint: 'it takes ~6 min once: set-up builds it from linux-source-6.1' },
      );
    return { ...resolveKernel(minimalKernelPath()), version: cachedVersion(minimalKernelPath()) };
  }
  const file = path ?? defaultKernelPath('pvh');
  const hint = path ? 'pass an x86-64 bzImage or an ELF vmlinux with a PVH note' : 'run: npm run setup';
  if (!existsSync(file)) throw new UsageError(`guest kernel ${file} does not exist`, { hint });
  const st = statSync(file);
  if (!st.isFile()) throw new UsageError(`guest kernel ${file} is not a regular file`, { hint });
  // One launch resolves its kernel 4 times (option check, prepare, launch, describe): the file is
  // read once while it stays the same file with the same content.
  const key = `${file}\0${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
  const known = resolved.get(key);
  if (known) return known;
  const kernel = readKernel(file, hint);
  resolved.set(key, kernel);
  return kernel;
}

const resolved = new Map<string, GuestKernel>();

function readKernel(file: string, hint: string): GuestKernel {
  return withFd(file, (fd) => {
    const read = (offset: number, len: number) => readAt(fd, offset, len);
    const form = kernelForm(read(0, 0x1000));
    if (form === null)
      throw new UsageError(`guest kernel ${file} is neither an x86-64 ELF vmlinux nor a bzImage`, { hint });
    if (form === 'bzimage') return { path: file, form, version: bzImageVersion(read) ?? cachedVersion(file) };
    let notes: ElfNote[];
    try {
      notes = elfNotes(read);
    } catch (err) {
      throw new UsageError(`guest kernel ${file} is a truncated or corrupt ELF`, { hint, cause: err });
    }
    if (!notes.some(isPvhNote))
      throw new UsageError(`guest kernel ${file} is an ELF without a PVH entry note (qemu cannot boot it)`, {
        hint: 'use the bzImage, or a kernel built with CONFIG_PVH=y',
      });
    // The kernel's own "Linux" note carries its release string (e.g. 6.1.0-56-amd64).
    const release = notes.find(
      (n) => n.owner === 'Linux' && n.desc.length > 1 && /^\d+\.\d+/.test(n.desc.toString('latin1')),
    );
    const version = release ? release.desc.toString('latin1').replace(/\0.*$/s, '') : cachedVersion(file);
    return { path: file, form: 'pvh', version };
  });
}

/** The bzImage header's kernel_version string (first word), if present. */
function bzImageVersion(read: (offset: number, len: number) => Buffer): string | null {
  const head = read(0, 0x8000);
  const at = head.readUInt16LE(0x20e) + 0x200;
  const end = head.indexOf(0, at);
  if (at >= head.length || end <= at) return null;
  return head.toString('latin1', at, end).split(' ')[0] ?? null;
}

/** Version recorded by setup for the cached kernel, else 'unknown'. */
function cachedVersion(file: string): string {
  // Set-up writes "<package> <release>" next to Debian's kernel, "<package> <version> minimal"
  // next to the minimal one.
  const cached = join(dirname(file), 'version');
  if (!file.startsWith(KERNEL_DIR + '/') || !existsSync(cached)) return 'unknown';
  const words = readFileSync(cached, 'utf8').trim().split(/\s+/);
  if (words[2] === 'minimal') return `${words[1]}-minimal`;
  return words[words.length - 1] ?? 'unknown';
}
