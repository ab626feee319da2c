/* net.c: a model on a device: weights packed and uploaded, one op per layer,
 * one recording per stage. */
#include "net/net-private.h"

#include "graph/ranet-fold.h"
#include "graph/ranet-layer-kind.h"

/* The float offset of each layer's packed weights; weights are read as vec4. */
#define WEIGHT_ALIGN 4

static const float *
lookup_model_tensor (const char *name, gsize n_floats, gpointer user_data,
    GError **error)
{
  RanetModel *model = user_data;
  const float *data;
  const guint *dims;
  guint n_dims;
  gsize n = 1;

  if (!ranet_model_get_tensor_f32 (model, name, &data, &dims, &n_dims)) {
    g_set_error (error, RANET_GRAPH_ERROR, RANET_GRAPH_ERROR_WEIGHTS,
        "%s: no tensor \"%s\"", ranet_model_get_display_name (model), name);
    return NULL;
  }
  for (guint i = 0; i < n_dims; i++)
    n *= dims[i];
  if (n != n_floats) {
    g_set_error (error, RANET_GRAPH_ERROR, RANET_GRAPH_ERROR_WEIGHTS,
        "%s: tensor \"%s\" holds %" G_GSIZE_FORMAT " values, expected %"
        G_GSIZE_FORMAT, ranet_model_get_display_name (model), name, n, n_floats);
    return NULL;
  }
  return data;
}

/* Folds and packs every layer's weights and uploads them in chunks: a dispatch
 * binds a whole buffer, and a large network's weights (an ImageNet-style RANet
 * holds over 500 MB) exceed what one binding may span (maxStorageBufferRange,
 * 128 MiB on some implementations). @offsets receives each layer's float
 * offset inside its chunk. */
static gboolean
upload_weights (RanetNet *net, gsize *offsets, GError **error)
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
      g_autoptr (RanetLayerWeights) w = ranet_layer_fold_weights (net->graph, i,
          lookup_model_tensor, net->model, error);
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
create_input_copy (RanetNet *net, GError **error)
{
  RanetTensorView to = ranet_graph_get_input_view (net->graph);
  RanetCopyParams p = { .in = to, .out = to };

  p.in.base = 0;
  p.in.c_offset = 0;
  p.in.c_total = to.c;
  net->input_tensor = ranet_vk_buffer_new (net->dev,
      (gsize) to.c * to.h * to.w * sizeof (float), RANET_VK_BUFFER_HOST, error);
  if (net->input_tensor == NULL)
    return FALSE;
  net->input_copy = ranet_op_copy_new (net->dev, &p, error);
  return net->input_copy != NULL;
}

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
ranet_net_new (RanetVkDevice *dev, RanetModel *model, GError **error)
{
  g_autoptr (RanetNet) net = g_new0 (RanetNet, 1);
  guint n_layers;

  g_return_val_if_fail (dev != NULL && model != NULL, NULL);
  net->dev = ranet_vk_device_ref (dev);
  net->model = ranet_model_ref (model);
  net->graph = ranet_model_get_graph (model);
  net->n_exits = ranet_graph_get_n_exits (net->graph);
  net->n_classes = ranet_graph_get_config (net->graph)->num_classes;
  net->probs = g_new0 (float, net->n_classes);
  net->stage_gpu_ns = g_new0 (guint64, net->n_exits);
  net->input = RANET_NET_INPUT_TENSOR;
  n_layers = ranet_graph_get_n_layers (net->graph);

  g_autofree gsize *offsets = g_new0 (gsize, n_layers);
  if (!upload_weights (net, offsets, error))
    return NULL;

  net->activations = ranet_vk_buffer_new (net->dev,
      ranet_graph_get_activation_size (net->graph) * sizeof (float),
      RANET_VK_BUFFER_DEVICE, error);
  if (net->activations == NULL)
    return NULL;
  net->results = ranet_vk_buffer_new (net->dev,
      ranet_graph_get_results_size (net->graph) * sizeof (float),
      RANET_VK_BUFFER_HOST, error);
  if (net->results == NULL)
    return NULL;

  net->ops = g_new0 (RanetOp *, n_layers);
  for (guint i = 0; i < n_layers; i++) {
    const RanetLayer *layer = ranet_graph_get_layer (net->graph, i);

    net->ops[i] = ranet_layer_kind_get_info (layer->kind)->new_op (net->dev, layer,
        offsets[i], error);
    if (net->ops[i] == NULL) {
      g_prefix_error (error, "layer %u: ", i);
      return NULL;
    }
  }
  if (!create_input_copy (net, error))
    return NULL;
  ranet_vk_device_save_pipeline_cache (net->dev);

  net->stages = g_new0 (RanetVkCommands *, net->n_exits);
  for (guint k = 0; k < net->n_exits; k++) {
    net->stages[k] = ranet_vk_commands_new (net->dev, 2, error);
    if (net->stages[k] == NULL || !ranet_net_record_stage (net, k, error))
      return NULL;
  }
  if (!ranet_net_frame_init (net, error) || !warm_up (net, error))
    return NULL;
  return g_steal_pointer (&net);
}

void
ranet_net_free (RanetNet *net)
{
  if (net == NULL)
    return;
  ranet_net_frame_clear (net);
  if (net->stages != NULL) {
    for (guint k = 0; k < net->n_exits; k++)
      g_clear_pointer (&net->stages[k], ranet_vk_commands_free);
    g_free (net->stages);
  }
  if (net->ops != NULL) {
    for (guint i = 0; i < ranet_graph_get_n_layers (net->graph); i++)
      g_clear_pointer (&net->ops[i], ranet_op_free);
    g_free (net->ops);
  }
  g_clear_pointer (&net->input_copy, ranet_op_free);
  g_clear_pointer (&net->preprocess, ranet_op_free);
  for (guint i = 0; i < RANET_MAX_PLANES; i++)
    g_free (net->frame_rows[i]);
  g_clear_pointer (&net->input_tensor, ranet_vk_buffer_free);
  g_clear_pointer (&net->frame, ranet_vk_buffer_free);
  if (net->weights != NULL) {
    for (guint c = 0; c < net->n_weight_chunks; c++)
      g_clear_pointer (&net->weights[c], ranet_vk_buffer_free);
    g_free (net->weights);
  }
  g_free (net->layer_chunk);
  g_clear_pointer (&net->activations, ranet_vk_buffer_free);
  g_clear_pointer (&net->results, ranet_vk_buffer_free);
  g_clear_pointer (&net->model, ranet_model_unref);
  g_clear_pointer (&net->dev, ranet_vk_device_unref);
  g_free (net->probs);
  g_free (net->stage_gpu_ns);
  g_free (net);
}

/* ---- recording ----
 * Each op binds only the floats it reads and writes, and the recording puts a
 * barrier only before a dispatch that touches what an earlier one wrote, or
 * overwrites what one read, since the last barrier (vk-commands.c): the two
 * bottlenecks of a fusion layer, the resizes that fill a block's tensor, the
 * classifier of one scale and the next scale's first layers run side by side
 * on a GPU. */

void
ranet_net_record_input (RanetNet *net, RanetVkCommands *cmds)
{
  if (net->input == RANET_NET_INPUT_FRAME)
    ranet_op_record (net->preprocess, cmds, net->frame, NULL, net->activations);
  else
    ranet_op_record (net->input_copy, cmds, net->input_tensor, NULL, net->activations);
}

void
ranet_net_record_layer (RanetNet *net, RanetVkCommands *cmds, guint i)
{
  const RanetLayer *layer = ranet_graph_get_layer (net->graph, i);
  RanetVkBuffer *out = ranet_layer_writes_results (layer) ? net->results
      : net->activations;

  ranet_op_record (net->ops[i], cmds, net->activations,
      net->weights[net->layer_chunk[i]], out);
}

void
ranet_net_record_stage_dispatches (RanetNet *net, RanetVkCommands *cmds, guint k,
    RanetOp *softmax_decide)
{
  guint first, n;

  if (k == 0)
    ranet_net_record_input (net, cmds);
  ranet_graph_get_stage_layers (net->graph, k, &first, &n);
  for (guint i = first; i < first + n; i++) {
    if (softmax_decide != NULL && i == first + n - 1) {
      /* the control words are the host's and these dispatches' alone */
      RanetVkBuffer *buffers[] = { net->activations, net->results, net->control };
      g_assert (ranet_graph_get_layer (net->graph, i)->kind == RANET_LAYER_SOFTMAX);
      ranet_op_record_buffers (softmax_decide, cmds, buffers, G_N_ELEMENTS (buffers));
    } else {
      ranet_net_record_layer (net, cmds, i);
    }
  }
}

gboolean
ranet_net_record_stage (RanetNet *net, guint k, GError **error)
{
  RanetVkCommands *cmds = net->stages[k];

  if (!ranet_vk_commands_begin (cmds, error))
    return FALSE;
  ranet_vk_commands_timestamp (cmds, RANET_NET_TS_START);
  ranet_net_record_stage_dispatches (net, cmds, k, NULL);
  ranet_vk_commands_timestamp (cmds, RANET_NET_TS_END);
  /* stage 0 follows the input: the one-submission frame must be recorded again */
  if (k == 0)
    net->frame_stale = TRUE;
  return ranet_vk_commands_end (cmds, error);
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
