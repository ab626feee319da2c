/* net.c: a model on a device. Making a net builds it (net-build.c), records
 * its stages (net-record.c) and runs it once (net-run.c); its input, a tensor
 * or a video frame, is set here. The calls go one way: this file to run, run
 * to record, record to what build made. */
#include "net/net-private.h"

#include <string.h>

G_DEFINE_QUARK (ranet-net-error-quark, ranet_net_error)

/* Runs every stage once on a zero input, stage by stage and, where frames
 * are one submission, that way too. A driver may finish compiling a pipeline,
 * or fault in its memory, on its first dispatch: that time belongs to setting
 * up, not to the first frame, whose latencies the frame-rate policy learns
 * from. */
static gboolean
warm_up (RanetNet *net, GError **error)
{
  RanetTensorView v = ranet_graph_get_input_view (net->graph);
  g_autofree float *zeros = g_new0 (float, (gsize) v.c * v.h * v.w);
  RanetExitResult result;

  if (!ranet_net_set_input_tensor (net, zeros, error))
    return FALSE;
  for (guint k = 0; k < net->n_exits; k++)
    if (!ranet_net_run_stage (net, k, &result, error))
      return FALSE;
  return !ranet_net_decides_exit_on_device (net)
      || ranet_net_run (net, NULL, net->n_exits - 1, &result, error);
}

RanetNet *
ranet_net_new_internal (RanetVkDevice *dev, RanetModel *model, guint max_batch,
    GError **error)
{
  g_autoptr (RanetNet) net = NULL;

  net = g_new0 (RanetNet, 1);
  net->dev = ranet_vk_device_ref (dev);
  net->model = ranet_model_ref (model);
  net->graph = ranet_model_get_graph (model);
  net->n_exits = ranet_graph_get_n_exits (net->graph);
  net->n_classes = ranet_graph_get_config (net->graph)->num_classes;
  net->input = RANET_NET_INPUT_TENSOR;
  net->max_batch = max_batch;
  if (!ranet_net_build (net, error))
    return NULL;
  for (guint k = 0; k < net->n_exits; k++)
    if (!ranet_net_record_stage (net, k, error))
      return NULL;
  return g_steal_pointer (&net);
}

RanetNet *
ranet_net_new (RanetVkDevice *dev, RanetModel *model, GError **error)
{
  g_autoptr (RanetNet) net = NULL;

  g_return_val_if_fail (dev != NULL && model != NULL, NULL);
  net = ranet_net_new_internal (dev, model, 1, error);
  if (net == NULL || !warm_up (net, error))
    return NULL;
  return g_steal_pointer (&net);
}

void
ranet_net_free (RanetNet *net)
{
  if (net == NULL)
    return;
  ranet_net_build_clear (net);
  g_clear_pointer (&net->model, ranet_model_unref);
  g_clear_pointer (&net->dev, ranet_vk_device_unref);
  g_free (net);
}

gboolean
ranet_net_set_input_tensor (RanetNet *net, const float *input, GError **error)
{
  RanetTensorView v;

  g_return_val_if_fail (net != NULL && input != NULL, FALSE);
  g_return_val_if_fail (net->max_batch == 1, FALSE);
  v = ranet_graph_get_input_view (net->graph);
  memcpy (ranet_vk_buffer_get_mapped (net->input_tensor), input,
      (gsize) v.c * v.h * v.w * sizeof (float));
  /* a new input starts a new frame: no stage of the old one may follow */
  net->next_stage = 0;
  if (net->input != RANET_NET_INPUT_TENSOR) {
    net->input = RANET_NET_INPUT_TENSOR;
    return ranet_net_record_stage (net, 0, error);
  }
  return TRUE;
}

gboolean
ranet_net_same_layout (const RanetFrameLayout *a, const RanetFrameLayout *b)
{
  return a->format == b->format && a->width == b->width && a->height == b->height
      && memcmp (a->offset, b->offset, sizeof a->offset) == 0
      && memcmp (a->stride, b->stride, sizeof a->stride) == 0
      && a->kr == b->kr && a->kb == b->kb && a->yuv_full_range == b->yuv_full_range;
}

void
ranet_preprocess_params_for_model (RanetModel *model, const RanetFrameLayout *layout,
    RanetResizeMode mode, RanetPreprocessParams *p)
{
  const RanetPreprocess *pre = ranet_model_get_preprocess (model);

  g_return_if_fail (model != NULL && layout != NULL && p != NULL);
  *p = (RanetPreprocessParams) { .frame = *layout, .mode = mode };
  p->out = ranet_graph_get_input_view (ranet_model_get_graph (model));
  for (guint c = 0; c < pre->channels && c < 3; c++) {
    p->mean[c] = pre->mean[c];
    p->std[c] = pre->std[c];
  }
}

gboolean
ranet_net_set_frame_layout (RanetNet *net, const RanetFrameLayout *layout,
    RanetResizeMode mode, GError **error)
{
  g_return_val_if_fail (net != NULL && layout != NULL, FALSE);
  g_return_val_if_fail (net->max_batch == 1, FALSE);
  if (net->input == RANET_NET_INPUT_FRAME && net->preprocess != NULL
      && net->frame_mode == mode && ranet_net_same_layout (&net->frame_layout, layout))
    return TRUE;
  if (!ranet_net_build_preprocess (net, layout, mode, error))
    return FALSE;
  net->input = RANET_NET_INPUT_FRAME;
  net->next_stage = 0;
  return ranet_net_record_stage (net, 0, error);
}

guint8 *
ranet_net_get_frame_memory (RanetNet *net, gsize *size)
{
  g_return_val_if_fail (net != NULL && net->frame != NULL, NULL);
  if (size != NULL)
    *size = ranet_frame_layout_get_size (&net->frame_layout);
  return ranet_vk_buffer_get_mapped (net->frame);
}

void
ranet_net_write_frame_plane (RanetNet *net, guint plane, const guint8 *src,
    gsize src_stride)
{
  const RanetFrameLayout *l;
  guint8 *dest;
  gsize row_bytes;

  g_return_if_fail (net != NULL && net->frame != NULL && src != NULL);
  g_return_if_fail (plane < RANET_MAX_PLANES);
  l = &net->frame_layout;
  dest = (guint8 *) ranet_vk_buffer_get_mapped (net->frame) + l->offset[plane];
  row_bytes = ranet_frame_layout_plane_row_bytes (l, plane);
  g_return_if_fail (src_stride >= row_bytes);
  for (guint i = 0; i < net->n_frame_rows[plane]; i++) {
    guint r = net->frame_rows[plane][i];
    memcpy (dest + r * l->stride[plane], src + r * src_stride, row_bytes);
  }
}

RanetModel *
ranet_net_get_model (RanetNet *net)
{
  return net->model;
}

const RanetGraph *
ranet_net_get_graph (RanetNet *net)
{
  return net->graph;
}

guint
ranet_net_get_n_exits (RanetNet *net)
{
  return net->n_exits;
}
