/* net-batch.c: a batch of items through a net of several items.
 *
 * Stage 0 runs every item of the batch; each later stage runs the items the
 * caller names, in one dispatch per layer. The items keep their slots, so an
 * item that leaves at an exit is simply not named again: later stages cost
 * nothing for it, and nothing is copied to close the gap (the items list
 * tells each workgroup which slot it computes). The stage recordings are
 * made once with indirect dispatches; before each stage the host writes the
 * items list and every layer's workgroup counts. */
#include "net/net-private.h"

#include <math.h>
#include <string.h>

/* What one batch may hold by default: the activations of this many bytes. */
#define DEFAULT_BATCH_BYTES ((gsize) 256 << 20)
#define DEFAULT_MAX_BATCH 64u

guint
ranet_net_default_max_batch (RanetVkDevice *dev, const RanetGraph *graph)
{
  gsize item_bytes = ranet_graph_get_activation_size (graph) * sizeof (float);
  gsize tensor_bytes = ranet_graph_get_batch_max_tensor (graph) * sizeof (float);
  gsize by_memory = DEFAULT_BATCH_BYTES / MAX (item_bytes, 1);
  /* a batched op binds all copies of its tensors at once */
  gsize by_binding = ranet_vk_device_get_max_storage_buffer_range (dev) / MAX (tensor_bytes, 1);

  return (guint) CLAMP (MIN (by_memory, by_binding), 2, DEFAULT_MAX_BATCH);
}

RanetNet *
ranet_net_new_batched (RanetVkDevice *dev, RanetModel *model, guint max_batch,
    GError **error)
{
  g_autoptr (RanetNet) net = NULL;
  const RanetGraph *graph;
  RanetTensorView v;
  g_autofree float *zero = NULL;
  RanetExitResult result;

  g_return_val_if_fail (dev != NULL && model != NULL, NULL);
  graph = ranet_model_get_graph (model);
  if (max_batch == 0)
    max_batch = ranet_net_default_max_batch (dev, graph);
  if (max_batch < 2 || max_batch > RANET_NET_MAX_BATCH) {
    g_set_error (error, RANET_NET_ERROR, RANET_NET_ERROR_BATCH,
        "a batch of %u items: expected 2 to %u", max_batch, RANET_NET_MAX_BATCH);
    return NULL;
  }
  net = ranet_net_new_internal (dev, model, max_batch, error);
  if (net == NULL)
    return NULL;

  /* as ranet_net_new(): the first dispatches belong to setting up */
  v = ranet_graph_get_input_view (graph);
  zero = g_new0 (float, (gsize) v.c * v.h * v.w);
  if (!ranet_net_set_batch_tensors (net, zero, 1, error))
    return NULL;
  for (guint k = 0; k < net->n_exits; k++) {
    guint item = 0;
    if (!ranet_net_run_batch_stage (net, k, k == 0 ? NULL : &item, 1, &result, error))
      return NULL;
  }
  return g_steal_pointer (&net);
}

guint
ranet_net_get_max_batch (RanetNet *net)
{
  g_return_val_if_fail (net != NULL, 0);
  return net->max_batch;
}

/* A new batch of @n items: none has run a stage. */
static gboolean
begin_batch (RanetNet *net, guint n, GError **error)
{
  if (n == 0 || n > net->max_batch) {
    g_set_error (error, RANET_NET_ERROR, RANET_NET_ERROR_BATCH,
        "a batch of %u items does not fit a net of %u", n, net->max_batch);
    return FALSE;
  }
  net->batch_size = n;
  memset (net->item_next_stage, 0, net->max_batch * sizeof (guint));
  return TRUE;
}

gboolean
ranet_net_set_batch_tensors (RanetNet *net, const float *inputs, guint n,
    GError **error)
{
  RanetTensorView v;

  g_return_val_if_fail (net != NULL && inputs != NULL, FALSE);
  g_return_val_if_fail (net->max_batch > 1, FALSE);
  if (!begin_batch (net, n, error))
    return FALSE;
  v = ranet_graph_get_input_view (net->graph);
  memcpy (ranet_vk_buffer_get_mapped (net->input_tensor), inputs,
      (gsize) n * v.c * v.h * v.w * sizeof (float));
  if (net->input != RANET_NET_INPUT_TENSOR) {
    net->input = RANET_NET_INPUT_TENSOR;
    return ranet_net_record_stage (net, 0, error);
  }
  return TRUE;
}

/* Every region lies inside the frame and is not empty. */
static gboolean
check_regions (const RanetFrameLayout *layout, const RanetRegion *regions, guint n,
    GError **error)
{
  for (guint i = 0; i < n; i++) {
    const RanetRegion *r = &regions[i];
    RanetRegion inside;

    /* clipping takes nothing off a region inside the frame */
    if (!ranet_region_clip (layout, r, &inside) || inside.width != r->width
        || inside.height != r->height) {
      g_set_error (error, RANET_NET_ERROR, RANET_NET_ERROR_BATCH,
          "region %u (%ux%u at %u,%u) is empty or not inside the %ux%u frame",
          i, r->width, r->height, r->x, r->y, layout->width, layout->height);
      return FALSE;
    }
  }
  return TRUE;
}

gboolean
ranet_net_set_batch_regions (RanetNet *net, const RanetFrameLayout *layout,
    RanetResizeMode mode, const RanetRegion *regions, guint n, GError **error)
{
  RanetPreprocessParams p;
  float *geometry;

  g_return_val_if_fail (net != NULL && layout != NULL && regions != NULL, FALSE);
  g_return_val_if_fail (net->max_batch > 1, FALSE);
  if (!ranet_frame_layout_check (layout, error) || !check_regions (layout, regions, n, error)
      || !begin_batch (net, n, error))
    return FALSE;
  if (net->input != RANET_NET_INPUT_REGIONS || net->preprocess == NULL
      || net->frame_mode != mode || !ranet_net_same_layout (&net->frame_layout, layout)) {
    if (!ranet_net_build_preprocess (net, layout, mode, error))
      return FALSE;
    net->input = RANET_NET_INPUT_REGIONS;
    if (!ranet_net_record_stage (net, 0, error))
      return FALSE;
  }

  ranet_preprocess_params_for_model (net->model, layout, mode, &p);
  p.out = ranet_tensor_view_batch (&p.out, net->max_batch);
  geometry = ranet_vk_buffer_get_mapped (net->geometry);
  for (guint i = 0; i < n; i++)
    ranet_preprocess_region_geometry (&p, &regions[i],
        geometry + (gsize) i * RANET_PREPROCESS_GEOMETRY_FLOATS);
  /* only the rows these regions read travel (ranet_net_write_frame_plane()) */
  for (guint i = 0; i < RANET_MAX_PLANES; i++)
    net->n_frame_rows[i] = ranet_preprocess_get_regions_plane_rows (&p, regions, n, i,
        net->frame_rows[i]);
  return TRUE;
}

/* Whether @items may run stage @stage now: distinct slots of the batch,
 * each having run the stage before. */
static gboolean
check_items (RanetNet *net, guint stage, const guint *items, guint n, GError **error)
{
  if (n == 0 || n > net->batch_size) {
    g_set_error (error, RANET_NET_ERROR, RANET_NET_ERROR_BATCH,
        "stage %u of %u items: the batch holds %u", stage, n, net->batch_size);
    return FALSE;
  }
  for (guint j = 0; j < n; j++) {
    guint item = stage == 0 ? j : items[j];

    if (item >= net->batch_size || net->item_next_stage[item] != stage) {
      g_set_error (error, RANET_NET_ERROR, RANET_NET_ERROR_STAGE_ORDER,
          "item %u cannot run stage %u now: the batch holds %u items%s", item, stage,
          net->batch_size, item < net->batch_size ? " and it is at another stage" : "");
      return FALSE;
    }
    /* a slot named twice would be written by two workgroups at once */
    net->item_next_stage[item] = G_MAXUINT;
  }
  return TRUE;
}

gboolean
ranet_net_run_batch_stage (RanetNet *net, guint stage, const guint *items, guint n,
    RanetExitResult *results, GError **error)
{
  guint32 *slots, *args;
  guint first, n_layers, n_all = ranet_graph_get_n_layers (net->graph);
  gint64 t0;
  gboolean ok;

  g_return_val_if_fail (net != NULL && results != NULL, FALSE);
  g_return_val_if_fail (net->max_batch > 1, FALSE);
  g_return_val_if_fail (stage == 0 || items != NULL, FALSE);
  if (stage >= net->n_exits) {
    g_set_error (error, RANET_NET_ERROR, RANET_NET_ERROR_STAGE_ORDER,
        "stage %u: the network has %u stages", stage, net->n_exits);
    return FALSE;
  }
  if (stage == 0)
    n = net->batch_size;
  if (!check_items (net, stage, items, n, error)) {
    /* the check marked some items as running; none ran */
    for (guint j = 0; j < net->batch_size; j++)
      if (net->item_next_stage[j] == G_MAXUINT)
        net->item_next_stage[j] = stage;
    return FALSE;
  }

  slots = ranet_vk_buffer_get_mapped (net->items);
  for (guint j = 0; j < n; j++)
    slots[j] = stage == 0 ? j : items[j];
  args = ranet_vk_buffer_get_mapped (net->dispatch_args);
  ranet_graph_get_stage_layers (net->graph, stage, &first, &n_layers);
  for (guint i = first; i < first + n_layers; i++)
    ranet_op_get_dispatch_args (net->ops[i], n, args + 3 * i);
  if (stage == 0)
    ranet_op_get_dispatch_args (net->input == RANET_NET_INPUT_TENSOR ? net->input_copy
        : net->preprocess, n, args + 3 * n_all);

  t0 = g_get_monotonic_time ();
  ok = ranet_vk_commands_submit (net->stages[stage], error);
  for (guint j = 0; j < n; j++) {
    guint item = slots[j];

    /* a failed stage ends the batch: nothing may follow it */
    net->item_next_stage[item] = ok ? stage + 1 : net->n_exits;
    if (!ok)
      continue;
    ranet_net_fill_result (net, stage, item, &results[j]);
    results[j].gpu_ns = ranet_vk_commands_get_elapsed_ns (net->stages[stage],
        RANET_NET_TS_START, RANET_NET_TS_END);
    results[j].wall_ns = (guint64) (g_get_monotonic_time () - t0) * 1000;
  }
  if (ok)
    net->stage_gpu_ns[stage] = results[0].gpu_ns;
  return ok;
}

gboolean
ranet_net_run_batch (RanetNet *net, const float *thresholds, guint max_exit,
    RanetExitResult *results, GError **error)
{
  g_autofree guint *active = NULL;
  g_autofree RanetExitResult *stage_results = NULL;
  guint last, n;

  g_return_val_if_fail (net != NULL && results != NULL, FALSE);
  g_return_val_if_fail (net->max_batch > 1, FALSE);
  last = MIN (max_exit, net->n_exits - 1);
  n = net->batch_size;
  active = g_new (guint, MAX (n, 1));
  stage_results = g_new0 (RanetExitResult, MAX (n, 1));
  for (guint j = 0; j < n; j++)
    active[j] = j;

  for (guint k = 0; k <= last && n > 0; k++) {
    guint still = 0;

    if (!ranet_net_run_batch_stage (net, k, active, n, stage_results, error))
      return FALSE;
    for (guint j = 0; j < n; j++) {
      guint item = active[j];
      guint64 before_gpu = k > 0 ? results[item].gpu_ns : 0;
      guint64 before_wall = k > 0 ? results[item].wall_ns : 0;

      results[item] = stage_results[j];
      /* an item's times are those of every stage it was part of */
      results[item].gpu_ns += before_gpu;
      results[item].wall_ns += before_wall;
      if (k < last && (thresholds == NULL || stage_results[j].confidence < thresholds[k]))
        active[still++] = item;
    }
    n = still;
  }
  return TRUE;
}

gboolean
ranet_net_read_batch_logits (RanetNet *net, guint item, guint exit_index,
    float *logits, GError **error)
{
  RanetTensorView v;

  g_return_val_if_fail (net != NULL && logits != NULL, FALSE);
  g_return_val_if_fail (net->max_batch > 1, FALSE);
  if (item >= net->batch_size || exit_index >= net->item_next_stage[item]) {
    g_set_error (error, RANET_NET_ERROR, RANET_NET_ERROR_NOT_COMPUTED,
        "exit %u of item %u was not computed by the last batch", exit_index, item);
    return FALSE;
  }
  v = ranet_graph_get_logits_view (net->graph, exit_index);
  v = ranet_tensor_view_batch (&v, net->max_batch);
  return ranet_vk_buffer_download (net->activations,
      (ranet_tensor_view_origin (&v) + item * v.item_stride) * sizeof (float), logits,
      (gsize) v.c * v.h * v.w * sizeof (float), error);
}
