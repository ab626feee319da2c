/* calibration.c: thresholds that give each exit its share of the frames. */
#include "policy/ranet-calibration.h"

#include <math.h>
#include <stdlib.h>

void
ranet_calibration_geometric_fractions (double ratio, guint n_exits, double *fractions)
{
  double sum = 0.0, q = 1.0;

  for (guint k = 0; k < n_exits; k++) {
    fractions[k] = q;
    sum += q;
    q *= ratio;
  }
  for (guint k = 0; k < n_exits; k++)
    fractions[k] /= sum;
}

static int
compare_descending (const void *a, const void *b)
{
  float x = *(const float *) a, y = *(const float *) b;

  return (x < y) - (x > y);
}

void
ranet_calibration_find_thresholds (const float *conf, guint n_exits, guint n_frames,
    const double *fractions, double *thresholds)
{
  g_autofree gboolean *remaining = g_new (gboolean, n_frames);
  g_autofree float *candidates = g_new (float, MAX (n_frames, 1));

  for (guint i = 0; i < n_frames; i++)
    remaining[i] = TRUE;
  for (guint k = 0; k + 1 < n_exits; k++) {
    const float *c = conf + (gsize) k * n_frames;
    /* round half up, as floor(x + 0.5) */
    guint take = (guint) floor (fractions[k] * n_frames + 0.5);
    guint n = 0;
    double t;

    for (guint i = 0; i < n_frames; i++)
      if (remaining[i])
        candidates[n++] = c[i];
    if (take == 0 || n == 0) {
      t = 1.0;
    } else {
      /* the take-th largest value is the same whatever order ties come in */
      qsort (candidates, n, sizeof (float), compare_descending);
      t = candidates[MIN (take, n) - 1];
    }
    thresholds[k] = t;
    for (guint i = 0; i < n_frames; i++)
      remaining[i] = remaining[i] && c[i] < t;
  }
  if (n_exits > 0)
    thresholds[n_exits - 1] = -1.0;
}
