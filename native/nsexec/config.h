/* What one launch was asked to do (argv, native/README.md), as parsed by main.c. */
#ifndef CTVM_NSEXEC_CONFIG_H
#define CTVM_NSEXEC_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#define MAX_OPS 128
#define MAX_ENV 256
#define MAX_CGROUPS 16
#define MAX_MARKS 8
#define MAX_MARK_LEN 64

enum op_kind { OP_MOUNT, OP_DEV, OP_SYMLINK };
/* One filesystem step in the child, in argv order. All fields are argv strings ("-" = none). */
struct op {
  enum op_kind kind;
  union {
    /* "mount TYPE SRC DST FLAGS DATA"; TYPE bind | mask | ro | a filesystem type */
    struct { const char *type, *src, *dst, *flags, *data; } mount;
    struct { const char *path, *mode, *major, *minor; } dev; /* "dev PATH MODE MAJOR MINOR" */
    struct { const char *target, *path; } symlink;          /* "symlink TARGET PATH" */
  };
};

struct config {
  int ns_flags, newcgroup, lo_up, no_new_privs, have_caps;
  uint64_t caps;
  const char *root, *hostname, *cwd, *netns; /* netns: a path to setns into (src/net/) */
  const char *seccomp;               /* profile text (seccomp.c), or NULL: no filter */
  const char *scratch, *scratch_size; /* tmpfs for the overlay's upper/work, or NULL */
  const char *devices_dir, *devices_rules; /* cgroup v2 device program (devices.c) */
  struct op ops[MAX_OPS];
  int nops;
  char *env[MAX_ENV + 1];
  int nenv;
  const char *cgroup_procs[MAX_CGROUPS];
  int ncgroups;
  struct mark { const char *name, *prefix; size_t len; int seen; } marks[MAX_MARKS]; /* relay.c */
  int nmarks;
  char **argv;
};

/* The one launch this process runs (parse_args fills it; a spare clears it first). */
extern struct config cfg;


/* Fills cfg from the keyword arguments; exits NSEXEC_EXIT_USAGE (an E line) on bad argv. */
void parse_args(int argc, char **argv);

#endif
