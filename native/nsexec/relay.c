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
        /* Held with the output while the launcher holds its lines; after that at once, with the
         * copy that wakes the caller anyway. */
        int keep = defer_reports;
        if (!relay_holding) defer_reports = 0;
        report("%c %s %llu", NSEXEC_MSG_TIME, k->name, (unsigned long long)at);
        defer_reports = keep;
      }
    }
    line_len = 0;
  }
}

/* While the launcher holds its status lines (the first STATUS_HOLD_MS after the exec, see
 * release_hold), the output it relays is held too: copying it at once woke the caller, whose
 * work then competed for the CPU with the very command being timed (on this 2-core host that
 * was most of the gap to `hyperfine --output=pipe`, bench/harness-accuracy.ts). The stamps are
 * taken on read, so holding changes when the caller learns of a line, not its time. */
int relay_holding;
static char held_out[65536];
static size_t nheld_out;
static int sink_ok = 1; /* output nobody reads any more is dropped, so the command never blocks */

static void sink(const char *b, size_t n) {
  for (size_t off = 0; sink_ok && off < n;) {
    ssize_t w = write(STDOUT_FILENO, b + off, n - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) sink_ok = 0;
    else off += (size_t)w;
  }
}

void relay_release(void) {
  relay_holding = 0;
  sink(held_out, nheld_out);
  nheld_out = 0;
}

/* One chunk from the pipe to our stdout (or the held output); 0 at EOF. */
char relay_buf[65536]; /* static: a spare writes it once while idle (page faults) */
int relay_once(void) {
  ssize_t n = read(relay_fds[0], relay_buf, sizeof relay_buf);
  if (n < 0) return errno == EINTR || errno == EAGAIN ? 1 : 0;
  if (n == 0) return 0;
  scan_marks(relay_buf, (size_t)n, mono_ns());
  if (relay_holding && nheld_out + (size_t)n <= sizeof held_out) {
    memcpy(held_out + nheld_out, relay_buf, (size_t)n);
    nheld_out += (size_t)n;
    return 1;
  }
  sink(held_out, nheld_out); /* more than the hold takes: in order, now */
  nheld_out = 0;
  sink(relay_buf, (size_t)n);
  return 1;
}
