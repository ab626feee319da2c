/* bench-stats.c: the statistics the benchmark programs print. */
#include "bench-stats.h"

#include <math.h>
#include <stdlib.h>

static int
compare_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

double
bench_quantile (double *v, guint n, double q)
{
  guint i;

  if (n == 0)
    return 0.0;
  qsort (v, n, sizeof (double), compare_double);
  i = (guint) ceil (q * n);
  return v[CLAMP (i, 1, n) - 1];
}

double
bench_median (double *v, guint n)
{
  return bench_quantile (v, n, 0.5);
}
