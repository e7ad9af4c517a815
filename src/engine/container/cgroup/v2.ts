// cgroup v2 driver (unified hosts): one dir, limits in memory.max / memory.swap.max / cpu.max /
// cpu.weight / pids.max / cpuset.cpus, the device allow list as a BPF program the helper attaches
// (deviceProgramDir), kill-all by cgroup.kill (freeze + SIGKILL before 5.14) over the whole tree.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Limits } from '../../environment.js';
import { killPids, removeIfBare, removeTree, waitEmpty } from './kill.js';
import {
  listDirs,
  readKeyed,
  readNumber,
  rmdirCgroup,
  treePids,
  sleepMs,
  writeCgroupFile,
  readOr,
} from './fs.js';
import { CFS_PERIOD_US, type Cgroup, type CgroupDriver, type CgroupStats } from './types.js';
import type { DriverOptions } from './v1.js';

const CONTROLLERS = ['memory', 'cpu', 'pids'];

export class CgroupV2Driver implements CgroupDriver {
  readonly version = 'v2';
  private readonly parent: string;
  private readonly rmdir: (dir: string) => void;
  private delegated = new Set<string>();
  /** @param mount the cgroup2 mount point (CgroupFacts.v2Mount) */
  constructor(
    private readonly mount: string,
    opts: DriverOptions = {},
  ) {
    this.parent = opts.parent ?? 'ctvm';
    this.rmdir = opts.rmdir ?? rmdirCgroup;
  }

  /** Enables the controllers for children of the mount root and of the parent (once per process). */
  private delegate(controllers: string[]): void {
    const key = controllers.join(' ');
    if (this.delegated.has(key)) return;
    const parentDir = join(this.mount, this.parent);
    mkdirSync(parentDir, { recursive: true });
    const enable = controllers.map((c) => `+${c}`).join(' ');
    for (const dir of [this.mount, parentDir]) {
      const current = readOr(join(dir, 'cgroup.subtree_control')).split(/\s+/);
      if (!controllers.every((c) => current.includes(c)))
        writeCgroupFile(join(dir, 'cgroup.subtree_control'), enable);
    }
    this.delegated.add(key);
  }

  create(name: string, limits: Limits): Cgroup {
    this.delegate(limits.cpuset !== undefined ? [...CONTROLLERS, 'cpuset'] : CONTROLLERS);
    const dir = join(this.mount, this.parent, name);
    try {
      mkdirSync(dir);
    } catch (err) {
      // Another ctvm process pruned the empty parent since we delegated to it: do it again.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      this.delegated.clear();
      this.delegate(limits.cpuset !== undefined ? [...CONTROLLERS, 'cpuset'] : CONTROLLERS);
      mkdirSync(dir);
    }
    try {
      applyLimitsV2(dir, limits);
    } catch (err) {
      try {
        this.rmdir(dir);
      } catch {
        /* keep the first error */
      }
      throw err;
    }
    return new CgroupV2(name, dir, this.rmdir);
  }

  open(name: string): Cgroup | undefined {
    const dir = join(this.mount, this.parent, name);
    return existsSync(dir) ? new CgroupV2(name, dir, this.rmdir) : undefined;
  }

  list(): string[] {
    return listDirs(join(this.mount, this.parent)).sort();
  }
}

function applyLimitsV2(dir: string, l: Limits): void {
  if (l.memoryBytes !== undefined) {
    writeCgroupFile(join(dir, 'memory.max'), String(l.memoryBytes));
    // memory.swap.max only exists with swap accounting; without it there is no swap to turn off.
    if (existsSync(join(dir, 'memory.max')) && existsSync(join(dir, 'memory.swap.max')))
      writeCgroupFile(join(dir, 'memory.swap.max'), '0');
  }
  if (l.cpus !== undefined)
    writeCgroupFile(join(dir, 'cpu.max'), `${Math.round(l.cpus * CFS_PERIOD_US)} ${CFS_PERIOD_US}`);
  if (l.cpuWeight !== undefined) writeCgroupFile(join(dir, 'cpu.weight'), String(l.cpuWeight));
  if (l.pids !== undefined) writeCgroupFile(join(dir, 'pids.max'), String(l.pids));
  if (l.cpuset !== undefined) writeCgroupFile(join(dir, 'cpuset.cpus'), l.cpuset);
}

class CgroupV2 implements Cgroup {
  readonly procsFiles: string[];
  readonly deviceProgramDir: string;
  constructor(
    readonly name: string,
    private readonly dir: string,
    private readonly rmdir: (dir: string) => void,
  ) {
    this.procsFiles = [join(dir, 'cgroup.procs')];
    this.deviceProgramDir = dir;
  }

  pids(): number[] {
    return treePids([this.dir]);
  }

  stats(): CgroupStats {
    return {
      memoryBytes: readNumber(join(this.dir, 'memory.current')) ?? 0,
      memoryPeakBytes: readNumber(join(this.dir, 'memory.peak')),
      cpuNs: (readKeyed(join(this.dir, 'cpu.stat')).usage_usec ?? 0) * 1000,
      pids: readNumber(join(this.dir, 'pids.current')) ?? 0,
      oomKills: readKeyed(join(this.dir, 'memory.events')).oom_kill ?? 0,
    };
  }

  async killAll(): Promise<void> {
    if (this.pids().length === 0) return;
    if (existsSync(join(this.dir, 'cgroup.kill'))) {
      writeCgroupFile(join(this.dir, 'cgroup.kill'), '1'); // one atomic write kills the whole subtree
    } else {
      // cgroup.freeze is hierarchical: the sub-cgroups freeze too, so pids() is complete.
      writeCgroupFile(join(this.dir, 'cgroup.freeze'), '1');
      for (let i = 0; i < 200 && !/frozen 1/.test(readOr(join(this.dir, 'cgroup.events'))); i++)
        await sleepMs(1);
      killPids(this.pids());
      writeCgroupFile(join(this.dir, 'cgroup.freeze'), '0');
    }
    await waitEmpty(`cgroup ${this.name}`, () => this.pids());
  }

  async remove(): Promise<void> {
    if (removeIfBare([this.dir], this.rmdir)) return;
    if (this.pids().length) await this.killAll();
    await removeTree(this.dir, this.rmdir);
  }
}
