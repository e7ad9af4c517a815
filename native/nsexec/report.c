/* ctvm-nsexec's status lines on fd NSEXEC_STATUS_FD (native/README.md): phase stamps, the error
 * line of a failed step, and the holding of a launcher's lines until its command has started. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "nsexec.h"
#include "report.h"

const char *stage = "parent";

uint64_t mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* One write() per line: lines stay whole even though parent and child share the pipe.
 * A launcher defers its lines until the exec/clone point and sends them in one write(): each
 * write wakes the caller, whose work would compete for the CPU with the launch being measured. */
char deferred[8192];
static size_t ndeferred;
int defer_reports;
/* A spare's pipe to the server, on which it says "taken" once its launch no longer starts. */
int taken_fd = -1;

static void write_status(const char *buf, size_t n) {
  while (write(NSEXEC_STATUS_FD, buf, n) < 0 && errno == EINTR) {
  }
}

void flush_reports(void) {
  if (ndeferred) write_status(deferred, ndeferred);
  ndeferred = 0;
}

void report(const char *fmt, ...) {
  char buf[4096];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if (n > (int)sizeof buf - 2) n = sizeof buf - 2;
  buf[n++] = '\n';
  if (defer_reports && ndeferred + n <= sizeof deferred) {
    memcpy(deferred + ndeferred, buf, n);
    ndeferred += n;
    return;
  }
  flush_reports();
  write_status(buf, n);
}

/* From here on (the parent after the child's exec) every line goes out at once. */
void stop_deferring(void) {
  flush_reports();
  defer_reports = 0;
}

void phase(const char *name) { report("%c %s %llu", NSEXEC_MSG_TIME, name, (unsigned long long)mono_ns()); }

void fail(const char *op, const char *path, int code) {
  const char *name = strerrorname_np(errno);
  defer_reports = 0; /* this line and everything before it go out now */
  report("%c %s %s %s %s", NSEXEC_MSG_ERROR, stage, op, name ? name : "EUNKNOWN", path ? path : "-");
  _exit(code);
}

void usage(const char *what) {
  errno = EINVAL;
  fail("argv", what, NSEXEC_EXIT_USAGE);
}

/* ---- parent: seccomp compile, clone, wait (relaying stdout), report exit ---- */

/* A launcher's lines so far (its own and, through the shared memory, the child's up to execve)
 * go out STATUS_HOLD_MS after the exec or when the command ends, whichever is first: not while
 * the command is starting, when waking the caller would compete with the start being timed.
 * The timestamps inside the lines are unaffected; only the caller learns the pid a bit later. */
void release_hold(void) {
  if (taken_fd >= 0) {
    /* Not when the request arrived: waking the server then (on this CPU, as the kernel prefers
     * for a sync wake-up) delayed the launch by ~0.2 ms. It refills its pool after this. */
    (void)!write(taken_fd, "t", 1);
    close(taken_fd);
    taken_fd = -1;
  }
  flush_reports(); /* the end lines (T exited, U, X) will go out together as well */
}


unsigned long long rusage_ns(const struct rusage *ru) {
  return ((unsigned long long)(ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1000000ull +
          (unsigned long long)(ru->ru_utime.tv_usec + ru->ru_stime.tv_usec)) * 1000ull;
}
