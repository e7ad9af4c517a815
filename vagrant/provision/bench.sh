#!/bin/sh
# Checks the box booted into the cgroup mode its name promises, then runs `npm run bench`.
set -eu
want="$1"
fstype=$(stat -fc %T /sys/fs/cgroup)
case "$want:$fstype" in
  v2:cgroup2fs) ;;
  v1:tmpfs) test -d /sys/fs/cgroup/memory || { echo "ctvm: v1 box without the v1 memory controller" >&2; exit 1; } ;;
  *) echo "ctvm: box '$want' booted with /sys/fs/cgroup as $fstype; kernel command line: $(cat /proc/cmdline)" >&2; exit 1 ;;
esac
test -e /dev/kvm || echo "ctvm: warning: no /dev/kvm in the guest (nested virtualization off on the host?); VMs will run under TCG" >&2
cd /home/vagrant/ctvm
node bin/ctvm.js doctor --refresh || true
npm run bench
