// cgroup v1 driver (legacy and hybrid hosts): one dir per hierarchy (memory, cpu, cpuacct, pids,
// freezer, devices, + cpuset when asked), limits in the v1 file names, the device allow list in
// devices.deny/allow, kill-all by freezer + SIGKILL over the whole sub-cgroup tree.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Limits } from '../../environment.js';
import { ALLOWED_DEVICES, v1DeviceLine } from '../devices.js';
import { killPids, removeIfBare, removeTree, waitEmpty } from './kill.js';
import {
  cgroupTree,
  listDirs,
  readKeyed,
  readNumber,
  rmdirCgroup,
  sleepMs,
  treePids,
  writeCgroupFile,
  writeCgroupLines,
  readOr,
} from './fs.js';
import { CFS_PERIOD_US, weightToShares, type Cgroup, type CgroupDriver, type CgroupStats } from './types.js';

const ALWAYS = ['memory', 'cpu', 'cpuacct', 'pids', 'freezer', 'devices'];

export interface DriverOptions {
  /** Parent cgroup below each hierarchy root (default 'ctvm'). */
  parent?: string;
  /** Test seam: a temp dir is not a cgroupfs, its "cgroups" need a recursive rm. */
  rmdir?: (dir: string) => void;
}

export class CgroupV1Driver implements CgroupDriver {
  readonly version = 'v1';
  private readonly parent: string;
  private readonly rmdir: (dir: string) => void;
  /** @param roots controller -> hierarchy mount point (CgroupFacts.v1) */
  constructor(
    private readonly roots: Record<string, string>,
    opts: DriverOptions = {},
  ) {
    this.parent = opts.parent ?? 'ctvm';
    this.rmdir = opts.rmdir ?? rmdirCgroup;
    for (const c of ALWAYS)
      if (!roots[c])
        throw new Error(`cgroup v1: the ${c} controller is not mounted (need ${ALWAYS.join(', ')})`);
  }

  private dirs(name: string, controllers: string[]): Record<string, string> {
    const out: Record<string, string> = {};
    for (const c of controllers) out[c] = join(this.roots[c]!, this.parent, name);
    return out;
  }

  create(name: string, limits: Limits): Cgroup {
    const controllers = limits.cpuset !== undefined ? [...ALWAYS, 'cpuset'] : ALWAYS;
    if (limits.cpuset !== undefined && !this.roots.cpuset)
      throw new Error('cgroup v1: the cpuset controller is not mounted');
    const dirs = this.dirs(name, controllers);
    const cg = new CgroupV1(name, dirs, this.rmdir);
    try {
      // Distinct mount points only: on hosts that co-mount cpu,cpuacct the dir is the same.
      for (const dir of new Set(Object.values(dirs))) mkdirSync(dir, { recursive: true });
      applyLimitsV1(dirs, limits, (c) => join(this.roots[c]!, this.parent));
      applyDevicesV1(dirs.devices!);
    } catch (err) {
      for (const dir of new Set(Object.values(dirs)))
        try {
          this.rmdir(dir);
        } catch {
          /* keep the first error */
        }
      throw err;
    }
    return cg;
  }

  open(name: string): Cgroup | undefined {
    const dirs = this.dirs(name, [...ALWAYS, ...(this.roots.cpuset ? ['cpuset'] : [])]);
    const present = Object.fromEntries(Object.entries(dirs).filter(([, d]) => existsSync(d)));
    return Object.keys(present).length ? new CgroupV1(name, present, this.rmdir) : undefined;
  }

  list(): string[] {
    const names = new Set<string>();
    for (const c of [...ALWAYS, 'cpuset'])
      if (this.roots[c]) for (const n of listDirs(join(this.roots[c]!, this.parent))) names.add(n);
    return [...names].sort();
  }
}

function applyLimitsV1(dirs: Record<string, string>, l: Limits, parentOf: (c: string) => string): void {
  const mem = dirs.memory!;
  if (l.memoryBytes !== undefined) {
    writeCgroupFile(join(mem, 'memory.limit_in_bytes'), String(l.memoryBytes));
    // Swap off: memsw (memory+swap) = memory where swap accounting exists, else swappiness 0.
    if (existsSync(join(mem, 'memory.memsw.limit_in_bytes')))
      writeCgroupFile(join(mem, 'memory.memsw.limit_in_bytes'), String(l.memoryBytes));
    else writeCgroupFile(join(mem, 'memory.swappiness'), '0');
  }
  if (l.cpus !== undefined) {
    writeCgroupFile(join(dirs.cpu!, 'cpu.cfs_period_us'), String(CFS_PERIOD_US));
    writeCgroupFile(join(dirs.cpu!, 'cpu.cfs_quota_us'), String(Math.round(l.cpus * CFS_PERIOD_US)));
  }
  if (l.cpuWeight !== undefined)
    writeCgroupFile(join(dirs.cpu!, 'cpu.shares'), String(weightToShares(l.cpuWeight)));
  if (l.pids !== undefined) writeCgroupFile(join(dirs.pids!, 'pids.max'), String(l.pids));
  if (l.cpuset !== undefined && dirs.cpuset) {
    // v1 cpusets start empty: the parent needs cpus/mems before a child can get any.
    const parent = parentOf('cpuset');
    const rootOf = join(parent, '..');
    for (const f of ['cpuset.cpus', 'cpuset.mems']) {
      const mine = readOr(join(parent, f));
      if (mine === '') writeCgroupFile(join(parent, f), readOr(join(rootOf, f)));
    }
    writeCgroupFile(join(dirs.cpuset, 'cpuset.cpus'), l.cpuset);
    writeCgroupFile(join(dirs.cpuset, 'cpuset.mems'), readOr(join(parent, 'cpuset.mems')));
  }
}

/**
 * Deny every device, then allow exactly the container's nodes (ALLOWED_DEVICES): without this a
 * container with CAP_MKNOD can mknod and open any host device (disks, /dev/mem, the hwrng).
 * Before the helper joins the cgroup, so the command never runs with the host's device access.
 */
function applyDevicesV1(dir: string): void {
  writeCgroupFile(join(dir, 'devices.deny'), 'a');
  writeCgroupLines(join(dir, 'devices.allow'), ALLOWED_DEVICES.map(v1DeviceLine));
}

class CgroupV1 implements Cgroup {
  readonly procsFiles: string[];
  readonly deviceProgramDir = undefined;
  private readonly tops: string[];
  constructor(
    readonly name: string,
    private readonly dirs: Record<string, string>,
    private readonly rmdir: (dir: string) => void,
  ) {
    this.tops = [...new Set(Object.values(dirs))];
    this.procsFiles = this.tops.map((d) => join(d, 'cgroup.procs'));
  }

  pids(): number[] {
    return treePids(this.tops);
  }

  stats(): CgroupStats {
    const mem = this.dirs.memory;
    return {
      memoryBytes: mem ? (readNumber(join(mem, 'memory.usage_in_bytes')) ?? 0) : 0,
      memoryPeakBytes: mem ? readNumber(join(mem, 'memory.max_usage_in_bytes')) : undefined,
      cpuNs: this.dirs.cpuacct ? (readNumber(join(this.dirs.cpuacct, 'cpuacct.usage')) ?? 0) : 0,
      pids: this.dirs.pids ? (readNumber(join(this.dirs.pids, 'pids.current')) ?? 0) : 0,
      oomKills: mem ? (readKeyed(join(mem, 'memory.oom_control')).oom_kill ?? 0) : 0,
    };
  }

  async killAll(): Promise<void> {
    const freezer = this.dirs.freezer;
    if (this.pids().length === 0) return;
    if (freezer && existsSync(join(freezer, 'freezer.state'))) {
      // Frozen tasks cannot fork, so the pid list we kill is complete (a fork bomb cannot outrun
      // it). The v1 freezer is hierarchical: FROZEN here freezes every sub-cgroup too.
      writeCgroupFile(join(freezer, 'freezer.state'), 'FROZEN');
      for (let i = 0; i < 200 && readOr(join(freezer, 'freezer.state')) !== 'FROZEN'; i++) await sleepMs(1);
      killPids(this.pids());
      // A SIGKILLed task dies only once thawed: thaw sub-cgroups the workload froze itself, too.
      for (const dir of cgroupTree(freezer))
        try {
          writeCgroupFile(join(dir, 'freezer.state'), 'THAWED');
        } catch (err) {
          if (dir === freezer) throw err; // a sub-cgroup may have gone meanwhile
        }
    } else {
      for (let i = 0; i < 10 && this.pids().length; i++) killPids(this.pids());
    }
    await waitEmpty(`cgroup ${this.name}`, () => this.pids());
  }

  async remove(): Promise<void> {
    if (removeIfBare(this.tops, this.rmdir)) return;
    if (this.pids().length) await this.killAll();
    for (const dir of this.tops) await removeTree(dir, this.rmdir);
  }
}
