/* say(): the whole string to stdout in as many write()s as it takes (EINTR retried, a closed
 * stdout ignored). Shared by the static workloads probe.c and attack.c, which link no stdio
 * buffering for their protocol lines: each line must reach the reader as it is written. */
#ifndef CTVM_SAY_H
#define CTVM_SAY_H

#include <errno.h>
#include <string.h>
#include <unistd.h>

static void say(const char *s) {
  size_t n = strlen(s);
  while (n > 0) {
    ssize_t w = write(1, s, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return;
    }
    s += w;
    n -= (size_t)w;
  }
}

#endif
