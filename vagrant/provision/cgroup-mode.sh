#!/bin/sh
# Sets the kernel command line for cgroup mode $1 ("v1" or "v2") to $2 via a grub drop-in;
# Vagrant reboots the box afterwards (reboot: true in the Vagrantfile).
set -eu
mode="$1"
cmdline="$2"
cat >/etc/default/grub.d/ctvm-cgroup.cfg <<CFG
# written by ctvm vagrant/provision/cgroup-mode.sh: cgroup $mode
GRUB_CMDLINE_LINUX="\$GRUB_CMDLINE_LINUX $cmdline"
CFG
update-grub
echo "ctvm: cgroup $mode requested ($cmdline); rebooting"
