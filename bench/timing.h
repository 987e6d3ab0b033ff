/*
 * What the C benches share: a monotonic clock in milliseconds and the
 * median of a set of timings. Header-only: each bench is one file.
 */
#ifndef MIGEN_BENCH_TIMING_H
#define MIGEN_BENCH_TIMING_H

#include <stdlib.h>
#include <time.h>

static inline double
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static inline int
dblcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median of v[0..n) (sorted in place). */
static inline double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), dblcmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#endif
