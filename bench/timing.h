/* What the benchmarks' small C programs share: a clock and medians. */
#ifndef DXC_BENCH_TIMING_H
#define DXC_BENCH_TIMING_H

#include <stdlib.h>
#include <time.h>

static inline double
now_us (void)
{
  struct timespec t;
  clock_gettime (CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static inline int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/* Sorts v. */
static inline double
median (double *v, int n)
{
  qsort (v, n, sizeof *v, cmp_double);
  return v[n / 2];
}

#endif
