/* session-net.c: a session over a RanetNet, with the policy its model's
 * calibration gives. */
#include "session/session-private.h"

static gboolean
net_set_input_tensor (gpointer net, const float *input, GError **error)
{
  return ranet_net_set_input_tensor (net, input, error);
}

static gboolean
net_set_input_frame (gpointer net, const RanetFrameLayout *layout, RanetResizeMode mode,
    const guint8 *const *planes, GError **error)
{
  if (!ranet_net_set_frame_layout (net, layout, mode, error))
    return FALSE;
  /* only the rows the resize reads: a 1080p frame for a 28x28 network is
   * 56 rows, not 1080 */
  for (guint i = 0; i < RANET_MAX_PLANES && ranet_frame_layout_plane_rows (layout, i) > 0; i++)
    ranet_net_write_frame_plane (net, i, planes[i], layout->stride[i]);
  return TRUE;
}

static gboolean
net_run (gpointer net, const float *thresholds, guint last, RanetExitResult *result,
    GError **error)
{
  return ranet_net_run (net, thresholds, last, result, error);
}

static gboolean
net_run_stage (gpointer net, guint stage, RanetExitResult *result, GError **error)
{
  return ranet_net_run_stage (net, stage, result, error);
}

static guint64
net_get_stage_device_ns (gpointer net, guint stage)
{
  return ranet_net_get_stage_gpu_ns (net, stage);
}

static void
net_free (gpointer net)
{
  ranet_net_free (net);
}

/* The policy's view of the model: stage costs and operating points. */
static RanetPolicy *
policy_for_model (RanetModel *model)
{
  const RanetCalibration *cal = ranet_model_get_calibration (model);
  g_autofree double *stage_macs = g_new (double, cal->n_exits);
  g_autofree RanetPolicyPoint *points = g_new (RanetPolicyPoint, cal->n_operating_points);

  for (guint k = 0; k < cal->n_exits; k++)
    stage_macs[k] = cal->exit_macs[k] - (k > 0 ? cal->exit_macs[k - 1] : 0.0);
  for (guint i = 0; i < cal->n_operating_points; i++) {
    points[i].thresholds = cal->operating_points[i].thresholds;
    points[i].exit_fractions = cal->operating_points[i].exit_fractions;
    points[i].accuracy = cal->operating_points[i].val_accuracy;
  }
  return ranet_policy_new (cal->n_exits, stage_macs, points,
      cal->n_operating_points, NULL);
}

RanetSession *
ranet_session_new (RanetVkDevice *device, RanetModel *model, GError **error)
{
  RanetNet *net;
  RanetTensorView input;
  RanetSessionBackend backend = {
    .set_input_tensor = net_set_input_tensor,
    .set_input_frame = net_set_input_frame,
    .run = net_run,
    .run_stage = net_run_stage,
    .get_stage_device_ns = net_get_stage_device_ns,
    .free = net_free,
  };
  RanetSession *s;

  g_return_val_if_fail (device != NULL && model != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  net = ranet_net_new (device, model, error);
  if (net == NULL)
    return NULL;
  input = ranet_graph_get_input_view (ranet_net_get_graph (net));
  backend.n_exits = ranet_net_get_n_exits (net);
  backend.input_size = (gsize) input.c * input.h * input.w;
  backend.decides_exit_on_device = ranet_net_decides_exit_on_device (net);
  s = ranet_session_new_for_backend (&backend, net, policy_for_model (model));
  s->net = net;
  s->device = ranet_vk_device_ref (device);
  s->labels = ranet_model_get_labels (model);
  return s;
}
