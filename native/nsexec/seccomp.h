/* ctvm-nsexec's seccomp compiler (seccomp.c): profile text -> BPF, and its install. */
#ifndef CTVM_NSEXEC_SECCOMP_H
#define CTVM_NSEXEC_SECCOMP_H

#include <linux/filter.h>

/* Compiles `profile` (format: seccomp.c's header). 0, or -errno with *what naming the
 * directive, syscall or step that failed. */
int nsexec_seccomp_compile(const char *profile, struct sock_fprog *out, const char **what);

/* seccomp(SECCOMP_SET_MODE_FILTER): needs no_new_privs or CAP_SYS_ADMIN. -1 with errno. */
int nsexec_seccomp_install(const struct sock_fprog *prog);

#endif
