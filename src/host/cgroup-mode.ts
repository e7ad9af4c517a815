// Cgroup mode from filesystem types in mountinfo (as youki/runc do with statfs):
// cgroup2 at /sys/fs/cgroup = v2 ("unified"); v1 hierarchies + a cgroup2 at .../unified = hybrid;
// v1 hierarchies only = v1 ("legacy").
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CgroupFacts, CgroupMode } from './facts.js';

const NEEDED_V1 = ['memory', 'cpu', 'cpuacct', 'pids', 'cpuset', 'freezer', 'devices'];
/** Every v1 controller the kernel knows; other super options (rw, xattr, name=...) are not controllers. */
const V1_CONTROLLERS = [
  'cpu',
  'cpuacct',
  'cpuset',
  'memory',
  'devices',
  'freezer',
  'net_cls',
  'net_prio',
  'blkio',
  'perf_event',
  'hugetlb',
  'pids',
  'rdma',
  'misc',
];
const NEEDED_V2 = ['memory', 'cpu', 'pids', 'cpuset'];

interface Mount {
  mountPoint: string;
  fsType: string;
  superOptions: string[];
}

/** Parses /proc/self/mountinfo lines: "... mountpoint opts [optional...] - fstype source superopts". */
export function parseMountinfo(text: string): Mount[] {
  const mounts: Mount[] = [];
  for (const line of text.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(' ');
    const right = line.slice(sep + 3).split(' ');
    const mountPoint = (left[4] ?? '').replace(/\\040/g, ' ');
    mounts.push({ mountPoint, fsType: right[0] ?? '', superOptions: (right[2] ?? '').split(',') });
  }
  return mounts;
}

/** Pure: mode + controllers from mountinfo text and a reader for cgroup2's cgroup.controllers. */
export function detectCgroups(mountinfo: string, readControllers: (v2Mount: string) => string): CgroupFacts {
  const mounts = parseMountinfo(mountinfo);
  const v1: Record<string, string> = {};
  let v2Mount: string | null = null;
  for (const m of mounts) {
    if (m.fsType === 'cgroup2') {
      if (v2Mount === null || m.mountPoint === '/sys/fs/cgroup') v2Mount = m.mountPoint;
    } else if (m.fsType === 'cgroup') {
      for (const opt of m.superOptions) if (V1_CONTROLLERS.includes(opt)) v1[opt] = m.mountPoint;
    }
  }
  const hasV1 = Object.keys(v1).some((c) => NEEDED_V1.includes(c));
  let mode: CgroupMode;
  if (v2Mount === '/sys/fs/cgroup' && !hasV1) mode = 'v2';
  else if (hasV1 && v2Mount !== null) mode = 'hybrid';
  else if (hasV1) mode = 'v1';
  else if (v2Mount !== null) mode = 'v2';
  else mode = 'none';
  let v2Controllers: string[] = [];
  if (v2Mount !== null) {
    try {
      v2Controllers = readControllers(v2Mount).trim().split(/\s+/).filter(Boolean);
    } catch {
      v2Controllers = [];
    }
  }
  const driver = mode === 'v2' ? 'v2' : mode === 'none' ? null : 'v1';
  const have = driver === 'v2' ? v2Controllers : Object.keys(v1);
  const needed = driver === 'v2' ? NEEDED_V2 : NEEDED_V1;
  return {
    mode,
    v1,
    v2Mount,
    v2Controllers,
    driver,
    missing: driver ? needed.filter((c) => !have.includes(c)) : needed,
  };
}

export function detectHostCgroups(): CgroupFacts {
  return detectCgroups(readFileSync('/proc/self/mountinfo', 'utf8'), (m) =>
    readFileSync(join(m, 'cgroup.controllers'), 'utf8'),
  );
}
