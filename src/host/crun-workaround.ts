// How ctvm invokes crun where the shipped default fails.
//
// crun 1.8.1 refuses hybrid hosts: libcrun_cgroup_enter() reads /sys/fs/cgroup/unified/
// cgroup.controllers and fails with "cgroups in hybrid mode not supported, drop all controllers
// from cgroupv2" when it is non-empty (here it lists `hugetlb`, the one controller no v1 hierarchy
// claims). The check runs before the cgroup manager is chosen, so `--cgroup-manager=disabled`
// does not help (tried: same error), and it would drop the limits anyway. crun detects the mode
// with statfs(): /sys/fs/cgroup is tmpfs -> v1 or hybrid, and only a cgroup2 mount at
// /sys/fs/cgroup/unified makes it hybrid. So ctvm runs crun in a private mount namespace where
// that one mount is detached: crun sees a plain v1 ("legacy") host and uses the same v1
// memory/cpu/pids hierarchies runc and ctvm use. Nothing changes for the rest of the host, and
// the namespace disappears with the crun process. Cost: `unshare` + `sh` + `umount` execs per
// invocation (bench/container-start.ts measures it separately so it can be subtracted).

/** argv prefix that runs the following command (crun + its args) with cgroup2 hidden. */
export const CRUN_HYBRID_PREFIX: string[] = [
  'unshare',
  '--mount',
  '--propagation',
  'private',
  '--',
  '/bin/sh',
  '-c',
  'umount -l /sys/fs/cgroup/unified && exec "$0" "$@"',
];

/** The command line for `crun <args>` on this host: wrapped only on hybrid hosts. */
export function crunInvocation(
  crunPath: string,
  args: string[],
  hybrid: boolean,
): { file: string; args: string[] } {
  if (!hybrid) return { file: crunPath, args };
  const [file, ...rest] = CRUN_HYBRID_PREFIX;
  return { file: file!, args: [...rest, crunPath, ...args] };
}
