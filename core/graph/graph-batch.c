/* graph-batch.c: a graph's views for a batch of items.
 *
 * A batch keeps each tensor's copies side by side: the tensor that one item
 * keeps at floats [base, base + size) becomes n copies from base * n, each
 * its padded size apart. Tensors stay disjoint and each stays contiguous, so
 * an op of a batch binds its own tensors' copies and nothing else, and the
 * recording still overlaps dispatches that touch different tensors. The
 * batch's activation buffer is n times one item's. */
#include "graph/graph-private.h"
#include "graph/ranet-layer-kind.h"

RanetTensorView
ranet_tensor_view_batch (const RanetTensorView *v, guint n_items)
{
  RanetTensorView b = *v;
  gsize size = (gsize) v->c_total * v->h * v->w;

  b.base = v->base * n_items;
  b.n_items = n_items;
  b.item_stride = (size + RANET_GRAPH_TENSOR_ALIGN - 1) / RANET_GRAPH_TENSOR_ALIGN
      * RANET_GRAPH_TENSOR_ALIGN;
  return b;
}

void
ranet_layer_batch (const RanetGraph *g, RanetLayer *layer, guint n_items)
{
  const RanetLayerKindInfo *info = ranet_layer_kind_get_info (layer->kind);
  RanetTensorView *in = ranet_layer_view_at (layer, info->in_view);
  RanetTensorView *out = ranet_layer_view_at (layer, info->out_view);

  *in = ranet_tensor_view_batch (in, n_items);
  if (out != NULL)
    *out = ranet_tensor_view_batch (out, n_items);
  if (ranet_layer_writes_results (layer))
    layer->p.softmax.out_item_stride = ranet_graph_get_results_size (g);
}

gsize
ranet_graph_get_batch_max_tensor (const RanetGraph *g)
{
  gsize largest = 0;

  for (guint i = 0; i < ranet_graph_get_n_layers (g); i++) {
    RanetLayer layer = *ranet_graph_get_layer (g, i);
    const RanetLayerKindInfo *info = ranet_layer_kind_get_info (layer.kind);
    RanetTensorView *in = ranet_layer_view_at (&layer, info->in_view);
    RanetTensorView *out = ranet_layer_view_at (&layer, info->out_view);

    largest = MAX (largest, ranet_tensor_view_batch (in, 2).item_stride);
    if (out != NULL)
      largest = MAX (largest, ranet_tensor_view_batch (out, 2).item_stride);
  }
  return largest;
}
