/* ctvm-nsexec: the mechanism half of the ctvm container engine (policy lives in TypeScript).
 * `ctvm-nsexec ARGS -- CMD` runs one launch (launch.c); `ctvm-nsexec serve SOCK` stays resident
 * and forks a launcher per request (serve.c), so the caller spawns one process, once.
 * A launch creates namespaces, performs the mounts it is told to in order (mounts.c),
 * pivot_root()s, joins the child to its cgroups, drops capabilities and execs. It reports
 * per-phase CLOCK_MONOTONIC timestamps, errors (stage, op, errno, path) and the exit status as
 * text lines on fd NSEXEC_STATUS_FD (report.c). Protocol: native/README.md. Constants: nsexec.h.
 * This file: the launch's configuration from argv, and main. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "launch.h"
#include "nsexec.h"
#include "report.h"
#include "serve.h"

struct config cfg;

/* ---- argv parsing (see README: keyword arguments, then "--" and the command) ---- */

static int ns_flag(const char *name) {
  static const struct { const char *n; int f; } t[] = {
      {"pid", CLONE_NEWPID}, {"mnt", CLONE_NEWNS}, {"uts", CLONE_NEWUTS},
      {"ipc", CLONE_NEWIPC}, {"net", CLONE_NEWNET}, {"cgroup", CLONE_NEWCGROUP}};
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
    if (strcmp(t[i].n, name) == 0) return t[i].f;
  usage(name);
  return 0;
}

static void parse_ns(char *list) {
  for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
    int f = ns_flag(tok);
    if (f == CLONE_NEWCGROUP) cfg.newcgroup = 1; /* unshared after the cgroup join, see child() */
    else cfg.ns_flags |= f;
  }
}

static void add_op(enum op_kind kind, char **v) {
  if (cfg.nops == MAX_OPS) usage("too many mounts");
  struct op *o = &cfg.ops[cfg.nops++];
  o->kind = kind;
  if (kind == OP_MOUNT) o->mount = (typeof(o->mount)){v[0], v[1], v[2], v[3], v[4]};
  else if (kind == OP_DEV) o->dev = (typeof(o->dev)){v[0], v[1], v[2], v[3]};
  else o->symlink = (typeof(o->symlink)){v[0], v[1]};
}

void parse_args(int argc, char **argv) {
  int i = 1;
  while (i < argc) {
    const char *k = argv[i];
    int left = argc - i - 1;
#define NEED(n) do { if (left < (n)) usage(k); } while (0)
    if (strcmp(k, "--") == 0) { cfg.argv = &argv[i + 1]; break; }
    else if (strcmp(k, "ns") == 0) { NEED(1); parse_ns(argv[i + 1]); i += 2; }
    else if (strcmp(k, "root") == 0) { NEED(1); cfg.root = argv[i + 1]; i += 2; }
    else if (strcmp(k, "mount") == 0) { NEED(5); add_op(OP_MOUNT, &argv[i + 1]); i += 6; }
    else if (strcmp(k, "dev") == 0) { NEED(4); add_op(OP_DEV, &argv[i + 1]); i += 5; }
    else if (strcmp(k, "symlink") == 0) { NEED(2); add_op(OP_SYMLINK, &argv[i + 1]); i += 3; }
    else if (strcmp(k, "hostname") == 0) { NEED(1); cfg.hostname = argv[i + 1]; i += 2; }
    else if (strcmp(k, "seccomp") == 0) { NEED(1); cfg.seccomp = argv[i + 1]; i += 2; }
    else if (strcmp(k, "scratch") == 0) { NEED(2); cfg.scratch = argv[i + 1]; cfg.scratch_size = argv[i + 2]; i += 3; }
    else if (strcmp(k, "cwd") == 0) { NEED(1); cfg.cwd = argv[i + 1]; i += 2; }
    else if (strcmp(k, "lo") == 0) { cfg.lo_up = 1; i += 1; }
    else if (strcmp(k, "netns") == 0) { NEED(1); cfg.netns = argv[i + 1]; i += 2; }
    else if (strcmp(k, "nonewprivs") == 0) { cfg.no_new_privs = 1; i += 1; }
    else if (strcmp(k, "caps") == 0) { NEED(1); cfg.caps = strtoull(argv[i + 1], NULL, 16); cfg.have_caps = 1; i += 2; }
    else if (strcmp(k, "env") == 0) { NEED(1); if (cfg.nenv == MAX_ENV) usage("env"); cfg.env[cfg.nenv++] = argv[i + 1]; i += 2; }
    else if (strcmp(k, "devices") == 0) { NEED(2); cfg.devices_dir = argv[i + 1]; cfg.devices_rules = argv[i + 2]; i += 3; }
    else if (strcmp(k, "cgroup") == 0) { NEED(1); if (cfg.ncgroups == MAX_CGROUPS) usage("cgroup"); cfg.cgroup_procs[cfg.ncgroups++] = argv[i + 1]; i += 2; }
    else if (strcmp(k, "mark") == 0) {
      NEED(2);
      size_t len = strlen(argv[i + 2]);
      if (cfg.nmarks == MAX_MARKS || len == 0 || len > MAX_MARK_LEN || strchr(argv[i + 1], ' ')) usage("mark");
      cfg.marks[cfg.nmarks++] = (struct mark){argv[i + 1], argv[i + 2], len, 0};
      i += 3;
    }
    else usage(k);
#undef NEED
  }
  if (!cfg.argv || !cfg.argv[0]) usage("missing -- COMMAND");
  /* No root = no filesystem work: mounts, devs, symlinks are paths inside a root. */
  if (!cfg.root && (cfg.nops || cfg.scratch)) usage("mount/dev/symlink/scratch without root");
  cfg.env[cfg.nenv] = NULL;
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "serve") == 0) return serve(argv[2]);
  return run_oneshot(argc, argv);
}
