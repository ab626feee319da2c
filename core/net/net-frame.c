/* net-frame.c: a frame in one submission, the exit decided on the device.
 *
 * Every stage is recorded into one command buffer. Each stage but the last
 * ends with softmax_decide instead of its softmax: the same softmax, which
 * then compares the exit's confidence with its threshold and writes whether
 * the next stage runs; each stage after the first sits in a conditional block
 * on that flag (VK_EXT_conditional_rendering skips dispatches whose flag is
 * zero). A frame that leaves at exit 0 thus
 * costs one submission and one wait instead of one per stage, and the device
 * never idles while the host decides. The skipped dispatches are still
 * processed: cheap on a GPU, their state changes on a CPU implementation
 * (see frame_wanted()). Results equal the stage-by-stage run:
 * same recordings of the layers, same test (see shaders/softmax.comp).
 */
#include "net/net-private.h"

#include <math.h>
#include <string.h>

/* Control buffer words (shaders/softmax.comp). */
#define CONTROL_THRESHOLD(k) (k)
#define CONTROL_RUNS(n, k) ((n) + (k))
#define CONTROL_LAST(n) (2 * (n))
#define CONTROL_WORDS(n) (2 * (n) + 1)

/* Timestamp slots: each stage's start and end. */
#define TS_STAGE_START(k) (2 * (k))
#define TS_STAGE_END(k) (2 * (k) + 1)

/* Whether frames run as one submission: wherever the device can skip
 * dispatches, unless RANET_CONDITIONAL_STAGES=0. Measured on lavapipe, where
 * a skipped dispatch still costs its state changes: the default model's
 * early-exit pass at operating point 20 runs as fast as a submission per
 * stage (758 and 790 against 757 and 795 images/s with LP_NUM_THREADS=0, 390
 * and 352 against 378 and 399 with lavapipe's threads), frames that run every
 * stage faster (2.0 against 2.4 ms). */
static gboolean
frame_wanted (RanetNet *net)
{
  if (!ranet_vk_device_has_conditional_dispatch (net->dev) || net->n_exits < 2)
    return FALSE;
  return g_strcmp0 (g_getenv ("RANET_CONDITIONAL_STAGES"), "0") != 0;
}

static guint
stage_last_layer (RanetNet *net, guint k)
{
  guint first, n;

  ranet_graph_get_stage_layers (net->graph, k, &first, &n);
  return first + n - 1;
}

gboolean
ranet_net_frame_init (RanetNet *net, GError **error)
{
  if (!frame_wanted (net))
    return TRUE;

  net->control = ranet_vk_buffer_new (net->dev, CONTROL_WORDS (net->n_exits) * sizeof (guint32),
      RANET_VK_BUFFER_HOST, error);
  if (net->control == NULL)
    return FALSE;
  net->decide = g_new0 (RanetOp *, net->n_exits - 1);
  for (guint k = 0; k + 1 < net->n_exits; k++) {
    const RanetLayer *softmax = ranet_graph_get_layer (net->graph, stage_last_layer (net, k));

    net->decide[k] = ranet_op_softmax_decide_new (net->dev, &softmax->p.softmax, k,
        net->n_exits, error);
    if (net->decide[k] == NULL)
      return FALSE;
  }
  net->frame_run = ranet_vk_commands_new (net->dev, 2 * net->n_exits, error);
  if (net->frame_run == NULL)
    return FALSE;
  net->frame_stale = TRUE;
  return TRUE;
}

void
ranet_net_frame_clear (RanetNet *net)
{
  if (net->decide != NULL) {
    for (guint k = 0; k + 1 < net->n_exits; k++)
      g_clear_pointer (&net->decide[k], ranet_op_free);
    g_clear_pointer (&net->decide, g_free);
  }
  g_clear_pointer (&net->frame_run, ranet_vk_commands_free);
  g_clear_pointer (&net->control, ranet_vk_buffer_free);
}

static gboolean
frame_record (RanetNet *net, GError **error)
{
  RanetVkCommands *cmds = net->frame_run;

  if (!ranet_vk_commands_begin (cmds, error))
    return FALSE;
  for (guint k = 0; k < net->n_exits; k++) {
    if (k > 0)
      ranet_vk_commands_begin_conditional (cmds, net->control,
          CONTROL_RUNS (net->n_exits, k) * sizeof (guint32));
    ranet_vk_commands_timestamp (cmds, TS_STAGE_START (k));
    ranet_net_record_stage_dispatches (net, cmds, k,
        k + 1 < net->n_exits ? net->decide[k] : NULL);
    ranet_vk_commands_timestamp (cmds, TS_STAGE_END (k));
    if (k > 0)
      ranet_vk_commands_end_conditional (cmds);
  }
  if (!ranet_vk_commands_end (cmds, error))
    return FALSE;
  net->frame_stale = FALSE;
  return TRUE;
}

gboolean
ranet_net_decides_exit_on_device (RanetNet *net)
{
  g_return_val_if_fail (net != NULL, FALSE);
  return net->frame_run != NULL;
}

gboolean
ranet_net_frame_run (RanetNet *net, const float *thresholds, guint last,
    RanetExitResult *result, GError **error)
{
  guint32 *control;
  guint exit_index = 0;
  gint64 t0;

  if (net->frame_run == NULL)
    return FALSE;
  if (net->frame_stale && !frame_record (net, error))
    return FALSE;

  control = ranet_vk_buffer_get_mapped (net->control);
  for (guint k = 0; k < net->n_exits; k++) {
    /* NULL: every stage up to @last (the last-stage word stops it there) */
    float t = thresholds != NULL ? thresholds[k] : INFINITY;
    memcpy (&control[CONTROL_THRESHOLD (k)], &t, sizeof t);
    control[CONTROL_RUNS (net->n_exits, k)] = k == 0;
  }
  control[CONTROL_LAST (net->n_exits)] = last;

  t0 = g_get_monotonic_time ();
  if (!ranet_vk_commands_submit (net->frame_run, error)) {
    net->next_stage = 0;
    return FALSE;
  }
  while (exit_index + 1 <= last && control[CONTROL_RUNS (net->n_exits, exit_index + 1)] != 0)
    exit_index++;

  ranet_net_fill_result (net, exit_index, result);
  result->gpu_ns = ranet_vk_commands_get_elapsed_ns (net->frame_run, TS_STAGE_START (0),
      TS_STAGE_END (exit_index));
  for (guint k = 0; k <= exit_index; k++)
    net->stage_gpu_ns[k] = ranet_vk_commands_get_elapsed_ns (net->frame_run,
        TS_STAGE_START (k), TS_STAGE_END (k));
  result->wall_ns = (guint64) (g_get_monotonic_time () - t0) * 1000;
  net->next_stage = exit_index + 1;
  return TRUE;
}
