/* sim-points.c: the simulated network's operating points (sim-points.h). */
#include "sim-points.h"

float
sim_points_confidence (const SimPoints * t, double u, guint k)
{
  return (float) (1.0 - u * (1.0 - t->slope * k));
}

guint
sim_points_exit (const SimPoints * t, const double *thresholds, double u)
{
  for (guint k = 0; k + 1 < t->n_exits; k++)
    if (sim_points_confidence (t, u, k) >= thresholds[k])
      return k;
  return t->n_exits - 1;
}

void
sim_points_init (SimPoints * t, guint n_exits, guint n_points, double slope,
    double first_threshold, const double *stage_ms)
{
  g_assert (n_exits <= SIM_MAX_EXITS && n_points <= SIM_MAX_POINTS);
  t->n_exits = n_exits;
  t->slope = slope;
  for (guint j = 0; j < n_points; j++) {
    double mean_exit = 0.0;

    for (guint k = 0; k < n_exits; k++) {
      t->thresholds[j][k] = first_threshold + 0.05 * j;
      t->fractions[j][k] = 0.0;
    }
    for (guint i = 0; i < 10000; i++) {
      guint e = sim_points_exit (t, t->thresholds[j], (i + 0.5) / 10000.0);

      t->fractions[j][e] += 1e-4;
      mean_exit += e * 1e-4;
    }
    t->accuracy[j] = 80.0 + 3.0 * mean_exit;
    t->points[j] = (RanetPolicyPoint) { t->thresholds[j], t->fractions[j], t->accuracy[j] };
  }
  for (guint k = 0; k < n_exits; k++)
    t->stage_macs[k] = stage_ms[k] * 1e6;
}
