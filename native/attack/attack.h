/* The escape suite's shared parts (main.c runs the suite; kernel.c and resources.c hold the
 * attacks): each attack sets its verdict with CONTAINED / ESCAPED / SKIPPED and returns. */
#ifndef CTVM_ATTACK_H
#define CTVM_ATTACK_H

#include <errno.h>
#include <stddef.h>
#include <sys/types.h>

/* --fill-mib (the fill attacks' bound) and the suite's pid (names its scratch files). */
extern long g_fill_mib;
extern pid_t g_suite_pid;

/* The verdict of the attack running in this (child) process. */
extern const char *g_verdict;
extern char g_evidence[200];
void verdict(const char *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define CONTAINED(...) verdict("contained", __VA_ARGS__)
#define ESCAPED(...) verdict("escaped", __VA_ARGS__)
#define SKIPPED(...) verdict("skipped", __VA_ARGS__)

/* errno's name ("EPERM"). */
const char *en(int e);
/* Denied by a filter or a missing capability: the answers a contained environment gives. */
int denied(int e);

/* ENOSYS: this kernel lacks the call (or a filter answers so): nothing to judge. */
#define NOSYS_SKIP(call)                                                  \
  do {                                                                    \
    if (errno == ENOSYS) return SKIPPED("%s=ENOSYS,not-in-kernel-or-filtered", call); \
  } while (0)

int write_file(const char *path, const char *text);
int read_file(const char *path, char *buf, size_t size);
/* The value of "Key:" in /proc/self/status, or NULL. */
const char *status_field(const char *key, char *out, size_t size);

/* The attacks (one per ATTACKS entry in main.c). */
void a_bpf(void);
void a_cgroup_limit(void);
void a_clock_set(void);
void a_disk_fill(void);
void a_inheritable_caps(void);
void a_iopl(void);
void a_kexec_load(void);
void a_keyctl(void);
void a_mknod_device(void);
void a_module_load(void);
void a_mount_cgroup(void);
void a_net_visible(void);
void a_no_new_privs(void);
void a_open_by_handle(void);
void a_perf_event(void);
void a_pgrp_signal(void);
void a_pids_limit(void);
void a_proc_sys(void);
void a_ptrace(void);
void a_raw_socket(void);
void a_reboot(void);
void a_shm_fill(void);
void a_swapon(void);
void a_sys_write(void);
void a_sysrq(void);
void a_tiocsti(void);
void a_tmp_fill(void);
void a_userns(void);

#endif
