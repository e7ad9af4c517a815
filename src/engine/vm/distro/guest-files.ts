// Files ctvm writes into the Debian guest image: the unit that runs the workload once
// multi-user.target is reached, the script behind it (console protocol of init-script.ts), the
// initramfs-tools configuration and the boot stamps. Pure text, part of the image's cache key.
import { DEBUG_EXIT_PORT } from '../init-script.js';

/** The workload disk's mount point in the guest and the script in it (workload-disk.ts). */
export const WORKLOAD_MOUNT = '/run/ctvm/root';
export const WORKLOAD_RUN_SCRIPT = '.ctvm-run';

/**
 * Boot stamps: initramfs-tools' init-top runs first in the initramfs, init-bottom last before
 * run-init switches to the disk; both write the guest uptime to /run, which initramfs-tools
 * moves onto the real root, so the unit can read them after boot.
 */
const stampScript = (file: string) =>
  [
    '#!/bin/sh',
    'PREREQ=""',
    'prereqs() { echo "$PREREQ"; }',
    'case "$1" in prereqs) prereqs; exit 0;; esac',
    `read up _ < /proc/uptime; echo "$up" > /run/${file}`,
    '',
  ].join('\n');

const GUEST_SCRIPT = [
  '#!/bin/sh',
  '# ctvm: run by ctvm-workload.service once multi-user.target is active (src/engine/vm/distro/guest-files.ts)',
  'exec >/dev/ttyS0 2>&1 </dev/null',
  `R=${WORKLOAD_MOUNT}`,
  'up() { read u _ < /proc/uptime; echo "$u"; }',
  'mem() {',
  '  t=0; a=0',
  '  while read k v _; do case $k in MemTotal:) t=$v;; MemAvailable:) a=$v;; esac; done < /proc/meminfo',
  '  echo "CTVM-$1 uptime_s=$(up) mem_total_kb=$t mem_available_kb=$a"',
  '}',
  '# systemd timestamps are CLOCK_MONOTONIC in us, the same clock as /proc/uptime',
  'us() { v=$(systemctl show -P "$1" $2); echo "${v:-0}"; }',
  's() { awk -v x="$1" \'BEGIN { printf "%.3f", x / 1e6 }\'; }',
  'it=$(cat /run/ctvm-initramfs-top 2>/dev/null || echo -1)',
  'ib=$(cat /run/ctvm-initramfs-bottom 2>/dev/null || echo -1)',
  'sd=$(s $(us UserspaceTimestampMonotonic)); mu=$(s $(us ActiveEnterTimestampMonotonic multi-user.target))',
  'na=$(systemctl list-units --state=active --no-legend | wc -l); nf=$(systemctl list-units --state=failed --no-legend | wc -l)',
  '# uptime_s last, right before the line leaves: the host places the other stamps relative to it',
  'echo "CTVM-BOOT initramfs_s=$it switchroot_s=$ib systemd_s=$sd multiuser_s=$mu units=$na failed=$nf uptime_s=$(up)"',
  'echo "CTVM-ANALYZE $(systemd-analyze time 2>&1 | head -n 1)"',
  `mkdir -p $R && mount -t ext4 /dev/vdb $R || { echo "CTVM-EXIT code=125"; rc=125; }`,
  'if [ -z "${rc:-}" ]; then',
  '  mount -t proc proc $R/proc && mount -t sysfs sys $R/sys && mount --bind /dev $R/dev',
  '  mount -t tmpfs -o size=64m tmp $R/tmp 2>/dev/null',
  '  mem INIT',
  `  chroot $R /bin/busybox sh /${WORKLOAD_RUN_SCRIPT} &`,
  '  w=$!',
  '  ( stty -echo 2>/dev/null; while read -r req; do mem MEM; done ) </dev/ttyS0 &',
  '  m=$!',
  '  wait $w; rc=$?',
  '  kill $m 2>/dev/null',
  '  echo "CTVM-EXIT code=$rc"',
  'fi',
  `printf "\\\\$(printf %o $((rc & 255)))" | dd of=/dev/port bs=1 seek=${DEBUG_EXIT_PORT} count=1 2>/dev/null`,
  'systemctl poweroff --force --force',
  '',
].join('\n');

const UNIT = [
  '[Unit]',
  'Description=ctvm workload (READY/RESULT on the serial console)',
  '# Ordered after the target that wants it: it starts once multi-user.target is reached.',
  'After=multi-user.target',
  '',
  '[Service]',
  'Type=simple',
  'ExecStart=/usr/local/sbin/ctvm-guest',
  '',
  '[Install]',
  'WantedBy=multi-user.target',
  '',
].join('\n');

export interface GuestFile {
  path: string;
  mode: number;
  /** File content, or a symlink target. */
  content?: string;
  symlink?: string;
}

/** Everything build.ts writes into the debootstrapped tree, relative to its root. */
export function guestFiles(): GuestFile[] {
  return [
    { path: 'etc/hostname', mode: 0o644, content: 'ctvm-debian\n' },
    // Empty machine-id: every instance gets a transient one (a cloned image must not share it).
    { path: 'etc/machine-id', mode: 0o444, content: '' },
    { path: 'etc/fstab', mode: 0o644, content: '/dev/vda / ext4 defaults,noatime 0 1\n' },
    // initramfs-tools with only the modules the disk needs (as `MODULES=dep` would pick on
    // this hardware; `dep` cannot probe from a chroot).
    {
      path: 'etc/initramfs-tools/conf.d/ctvm',
      mode: 0o644,
      content: 'MODULES=list\nCOMPRESS=gzip\n',
    },
    {
      path: 'etc/initramfs-tools/modules',
      mode: 0o644,
      content: 'virtio_pci\nvirtio_blk\ncrc32c_generic\next4\n',
    },
    {
      path: 'etc/initramfs-tools/scripts/init-top/ctvm-stamp',
      mode: 0o755,
      content: stampScript('ctvm-initramfs-top'),
    },
    {
      path: 'etc/initramfs-tools/scripts/init-bottom/ctvm-stamp',
      mode: 0o755,
      content: stampScript('ctvm-initramfs-bottom'),
    },
    { path: 'usr/local/sbin/ctvm-guest', mode: 0o755, content: GUEST_SCRIPT },
    { path: 'etc/systemd/system/ctvm-workload.service', mode: 0o644, content: UNIT },
    {
      path: 'etc/systemd/system/multi-user.target.wants/ctvm-workload.service',
      mode: 0o777,
      symlink: '/etc/systemd/system/ctvm-workload.service',
    },
    // The serial console is the host's protocol channel: no login prompt on it.
    { path: 'etc/systemd/system/serial-getty@ttyS0.service', mode: 0o777, symlink: '/dev/null' },
  ];
}
