/* cgroup v2 device filter: rules -> BPF_PROG_TYPE_CGROUP_DEVICE program -> attached to a cgroup.
 * See devices.h. The program is the one runc generates (devicefilter.go): the kernel calls it
 * for every open/mknod of a device node by a task in the cgroup (or below) with
 *   struct bpf_cgroup_dev_ctx { u32 access_type = access << 16 | type; u32 major; u32 minor; }
 * and allows the access when it returns 1. Layout:
 *   r2 = type, r3 = access, r4 = major, r5 = minor          (prologue, r1 = ctx)
 *   per rule: skip to the next rule unless type, access, major and minor match; return 1
 *   return 0                                                 (nothing matched: deny)
 * Only syscalls and our own code: this runs in the launcher just before clone. */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "devices.h"

/* Per rule at most: type jump, 3 access insns, major jump, minor jump, mov, exit. */
#define INSNS_PER_RULE 8
#define PROLOGUE 6
#define MAX_INSNS (PROLOGUE + DEVICES_MAX_RULES * INSNS_PER_RULE + 2)

struct rule {
  int type;         /* BPF_DEVCG_DEV_CHAR / _BLOCK, 0 = any ('a') */
  long major, minor; /* -1 = any ('*') */
  int access;       /* BPF_DEVCG_ACC_* bits */
};

static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  return (struct bpf_insn){.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
}
#define LDX_W(dst, src, off) insn(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0)
#define ALU32_IMM(op, dst, imm) insn(BPF_ALU | (op) | BPF_K, dst, 0, 0, imm)
#define MOV32_REG(dst, src) insn(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0)
#define JNE_IMM(dst, imm, off) insn(BPF_JMP | BPF_JNE | BPF_K, dst, 0, off, imm)
#define JNE_REG(dst, src, off) insn(BPF_JMP | BPF_JNE | BPF_X, dst, src, off, 0)
#define EXIT() insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* "123" -> 123, "*" -> -1; anything else (or > 2^31-1: the jumps compare 32-bit immediates) fails. */
static int parse_num(const char *s, const char *end, long *out) {
  if (end - s == 1 && *s == '*') return *out = -1, 0;
  if (s == end || end - s > 10) return -1;
  long v = 0;
  for (; s < end; s++) {
    if (*s < '0' || *s > '9') return -1;
    v = v * 10 + (*s - '0');
  }
  if (v > INT32_MAX) return -1;
  return *out = v, 0;
}

/* One "TYPE:MAJOR:MINOR:ACCESS" in [s, end). */
static int parse_rule(const char *s, const char *end, struct rule *r) {
  const char *f[4], *fe[4];
  for (int i = 0; i < 4; i++) {
    const char *c = i < 3 ? memchr(s, ':', end - s) : end;
    if (!c) return -1;
    f[i] = s, fe[i] = c, s = c + 1;
  }
  if (fe[0] - f[0] != 1) return -1;
  switch (*f[0]) {
    case 'c': r->type = BPF_DEVCG_DEV_CHAR; break;
    case 'b': r->type = BPF_DEVCG_DEV_BLOCK; break;
    case 'a': r->type = 0; break;
    default: return -1;
  }
  if (parse_num(f[1], fe[1], &r->major) < 0 || parse_num(f[2], fe[2], &r->minor) < 0) return -1;
  r->access = 0;
  for (const char *a = f[3]; a < fe[3]; a++) {
    int bit = *a == 'r' ? BPF_DEVCG_ACC_READ : *a == 'w' ? BPF_DEVCG_ACC_WRITE : *a == 'm' ? BPF_DEVCG_ACC_MKNOD : 0;
    if (!bit || (r->access & bit)) return -1;
    r->access |= bit;
  }
  return r->access ? 0 : -1;
}

/* Appends one rule's block at p; returns the new end. */
static struct bpf_insn *emit_rule(struct bpf_insn *p, const struct rule *r) {
  const int all = BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD;
  int checks = (r->type != 0) + 3 * (r->access != all) + (r->major >= 0) + (r->minor >= 0);
  int left = checks + 2; /* insns after the current one up to and including the exit */
  /* Each jump skips what is left of this block: the insns after it, through mov + exit. */
#define SKIP (int16_t)(--left)
  if (r->type) *p++ = JNE_IMM(BPF_REG_2, r->type, SKIP);
  if (r->access != all) {
    /* the requested access (r3) must be a subset of the allowed: (r3 & allowed) == r3 */
    *p++ = MOV32_REG(BPF_REG_1, BPF_REG_3), --left;
    *p++ = ALU32_IMM(BPF_AND, BPF_REG_1, r->access), --left;
    *p++ = JNE_REG(BPF_REG_1, BPF_REG_3, SKIP);
  }
  if (r->major >= 0) *p++ = JNE_IMM(BPF_REG_4, (int32_t)r->major, SKIP);
  if (r->minor >= 0) *p++ = JNE_IMM(BPF_REG_5, (int32_t)r->minor, SKIP);
#undef SKIP
  *p++ = ALU32_IMM(BPF_MOV, BPF_REG_0, 1);
  *p++ = EXIT();
  return p;
}

/* Builds the program for RULES into out; returns its length, or -1 (EINVAL) on bad rules. */
static int build_program(const char *rules, struct bpf_insn *out) {
  struct bpf_insn *p = out;
  *p++ = LDX_W(BPF_REG_2, BPF_REG_1, 0);
  *p++ = ALU32_IMM(BPF_AND, BPF_REG_2, 0xFFFF);
  *p++ = LDX_W(BPF_REG_3, BPF_REG_1, 0);
  *p++ = ALU32_IMM(BPF_RSH, BPF_REG_3, 16);
  *p++ = LDX_W(BPF_REG_4, BPF_REG_1, 4);
  *p++ = LDX_W(BPF_REG_5, BPF_REG_1, 8);
  int n = 0;
  for (const char *s = rules; *s;) {
    const char *end = strchr(s, ',');
    if (!end) end = s + strlen(s);
    struct rule r;
    if (++n > DEVICES_MAX_RULES || parse_rule(s, end, &r) < 0) return errno = EINVAL, -1;
    p = emit_rule(p, &r);
    s = *end ? end + 1 : end;
  }
  *p++ = ALU32_IMM(BPF_MOV, BPF_REG_0, 0);
  *p++ = EXIT();
  return (int)(p - out);
}

static int bpf(int cmd, union bpf_attr *attr) { return (int)syscall(SYS_bpf, cmd, attr, sizeof *attr); }

int devices_bpf_attach(const char *cgroup_dir, const char *rules, const char **op) {
  static struct bpf_insn prog[MAX_INSNS];
  *op = "devices rules";
  int len = build_program(rules, prog);
  if (len < 0) return -1;
  *op = "open cgroup";
  int dir = open(cgroup_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return -1;
  union bpf_attr load;
  memset(&load, 0, sizeof load);
  load.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  load.insns = (uint64_t)(uintptr_t)prog;
  load.insn_cnt = (uint32_t)len;
  load.license = (uint64_t)(uintptr_t) "GPL";
  *op = "bpf BPF_PROG_LOAD";
  int fd = bpf(BPF_PROG_LOAD, &load);
  if (fd < 0) {
    int e = errno;
    close(dir);
    return errno = e, -1;
  }
  union bpf_attr attach;
  memset(&attach, 0, sizeof attach);
  attach.target_fd = (uint32_t)dir;
  attach.attach_bpf_fd = (uint32_t)fd;
  attach.attach_type = BPF_CGROUP_DEVICE;
  /* MULTI: a program a sub-cgroup adds runs in addition to ours (all must allow), never instead. */
  attach.attach_flags = BPF_F_ALLOW_MULTI;
  *op = "bpf BPF_PROG_ATTACH";
  int r = bpf(BPF_PROG_ATTACH, &attach);
  int e = errno;
  close(fd); /* the attachment holds its own reference to the program */
  close(dir);
  return r < 0 ? (errno = e, -1) : 0;
}
