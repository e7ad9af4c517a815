/* ctvm-nsexec protocol constants. Mirrored in src/engine/container/nsexec-protocol.ts;
 * test/unit/container/nsexec-protocol.test.ts fails when the two disagree. See native/README.md. */
#ifndef CTVM_NSEXEC_H
#define CTVM_NSEXEC_H

#define NSEXEC_PROTOCOL_VERSION 1

/* The status fd the helper writes its report lines to (inherited from the caller). */
#define NSEXEC_STATUS_FD 3

/* First character of each status line. */
#define NSEXEC_MSG_TIME 'T'   /* T <phase> <CLOCK_MONOTONIC ns>         */
#define NSEXEC_MSG_PID 'P'    /* P <host pid of the container init>       */
#define NSEXEC_MSG_ERROR 'E'  /* E <stage> <op> <errno name> <path|->     */
#define NSEXEC_MSG_EXIT 'X'   /* X code <n>  |  X signal <n>              */

/* Exit status of the helper itself when the container never ran its command. */
#define NSEXEC_EXIT_USAGE 125 /* bad argv (a bug in the TypeScript side)   */
#define NSEXEC_EXIT_SETUP 126 /* a setup step failed; an E line says which */
#define NSEXEC_EXIT_EXEC 127  /* execve failed; an E line says which       */

/* Byte the parent sends the child once its pid is in every cgroup.procs file. */
#define NSEXEC_GO_BYTE 'g'

#endif
