/* The cgroup v2 device allow list: compiles rules into a BPF_PROG_TYPE_CGROUP_DEVICE program and
 * attaches it to a cgroup, as runc (libcontainer/cgroups/devices/devicefilter.go) and crun
 * (src/libcrun/ebpf.c) do. cgroup v2 has no devices.allow file: this program is the only way to
 * stop a process with CAP_MKNOD from creating and opening host devices. Linked into ctvm-nsexec
 * (keyword `devices`, native/README.md); the policy (which rules) comes from TypeScript. */
#ifndef CTVM_NSEXEC_DEVICES_H
#define CTVM_NSEXEC_DEVICES_H

/* Most rules one program holds (ctvm passes 8). */
#define DEVICES_MAX_RULES 64

/* RULES: comma-separated TYPE:MAJOR:MINOR:ACCESS, TYPE c|b|a, MAJOR/MINOR a number or `*`,
 * ACCESS a non-empty subset of `rwm`, e.g. "c:1:3:rwm,c:136:*:rwm". Everything not listed is
 * denied. Loads the program and attaches it (BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI) to the cgroup
 * v2 directory CGROUP_DIR. Returns 0, or -1 with errno set and *op naming the failed step
 * ("devices rules" = EINVAL for a malformed RULES, "open cgroup", "bpf BPF_PROG_LOAD",
 * "bpf BPF_PROG_ATTACH"). The program stays attached after we exit, until the cgroup goes. */
int devices_bpf_attach(const char *cgroup_dir, const char *rules, const char **op);

#endif
