/*
 * ctvm-probe: the built-in workload. Static, so the same bytes run as a host process, in a
 * container rootfs and as a program inside a VM's initramfs.
 *
 * Protocol (stdout, line-buffered by explicit writes):
 *   READY                          first act, before any work (start latency ends here)
 *   RESULT mode=<m> k=v ...        last line, after the work (work duration ends here)
 *
 * Modes:
 *   noop                 READY, RESULT, exit 0
 *   idle [seconds]       READY, then sleep (default: until killed)
 *   cpu [rounds]         fixed integer work (xorshift + mixing), default 2e8 rounds
 *   mem [MiB]            STREAM-like copy of two MiB-sized buffers 10 times, reports MB/s
 *   gups [MiB] [updates] GUPS-like random access (HPCC RandomAccess): XOR updates at random
 *                        indices of a MiB-sized table of 64-bit words, reports mups (10^6/s)
 *   syscall [count]      getppid() loop, default 5e5
 *   io [MiB]             write MiB to ./ctvm-io.tmp (or $CTVM_IO_DIR) + fsync, reports MB/s
 *   exit <code>          READY, RESULT, exit with <code>
 *   hang                 never prints READY; sleeps forever (timeout tests)
 *   alloc <MiB>          READY, then touches MiB of memory one MiB at a time (OOM tests)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "say.h"

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static long arg_or(int argc, char **argv, int i, long dflt) {
  if (argc <= i) return dflt;
  char *end = NULL;
  long v = strtol(argv[i], &end, 10);
  if (!end || *end != '\0' || v < 0) {
    dprintf(2, "ctvm-probe: bad number '%s'\n", argv[i]);
    exit(64);
  }
  return v;
}

static void result(const char *mode, uint64_t ns, const char *extra) {
  char buf[256];
  snprintf(buf, sizeof buf, "RESULT mode=%s ns=%llu%s%s\n", mode, (unsigned long long)ns, extra[0] ? " " : "", extra);
  say(buf);
}

static int do_cpu(long rounds) {
  uint64_t x = 88172645463325252ull, acc = 0;
  uint64_t t0 = now_ns();
  for (long i = 0; i < rounds; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    acc += x * 0x9e3779b97f4a7c15ull;
  }
  char extra[64];
  snprintf(extra, sizeof extra, "rounds=%ld check=%llu", rounds, (unsigned long long)(acc & 0xffff));
  result("cpu", now_ns() - t0, extra);
  return 0;
}

static int do_mem(long mib) {
  size_t n = (size_t)mib << 20;
  char *a = malloc(n), *b = malloc(n);
  if (!a || !b) {
    dprintf(2, "ctvm-probe: cannot allocate 2 x %ld MiB\n", mib);
    return 1;
  }
  memset(a, 1, n);
  memset(b, 2, n);
  const int reps = 10;
  uint64_t t0 = now_ns();
  for (int r = 0; r < reps; r++) {
    memcpy(r % 2 ? a : b, r % 2 ? b : a, n);
    __asm__ volatile("" ::: "memory");
  }
  uint64_t ns = now_ns() - t0;
  /* STREAM convention for copy: bytes read + bytes written. */
  double mbps = (2.0 * (double)n * reps / 1e6) / ((double)ns / 1e9);
  char extra[96];
  snprintf(extra, sizeof extra, "mib=%ld mbps=%.1f", mib, mbps);
  result("mem", ns, extra);
  free(a);
  free(b);
  return 0;
}

/* HPCC RandomAccess's update rule (a = a << 1 ^ (a < 0 ? POLY : 0)), table a power of two. */
static int do_gups(long mib, long updates) {
  size_t words = 1;
  while ((words << 1) * sizeof(uint64_t) <= ((size_t)mib << 20)) words <<= 1;
  uint64_t *t = malloc(words * sizeof *t);
  if (!t) {
    dprintf(2, "ctvm-probe: cannot allocate %ld MiB\n", mib);
    return 1;
  }
  for (size_t i = 0; i < words; i++) t[i] = i; /* touched before the clock: no page faults timed */
  uint64_t a = 0x9e3779b97f4a7c15ull, t0 = now_ns(); /* any nonzero LFSR state */
  for (long i = 0; i < updates; i++) {
    a = (a << 1) ^ ((int64_t)a < 0 ? 7ull : 0);
    t[a & (words - 1)] ^= a;
  }
  uint64_t ns = now_ns() - t0, check = 0;
  for (size_t i = 0; i < words; i += 4096) check ^= t[i];
  char extra[128];
  snprintf(extra, sizeof extra, "mib=%ld updates=%ld mups=%.2f check=%llu", mib, updates,
           (double)updates / ((double)ns / 1e3), (unsigned long long)(check & 0xffff));
  result("gups", ns, extra);
  free(t);
  return 0;
}

static int do_syscall(long count) {
  uint64_t t0 = now_ns();
  for (long i = 0; i < count; i++) syscall(SYS_getppid);
  uint64_t ns = now_ns() - t0;
  char extra[96];
  snprintf(extra, sizeof extra, "count=%ld per_call_ns=%.1f", count, count ? (double)ns / (double)count : 0.0);
  result("syscall", ns, extra);
  return 0;
}

static int do_io(long mib) {
  const char *dir = getenv("CTVM_IO_DIR");
  char path[512];
  snprintf(path, sizeof path, "%s/ctvm-io.tmp", dir && dir[0] ? dir : ".");
  static char block[1 << 20];
  memset(block, 0xa5, sizeof block);
  uint64_t t0 = now_ns();
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) {
    dprintf(2, "ctvm-probe: open %s: %s\n", path, strerror(errno));
    return 1;
  }
  for (long i = 0; i < mib; i++) {
    if (write(fd, block, sizeof block) != (ssize_t)sizeof block) {
      dprintf(2, "ctvm-probe: write %s: %s\n", path, strerror(errno));
      close(fd);
      unlink(path);
      return 1;
    }
  }
  fsync(fd);
  close(fd);
  uint64_t ns = now_ns() - t0;
  unlink(path);
  char extra[96];
  snprintf(extra, sizeof extra, "mib=%ld mbps=%.1f", mib, ((double)mib * 1048576.0 / 1e6) / ((double)ns / 1e9));
  result("io", ns, extra);
  return 0;
}

static int do_alloc(long mib) {
  for (long i = 0; i < mib; i++) {
    char *p = malloc(1 << 20);
    if (!p) return 1;
    memset(p, (int)i, 1 << 20);
  }
  result("alloc", 0, "");
  return 0;
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "noop";
  if (strcmp(mode, "hang") == 0) {
    for (;;) pause();
  }
  say("READY\n");
  if (strcmp(mode, "noop") == 0) {
    result("noop", 0, "");
    return 0;
  }
  if (strcmp(mode, "idle") == 0) {
    long secs = arg_or(argc, argv, 2, 0);
    if (secs == 0)
      for (;;) pause();
    sleep((unsigned)secs);
    result("idle", (uint64_t)secs * 1000000000ull, "");
    return 0;
  }
  if (strcmp(mode, "cpu") == 0) return do_cpu(arg_or(argc, argv, 2, 200000000));
  if (strcmp(mode, "mem") == 0) return do_mem(arg_or(argc, argv, 2, 64));
  if (strcmp(mode, "gups") == 0) return do_gups(arg_or(argc, argv, 2, 64), arg_or(argc, argv, 3, 20000000));
  if (strcmp(mode, "syscall") == 0) return do_syscall(arg_or(argc, argv, 2, 500000));
  if (strcmp(mode, "io") == 0) return do_io(arg_or(argc, argv, 2, 32));
  if (strcmp(mode, "alloc") == 0) return do_alloc(arg_or(argc, argv, 2, 64));
  if (strcmp(mode, "exit") == 0) {
    long code = arg_or(argc, argv, 2, 0);
    result("exit", 0, "");
    return (int)(code & 0xff);
  }
  dprintf(2, "ctvm-probe: unknown mode '%s' (noop idle cpu mem gups syscall io exit hang alloc)\n", mode);
  return 64;
}
