/* One launch (launch.c) and the parts it is made of (mounts.c, relay.c). */
#ifndef CTVM_NSEXEC_LAUNCH_H
#define CTVM_NSEXEC_LAUNCH_H

#include "config.h"

/* Runs one launch from argv (protocol v1); returns the command's exit status. */
int run_oneshot(int argc, char **argv);

/* mounts.c, in the child: the scratch tmpfs, then every op in order; then pivot_root into it. */
void mount_scratch(void);
void apply_op(const struct op *o);
void pivot(void);

/* relay.c: the command's stdout pipe ([0] ours, [1] the command's), -1 without marks. */
extern int relay_fds[2];
extern char relay_buf[65536];
void relay_child(void);
/* One chunk from the pipe to our stdout (stamping marks); 0 at EOF. */
int relay_once(void);
/* Output held while the launcher holds its lines; relay_release() sends it and ends the hold. */
extern int relay_holding;
void relay_release(void);

#endif
