// Policy: the device nodes a container may open or mknod — exactly the nodes its /dev holds
// (DEFAULT_DEVICES) plus the pty pair runc allows — as cgroup v1 devices.allow lines and as the
// compact rule string the helper compiles into a cgroup v2 BPF device program (native/nsexec/devices.c).
import { DEFAULT_DEVICES } from './defaults.js';

export interface DeviceRule {
  type: 'c' | 'b';
  major: number | '*';
  minor: number | '*';
  /** A subset of 'rwm' in that order: read, write, mknod. */
  access: string;
}

/**
 * Everything else is denied, mknod included: unlike runc's default list (libcontainer/specconv
 * AllowedDevices) there is no 'c *:* m' / 'b *:* m', so CAP_MKNOD inside cannot even create a
 * node for a host device. runc's pty entries stay for a container given a terminal.
 */
export const ALLOWED_DEVICES: readonly DeviceRule[] = [
  ...DEFAULT_DEVICES.map((d): DeviceRule => ({ type: 'c', major: d.major, minor: d.minor, access: 'rwm' })),
  { type: 'c', major: 5, minor: 2, access: 'rwm' }, // /dev/ptmx, /dev/pts/ptmx
  { type: 'c', major: 136, minor: '*', access: 'rwm' }, // /dev/pts/N
];

/** cgroup v1 devices.allow / devices.deny syntax: "c 1:3 rwm", "c 136:* rwm". */
export function v1DeviceLine(r: DeviceRule): string {
  return `${r.type} ${r.major}:${r.minor} ${r.access}`;
}

/** The helper's `devices` argument: "c:1:3:rwm,c:136:*:rwm" (native/README.md). */
export function deviceRulesArg(rules: readonly DeviceRule[] = ALLOWED_DEVICES): string {
  return rules.map((r) => `${r.type}:${r.major}:${r.minor}:${r.access}`).join(',');
}
