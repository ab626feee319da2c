/* net-run.c: a frame's way through the stages, and its input. */
#include "net/net-private.h"

#include <string.h>

gboolean
ranet_net_set_input_tensor (RanetNet *net, const float *input, GError **error)
{
  RanetTensorView v = ranet_graph_get_input_view (net->graph);

  g_return_val_if_fail (net != NULL && input != NULL, FALSE);
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

static gboolean
same_layout (const RanetFrameLayout *a, const RanetFrameLayout *b)
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
  RanetPreprocessParams p;
  gsize size, padded;

  g_return_val_if_fail (net != NULL && layout != NULL, FALSE);
  if (net->input == RANET_NET_INPUT_FRAME && net->preprocess != NULL
      && net->frame_mode == mode && same_layout (&net->frame_layout, layout))
    return TRUE;
  if (!ranet_frame_layout_check (layout, error))
    return FALSE;

  ranet_preprocess_params_for_model (net->model, layout, mode, &p);
  RanetOp *op = ranet_op_preprocess_new (net->dev, &p, error);
  if (op == NULL)
    return FALSE;

  size = ranet_frame_layout_get_size (layout);
  padded = (size + 3) & ~(gsize) 3;   /* the shader reads whole 32-bit words */
  if (net->frame == NULL || ranet_vk_buffer_get_size (net->frame) < padded) {
    RanetVkBuffer *frame = ranet_vk_buffer_new (net->dev, padded,
        RANET_VK_BUFFER_HOST, error);
    if (frame == NULL) {
      ranet_op_free (op);
      return FALSE;
    }
    g_clear_pointer (&net->frame, ranet_vk_buffer_free);
    net->frame = frame;
    /* the word that holds the last byte may have bytes beyond the frame */
    memset (ranet_vk_buffer_get_mapped (net->frame), 0, padded);
  }
  for (guint i = 0; i < RANET_MAX_PLANES; i++) {
    g_free (net->frame_rows[i]);
    net->frame_rows[i] = g_new (guint, MAX (ranet_frame_layout_plane_rows (layout, i), 1));
    net->n_frame_rows[i] = ranet_preprocess_get_plane_rows (&p, i, net->frame_rows[i]);
  }
  g_clear_pointer (&net->preprocess, ranet_op_free);
  net->preprocess = op;
  net->frame_layout = *layout;
  net->frame_mode = mode;
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
  const RanetFrameLayout *l = &net->frame_layout;
  guint8 *dest;
  gsize row_bytes;

  g_return_if_fail (net != NULL && net->frame != NULL && src != NULL);
  g_return_if_fail (plane < RANET_MAX_PLANES);
  dest = (guint8 *) ranet_vk_buffer_get_mapped (net->frame) + l->offset[plane];
  row_bytes = ranet_frame_layout_plane_row_bytes (l, plane);
  g_return_if_fail (src_stride >= row_bytes);
  for (guint i = 0; i < net->n_frame_rows[plane]; i++) {
    guint r = net->frame_rows[plane][i];
    memcpy (dest + r * l->stride[plane], src + r * src_stride, row_bytes);
  }
}

gboolean
ranet_net_run_stage (RanetNet *net, guint stage, RanetExitResult *result,
    GError **error)
{
  gint64 t0;

  g_return_val_if_fail (net != NULL && result != NULL, FALSE);
  if (stage >= net->n_exits || (stage != 0 && stage != net->next_stage)) {
    g_set_error (error, RANET_GRAPH_ERROR, RANET_GRAPH_ERROR_INVALID_CONFIG,
        "stage %u cannot run now: the network has %u stages and the next one is %u",
        stage, net->n_exits, net->next_stage);
    return FALSE;
  }

  t0 = g_get_monotonic_time ();
  if (!ranet_vk_commands_submit (net->stages[stage], error)) {
    net->next_stage = 0;
    return FALSE;
  }
  ranet_net_fill_result (net, stage, result);
  result->gpu_ns = ranet_vk_commands_get_elapsed_ns (net->stages[stage],
      RANET_NET_TS_START, RANET_NET_TS_END);
  result->wall_ns = (guint64) (g_get_monotonic_time () - t0) * 1000;
  net->stage_gpu_ns[stage] = result->gpu_ns;
  net->next_stage = stage + 1;
  return TRUE;
}

guint64
ranet_net_get_stage_gpu_ns (RanetNet *net, guint stage)
{
  g_return_val_if_fail (net != NULL, 0);
  if (stage >= net->next_stage)
    return 0;
  return net->stage_gpu_ns[stage];
}

void
ranet_net_fill_result (RanetNet *net, guint stage, RanetExitResult *result)
{
  const float *out = (const float *) ranet_vk_buffer_get_mapped (net->results)
      + ranet_graph_get_result_offset (net->graph, stage);

  memcpy (net->probs, out, net->n_classes * sizeof (float));
  result->exit_index = stage;
  result->n_classes = net->n_classes;
  result->probs = net->probs;
  result->confidence = out[net->n_classes];
  /* the argmax travels as a float; guard against garbage before casting */
  result->class_id = out[net->n_classes + 1] >= 0.0f
      && out[net->n_classes + 1] < (float) net->n_classes
      ? (guint) out[net->n_classes + 1] : 0;
  result->macs = ranet_graph_get_exit_macs (net->graph, stage);
}

gboolean
ranet_net_run (RanetNet *net, const float *thresholds, guint max_exit,
    RanetExitResult *result, GError **error)
{
  guint last = MIN (max_exit, net->n_exits - 1);
  GError *local = NULL;

  g_return_val_if_fail (net != NULL && result != NULL, FALSE);
  if (ranet_net_frame_run (net, thresholds, last, result, &local))
    return TRUE;
  if (local != NULL) {
    g_propagate_error (error, local);
    return FALSE;
  }
  /* no conditional dispatch on this device: a submission per stage */
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
ranet_net_read_logits (RanetNet *net, guint exit_index, float *logits,
    GError **error)
{
  RanetTensorView v;

  g_return_val_if_fail (net != NULL && logits != NULL, FALSE);
  if (exit_index >= net->next_stage) {
    g_set_error (error, RANET_GRAPH_ERROR, RANET_GRAPH_ERROR_INVALID_CONFIG,
        "exit %u was not computed by the last run", exit_index);
    return FALSE;
  }
  v = ranet_graph_get_logits_view (net->graph, exit_index);
  return ranet_vk_buffer_download (net->activations,
      ranet_tensor_view_origin (&v) * sizeof (float), logits,
      (gsize) v.c * v.h * v.w * sizeof (float), error);
}
