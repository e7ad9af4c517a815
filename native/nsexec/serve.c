/* `ctvm-nsexec serve SOCK`: the resident launcher server and its pool of pre-forked spares. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "launch.h"
#include "nsexec.h"
#include "report.h"
#include "serve.h"

/* ---- serve: the resident launcher (protocol v2, native/README.md) ----
 * Node pays ~10 ms to spawn any process on this host (fork of a big process); this small static
 * process forks in well under a millisecond. So Node starts it once and asks it for launches.
 * Fast path: a pre-forked "spare" launcher that has already connected its status/out/err streams
 * to the caller's socket; the caller writes the request straight to the spare's status connection
 * (no hop through the server, no connect or fork on the critical path). Slow path (no idle spare,
 * e.g. a burst of concurrent launches): the request goes to our stdin and we fork a launcher. */

#define MAX_ARGS 4096
#define SPARE_IDLE_MS 20

static int inherit_out_fd = -1; /* the caller's stdout, passed to us as fd NSEXEC_INHERIT_FD */
static int inherit_err_fd = -1; /* our own stderr (the caller's), kept apart: launchers reuse fd 2 */
static const char *sock_path;
#define SPARES NSEXEC_SPARES
static pid_t spare_pid[SPARES] = {-1, -1}; /* idle spares, -1 = none */
static int spare_fd[SPARES] = {-1, -1};    /* read ends of the pipes on which they say "taken" */

struct request {
  unsigned long long id;
  char out[16], err[16];
  int argc;           /* including argv[0] */
  char *argv[MAX_ARGS + 2];
};

static void reply(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void reply(const char *fmt, ...) {
  char buf[128];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (write(STDOUT_FILENO, buf, n) != n) _exit(0); /* the caller is gone */
}

/* One "L <id> <out> <err> <argc>\n" + argc NUL-terminated strings at buf[0..len): returns its
 * length with *r filled (argv points into buf), 0 if incomplete. Exits on garbage (a caller bug:
 * the caller then sees the stream close). */
static size_t parse_request(char *buf, size_t len, struct request *r) {
  char *end = buf + len, *nl = memchr(buf, '\n', len);
  if (!nl) return 0;
  *nl = 0;
  int n = sscanf(buf, "L %llu %15s %15s %d", &r->id, r->out, r->err, &r->argc);
  *nl = '\n';
  if (n != 4 || r->argc < 1 || r->argc > MAX_ARGS) _exit(NSEXEC_EXIT_USAGE);
  char *p = nl + 1;
  r->argv[0] = "ctvm-nsexec";
  for (int i = 0; i < r->argc; i++) {
    char *z = memchr(p, 0, end - p);
    if (!z) return 0;
    r->argv[i + 1] = p;
    p = z + 1;
  }
  r->argv[++r->argc] = NULL;
  return p - buf;
}

/* A connection to the caller's socket announcing "<tag> <kind>\n", or -1. */
static int connect_stream(const char *tag, const char *kind) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  snprintf(addr.sun_path, sizeof addr.sun_path, "%s", sock_path);
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0 || connect(s, (struct sockaddr *)&addr, sizeof addr) < 0) return -1;
  char hdr[64];
  int n = snprintf(hdr, sizeof hdr, "%s %s\n", tag, kind);
  return write(s, hdr, n) == n ? s : -1;
}

/* Moves fd onto target (0-3) and marks nothing close-on-exec (run_oneshot marks fd 3). */
static void place(int fd, int target) {
  if (fd < 0 || (fd != target && dup2(fd, target) < 0)) _exit(NSEXEC_EXIT_SETUP);
  if (fd != target && fd > 3) close(fd);
}

/* fd 1 or 2 for an output mode: the connected stream (pipe), the caller's fd, or /dev/null. */
static void output_mode(int target, const char *mode, int inherit) {
  if (strcmp(mode, "ignore") == 0) place(open("/dev/null", O_WRONLY | O_CLOEXEC), target);
  else if (strcmp(mode, "inherit") == 0) place(fcntl(inherit, F_DUPFD_CLOEXEC, 4), target);
  /* "pipe": the stream connected earlier stays. Replacing it closes it: the caller sees EOF. */
}

/* A launcher runs SCHED_FIFO (priority 1) once its set-up is done, so that whenever it wakes —
 * for the request, when the child execs, for each chunk of output it stamps and relays, for the
 * exit — it runs at once instead of after whatever the caller or the command is doing on that
 * CPU: the stamps are then within microseconds of the event. SCHED_RESET_ON_FORK: the command
 * (and anything it forks) runs under the normal policy, exactly as without us. It sleeps for all
 * but microseconds per event, so it takes nothing measurable from the command. Best effort:
 * without CAP_SYS_NICE, or in a cpu cgroup without an RT budget, it stays SCHED_OTHER. */
static void launcher_priority(void) {
  struct sched_param rt = {.sched_priority = 1};
  (void)sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &rt);
}

/* First thing in every forked launcher: undo the server's signal set-up, die with the server. */
static void launcher_init(pid_t server) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  signal(SIGCHLD, SIG_DFL); signal(SIGINT, SIG_DFL); signal(SIGHUP, SIG_DFL); signal(SIGPIPE, SIG_DFL);
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != server) _exit(NSEXEC_EXIT_SETUP);
  place(open("/dev/null", O_RDONLY | O_CLOEXEC), 0); /* also drops our request pipe */
}

/* fds 0-3 are wired and the request is parsed: apply output modes, run it. Never returns. */
static void launcher_run(struct request *r, uint64_t start_ns) {
  defer_reports = 1;
  output_mode(1, r->out, inherit_out_fd);
  output_mode(2, r->err, inherit_err_fd);
  if (inherit_out_fd > 3) close(inherit_out_fd);
  if (inherit_err_fd > 3 && inherit_err_fd != inherit_out_fd) close(inherit_err_fd);
  report("%c launcher %llu", NSEXEC_MSG_TIME, (unsigned long long)start_ns);
  _exit(run_oneshot(r->argc, r->argv));
}

/* Slow path, in a launcher forked for request r: connect the streams tagged with its id. */
static void launcher_forked(struct request *r) {
  uint64_t start_ns = mono_ns();
  launcher_priority();
  char tag[32];
  snprintf(tag, sizeof tag, "%llu", r->id);
  place(connect_stream(tag, "status"), 3); /* first: later failures can be reported on it */
  place(strcmp(r->out, "pipe") == 0 ? connect_stream(tag, "out") : open("/dev/null", O_WRONLY), 1);
  place(strcmp(r->err, "pipe") == 0 ? connect_stream(tag, "err") : open("/dev/null", O_WRONLY), 2);
  launcher_run(r, start_ns);
}

/* Faults in the stack pages that the launch's calls will use: a frame below ours, touched through
 * a volatile lvalue (a memset of it is a dead store that -O2 deletes), then left for them. */
static __attribute__((noinline)) void warm_stack(void) {
  volatile char pages[32768];
  for (size_t i = 0; i < sizeof pages; i += 4096) pages[i] = 0;
}

/* Fast path: the spare touches the memory and runs the code a launch needs (so its page faults
 * happen now, not during the launch), connects "spare <pid>" streams, then waits for a request
 * on fd 3. */
static void spare_main(int taken) {
  static struct request r;
  static char buf[1 << 16];
  memset(&r, 0, sizeof r);
  memset(&cfg, 0, sizeof cfg);
  memset(buf, 0, sizeof buf);
  warm_stack();
  /* The code a launch runs first, run once now: the first sscanf/vsnprintf and vDSO clock read
   * in a fresh fork cost ~0.3 ms here (page faults cost tens of microseconds each in this VM).
   * The buffers a launch writes are written now too. (mlockall(MCL_CURRENT) would fault in all
   * ~1 MB, which made the pool refill that runs next to the following launch cost milliseconds.) */
  static char warm[] = "L 0 pipe pipe 1\nx";
  char line[64];
  parse_request(warm, sizeof warm, &r);
  snprintf(line, sizeof line, "%c %s %llu", NSEXEC_MSG_TIME, "warm", (unsigned long long)mono_ns());
  memset(&r, 0, sizeof r);
  memset(deferred, 0, sizeof deferred);
  memset(relay_buf, 0, sizeof relay_buf);
  launcher_priority();
  /* Connected last: the caller takes our third connection as "refilled, and quiet". */
  char tag[32];
  snprintf(tag, sizeof tag, "spare %d", (int)getpid());
  place(connect_stream(tag, "status"), 3);
  place(connect_stream(tag, "out"), 1);
  place(connect_stream(tag, "err"), 2);
  size_t len = 0;
  for (;;) {
    ssize_t n = read(NSEXEC_STATUS_FD, buf + len, sizeof buf - len - 1);
    if (n <= 0) _exit(0); /* the caller closed us (it is going away): nothing to do */
    len += n;
    if (parse_request(buf, len, &r) > 0) break;
    if (len == sizeof buf - 1) _exit(NSEXEC_EXIT_USAGE); /* requests that big take the slow path */
  }
  uint64_t start_ns = mono_ns();
  taken_fd = taken; /* "taken" goes to the server once the command runs (release_hold) */
  launcher_run(&r, start_ns);
}

static int have_all_spares(void) {
  for (int i = 0; i < SPARES; i++)
    if (spare_pid[i] < 0) return 0;
  return 1;
}

/* Tops the pool up: called when a launch ended (the caller is busy with its exit, so the fork
 * and the new spare's set-up land between launches) or after SPARE_IDLE_MS without a full pool;
 * never the moment a spare is taken, when that work would compete with the launch itself. */
static void refill_spares(void) {
  for (int i = 0; i < SPARES; i++) {
    int p[2];
    if (spare_pid[i] > 0 || pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0) continue;
    pid_t server = getpid();
    pid_t pid = fork();
    if (pid == 0) {
      launcher_init(server);
      close(p[0]);
      spare_main(p[1]);
    }
    close(p[1]);
    if (pid < 0) { close(p[0]); return; }
    spare_pid[i] = pid;
    spare_fd[i] = p[0];
  }
}

static void forget_spare(int i) {
  close(spare_fd[i]);
  spare_pid[i] = -1;
  spare_fd[i] = -1;
}

/* Slow path: fork a launcher for request r; "S <id> <pid>" so the caller can match its pid. */
static void spawn_launch(struct request *r) {
  pid_t server = getpid();
  pid_t pid = fork();
  if (pid == 0) {
    launcher_init(server);
    launcher_forked(r);
  }
  if (pid < 0) {
    const char *name = strerrorname_np(errno);
    reply("%c %llu %s\n", NSEXEC_REPLY_FAILED, r->id, name ? name : "EUNKNOWN");
    return;
  }
  reply("%c %llu %d\n", NSEXEC_REPLY_STARTED, r->id, (int)pid);
}

/* Reaps every finished child: "D <pid> <wait status> <CPU ns of it and its reaped children>".
 * Returns whether a launch ended (a moment when a fork competes with nothing we measure). */
static int reap(void) {
  int status, ended = 0;
  struct rusage ru;
  pid_t pid;
  while ((pid = wait4(-1, &status, WNOHANG, &ru)) > 0) {
    ended = 1;
    for (int i = 0; i < SPARES; i++) {
      if (pid != spare_pid[i]) continue;
      /* A spare that was taken says "t" once its command runs; a short launch can end before we
       * read it. Only a spare with nothing said died idle (its caller sees EOF): no launch ended. */
      char t;
      ended = read(spare_fd[i], &t, 1) == 1;
      forget_spare(i);
    }
    reply("%c %d %d %llu\n", NSEXEC_REPLY_DONE, (int)pid, status, rusage_ns(&ru));
  }
  return ended;
}

/* Launches every complete request in buf[0..len); returns the bytes consumed. */
static size_t handle_requests(char *buf, size_t len) {
  static struct request r;
  size_t used = 0, n;
  while ((n = parse_request(buf + used, len - used, &r)) > 0) {
    spawn_launch(&r);
    used += n;
  }
  return used;
}

static void on_sigchld(int sig) { (void)sig; } /* only interrupts ppoll */

int serve(const char *sock) {
  sock_path = sock;
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) return NSEXEC_EXIT_SETUP;
  signal(SIGINT, SIG_IGN); /* Ctrl-C is the caller's to handle; we die with it (PDEATHSIG) */
  signal(SIGHUP, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  inherit_out_fd = fcntl(NSEXEC_INHERIT_FD, F_DUPFD_CLOEXEC, 10); /* fds 0-3 are for launchers */
  close(NSEXEC_INHERIT_FD);
  /* Launchers put their "err" stream on fd 2: "inherit" must reach the stderr we were given. */
  inherit_err_fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 10);
  if (inherit_out_fd < 0) inherit_out_fd = inherit_err_fd; /* no fd 3 given: "inherit" = our stderr */
  /* SIGCHLD only arrives inside ppoll: no race between the WNOHANG loop and the wait. */
  sigset_t chld, orig;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, &orig);
  struct sigaction sa = {0};
  sa.sa_handler = on_sigchld;
  sigaction(SIGCHLD, &sa, NULL);
  size_t cap = 65536, len = 0;
  char *buf = malloc(cap);
  refill_spares();
  for (;;) {
    if (reap()) refill_spares();
    struct pollfd pfd[1 + SPARES] = {{STDIN_FILENO, POLLIN, 0}};
    for (int i = 0; i < SPARES; i++) pfd[1 + i] = (struct pollfd){spare_pid[i] > 0 ? spare_fd[i] : -1, POLLIN, 0};
    struct timespec idle = {0, SPARE_IDLE_MS * 1000000L};
    int r = ppoll(pfd, 1 + SPARES, have_all_spares() ? NULL : &idle, &orig);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return NSEXEC_EXIT_SETUP;
    if (r == 0) { refill_spares(); continue; }
    for (int i = 0; i < SPARES; i++)
      if (pfd[1 + i].revents) forget_spare(i); /* taken (or died: reaped above) */
    if (!pfd[0].revents) continue;
    if (len == cap && !(buf = realloc(buf, cap *= 2))) return NSEXEC_EXIT_SETUP;
    ssize_t n = read(STDIN_FILENO, buf + len, cap - len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return 0; /* the caller closed stdin (or died): launchers die with us */
    len += n;
    size_t used = handle_requests(buf, len);
    memmove(buf, buf + used, len - used);
    len -= used;
  }
}
