/* ctvm-nsexec's status lines (report.c). */
#ifndef CTVM_NSEXEC_REPORT_H
#define CTVM_NSEXEC_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>

/* How long a launcher holds its lines after the exec (see release_hold). */
#define STATUS_HOLD_MS 20

/* "parent" or "child": the stage an E line names. */
extern const char *stage;
/* While set, report() collects lines in `deferred` and sends them in one write (flush_reports). */
extern int defer_reports;
extern char deferred[8192];
/* A spare's pipe to the server ("taken"), or -1. */
extern int taken_fd;

uint64_t mono_ns(void);
void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void flush_reports(void);
void stop_deferring(void);
/* "T <name> <now>". */
void phase(const char *name);
/* "E <stage> <op> <errno name> <path|->" (sent at once, with everything held), then _exit(code). */
void fail(const char *op, const char *path, int code) __attribute__((noreturn));
/* fail() for bad argv: EINVAL, NSEXEC_EXIT_USAGE. */
void usage(const char *what) __attribute__((noreturn));
/* Sends the held lines (and a spare's "taken"): STATUS_HOLD_MS after the exec, or at the end. */
void release_hold(void);
unsigned long long rusage_ns(const struct rusage *ru);

#endif
