/* System calls and the entry point for freestanding static programs (no
 * libc): the exec stub, and the escape suite's fake ELF interpreter.
 * DXC_START (fn) defines _start, which calls void fn (long *sp) with the
 * initial stack: argc, argv..., NULL, envp..., NULL. */
#ifndef DXC_FREESTANDING_H
#define DXC_FREESTANDING_H

#include <sys/syscall.h>

#if defined(__x86_64__)
static inline long
sys3 (long n, long a, long b, long c)
{
  long r;
  __asm__ volatile ("syscall"
                    : "=a"(r)
                    : "a"(n), "D"(a), "S"(b), "d"(c)
                    : "rcx", "r11", "memory");
  return r;
}
#define DXC_START(fn)                                                          \
  __asm__ (".text\n.global _start\n_start:\n"                                  \
           "  xor %rbp, %rbp\n  mov %rsp, %rdi\n  and $-16, %rsp\n"            \
           "  call " #fn "\n  hlt\n")
#elif defined(__aarch64__)
static inline long
sys3 (long n, long a, long b, long c)
{
  register long x8 __asm__ ("x8") = n;
  register long x0 __asm__ ("x0") = a;
  register long x1 __asm__ ("x1") = b;
  register long x2 __asm__ ("x2") = c;
  __asm__ volatile ("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
  return x0;
}
#define DXC_START(fn)                                                          \
  __asm__ (".text\n.global _start\n_start:\n"                                  \
           "  mov x0, sp\n  bl " #fn "\n  brk #0\n")
#else
#error "freestanding programs support x86_64 and aarch64"
#endif

#endif
