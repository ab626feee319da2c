/* bench-stats.h: the statistics the benchmark programs print. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The q-quantile (nearest rank) of @n values; sorts them. 0 for none. */
double bench_quantile (double *v, guint n, double q);

/* bench_quantile() at 0.5. */
double bench_median (double *v, guint n);

G_END_DECLS
