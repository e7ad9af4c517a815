// Picks the cgroup driver from doctor's CgroupFacts: v2 on unified hosts, v1 on legacy and
// hybrid hosts (the controllers live in the v1 hierarchies there).
import type { CgroupFacts } from '../../../host/facts.js';
import { HostError } from '../../../errors.js';
import type { CgroupDriver } from './types.js';
import { pruneParentAtExit } from './fs.js';
import { CgroupV1Driver, type DriverOptions } from './v1.js';
import { CgroupV2Driver } from './v2.js';

export function selectCgroupDriver(facts: CgroupFacts, opts: DriverOptions = {}): CgroupDriver {
  // The parent ('ctvm', 'ctvm-oci') is created on demand; it goes when the last user exits.
  pruneParentAtExit(opts.parent ?? 'ctvm');
  if (facts.driver === 'v2' && facts.v2Mount) return new CgroupV2Driver(facts.v2Mount, opts);
  if (facts.driver === 'v1') return new CgroupV1Driver(facts.v1, opts);
  throw new HostError(`no usable cgroup hierarchy (mode ${facts.mode})`, {
    hint: 'mount cgroup2 at /sys/fs/cgroup or the v1 memory, cpu, cpuacct, pids, freezer and devices hierarchies',
  });
}
