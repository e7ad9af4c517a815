/* Attacks on shared host files and resources: sysrq, /proc/sys, /sys, disk/tmp/shm fills,
 * capabilities, no_new_privs, raw sockets, host interfaces, iopl, open_by_handle, pids. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <linux/reboot.h>
#include <sys/timex.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef KEXEC_ARCH_DEFAULT
#define KEXEC_ARCH_DEFAULT 0
#endif

#include "attack.h"

static void open_wronly(const char *const *paths, size_t n) {
  char last[160] = "none-present";
  for (size_t i = 0; i < n; i++) {
    int fd = open(paths[i], O_WRONLY | O_CLOEXEC | O_NOCTTY);
    if (fd >= 0) {
      close(fd); /* nothing written */
      return ESCAPED("open(%s,O_WRONLY)=ok", paths[i]);
    }
    if (errno != ENOENT) snprintf(last, sizeof last, "open(%s,O_WRONLY)=%s", paths[i], en(errno));
  }
  if (strcmp(last, "none-present") == 0) return SKIPPED("%s", last);
  CONTAINED("%s", last);
}

void a_sysrq(void) {
  static const char *const p[] = {"/proc/sysrq-trigger"};
  open_wronly(p, 1);
}

void a_proc_sys(void) {
  static const char *const p[] = {"/proc/sys/kernel/core_pattern", "/proc/sys/vm/drop_caches"};
  open_wronly(p, 2);
}

void a_sys_write(void) {
  static const char *const p[] = {"/sys/kernel/mm/ksm/run", "/sys/kernel/mm/transparent_hugepage/enabled",
                                  "/sys/power/state", "/sys/kernel/uevent_helper"};
  open_wronly(p, 4);
}

static long mem_available_mib(void) {
  char buf[4096];
  if (read_file("/proc/meminfo", buf, sizeof buf) < 0) return -1;
  char *p = strstr(buf, "MemAvailable:");
  return p ? strtol(p + 13, NULL, 10) / 1024 : -1;
}

/* Items 6: writes up to --fill-mib into `dir`. The file is unlinked right after it is created, so
 * its space returns as soon as this child exits, even if killed (OOM, deadline). Stops early when
 * the kernel (not a limit) runs short: MemAvailable under 64 MiB is the environment's RAM. */
static void fill(const char *dir) {
  char path[256];
  snprintf(path, sizeof path, "%s/.ctvm-attack-%d-fill", dir, (int)g_suite_pid);
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  const char *shown = dir[0] ? dir : "/";
  if (fd < 0) return errno == ENOENT ? SKIPPED("no-%s", shown) : CONTAINED("open(%s)=%s", shown, en(errno));
  unlink(path);
  static char block[1 << 20];
  memset(block, 0x5a, sizeof block);
  for (long mib = 0; mib < g_fill_mib; mib++) {
    long avail = mem_available_mib();
    if (avail >= 0 && avail < 64) {
      close(fd);
      return CONTAINED("%s:stopped-at=%ldMiB,MemAvailable=%ldMiB", shown, mib, avail);
    }
    for (size_t off = 0; off < sizeof block;) {
      ssize_t w = write(fd, block + off, sizeof block - off);
      if (w < 0) {
        int e = errno;
        close(fd);
        return CONTAINED("%s:write=%s-at=%ldMiB", shown, en(e), mib);
      }
      off += (size_t)w;
    }
  }
  if (fsync(fd) < 0 && (errno == ENOSPC || errno == EDQUOT)) {
    int e = errno;
    close(fd);
    return CONTAINED("%s:fsync=%s-at=%ldMiB", shown, en(e), g_fill_mib);
  }
  close(fd);
  ESCAPED("%s:wrote-bound=%ldMiB-no-limit", shown, g_fill_mib);
}

void a_disk_fill(void) { fill(""); }
void a_tmp_fill(void) { fill("/tmp"); }
void a_shm_fill(void) { fill("/dev/shm"); }

/* Item 9 (CVE-2022-24769 pattern). */
void a_inheritable_caps(void) {
  char v[32];
  if (!status_field("CapInh", v, sizeof v)) return SKIPPED("no-CapInh-in-/proc/self/status");
  if (strtoull(v, NULL, 16) != 0) return ESCAPED("CapInh=%s", v);
  CONTAINED("CapInh=%s", v);
}

void a_no_new_privs(void) {
  char v[32];
  if (!status_field("NoNewPrivs", v, sizeof v)) return SKIPPED("no-NoNewPrivs-in-/proc/self/status");
  if (strcmp(v, "0") == 0) return ESCAPED("NoNewPrivs=0");
  CONTAINED("NoNewPrivs=%s", v);
}

/* Names of the interfaces other than lo, comma-separated ("" if none). */
static void other_interfaces(char *out, size_t size) {
  out[0] = '\0';
  struct if_nameindex *ifs = if_nameindex();
  if (!ifs) return;
  for (struct if_nameindex *i = ifs; i->if_index; i++) {
    if (strcmp(i->if_name, "lo") == 0) continue;
    size_t len = strlen(out);
    snprintf(out + len, size - len, "%s%s", len ? "," : "", i->if_name);
  }
  if_freenameindex(ifs);
}

/* A packet socket sees every frame of its network namespace: an escape when that namespace has
 * more than lo (the host's interfaces, or a bridge). No traffic is sent or read. */
void a_raw_socket(void) {
  /* Without /proc/net/packet af_packet is not loaded: socket() would make the kernel load the
   * module (a vector of its own, and a hang in a guest without modprobe): not triggered. */
  if (access("/proc/net/packet", F_OK) < 0) return SKIPPED("af_packet-not-loaded,no-autoload-attempted");
  int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
  if (fd < 0) return CONTAINED("socket(AF_PACKET)=%s", en(errno));
  close(fd);
  char ifs[128];
  other_interfaces(ifs, sizeof ifs);
  if (ifs[0]) return ESCAPED("socket(AF_PACKET)=ok,interfaces=%s", ifs);
  CONTAINED("socket(AF_PACKET)=ok,only-lo");
}

void a_net_visible(void) {
  char ifs[128];
  other_interfaces(ifs, sizeof ifs);
  if (ifs[0]) return ESCAPED("interfaces=%s", ifs);
  CONTAINED("only-lo");
}

/* Hardware I/O ports (Docker denies iopl/ioperm): the privilege ends with this child. */
void a_iopl(void) {
  if (iopl(3) == 0) return ESCAPED("iopl(3)=0");
  NOSYS_SKIP("iopl");
  CONTAINED("iopl(3)=%s", en(errno));
}

/* The "shocker" escape: open_by_handle_at reaches any inode of a filesystem by its handle,
 * outside the container's root, with CAP_DAC_READ_SEARCH. A zeroed handle: the capability check
 * comes first (EPERM), past it the kernel only finds the handle stale or invalid. */
void a_open_by_handle(void) {
  struct {
    struct file_handle fh;
    unsigned char buf[8];
  } h;
  memset(&h, 0, sizeof h);
  h.fh.handle_bytes = 8;
  h.fh.handle_type = 1; /* FILEID_INO32_GEN */
  int mfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int fd = open_by_handle_at(mfd, &h.fh, O_RDONLY | O_CLOEXEC);
  int e = errno;
  close(mfd);
  if (fd >= 0) {
    close(fd);
    return ESCAPED("open_by_handle_at(zeroed-handle)=ok");
  }
  errno = e;
  NOSYS_SKIP("open_by_handle_at");
  if (denied(e)) return CONTAINED("open_by_handle_at=%s", en(e));
  ESCAPED("open_by_handle_at(zeroed-handle)=%s,past-CAP_DAC_READ_SEARCH-check", en(e));
}

/* A bounded fork burst: 256 sleeping children at most, all killed and reaped before returning. */
#define FORK_BOUND 256
void a_pids_limit(void) {
  static pid_t kids[FORK_BOUND];
  int n = 0, e = 0;
  for (; n < FORK_BOUND; n++) {
    pid_t p = fork();
    if (p == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      pause();
      _exit(0);
    }
    if (p < 0) {
      e = errno;
      break;
    }
    kids[n] = p;
  }
  for (int i = 0; i < n; i++) kill(kids[i], SIGKILL);
  for (int i = 0; i < n; i++) waitpid(kids[i], NULL, 0);
  if (n < FORK_BOUND) return CONTAINED("fork=%s-after=%d", en(e), n);
  ESCAPED("forked-bound=%d-no-pids-limit", FORK_BOUND);
}
