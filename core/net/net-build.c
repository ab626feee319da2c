/* net-build.c: what a net is made of: the model's folded weights packed and
 * uploaded, the activation and result buffers, one op per layer, the input
 * ops, and the objects of the one-submission frame. Nothing here records or
 * submits. */
#include "net/net-private.h"

#include "graph/ranet-layer-kind.h"

#include <string.h>

/* The float offset of each layer's packed weights; weights are read as vec4. */
#define WEIGHT_ALIGN 4

/* Control buffer words of the one-submission frame (shaders/softmax.glsl). */
#define CONTROL_WORDS(n) (2 * (n) + 1)

/* Packs every layer's weights, folded by the model, and uploads them in
 * chunks: a dispatch binds a whole chunk, and a large network's weights (an
 * ImageNet-style RANet holds over 500 MB) exceed what one binding may span
 * (maxStorageBufferRange, 128 MiB on some implementations). @offsets
 * receives each layer's float offset inside its chunk. */
static gboolean
build_weights (RanetNet *net, gsize *offsets, GError **error)
{
  guint n_layers = ranet_graph_get_n_layers (net->graph);
  gsize limit = ranet_vk_device_get_max_storage_buffer_range (net->dev)
      / sizeof (float) / WEIGHT_ALIGN * WEIGHT_ALIGN;
  g_autoptr (GArray) chunk_size = g_array_new (FALSE, TRUE, sizeof (gsize));
  gsize total = 0;

  net->layer_chunk = g_new0 (guint, n_layers);
  for (guint i = 0; i < n_layers; i++) {
    gsize size = (ranet_layer_get_packed_size (ranet_graph_get_layer (net->graph, i))
        + WEIGHT_ALIGN - 1) / WEIGHT_ALIGN * WEIGHT_ALIGN;
    if (size > limit) {
      g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
          "layer %u: %" G_GSIZE_FORMAT " bytes of weights exceed the device's "
          "storage-buffer range", i, size * sizeof (float));
      return FALSE;
    }
    if (total + size > limit) {
      g_array_append_val (chunk_size, total);
      total = 0;
    }
    net->layer_chunk[i] = chunk_size->len;
    offsets[i] = total;
    total += size;
  }
  /* a network without weights still binds a valid buffer */
  total = MAX (total, WEIGHT_ALIGN);
  g_array_append_val (chunk_size, total);

  net->n_weight_chunks = chunk_size->len;
  net->weights = g_new0 (RanetVkBuffer *, net->n_weight_chunks);
  for (guint c = 0, i = 0; c < net->n_weight_chunks; c++) {
    gsize n = g_array_index (chunk_size, gsize, c);
    g_autofree float *packed = g_try_new0 (float, n);
    if (packed == NULL) {
      g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_OUT_OF_MEMORY,
          "out of host memory packing %" G_GSIZE_FORMAT " weights", n);
      return FALSE;
    }
    for (; i < n_layers && net->layer_chunk[i] == c; i++) {
      const RanetLayer *layer = ranet_graph_get_layer (net->graph, i);
      if (ranet_layer_get_packed_size (layer) == 0)
        continue;
      g_autoptr (RanetLayerWeights) w = ranet_model_fold_layer_weights (net->model, i, error);
      if (w == NULL)
        return FALSE;
      ranet_layer_kind_get_info (layer->kind)->pack (layer, w, packed + offsets[i]);
    }
    net->weights[c] = ranet_vk_buffer_new (net->dev, n * sizeof (float),
        RANET_VK_BUFFER_DEVICE, error);
    if (net->weights[c] == NULL
        || !ranet_vk_buffer_upload (net->weights[c], 0, packed, n * sizeof (float), error))
      return FALSE;
  }
  return TRUE;
}

static gboolean
build_ops (RanetNet *net, const gsize *offsets, GError **error)
{
  guint n_layers = ranet_graph_get_n_layers (net->graph);

  net->ops = g_new0 (RanetOp *, n_layers);
  for (guint i = 0; i < n_layers; i++) {
    RanetLayer layer = *ranet_graph_get_layer (net->graph, i);

    if (net->max_batch > 1)
      ranet_layer_batch (net->graph, &layer, net->max_batch);
    net->ops[i] = ranet_layer_kind_get_info (layer.kind)->new_op (net->dev, &layer,
        offsets[i], error);
    if (net->ops[i] == NULL) {
      g_prefix_error (error, "layer %u: ", i);
      return FALSE;
    }
  }
  return TRUE;
}

/* The tensor input: a host-visible buffer and the copy into the network's
 * input view. */
static gboolean
build_input_copy (RanetNet *net, GError **error)
{
  RanetTensorView to = ranet_graph_get_input_view (net->graph);
  RanetCopyParams p = { .in = to, .out = to };
  gsize size = (gsize) to.c * to.h * to.w;

  /* the host writes one tensor, or a batch's one after another */
  p.in.base = 0;
  p.in.c_offset = 0;
  p.in.c_total = to.c;
  if (net->max_batch > 1) {
    p.in.n_items = net->max_batch;
    p.in.item_stride = size;
    p.out = ranet_tensor_view_batch (&to, net->max_batch);
  }
  net->input_tensor = ranet_vk_buffer_new (net->dev,
      size * net->max_batch * sizeof (float), RANET_VK_BUFFER_HOST, error);
  if (net->input_tensor == NULL)
    return FALSE;
  net->input_copy = ranet_op_copy_new (net->dev, &p, error);
  return net->input_copy != NULL;
}

/* The one-submission frame, where the device can skip dispatches (its
 * options allow it only where conditional_stages is on): the control words,
 * each stage but the last ending in softmax_decide, and the recording. */
static gboolean
build_frame (RanetNet *net, GError **error)
{
  if (!ranet_vk_device_has_conditional_dispatch (net->dev) || net->n_exits < 2
      || net->max_batch > 1)
    return TRUE;

  net->control = ranet_vk_buffer_new (net->dev, CONTROL_WORDS (net->n_exits) * sizeof (guint32),
      RANET_VK_BUFFER_HOST, error);
  if (net->control == NULL)
    return FALSE;
  net->decide = g_new0 (RanetOp *, net->n_exits - 1);
  for (guint k = 0; k + 1 < net->n_exits; k++) {
    guint first, n;
    const RanetLayer *softmax;

    ranet_graph_get_stage_layers (net->graph, k, &first, &n);
    softmax = ranet_graph_get_layer (net->graph, first + n - 1);
    net->decide[k] = ranet_op_softmax_decide_new (net->dev, &softmax->p.softmax, k,
        net->n_exits, error);
    if (net->decide[k] == NULL)
      return FALSE;
  }
  net->frame_run = ranet_vk_commands_new (net->dev, 2 * net->n_exits, error);
  return net->frame_run != NULL;
}

/* What a batch adds: the items list and the dispatch arguments the host
 * writes before each stage, and where each item's results are copied. */
static gboolean
build_batch (RanetNet *net, GError **error)
{
  guint n_layers = ranet_graph_get_n_layers (net->graph);

  if (net->max_batch < 2)
    return TRUE;
  net->item_next_stage = g_new0 (guint, net->max_batch);
  net->batch_probs = g_new0 (float, (gsize) net->max_batch * net->n_classes);
  net->items = ranet_vk_buffer_new (net->dev, net->max_batch * sizeof (guint32),
      RANET_VK_BUFFER_HOST, error);
  if (net->items == NULL)
    return FALSE;
  net->dispatch_args = ranet_vk_buffer_new (net->dev, RANET_NET_ARGS_OFFSET (n_layers + 1),
      RANET_VK_BUFFER_HOST, error);
  return net->dispatch_args != NULL;
}

gboolean
ranet_net_build (RanetNet *net, GError **error)
{
  guint n_layers = ranet_graph_get_n_layers (net->graph);
  g_autofree gsize *offsets = g_new0 (gsize, n_layers);

  net->probs = g_new0 (float, net->n_classes);
  net->stage_gpu_ns = g_new0 (guint64, net->n_exits);
  if (!build_weights (net, offsets, error))
    return FALSE;
  net->activations = ranet_vk_buffer_new (net->dev,
      ranet_graph_get_activation_size (net->graph) * net->max_batch * sizeof (float),
      RANET_VK_BUFFER_DEVICE, error);
  if (net->activations == NULL)
    return FALSE;
  net->results = ranet_vk_buffer_new (net->dev,
      ranet_graph_get_results_size (net->graph) * net->max_batch * sizeof (float),
      RANET_VK_BUFFER_HOST, error);
  if (net->results == NULL || !build_ops (net, offsets, error)
      || !build_input_copy (net, error) || !build_frame (net, error)
      || !build_batch (net, error) || !ranet_net_build_fusions (net, offsets, error))
    return FALSE;
  /* every pipeline exists now: a driver that caches compiled code keeps it */
  ranet_vk_device_save_pipeline_cache (net->dev);

  net->stages = g_new0 (RanetVkCommands *, net->n_exits);
  for (guint k = 0; k < net->n_exits; k++) {
    net->stages[k] = ranet_vk_commands_new (net->dev, 2, error);
    if (net->stages[k] == NULL)
      return FALSE;
  }
  return TRUE;
}

/* Host-visible memory for frames of @layout; it grows, never shrinks. */
static gboolean
ensure_frame_buffer (RanetNet *net, const RanetFrameLayout *layout, GError **error)
{
  gsize size = ranet_frame_layout_get_size (layout);
  gsize padded = (size + 3) & ~(gsize) 3;   /* the shader reads whole 32-bit words */
  RanetVkBuffer *frame;

  if (net->frame != NULL && ranet_vk_buffer_get_size (net->frame) >= padded)
    return TRUE;
  frame = ranet_vk_buffer_new (net->dev, padded, RANET_VK_BUFFER_HOST, error);
  if (frame == NULL)
    return FALSE;
  g_clear_pointer (&net->frame, ranet_vk_buffer_free);
  net->frame = frame;
  /* the word that holds the last byte may have bytes beyond the frame */
  memset (ranet_vk_buffer_get_mapped (net->frame), 0, padded);
  return TRUE;
}

/* A batch's regions: each one's geometry, written by the host per frame. */
static gboolean
ensure_geometry_buffer (RanetNet *net, GError **error)
{
  if (net->max_batch < 2 || net->geometry != NULL)
    return TRUE;
  net->geometry = ranet_vk_buffer_new (net->dev,
      (gsize) net->max_batch * RANET_PREPROCESS_GEOMETRY_FLOATS * sizeof (float),
      RANET_VK_BUFFER_HOST, error);
  return net->geometry != NULL;
}

gboolean
ranet_net_build_preprocess (RanetNet *net, const RanetFrameLayout *layout,
    RanetResizeMode mode, GError **error)
{
  RanetPreprocessParams p;
  RanetOp *op;

  if (!ranet_frame_layout_check (layout, error))
    return FALSE;
  ranet_preprocess_params_for_model (net->model, layout, mode, &p);
  if (net->max_batch > 1) {
    p.out = ranet_tensor_view_batch (&p.out, net->max_batch);
    op = ranet_op_preprocess_regions_new (net->dev, &p, error);
  } else {
    op = ranet_op_preprocess_new (net->dev, &p, error);
  }
  if (op == NULL || !ensure_frame_buffer (net, layout, error)
      || !ensure_geometry_buffer (net, error)) {
    g_clear_pointer (&op, ranet_op_free);
    return FALSE;
  }
  for (guint i = 0; i < RANET_MAX_PLANES; i++) {
    g_free (net->frame_rows[i]);
    net->frame_rows[i] = g_new (guint, MAX (ranet_frame_layout_plane_rows (layout, i), 1));
    /* a batch's rows depend on its regions: ranet_net_set_batch_regions() */
    net->n_frame_rows[i] = net->max_batch > 1 ? 0
        : ranet_preprocess_get_plane_rows (&p, i, net->frame_rows[i]);
  }
  g_clear_pointer (&net->preprocess, ranet_op_free);
  net->preprocess = op;
  net->frame_layout = *layout;
  net->frame_mode = mode;
  return TRUE;
}

void
ranet_net_build_clear (RanetNet *net)
{
  if (net->decide != NULL) {
    for (guint k = 0; k + 1 < net->n_exits; k++)
      g_clear_pointer (&net->decide[k], ranet_op_free);
    g_clear_pointer (&net->decide, g_free);
  }
  g_clear_pointer (&net->frame_run, ranet_vk_commands_free);
  g_clear_pointer (&net->control, ranet_vk_buffer_free);
  if (net->stages != NULL) {
    for (guint k = 0; k < net->n_exits; k++)
      g_clear_pointer (&net->stages[k], ranet_vk_commands_free);
    g_clear_pointer (&net->stages, g_free);
  }
  ranet_net_fusions_clear (net);
  if (net->ops != NULL) {
    for (guint i = 0; i < ranet_graph_get_n_layers (net->graph); i++)
      g_clear_pointer (&net->ops[i], ranet_op_free);
    g_clear_pointer (&net->ops, g_free);
  }
  g_clear_pointer (&net->input_copy, ranet_op_free);
  g_clear_pointer (&net->preprocess, ranet_op_free);
  for (guint i = 0; i < RANET_MAX_PLANES; i++)
    g_clear_pointer (&net->frame_rows[i], g_free);
  g_clear_pointer (&net->input_tensor, ranet_vk_buffer_free);
  g_clear_pointer (&net->frame, ranet_vk_buffer_free);
  if (net->weights != NULL) {
    for (guint c = 0; c < net->n_weight_chunks; c++)
      g_clear_pointer (&net->weights[c], ranet_vk_buffer_free);
    g_clear_pointer (&net->weights, g_free);
  }
  g_clear_pointer (&net->layer_chunk, g_free);
  g_clear_pointer (&net->activations, ranet_vk_buffer_free);
  g_clear_pointer (&net->results, ranet_vk_buffer_free);
  g_clear_pointer (&net->probs, g_free);
  g_clear_pointer (&net->stage_gpu_ns, g_free);
  g_clear_pointer (&net->item_next_stage, g_free);
  g_clear_pointer (&net->batch_probs, g_free);
  g_clear_pointer (&net->items, ranet_vk_buffer_free);
  g_clear_pointer (&net->dispatch_args, ranet_vk_buffer_free);
  g_clear_pointer (&net->geometry, ranet_vk_buffer_free);
}
