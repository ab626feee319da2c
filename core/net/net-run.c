/* net-run.c: submitting a net's recordings and reading what they computed.
 * A frame runs one of two ways, fixed when the net is built: stage by stage,
 * the host deciding between stages, or as one submission with the exit decided
 * on the device (where the net has a frame recording, net-build.c). */
#include "net/net-private.h"

#include <math.h>
#include <string.h>

void
ranet_net_fill_result (RanetNet *net, guint stage, guint item, RanetExitResult *result)
{
  const float *out = (const float *) ranet_vk_buffer_get_mapped (net->results)
      + item * ranet_graph_get_results_size (net->graph)
      + ranet_graph_get_result_offset (net->graph, stage);
  float *probs = net->max_batch > 1 ? net->batch_probs + (gsize) item * net->n_classes
      : net->probs;

  memcpy (probs, out, net->n_classes * sizeof (float));
  result->exit_index = stage;
  result->n_classes = net->n_classes;
  result->probs = probs;
  result->confidence = out[net->n_classes];
  /* the argmax travels as a float; guard against garbage before casting */
  result->class_id = out[net->n_classes + 1] >= 0.0f
      && out[net->n_classes + 1] < (float) net->n_classes
      ? (guint) out[net->n_classes + 1] : 0;
  result->macs = ranet_graph_get_exit_macs (net->graph, stage);
}

gboolean
ranet_net_run_stage (RanetNet *net, guint stage, RanetExitResult *result,
    GError **error)
{
  gint64 t0;

  g_return_val_if_fail (net != NULL && result != NULL, FALSE);
  g_return_val_if_fail (net->max_batch == 1, FALSE);
  if (stage >= net->n_exits || (stage != 0 && stage != net->next_stage)) {
    g_set_error (error, RANET_NET_ERROR, RANET_NET_ERROR_STAGE_ORDER,
        "stage %u cannot run now: the network has %u stages and the next one is %u",
        stage, net->n_exits, net->next_stage);
    return FALSE;
  }

  t0 = g_get_monotonic_time ();
  if (!ranet_vk_commands_submit (net->stages[stage], error)) {
    net->next_stage = 0;
    return FALSE;
  }
  ranet_net_fill_result (net, stage, 0, result);
  result->gpu_ns = ranet_vk_commands_get_elapsed_ns (net->stages[stage],
      RANET_NET_TS_START, RANET_NET_TS_END);
  result->wall_ns = (guint64) (g_get_monotonic_time () - t0) * 1000;
  net->stage_gpu_ns[stage] = result->gpu_ns;
  net->next_stage = stage + 1;
  return TRUE;
}

/* Stages 0.. until one's confidence reaches its threshold or @last, in one
 * submission. */
static gboolean
run_frame (RanetNet *net, const float *thresholds, guint last, RanetExitResult *result,
    GError **error)
{
  guint32 *control;
  guint exit_index = 0;
  gint64 t0;

  if (net->frame_stale && !ranet_net_record_frame (net, error))
    return FALSE;

  control = ranet_vk_buffer_get_mapped (net->control);
  for (guint k = 0; k < net->n_exits; k++) {
    /* NULL: every stage up to @last (the last-stage word stops it there) */
    float t = thresholds != NULL ? thresholds[k] : INFINITY;
    memcpy (&control[RANET_NET_CONTROL_THRESHOLD (k)], &t, sizeof t);
    control[RANET_NET_CONTROL_RUNS (net->n_exits, k)] = k == 0;
  }
  control[RANET_NET_CONTROL_LAST (net->n_exits)] = last;

  t0 = g_get_monotonic_time ();
  if (!ranet_vk_commands_submit (net->frame_run, error)) {
    net->next_stage = 0;
    return FALSE;
  }
  while (exit_index + 1 <= last
      && control[RANET_NET_CONTROL_RUNS (net->n_exits, exit_index + 1)] != 0)
    exit_index++;

  ranet_net_fill_result (net, exit_index, 0, result);
  result->gpu_ns = ranet_vk_commands_get_elapsed_ns (net->frame_run,
      RANET_NET_TS_STAGE_START (0), RANET_NET_TS_STAGE_END (exit_index));
  for (guint k = 0; k <= exit_index; k++)
    net->stage_gpu_ns[k] = ranet_vk_commands_get_elapsed_ns (net->frame_run,
        RANET_NET_TS_STAGE_START (k), RANET_NET_TS_STAGE_END (k));
  result->wall_ns = (guint64) (g_get_monotonic_time () - t0) * 1000;
  net->next_stage = exit_index + 1;
  return TRUE;
}

/* The same, a submission per stage: the host compares each exit's
 * confidence with its threshold. */
static gboolean
run_stages (RanetNet *net, const float *thresholds, guint last, RanetExitResult *result,
    GError **error)
{
  guint64 gpu_ns = 0, wall_ns = 0;

  for (guint k = 0; k <= last; k++) {
    if (!ranet_net_run_stage (net, k, result, error))
      return FALSE;
    gpu_ns += result->gpu_ns;
    wall_ns += result->wall_ns;
    if (thresholds != NULL && result->confidence >= thresholds[k])
      break;
  }
  result->gpu_ns = gpu_ns;
  result->wall_ns = wall_ns;
  return TRUE;
}

gboolean
ranet_net_run (RanetNet *net, const float *thresholds, guint max_exit,
    RanetExitResult *result, GError **error)
{
  guint last;

  g_return_val_if_fail (net != NULL && result != NULL, FALSE);
  g_return_val_if_fail (net->max_batch == 1, FALSE);
  last = MIN (max_exit, net->n_exits - 1);
  return net->frame_run != NULL ? run_frame (net, thresholds, last, result, error)
      : run_stages (net, thresholds, last, result, error);
}

gboolean
ranet_net_decides_exit_on_device (RanetNet *net)
{
  g_return_val_if_fail (net != NULL, FALSE);
  return net->frame_run != NULL;
}

guint64
ranet_net_get_stage_gpu_ns (RanetNet *net, guint stage)
{
  g_return_val_if_fail (net != NULL, 0);
  if (stage >= net->next_stage)
    return 0;
  return net->stage_gpu_ns[stage];
}

guint
ranet_net_get_stage_dispatches (RanetNet *net, guint stage)
{
  g_return_val_if_fail (net != NULL && stage < net->n_exits, 0);
  return ranet_vk_commands_get_n_dispatches (net->stages[stage]);
}

gboolean
ranet_net_read_logits (RanetNet *net, guint exit_index, float *logits,
    GError **error)
{
  RanetTensorView v;

  g_return_val_if_fail (net != NULL && logits != NULL, FALSE);
  if (exit_index >= net->next_stage) {
    g_set_error (error, RANET_NET_ERROR, RANET_NET_ERROR_NOT_COMPUTED,
        "exit %u was not computed by the last run", exit_index);
    return FALSE;
  }
  v = ranet_graph_get_logits_view (net->graph, exit_index);
  return ranet_vk_buffer_download (net->activations,
      ranet_tensor_view_origin (&v) * sizeof (float), logits,
      (gsize) v.c * v.h * v.w * sizeof (float), error);
}
