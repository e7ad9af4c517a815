// The LXC config ctvm generates for one instance: the shared workload rootfs, no network
// (`lxc.net.0.type = empty`: a loopback only), proc/sys as LXC mounts them, and the scenario's
// limits mapped onto LXC's cgroup keys (v1 names on v1/hybrid hosts, v2 names on v2 hosts).
import type { Limits } from '../environment.js';

const CFS_PERIOD_US = 100_000;

/** `lxc.cgroup[2].*` lines for the limits. */
export function lxcCgroupLines(limits: Limits | undefined, v2: boolean): string[] {
  if (!limits) return [];
  const key = (v1: string, v2name: string) => (v2 ? `lxc.cgroup2.${v2name}` : `lxc.cgroup.${v1}`);
  const out: string[] = [];
  if (limits.memoryBytes !== undefined)
    out.push(`${key('memory.limit_in_bytes', 'memory.max')} = ${limits.memoryBytes}`);
  if (limits.cpus !== undefined) {
    const quota = Math.round(limits.cpus * CFS_PERIOD_US);
    if (v2) out.push(`lxc.cgroup2.cpu.max = ${quota} ${CFS_PERIOD_US}`);
    else
      out.push(`lxc.cgroup.cpu.cfs_period_us = ${CFS_PERIOD_US}`, `lxc.cgroup.cpu.cfs_quota_us = ${quota}`);
  }
  if (limits.cpuWeight !== undefined)
    out.push(
      v2
        ? `lxc.cgroup2.cpu.weight = ${limits.cpuWeight}`
        : // v2 weight 1..10000 -> v1 shares 2..262144, as the OCI runtimes convert it.
          `lxc.cgroup.cpu.shares = ${Math.round(2 + ((limits.cpuWeight - 1) * 262142) / 9999)}`,
    );
  if (limits.pids !== undefined) out.push(`${key('pids.max', 'pids.max')} = ${limits.pids}`);
  if (limits.cpuset !== undefined) out.push(`${key('cpuset.cpus', 'cpuset.cpus')} = ${limits.cpuset}`);
  return out;
}

export function lxcConfig(o: { rootfs: string; name: string; limits?: Limits; v2: boolean }): string {
  return [
    `lxc.rootfs.path = dir:${o.rootfs}`,
    `lxc.uts.name = ${o.name}`,
    'lxc.net.0.type = empty',
    'lxc.mount.auto = proc:mixed sys:ro',
    // No AppArmor on this kind of host; LXC refuses to start when it cannot load its profile.
    'lxc.apparmor.profile = unconfined',
    ...lxcCgroupLines(o.limits, o.v2),
    '',
  ].join('\n');
}
