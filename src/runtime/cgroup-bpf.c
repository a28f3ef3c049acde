/* Device rules on cgroup v2: an eBPF program of type CGROUP_DEVICE, attached
 * to the container's cgroup, answers each open or mknod of a device node, as
 * devices.allow and devices.deny do on v1 (runc and crun do the same).
 *
 * The rules are checked last to first and the first match decides, which is
 * the spec's "later rules win". No match allows, as a new v1 cgroup under an
 * unrestricted parent does; a spec that wants a deny-list starts with a rule
 * denying everything, which then matches last. */
#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "util/log.h"

#define INSN(c, d, s, o, i)                                                   \
  ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s),            \
                      .off = (o), .imm = (i) })
#define LDX_W(dst, src, off) INSN (BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0)
#define ALU32_IMM(op, dst, imm) INSN (BPF_ALU | (op) | BPF_K, dst, 0, 0, imm)
#define MOV64_REG(dst, src) INSN (BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0)
#define MOV64_IMM(dst, imm) INSN (BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm)
#define JNE_IMM(dst, imm, off) INSN (BPF_JMP | BPF_JNE | BPF_K, dst, 0, off, imm)
#define EXIT() INSN (BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* The instructions of one rule: each test jumps past the rest of the rule
   when it fails. Returns how many were written. */
static size_t
emit_rule (struct bpf_insn *p, const dxc_device_rule *d)
{
  struct bpf_insn tests[8];
  size_t n = 0, all = DXC_DEV_READ | DXC_DEV_WRITE | DXC_DEV_MKNOD;
  int skip[8];

  if (d->type != 'a')
    {
      tests[n] = JNE_IMM (BPF_REG_2, d->type == 'b' ? BPF_DEVCG_DEV_BLOCK
                                                     : BPF_DEVCG_DEV_CHAR, 0);
      skip[n++] = 1;
    }
  if ((d->access & all) != all)
    {
      /* the access asked must be within the rule's */
      tests[n] = MOV64_REG (BPF_REG_1, BPF_REG_3);
      skip[n++] = 0;
      tests[n] = ALU32_IMM (BPF_AND, BPF_REG_1, ~d->access & all);
      skip[n++] = 0;
      tests[n] = JNE_IMM (BPF_REG_1, 0, 0);
      skip[n++] = 1;
    }
  if (d->major >= 0)
    {
      tests[n] = JNE_IMM (BPF_REG_4, (int32_t) d->major, 0);
      skip[n++] = 1;
    }
  if (d->minor >= 0)
    {
      tests[n] = JNE_IMM (BPF_REG_5, (int32_t) d->minor, 0);
      skip[n++] = 1;
    }
  for (size_t i = 0; i < n; i++)
    {
      p[i] = tests[i];
      if (skip[i])
        p[i].off = (int16_t) (n - i - 1 + 2); /* past the tests and r0/exit */
    }
  p[n] = MOV64_IMM (BPF_REG_0, d->allow ? 1 : 0);
  p[n + 1] = EXIT ();
  return n + 2;
}

int
dxc_cg_bpf_devices (int dirfd, const dxc_device_rule *rules, size_t n,
                    dxc_error **err)
{
  cleanup_free struct bpf_insn *prog
      = calloc (8 + n * 10, sizeof (struct bpf_insn));
  cleanup_close int progfd = -1;
  size_t len = 0;
  bool catch_all = false;
  union bpf_attr attr;
  char log[4096] = "";

  if (prog == NULL)
    return dxc_error_errno (err, ENOMEM, "device rules");
  /* struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; }
     with access_type = access << 16 | type */
  prog[len++] = LDX_W (BPF_REG_2, BPF_REG_1, 0);
  prog[len++] = ALU32_IMM (BPF_AND, BPF_REG_2, 0xffff);
  prog[len++] = LDX_W (BPF_REG_3, BPF_REG_1, 0);
  prog[len++] = ALU32_IMM (BPF_RSH, BPF_REG_3, 16);
  prog[len++] = LDX_W (BPF_REG_4, BPF_REG_1, 4);
  prog[len++] = LDX_W (BPF_REG_5, BPF_REG_1, 8);
  for (size_t i = n; i-- > 0 && !catch_all;)
    {
      /* A rule without tests matches everything: what would follow could
         never run, and the verifier refuses unreachable instructions. */
      size_t k = emit_rule (prog + len, &rules[i]);
      catch_all = k == 2;
      len += k;
    }
  if (!catch_all)
    {
      prog[len++] = MOV64_IMM (BPF_REG_0, 1);
      prog[len++] = EXIT ();
    }

  memset (&attr, 0, sizeof attr);
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = (uintptr_t) prog;
  attr.insn_cnt = len;
  attr.license = (uintptr_t) "GPL";
  attr.log_buf = (uintptr_t) log;
  attr.log_size = sizeof log;
  attr.log_level = 1;
  progfd = syscall (SYS_bpf, BPF_PROG_LOAD, &attr, sizeof attr);
  if (progfd < 0 && errno == ENOSPC)
    {
      /* The verifier's log did not fit: load again without it. */
      attr.log_buf = 0;
      attr.log_size = 0;
      attr.log_level = 0;
      progfd = syscall (SYS_bpf, BPF_PROG_LOAD, &attr, sizeof attr);
    }
  if (progfd < 0)
    return dxc_error_errno (err, errno, "linux.resources.devices: load the "
                            "eBPF device program (%zu instructions)%s%.200s",
                            len, *log ? ": " : "", log);
  memset (&attr, 0, sizeof attr);
  attr.target_fd = dirfd;
  attr.attach_bpf_fd = progfd;
  attr.attach_type = BPF_CGROUP_DEVICE;
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  if (syscall (SYS_bpf, BPF_PROG_ATTACH, &attr, sizeof attr) < 0)
    return dxc_error_errno (err, errno, "linux.resources.devices: attach the "
                            "eBPF device program");
  dxc_explain ("bpf(BPF_PROG_ATTACH, BPF_CGROUP_DEVICE): %zu device rules "
               "as a %zu-instruction program", n, len);
  return 0;
}
