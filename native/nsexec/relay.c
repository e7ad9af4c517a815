/* Output marks: the command's stdout relayed through the launcher, which stamps marked lines. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "launch.h"
#include "nsexec.h"
#include "report.h"

/* ---- marks: the command's stdout through us, so that we (a blocking reader) stamp its lines ----
 * With `mark` keywords the command's stdout is a pipe to this launcher, which copies every chunk
 * to its own stdout (the caller's stream) and reports "T <name> <ns>" the first time a complete
 * line starting with a mark's prefix arrives, right after read() returns and before the copy.
 * The caller's event loop (woken late, busy, on another CPU) is then not part of the figure. */
int relay_fds[2] = {-1, -1}; /* pipe: the command writes [1], we read [0] */

/* In the child, first thing: stdout becomes the pipe (the read end closes at exec). */
void relay_child(void) {
  if (relay_fds[1] >= 0 && dup2(relay_fds[1], STDOUT_FILENO) < 0) fail("dup2", "stdout", NSEXEC_EXIT_SETUP);
}

static char line_head[MAX_MARK_LEN];
static size_t line_len; /* bytes of the current line seen so far (line_head keeps the first ones) */

static void scan_marks(const char *b, size_t n, uint64_t at) {
  for (size_t i = 0; i < n; i++) {
    if (b[i] != '\n') {
      if (line_len < sizeof line_head) line_head[line_len] = b[i];
      line_len++;
      continue;
    }
    for (int m = 0; m < cfg.nmarks; m++) {
      struct mark *k = &cfg.marks[m];
      if (!k->seen && line_len >= k->len && memcmp(line_head, k->prefix, k->len) == 0) {
        k->seen = 1;
        /* Not held back: the copy below wakes the caller now anyway, and it wants both. */
        int keep = defer_reports;
        defer_reports = 0;
        report("%c %s %llu", NSEXEC_MSG_TIME, k->name, (unsigned long long)at);
        defer_reports = keep;
      }
    }
    line_len = 0;
  }
}

/* One chunk from the pipe to our stdout; 0 at EOF. Output nobody reads any more is dropped, so
 * the command never blocks on us. */
char relay_buf[65536]; /* static: a spare writes it once while idle (page faults) */
int relay_once(void) {
  static int sink_ok = 1;
  ssize_t n = read(relay_fds[0], relay_buf, sizeof relay_buf);
  if (n < 0) return errno == EINTR || errno == EAGAIN ? 1 : 0;
  if (n == 0) return 0;
  scan_marks(relay_buf, (size_t)n, mono_ns());
  for (ssize_t off = 0; sink_ok && off < n;) {
    ssize_t w = write(STDOUT_FILENO, relay_buf + off, (size_t)(n - off));
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) sink_ok = 0;
    else off += w;
  }
  return 1;
}
