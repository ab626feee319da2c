/* ranet-bench-batch.c: ranet-bench --batch. Every item runs every exit, so
 * that the figures are the network's cost for that many items, not the
 * thresholds'. The items share one tensor: the cost does not depend on the
 * values. */
#include "ranet-bench-batch.h"

#include "bench-stats.h"

#include <stdio.h>
#include <string.h>

/* Median wall and device ms of one item through every exit of a net of
 * single frames. */
static gboolean
time_single (RanetVkDevice *dev, RanetModel *model, guint runs, const float *input,
    double *wall_ms, double *gpu_ms, GError **error)
{
  g_autoptr (RanetNet) net = ranet_net_new (dev, model, error);
  g_autofree double *wall = g_new (double, runs);
  g_autofree double *gpu = g_new (double, runs);

  if (net == NULL || !ranet_net_set_input_tensor (net, input, error))
    return FALSE;
  for (guint r = 0; r < runs + 2; r++) {
    RanetExitResult res;
    gint64 t0 = g_get_monotonic_time ();

    if (!ranet_net_run (net, NULL, G_MAXUINT, &res, error))
      return FALSE;
    if (r >= 2) {
      wall[r - 2] = (g_get_monotonic_time () - t0) / 1e3;
      gpu[r - 2] = res.gpu_ns / 1e6;
    }
  }
  *wall_ms = bench_median (wall, runs);
  *gpu_ms = bench_median (gpu, runs);
  return TRUE;
}

/* The same for a batch of @n items. */
static gboolean
time_batch (RanetVkDevice *dev, RanetModel *model, guint n, guint runs, const float *input,
    gsize n_in, double *wall_ms, double *gpu_ms, GError **error)
{
  g_autoptr (RanetNet) net = ranet_net_new_batched (dev, model, MAX (n, 2), error);
  g_autofree float *inputs = g_new (float, n * n_in);
  g_autofree RanetExitResult *results = g_new0 (RanetExitResult, n);
  g_autofree double *wall = g_new (double, runs);
  g_autofree double *gpu = g_new (double, runs);

  if (net == NULL)
    return FALSE;
  for (guint i = 0; i < n; i++)
    memcpy (inputs + i * n_in, input, n_in * sizeof (float));
  for (guint r = 0; r < runs + 2; r++) {
    gint64 t0 = g_get_monotonic_time ();

    if (!ranet_net_set_batch_tensors (net, inputs, n, error)
        || !ranet_net_run_batch (net, NULL, G_MAXUINT, results, error))
      return FALSE;
    if (r >= 2) {
      wall[r - 2] = (g_get_monotonic_time () - t0) / 1e3;
      gpu[r - 2] = results[0].gpu_ns / 1e6;
    }
  }
  *wall_ms = bench_median (wall, runs);
  *gpu_ms = bench_median (gpu, runs);
  return TRUE;
}

gboolean
ranet_bench_batches (RanetVkDevice *dev, RanetModel *model, const guint *sizes,
    guint n_sizes, guint runs, const float *input, gsize n_in, GError **error)
{
  double single_wall, single_gpu, one_item = 0.0;

  if (!time_single (dev, model, runs, input, &single_wall, &single_gpu, error))
    return FALSE;
  printf ("## Batches: every item through every exit (%u runs, medians)\n\n", runs);
  printf ("| items | ms per batch (wall) | ms per item (wall) | per item / batch 1 | "
      "ms per batch (device) |\n");
  printf ("| ---: | ---: | ---: | ---: | ---: |\n");
  printf ("| 1, net of single frames | %.3f | %.3f | | %.3f |\n", single_wall, single_wall,
      single_gpu);
  for (guint i = 0; i < n_sizes; i++) {
    double wall, gpu, per_item;

    if (!time_batch (dev, model, sizes[i], runs, input, n_in, &wall, &gpu, error))
      return FALSE;
    per_item = wall / sizes[i];
    if (sizes[i] == 1 || one_item == 0.0)
      one_item = sizes[i] == 1 ? per_item : 0.0;
    if (one_item > 0.0)
      printf ("| %u | %.3f | %.3f | %.3f | %.3f |\n", sizes[i], wall, per_item,
          per_item / one_item, gpu);
    else
      printf ("| %u | %.3f | %.3f | | %.3f |\n", sizes[i], wall, per_item, gpu);
  }
  printf ("\n");
  return TRUE;
}
