/* net-fuse.c: runs of a net's layers recorded as one op. Each layer keeps
 * its own op (profiling and batches use them); a run's op replaces them in
 * the stage and frame recordings (net-record.c).
 *
 * Why: on lavapipe every dispatch wakes the driver's worker threads, 40-130
 * us on this machine, while most layers of a small model hold a few
 * microseconds of work (docs/PERFORMANCE.md, changes 20-23). What is
 * fused:
 *
 * - the end of each exit's classifier: its last convolution, the linear
 *   layer and the softmax (ranet_op_classifier_new()), three dispatches in
 *   one;
 * - each ConvBN pair: a 1x1 convolution into a bottleneck and the 3x3
 *   convolution of it (ranet_op_bottleneck_new()), two in one, and three
 *   where a bilinear resize of the pair's result follows (RANet's
 *   upsampling of a small scale's features into a larger one's).
 *
 * A run is fused only where its intermediate tensors are read by no layer
 * outside it, since the fused op keeps them in the workgroup's memory; and
 * by default only where it is small (FUSE_MAX_MACS). */
#include "net/net-private.h"

#include "graph/ranet-layer-kind.h"

/* The most multiply-adds of a run fused by default. A fused op runs where
 * the layers' own ops are tuned for larger work (more workgroups, register
 * blocking over more pixels): measured on lavapipe, ConvBN pairs of 0.3M
 * multiply-adds ran 10-20% faster fused, pairs of 0.66-1.1M 5-8% slower, and
 * the ImageNet-style model, whose pairs are mostly far larger, 20% slower
 * with every run fused (docs/PERFORMANCE.md, changes 20-23). */
#define FUSE_MAX_MACS 512000

/* Whether the device's options ask for fused runs in @net: never in a batch
 * (its items already fill the device, and its ops are batched ones). */
static gboolean
wants_fusion (RanetNet *net)
{
  RanetVkFusion opt = ranet_vk_device_get_options (net->dev)->fused_layers;

  if (net->max_batch > 1 || opt == RANET_VK_FUSION_OFF)
    return FALSE;
  return opt == RANET_VK_FUSION_ON || ranet_vk_device_is_cpu (net->dev);
}

/* Whether the run of @n layers from @first is small enough to fuse under
 * the device's options: any size where they say always. */
static gboolean
small_enough (RanetNet *net, guint first, guint n)
{
  guint64 macs = 0;

  if (ranet_vk_device_get_options (net->dev)->fused_layers == RANET_VK_FUSION_ON)
    return TRUE;
  for (guint i = first; i < first + n; i++)
    macs += ranet_graph_get_layer (net->graph, i)->macs;
  return macs <= FUSE_MAX_MACS;
}

/* Whether a layer outside [@first, @first + @n) reads the tensor of @v. */
static gboolean
read_outside (RanetNet *net, const RanetTensorView *v, guint first, guint n)
{
  for (guint i = 0; i < ranet_graph_get_n_layers (net->graph); i++) {
    RanetLayer layer = *ranet_graph_get_layer (net->graph, i);
    const RanetTensorView *in = ranet_layer_view_at (&layer,
        ranet_layer_kind_get_info (layer.kind)->in_view);

    if ((i < first || i >= first + n) && in->base == v->base)
      return TRUE;
  }
  return FALSE;
}

/* The classifier run ending stage @k: its last three layers, where they
 * are a convolution, a linear layer and a softmax that one op can run. */
static gboolean
classifier_run (RanetNet *net, guint k, guint *first, RanetClassifierParams *p)
{
  guint stage_first, n;
  const RanetLayer *conv, *linear, *softmax;

  ranet_graph_get_stage_layers (net->graph, k, &stage_first, &n);
  if (n < 3)
    return FALSE;
  *first = stage_first + n - 3;
  conv = ranet_graph_get_layer (net->graph, *first);
  linear = ranet_graph_get_layer (net->graph, *first + 1);
  softmax = ranet_graph_get_layer (net->graph, *first + 2);
  if (conv->kind != RANET_LAYER_CONV2D || linear->kind != RANET_LAYER_LINEAR
      || softmax->kind != RANET_LAYER_SOFTMAX
      || net->layer_chunk[*first] != net->layer_chunk[*first + 1])
    return FALSE;
  *p = (RanetClassifierParams) {
    .conv = conv->p.conv2d, .linear = linear->p.linear, .softmax = softmax->p.softmax,
  };
  return ranet_op_classifier_supported (p) && small_enough (net, *first, 3)
      && !read_outside (net, &p->conv.out, *first, 3)
      && !read_outside (net, &p->linear.out, *first, 3);
}

/* Field by field: a struct's padding may differ between equal views. */
static gboolean
views_equal (const RanetTensorView *a, const RanetTensorView *b)
{
  return a->c == b->c && a->h == b->h && a->w == b->w && a->c_offset == b->c_offset
      && a->c_total == b->c_total && a->base == b->base && a->n_items == b->n_items
      && a->item_stride == b->item_stride;
}

/* Whether @p's pair, layers @first and @first + 1, can take in the resize
 * that follows it: one of its whole output in the same stage, that output
 * read by nothing else, the three small enough and the op able to. Sets
 * @p's resize if so. */
static gboolean
take_resize (RanetNet *net, guint first, RanetBottleneckParams *p)
{
  const RanetLayer *conv, *resize;
  RanetBottleneckParams with = *p;

  if (first + 2 >= ranet_graph_get_n_layers (net->graph) || net->fused_layers[first + 2] != 0)
    return FALSE;
  conv = ranet_graph_get_layer (net->graph, first + 1);
  resize = ranet_graph_get_layer (net->graph, first + 2);
  if (resize->kind != RANET_LAYER_RESIZE_BILINEAR || resize->stage != conv->stage
      || !views_equal (&resize->p.resize.in, &p->conv.out))
    return FALSE;
  with.resize = TRUE;
  with.resize_p = resize->p.resize;
  if (!ranet_op_bottleneck_supported (net->dev, &with) || !small_enough (net, first, 3)
      || read_outside (net, &p->conv.out, first, 3))
    return FALSE;
  *p = with;
  return TRUE;
}

/* The ConvBN pair from layer @first: a 1x1 convolution and a convolution
 * of its whole output, in one stage, the bottleneck read by nothing else;
 * with the resize after it where take_resize() allows. */
static gboolean
bottleneck_run (RanetNet *net, guint first, RanetBottleneckParams *p)
{
  const RanetLayer *reduce, *conv;

  if (first + 1 >= ranet_graph_get_n_layers (net->graph))
    return FALSE;
  reduce = ranet_graph_get_layer (net->graph, first);
  conv = ranet_graph_get_layer (net->graph, first + 1);
  if (reduce->kind != RANET_LAYER_CONV1X1 || conv->kind != RANET_LAYER_CONV2D
      || reduce->stage != conv->stage
      || net->layer_chunk[first] != net->layer_chunk[first + 1])
    return FALSE;
  *p = (RanetBottleneckParams) { .reduce = reduce->p.conv1x1, .conv = conv->p.conv2d };
  if (!views_equal (&p->reduce.out, &p->conv.in)
      || p->reduce.out.c_offset != 0 || p->reduce.out.c != p->reduce.out.c_total
      || read_outside (net, &p->reduce.out, first, 2))
    return FALSE;
  if (take_resize (net, first, p))
    return TRUE;
  return ranet_op_bottleneck_supported (net->dev, p) && small_enough (net, first, 2);
}

gboolean
ranet_net_build_fusions (RanetNet *net, const gsize *offsets, GError **error)
{
  guint n_layers = ranet_graph_get_n_layers (net->graph);

  if (!wants_fusion (net))
    return TRUE;
  net->fused = g_new0 (RanetOp *, n_layers);
  net->fused_decide = g_new0 (RanetOp *, n_layers);
  net->fused_layers = g_new0 (guint, n_layers);
  net->fused_kind = g_new0 (RanetNetFusedKind, n_layers);
  for (guint k = 0; k < net->n_exits; k++) {
    RanetClassifierParams p;
    guint first;

    if (!classifier_run (net, k, &first, &p))
      continue;
    net->fused[first] = ranet_op_classifier_new (net->dev, &p, offsets[first],
        offsets[first + 1], error);
    /* the one-submission frame ends every stage but the last deciding */
    if (net->fused[first] != NULL && net->decide != NULL && k + 1 < net->n_exits)
      net->fused_decide[first] = ranet_op_classifier_decide_new (net->dev, &p,
          offsets[first], offsets[first + 1], k, net->n_exits, error);
    if (net->fused[first] == NULL
        || (net->decide != NULL && k + 1 < net->n_exits && net->fused_decide[first] == NULL)) {
      g_prefix_error (error, "exit %u: ", k);
      return FALSE;
    }
    net->fused_layers[first] = 3;
    net->fused_kind[first] = RANET_NET_FUSED_CLASSIFIER;
  }
  for (guint i = 0; i + 1 < n_layers; i++) {
    RanetBottleneckParams p;
    guint n;

    /* a layer belongs to one run at most */
    if (net->fused_layers[i] != 0 || net->fused_layers[i + 1] != 0
        || !bottleneck_run (net, i, &p))
      continue;
    n = p.resize ? 3 : 2;
    net->fused[i] = ranet_op_bottleneck_new (net->dev, &p, offsets[i], offsets[i + 1], error);
    if (net->fused[i] == NULL) {
      g_prefix_error (error, "layers %u-%u: ", i, i + n - 1);
      return FALSE;
    }
    net->fused_layers[i] = n;
    net->fused_kind[i] = RANET_NET_FUSED_BOTTLENECK;
    i += n - 1;
  }
  return TRUE;
}

void
ranet_net_fusions_clear (RanetNet *net)
{
  for (guint i = 0; net->fused != NULL && i < ranet_graph_get_n_layers (net->graph); i++) {
    g_clear_pointer (&net->fused[i], ranet_op_free);
    g_clear_pointer (&net->fused_decide[i], ranet_op_free);
  }
  g_clear_pointer (&net->fused, g_free);
  g_clear_pointer (&net->fused_decide, g_free);
  g_clear_pointer (&net->fused_layers, g_free);
  g_clear_pointer (&net->fused_kind, g_free);
}

void
ranet_net_record_fused (RanetNet *net, RanetVkCommands *cmds, guint first, gboolean decide)
{
  RanetVkBuffer *weights = net->weights[net->layer_chunk[first]];
  RanetVkBuffer *buffers[] = {
    net->activations, weights, net->activations, net->results, net->control,
  };
  RanetOp *op = decide ? net->fused_decide[first] : net->fused[first];

  /* a bottleneck binds as a convolution; a classifier adds the results */
  if (net->fused_kind[first] == RANET_NET_FUSED_BOTTLENECK)
    ranet_op_record (op, cmds, net->activations, weights, net->activations);
  else
    ranet_op_record_buffers (op, cmds, buffers, decide ? 5 : 4);
}
