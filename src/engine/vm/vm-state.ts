// A VM's state dir, STATE_DIR/vm.<name>.<random>/ (root-owned, 0700, not in a world-writable
// $TMPDIR): the QMP socket and owner.json — who launched it, qemu's pid and start time (so `ctvm gc`
// can end a qemu whose owner is dead, and only that qemu), and the cache entries it reads (a lease
// `gc --cache-days` honours). The '.' in the name keeps it apart from containers' ([a-z0-9-]).
import { mkdirSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { HostError } from '../../errors.js';
import { STATE_DIR } from '../../paths.js';
import { privateDirProblem, SUN_PATH_MAX_BYTES, userStateRoot } from '../../util/private-dir.js';
import { processStartTicks, selfOwner, writeRecord, type OwnerIdentity } from '../container/state-dir.js';

export const VM_DIR_PREFIX = 'vm.';

export interface VmRecord extends OwnerIdentity {
  format: 1;
  kind: 'vm';
  name: string;
  /** qemu, once spawned (absent: the owner died between creating the dir and the spawn). */
  qemuPid?: number;
  qemuStartTicks?: number;
  /** Host files qemu reads while it runs: kernel, initramfs. */
  uses: string[];
  createdAt: string;
}

/**
 * Where VM state dirs go: STATE_DIR for root. A VM needs no privileges, so other users get a dir
 * of their own: $XDG_RUNTIME_DIR/ctvm, else $TMPDIR/ctvm-<uid> (checked to be theirs and private).
 */
export function vmStateRoot(): string {
  if ((process.getuid?.() ?? 0) === 0 || process.env.CTVM_STATE_DIR) return STATE_DIR;
  return userStateRoot();
}

/** Creates the dir and its record (before qemu exists); returns the dir and the QMP socket path. */
export function createVmStateDir(
  name: string,
  uses: string[],
  stateRoot = vmStateRoot(),
): { dir: string; qmpSocket: string; record: VmRecord } {
  mkdirSync(stateRoot, { recursive: true, mode: 0o700 });
  if (privateDirProblem(stateRoot))
    throw new HostError(`${stateRoot} is not a directory of this user that only it can write`, {
      hint: 'remove it, or set CTVM_STATE_DIR to a directory only you can write',
    });
  const safe = name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 48);
  const prefix = join(stateRoot, `${VM_DIR_PREFIX}${safe}.`);
  // mkdtemp appends 6 characters; check before creating anything.
  if (Buffer.byteLength(join(`${prefix}XXXXXX`, 'qmp.sock')) > SUN_PATH_MAX_BYTES)
    throw new HostError(
      `QMP socket path ${prefix}XXXXXX/qmp.sock is longer than ${SUN_PATH_MAX_BYTES} bytes`,
      {
        hint: 'set CTVM_STATE_DIR to a shorter directory',
      },
    );
  const dir = mkdtempSync(prefix); // 0700
  const qmpSocket = join(dir, 'qmp.sock');
  const record: VmRecord = {
    format: 1,
    kind: 'vm',
    name,
    ...selfOwner(),
    uses,
    createdAt: new Date().toISOString(),
  };
  writeRecord(dir, record);
  return { dir, qmpSocket, record };
}

/** Adds qemu's identity to the record (right after the spawn). */
export function recordQemu(dir: string, record: VmRecord, qemuPid: number): void {
  const qemuStartTicks = processStartTicks(qemuPid);
  if (qemuStartTicks === undefined) return; // already gone: nothing for gc to end
  writeRecord(dir, { ...record, qemuPid, qemuStartTicks });
}

export function readVmRecord(dir: string): VmRecord | undefined {
  try {
    const r = JSON.parse(readFileSync(join(dir, 'owner.json'), 'utf8')) as Partial<VmRecord>;
    return r.kind === 'vm' && Number.isInteger(r.ownerPid) ? (r as VmRecord) : undefined;
  } catch {
    return undefined;
  }
}

/** Full paths of the VM state dirs under `stateRoot`. */
export function listVmStateDirs(stateRoot = vmStateRoot()): string[] {
  try {
    return readdirSync(stateRoot)
      .filter((n) => n.startsWith(VM_DIR_PREFIX))
      .sort()
      .map((n) => join(stateRoot, n));
  } catch {
    return [];
  }
}
