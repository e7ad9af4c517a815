/* ctvm-nsexec protocol constants. Mirrored in src/engine/container/nsexec-protocol.ts;
 * test/unit/container/nsexec-protocol.test.ts fails when the two disagree. See native/README.md. */
#ifndef CTVM_NSEXEC_H
#define CTVM_NSEXEC_H

#define NSEXEC_PROTOCOL_VERSION 2

/* The status fd the helper writes its report lines to (inherited from the caller). */
#define NSEXEC_STATUS_FD 3

/* First character of each status line. */
#define NSEXEC_MSG_TIME 'T'   /* T <phase> <CLOCK_MONOTONIC ns>         */
#define NSEXEC_MSG_PID 'P'    /* P <host pid of the container init>       */
#define NSEXEC_MSG_ERROR 'E'  /* E <stage> <op> <errno name> <path|->     */
#define NSEXEC_MSG_RUSAGE 'U' /* U <CPU ns of the command + its reaped children> (rusage) */
#define NSEXEC_MSG_EXIT 'X'   /* X code <n>  |  X signal <n>              */

/* Exit status of the helper itself when the container never ran its command. */
#define NSEXEC_EXIT_USAGE 125 /* bad argv (a bug in the TypeScript side)   */
#define NSEXEC_EXIT_SETUP 126 /* a setup step failed; an E line says which */
#define NSEXEC_EXIT_EXEC 127  /* execve failed; an E line says which       */

/* Protocol v2, `ctvm-nsexec serve SOCK` (native/README.md). A request is
 * "L <id> <out> <err> <argc>\n" then argc NUL-terminated strings (the v1 argv), out/err one of
 * pipe | inherit | ignore; written to an idle spare's status connection, or to the server's stdin.
 * Replies on the server's stdout, one line each: */
#define NSEXEC_REQ_LAUNCH 'L'
#define NSEXEC_REPLY_STARTED 'S' /* S <id> <pid>: forked a launcher for a stdin request  */
#define NSEXEC_REPLY_DONE 'D'    /* D <pid> <wait status> <CPU ns incl. reaped children> */
#define NSEXEC_REPLY_FAILED 'F'  /* F <id> <errno name>: fork failed                     */

/* The server's fd that holds the caller's stdout (for out = inherit). */
#define NSEXEC_INHERIT_FD 3

/* Idle pre-forked launchers the server keeps: one for the next launch even while the other is
 * being replaced. The caller counts them to know when the pool is refilled (and quiet). */
#define NSEXEC_SPARES 2

#endif
