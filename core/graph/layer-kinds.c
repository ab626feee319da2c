/* layer-kinds.c: the table of layer kinds (ranet-layer-kind.h).
 *
 * Each kind's functions adapt a #RanetLayer to its op (ops/ranet-ops.h) and
 * its reference (ref/ranet-ref.h); the table at the end holds one row per
 * kind. */
#include "graph/ranet-layer-kind.h"
#include "ref/ranet-ref.h"

#define VIEW(member) offsetof (RanetLayer, p.member)

/* ---- conv2d ---- */

static guint64
conv2d_macs (const RanetLayer *l)
{
  const RanetConv2dParams *p = &l->p.conv2d;
  return (guint64) p->out.c * p->out.h * p->out.w * p->in.c * p->kh * p->kw;
}

static void
conv2d_weight_sizes (const RanetLayer *l, RanetLayerWeightSizes *sizes)
{
  const RanetConv2dParams *p = &l->p.conv2d;
  *sizes = (RanetLayerWeightSizes) { (gsize) p->out.c * p->in.c * p->kh * p->kw, p->out.c, 0 };
}

static gsize
conv2d_packed_size (const RanetLayer *l)
{
  return ranet_op_conv2d_packed_weight_size (&l->p.conv2d);
}

static void
conv2d_pack (const RanetLayer *l, const RanetLayerWeights *w, float *packed)
{
  ranet_op_conv2d_pack_weights (&l->p.conv2d, w->weight, w->bias, packed);
}

static RanetOp *
conv2d_new (RanetVkDevice *dev, const RanetLayer *l, gsize weights_offset, GError **error)
{
  return ranet_op_conv2d_new (dev, &l->p.conv2d, weights_offset, error);
}

static void
conv2d_reference (const RanetLayer *l, const RanetLayerWeights *w, const float *in, float *out)
{
  ranet_ref_conv2d (&l->p.conv2d, in, w->weight, w->bias, out);
}

static void
conv2d_describe (const RanetLayer *l, GString *s)
{
  const RanetConv2dParams *p = &l->p.conv2d;
  g_string_append_printf (s, " k%u s%u p%u%s", p->kh, p->stride, p->pad_h,
      p->relu ? " relu" : "");
}

/* Convolutions by kernel and stride: their cost per multiply-add differs. */
static char *
conv2d_bench_category (const RanetLayer *l)
{
  const RanetConv2dParams *p = &l->p.conv2d;
  return g_strdup_printf ("conv%ux%u/s%u", p->kh, p->kw, p->stride);
}

/* ---- conv1x1 ---- */

static guint64
conv1x1_macs (const RanetLayer *l)
{
  const RanetConv1x1Params *p = &l->p.conv1x1;
  return (guint64) p->out.c * p->out.h * p->out.w * p->in.c;
}

static void
conv1x1_weight_sizes (const RanetLayer *l, RanetLayerWeightSizes *sizes)
{
  const RanetConv1x1Params *p = &l->p.conv1x1;
  *sizes = (RanetLayerWeightSizes) { (gsize) p->out.c * p->in.c, p->out.c,
    p->pre_act ? p->in.c : 0 };
}

static gsize
conv1x1_packed_size (const RanetLayer *l)
{
  return ranet_op_conv1x1_packed_weight_size (&l->p.conv1x1);
}

static void
conv1x1_pack (const RanetLayer *l, const RanetLayerWeights *w, float *packed)
{
  ranet_op_conv1x1_pack_weights (&l->p.conv1x1, w->weight, w->bias, w->pre_scale,
      w->pre_shift, packed);
}

static RanetOp *
conv1x1_new (RanetVkDevice *dev, const RanetLayer *l, gsize weights_offset, GError **error)
{
  return ranet_op_conv1x1_new (dev, &l->p.conv1x1, weights_offset, error);
}

static void
conv1x1_reference (const RanetLayer *l, const RanetLayerWeights *w, const float *in, float *out)
{
  ranet_ref_conv1x1 (&l->p.conv1x1, in, w->weight, w->bias, w->pre_scale, w->pre_shift, out);
}

static void
conv1x1_describe (const RanetLayer *l, GString *s)
{
  g_string_append_printf (s, "%s%s", l->p.conv1x1.pre_act ? " pre_act" : "",
      l->p.conv1x1.relu ? " relu" : "");
}

/* ---- linear ---- */

/* A folded average pool reduces each input channel to one feature first, as
 * the model's linear layer sees them. */
static guint64
linear_macs (const RanetLayer *l)
{
  const RanetLinearParams *p = &l->p.linear;
  guint64 features = (guint64) p->in.c * (l->folded_avgpool > 0 ? 1 : p->in.h * p->in.w);
  return features * p->out.c;
}

static void
linear_weight_sizes (const RanetLayer *l, RanetLayerWeightSizes *sizes)
{
  const RanetLinearParams *p = &l->p.linear;
  *sizes = (RanetLayerWeightSizes) { (gsize) p->out.c * p->in.c * p->in.h * p->in.w,
    p->out.c, 0 };
}

static gsize
linear_packed_size (const RanetLayer *l)
{
  return ranet_op_linear_packed_weight_size (&l->p.linear);
}

static void
linear_pack (const RanetLayer *l, const RanetLayerWeights *w, float *packed)
{
  ranet_op_linear_pack_weights (&l->p.linear, w->weight, w->bias, packed);
}

static RanetOp *
linear_new (RanetVkDevice *dev, const RanetLayer *l, gsize weights_offset, GError **error)
{
  return ranet_op_linear_new (dev, &l->p.linear, weights_offset, error);
}

static void
linear_reference (const RanetLayer *l, const RanetLayerWeights *w, const float *in, float *out)
{
  ranet_ref_linear (&l->p.linear, in, w->weight, w->bias, out);
}

static void
linear_describe (const RanetLayer *l, GString *s)
{
  if (l->folded_avgpool > 0)
    g_string_append_printf (s, " (avgpool k%u folded in)", l->folded_avgpool);
}

/* ---- resize_bilinear ---- */

static RanetOp *
resize_new (RanetVkDevice *dev, const RanetLayer *l, gsize weights_offset, GError **error)
{
  return ranet_op_resize_bilinear_new (dev, &l->p.resize, error);
}

static void
resize_reference (const RanetLayer *l, const RanetLayerWeights *w, const float *in, float *out)
{
  ranet_ref_resize_bilinear (&l->p.resize, in, out);
}

/* ---- maxpool2d and avgpool2d: one op, its kind in the parameters ---- */

static RanetOp *
pool_new (RanetVkDevice *dev, const RanetLayer *l, gsize weights_offset, GError **error)
{
  return ranet_op_pool2d_new (dev, &l->p.pool, error);
}

static void
pool_reference (const RanetLayer *l, const RanetLayerWeights *w, const float *in, float *out)
{
  ranet_ref_pool2d (&l->p.pool, in, out);
}

static void
pool_describe (const RanetLayer *l, GString *s)
{
  g_string_append_printf (s, " k%u s%u p%u", l->p.pool.kernel, l->p.pool.stride, l->p.pool.pad);
}

/* ---- softmax ---- */

static void
softmax_results (const RanetLayer *l, gsize *first, gsize *n)
{
  const RanetTensorView *in = &l->p.softmax.in;

  *first = l->p.softmax.out_base;
  *n = RANET_SOFTMAX_OUT_SIZE ((gsize) in->c * in->h * in->w);
}

static RanetOp *
softmax_new (RanetVkDevice *dev, const RanetLayer *l, gsize weights_offset, GError **error)
{
  return ranet_op_softmax_new (dev, &l->p.softmax, error);
}

static void
softmax_reference (const RanetLayer *l, const RanetLayerWeights *w, const float *in, float *out)
{
  ranet_ref_softmax (&l->p.softmax, in, out);
}

/* ---- copy ---- */

static RanetOp *
copy_new (RanetVkDevice *dev, const RanetLayer *l, gsize weights_offset, GError **error)
{
  return ranet_op_copy_new (dev, &l->p.copy, error);
}

static void
copy_reference (const RanetLayer *l, const RanetLayerWeights *w, const float *in, float *out)
{
  ranet_ref_copy (&l->p.copy, in, out);
}

/* ---- the table ---- */

static const RanetLayerKindInfo layer_kinds[] = {
  [RANET_LAYER_CONV2D] = {
    .name = "conv2d", .in_view = VIEW (conv2d.in), .out_view = VIEW (conv2d.out),
    .variants = RANET_LAYER_TEXEL_INPUT | RANET_LAYER_WEIGHT_SHARING,
    .macs = conv2d_macs, .weight_sizes = conv2d_weight_sizes,
    .packed_size = conv2d_packed_size, .pack = conv2d_pack, .new_op = conv2d_new,
    .reference = conv2d_reference, .describe = conv2d_describe,
    .bench_category_of = conv2d_bench_category,
  },
  [RANET_LAYER_CONV1X1] = {
    .name = "conv1x1", .in_view = VIEW (conv1x1.in), .out_view = VIEW (conv1x1.out),
    .variants = RANET_LAYER_TEXEL_INPUT | RANET_LAYER_WEIGHT_SHARING,
    .macs = conv1x1_macs, .weight_sizes = conv1x1_weight_sizes,
    .packed_size = conv1x1_packed_size, .pack = conv1x1_pack, .new_op = conv1x1_new,
    .reference = conv1x1_reference, .describe = conv1x1_describe,
    .bench_category = "conv1x1",
  },
  [RANET_LAYER_RESIZE_BILINEAR] = {
    .name = "resize_bilinear", .in_view = VIEW (resize.in), .out_view = VIEW (resize.out),
    .variants = RANET_LAYER_TEXEL_INPUT,
    .new_op = resize_new, .reference = resize_reference,
    .bench_category = "resize",
  },
  [RANET_LAYER_MAXPOOL2D] = {
    .name = "maxpool2d", .in_view = VIEW (pool.in), .out_view = VIEW (pool.out),
    .new_op = pool_new, .reference = pool_reference, .describe = pool_describe,
    .bench_category = "maxpool",
  },
  [RANET_LAYER_AVGPOOL2D] = {
    .name = "avgpool2d", .in_view = VIEW (pool.in), .out_view = VIEW (pool.out),
    .new_op = pool_new, .reference = pool_reference, .describe = pool_describe,
    .bench_category = "avgpool",
  },
  [RANET_LAYER_LINEAR] = {
    .name = "linear", .in_view = VIEW (linear.in), .out_view = VIEW (linear.out),
    .variants = RANET_LAYER_TEXEL_INPUT | RANET_LAYER_WEIGHT_SHARING,
    .macs = linear_macs, .weight_sizes = linear_weight_sizes,
    .packed_size = linear_packed_size, .pack = linear_pack, .new_op = linear_new,
    .reference = linear_reference, .describe = linear_describe,
    .bench_category = "linear",
  },
  [RANET_LAYER_SOFTMAX] = {
    .name = "softmax", .in_view = VIEW (softmax.in), .out_view = RANET_LAYER_NO_VIEW,
    .results = softmax_results,
    .new_op = softmax_new, .reference = softmax_reference,
    .bench_category = "softmax",
  },
  [RANET_LAYER_COPY] = {
    .name = "copy", .in_view = VIEW (copy.in), .out_view = VIEW (copy.out),
    .new_op = copy_new, .reference = copy_reference,
    .bench_category = "copy",
  },
};

G_STATIC_ASSERT (G_N_ELEMENTS (layer_kinds) == RANET_LAYER_N_KINDS);

const RanetLayerKindInfo *
ranet_layer_kind_get_info (RanetLayerKind kind)
{
  g_return_val_if_fail ((guint) kind < RANET_LAYER_N_KINDS, NULL);
  return &layer_kinds[kind];
}

const char *
ranet_layer_kind_to_string (RanetLayerKind kind)
{
  return (guint) kind < RANET_LAYER_N_KINDS ? layer_kinds[kind].name : "unknown";
}

void
ranet_layer_get_views (const RanetLayer *layer, const RanetTensorView **in,
    const RanetTensorView **out)
{
  const RanetLayerKindInfo *info = &layer_kinds[layer->kind];

  *in = ranet_layer_view_at ((RanetLayer *) layer, info->in_view);
  *out = ranet_layer_view_at ((RanetLayer *) layer, info->out_view);
}

gboolean
ranet_layer_writes_results (const RanetLayer *layer)
{
  return layer_kinds[layer->kind].out_view == RANET_LAYER_NO_VIEW;
}

char *
ranet_layer_get_bench_category (const RanetLayer *layer)
{
  const RanetLayerKindInfo *info = &layer_kinds[layer->kind];

  return info->bench_category_of != NULL ? info->bench_category_of (layer)
      : g_strdup (info->bench_category);
}

gsize
ranet_layer_get_packed_size (const RanetLayer *layer)
{
  const RanetLayerKindInfo *info = &layer_kinds[layer->kind];

  return info->packed_size != NULL ? info->packed_size (layer) : 0;
}
