/* ctvm-nsexec's seccomp compiler: a profile in a line format (TypeScript writes it from an OCI
 * `linux.seccomp` object, src/engine/container/seccomp.ts) -> a classic BPF program, with
 * libseccomp (linked statically). The launcher compiles before the clone, on every launch, as runc
 * and crun do; the child installs the program as its last step before execve (after the
 * capability drop and no_new_privs, so the filter also binds a task without CAP_SYS_ADMIN).
 *
 * Format, one directive per line (fields separated by single spaces):
 *   default <ACTION>              the action for every syscall no rule names (first line)
 *   arch <name>                   x86_64 | x86 | x32 | aarch64 | arm | ... (libseccomp's names)
 *   rule <ACTION> <syscall> [<index> <op> <value> <value2>]...   at most 6 conditions
 * ACTION: allow | errno:<n> | kill | kill_process | trap | log | trace:<n>
 * op: ne | lt | le | eq | ge | gt | masked_eq (value2 = the compared value, value = the mask,
 * as in the OCI spec). Syscall names this libseccomp does not know are skipped, as runc does. */
#define _GNU_SOURCE
#include <errno.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "seccomp.h"

static int parse_action(const char *s, uint32_t *out) {
  if (strcmp(s, "allow") == 0) *out = SCMP_ACT_ALLOW;
  else if (strcmp(s, "kill") == 0) *out = SCMP_ACT_KILL_THREAD;
  else if (strcmp(s, "kill_process") == 0) *out = SCMP_ACT_KILL_PROCESS;
  else if (strcmp(s, "trap") == 0) *out = SCMP_ACT_TRAP;
  else if (strcmp(s, "log") == 0) *out = SCMP_ACT_LOG;
  else if (strncmp(s, "errno:", 6) == 0) *out = SCMP_ACT_ERRNO((uint16_t)strtoul(s + 6, NULL, 10));
  else if (strncmp(s, "trace:", 6) == 0) *out = SCMP_ACT_TRACE((uint16_t)strtoul(s + 6, NULL, 10));
  else return -1;
  return 0;
}

static int parse_op(const char *s, enum scmp_compare *out) {
  static const struct { const char *n; enum scmp_compare op; } t[] = {
      {"ne", SCMP_CMP_NE}, {"lt", SCMP_CMP_LT}, {"le", SCMP_CMP_LE}, {"eq", SCMP_CMP_EQ},
      {"ge", SCMP_CMP_GE}, {"gt", SCMP_CMP_GT}, {"masked_eq", SCMP_CMP_MASKED_EQ}};
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
    if (strcmp(t[i].n, s) == 0) return *out = t[i].op, 0;
  return -1;
}

/* Splits line at spaces into at most max fields; returns the count. */
static int split(char *line, char **f, int max) {
  int n = 0;
  for (char *tok = strtok(line, " "); tok && n < max; tok = strtok(NULL, " ")) f[n++] = tok;
  return n;
}

static int add_rule(scmp_filter_ctx ctx, uint32_t deflt, char **f, int n, const char **what) {
  uint32_t action;
  struct scmp_arg_cmp cmp[6];
  if (n < 3 || (n - 3) % 4 != 0 || (n - 3) / 4 > 6 || parse_action(f[1], &action) < 0) return *what = "seccomp rule", -EINVAL;
  int nr = seccomp_syscall_resolve_name(f[2]);
  if (nr == __NR_SCMP_ERROR) return 0; /* not a syscall this libseccomp knows: nothing to filter */
  if (action == deflt) return 0;      /* libseccomp refuses rules that repeat the default */
  unsigned ncmp = 0;
  for (int i = 3; i < n; i += 4) {
    enum scmp_compare op;
    if (parse_op(f[i + 1], &op) < 0) return *what = "seccomp op", -EINVAL;
    cmp[ncmp++] = (struct scmp_arg_cmp){(unsigned)strtoul(f[i], NULL, 10), op,
                                        strtoull(f[i + 2], NULL, 10), strtoull(f[i + 3], NULL, 10)};
  }
  int rc = seccomp_rule_add_array(ctx, action, nr, ncmp, cmp);
  if (rc < 0) *what = f[2];
  return rc;
}

static int build(scmp_filter_ctx *pctx, char *text, const char **what) {
  char *save = NULL, *f[3 + 6 * 4 + 1];
  scmp_filter_ctx ctx = NULL;
  uint32_t deflt = 0;
  for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    int n = split(line, f, (int)(sizeof f / sizeof f[0]));
    int rc = 0;
    if (n == 2 && strcmp(f[0], "default") == 0 && !ctx) {
      if (parse_action(f[1], &deflt) < 0 || !(ctx = seccomp_init(deflt))) return *what = "seccomp default", -EINVAL;
      /* We set no_new_privs ourselves, before the install; the filter is loaded by prctl. */
      if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0)) < 0) *what = "seccomp attr nnp";
    } else if (n == 2 && strcmp(f[0], "arch") == 0 && ctx) {
      uint32_t arch = seccomp_arch_resolve_name(f[1]);
      if (!arch) rc = -EINVAL, *what = f[1];
      else if ((rc = seccomp_arch_add(ctx, arch)) == -EEXIST) rc = 0; /* the native arch is in already */
      else if (rc < 0) *what = f[1];
    } else if (n >= 1 && strcmp(f[0], "rule") == 0 && ctx) rc = add_rule(ctx, deflt, f, n, what);
    else rc = -EINVAL, *what = "seccomp profile line";
    if (rc < 0) {
      if (ctx) seccomp_release(ctx);
      return rc;
    }
  }
  if (!ctx) return *what = "seccomp profile without default", -EINVAL;
  *pctx = ctx;
  return 0;
}

int nsexec_seccomp_compile(const char *profile, struct sock_fprog *out, const char **what) {
  char *text = strdup(profile);
  scmp_filter_ctx ctx;
  if (!text) return *what = "strdup", -ENOMEM;
  int rc = build(&ctx, text, what);
  free(text);
  if (rc < 0) return rc;
  /* libseccomp 2.5 exports to an fd only: a memfd, read back into memory the child shares. */
  int fd = (int)syscall(SYS_memfd_create, "ctvm-seccomp", MFD_CLOEXEC);
  if (fd < 0) rc = -errno, *what = "memfd_create";
  else if ((rc = seccomp_export_bpf(ctx, fd)) < 0) *what = "seccomp_export_bpf";
  seccomp_release(ctx);
  if (rc < 0) return fd >= 0 ? (close(fd), rc) : rc;
  off_t size = lseek(fd, 0, SEEK_END);
  struct sock_filter *prog = size > 0 ? malloc((size_t)size) : NULL;
  if (!prog || pread(fd, prog, (size_t)size, 0) != size) {
    close(fd);
    free(prog);
    return *what = "read bpf", -EIO;
  }
  close(fd);
  out->len = (unsigned short)(size / sizeof *prog);
  out->filter = prog;
  return 0;
}

int nsexec_seccomp_install(const struct sock_fprog *prog) {
  return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, prog);
}
