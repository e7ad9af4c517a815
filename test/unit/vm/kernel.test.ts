// Kernel validation: PVH ELF, bzImage, and the one-line errors for everything else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  elfNotes,
  isPvhNote,
  kernelForm,
  resolveKernel,
  defaultKernelPath,
} from '../../../src/engine/vm/kernel.js';
import { UsageError } from '../../../src/errors.js';

/** A minimal ELF64 x86-64 header with one PT_NOTE segment holding `notes`. */
function fakeElf(notes: Array<{ owner: string; type: number; desc: Buffer }>): Buffer {
  const body = Buffer.concat(
    notes.map((n) => {
      const name = Buffer.from(n.owner + '\0');
      const pad = (b: Buffer) => Buffer.concat([b, Buffer.alloc((4 - (b.length % 4)) % 4)]);
      const h = Buffer.alloc(12);
      h.writeUInt32LE(name.length, 0);
      h.writeUInt32LE(n.desc.length, 4);
      h.writeUInt32LE(n.type, 8);
      return Buffer.concat([h, pad(name), pad(n.desc)]);
    }),
  );
  const eh = Buffer.alloc(64);
  eh.writeUInt32BE(0x7f454c46, 0);
  eh[4] = 2;
  eh[5] = 1;
  eh.writeUInt16LE(0x3e, 0x12);
  eh.writeBigUInt64LE(64n, 0x20); // phoff
  eh.writeUInt16LE(56, 0x36);
  eh.writeUInt16LE(1, 0x38);
  const ph = Buffer.alloc(56);
  ph.writeUInt32LE(4, 0); // PT_NOTE
  ph.writeBigUInt64LE(120n, 8);
  ph.writeBigUInt64LE(BigInt(body.length), 32);
  return Buffer.concat([eh, ph, body]);
}

function fakeBzImage(version: string): Buffer {
  const b = Buffer.alloc(0x1000);
  b.writeUInt16LE(0xaa55, 0x1fe);
  b.write('HdrS', 0x202, 'latin1');
  b.writeUInt16LE(0x400 - 0x200, 0x20e);
  b.write(`${version} (builder@host) #1 SMP\0`, 0x400, 'latin1');
  return b;
}

function withFile(data: Buffer, fn: (path: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'ctvm-kernel-test-'));
  try {
    writeFileSync(join(dir, 'k'), data);
    fn(join(dir, 'k'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const pvhNote = { owner: 'Xen', type: 18, desc: Buffer.from([0x50, 8, 0, 1]) };

test('an ELF with the Xen PHYS32_ENTRY note is a PVH kernel; its Linux note gives the version', () => {
  const elf = fakeElf([pvhNote, { owner: 'Linux', type: 0x100, desc: Buffer.from('6.9.1-test\0') }]);
  assert.equal(kernelForm(elf), 'elf');
  assert.ok(elfNotes((o, l) => elf.subarray(o, o + l)).some(isPvhNote));
  withFile(elf, (p) => assert.deepEqual(resolveKernel(p), { path: p, form: 'pvh', version: '6.9.1-test' }));
});

test('an ELF without the PVH note is refused with a hint', () => {
  withFile(fakeElf([{ owner: 'GNU', type: 3, desc: Buffer.alloc(20) }]), (p) =>
    assert.throws(
      () => resolveKernel(p),
      (e: unknown) =>
        e instanceof UsageError && /without a PVH entry note/.test(e.message) && e.exitCode === 2,
    ),
  );
});

test('a bzImage is recognised and its version read from the header', () => {
  withFile(fakeBzImage('6.1.0-99-amd64'), (p) =>
    assert.deepEqual(resolveKernel(p), { path: p, form: 'bzimage', version: '6.1.0-99-amd64' }),
  );
});

test('missing, empty, text and directory paths: one clear UsageError each', () => {
  assert.throws(() => resolveKernel('/nonexistent/vmlinuz'), {
    message: 'guest kernel /nonexistent/vmlinuz does not exist',
  });
  assert.throws(() => resolveKernel(tmpdir()), { message: `guest kernel ${tmpdir()} is not a regular file` });
  withFile(Buffer.from('#!/bin/sh\necho not a kernel\n'), (p) =>
    assert.throws(() => resolveKernel(p), {
      message: `guest kernel ${p} is neither an x86-64 ELF vmlinux nor a bzImage`,
    }),
  );
  withFile(Buffer.alloc(0), (p) => assert.throws(() => resolveKernel(p), UsageError));
  // 32-bit ELF
  const elf32 = fakeElf([pvhNote]);
  elf32[4] = 1;
  withFile(elf32, (p) => assert.throws(() => resolveKernel(p), /neither an x86-64 ELF/));
});

test(
  'the cached Debian kernel (when set up) is a PVH vmlinux with a version',
  { skip: existsSync(defaultKernelPath()) ? false : 'kernel not cached (npm run setup)' },
  () => {
    const k = resolveKernel();
    assert.equal(k.form, 'pvh');
    assert.match(k.version, /^\d+\.\d+/);
    assert.equal(resolveKernel(defaultKernelPath('bzimage')).form, 'bzimage');
  },
);
