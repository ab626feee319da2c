/* graph-build.c: the reference builder's modules, unrolled into layers.
 *
 * Functions follow the PyTorch modules of python/ranet/model.py one to one
 * (RAFirstLayer, ConvBasic, ConvBN, ConvNormal/_BlockNormal,
 * ConvUpNormal/_BlockUpNormal, ClassifierModule) and emit layers in the order
 * the reference forward() runs them, so stage boundaries and MAC counts match.
 *
 * While building, a view's base holds the index of its tensor in the builder's
 * tensor table and tensors only record the channels used so far: a dense
 * block keeps adding channels to its tensor, and a block without a transition
 * hands that same tensor to the next block. Offsets are assigned once every
 * tensor's final size is known, and the views are patched then.
 */
#include <math.h>

#include "graph/graph-private.h"
#include "graph/ranet-layer-kind.h"

/* The most weights a classifier's linear layer may have with its average
 * pool folded in (see emit_classifier()): 64 Ki floats, 256 KB. */
#define FOLD_AVGPOOL_MAX_WEIGHTS 65536u

typedef struct {
  guint c, h, w;
  gsize base;
} Tensor;

typedef struct {
  RanetGraph *g;
  const RanetConfig *cfg;
  GArray *tensors;      /* Tensor */
  GArray *stage_first;  /* guint: first layer of each stage */
  GArray *logits;       /* RanetTensorView, one per exit */
  guint stage;
} Builder;

/* Where the layers of one RanetConfig field combination go wrong, said in the
 * reference's terms. */
#define FAIL(code, ...) \
  G_STMT_START { \
    g_set_error (error, RANET_GRAPH_ERROR, (code), __VA_ARGS__); \
    return FALSE; \
  } G_STMT_END

static guint
conv_out (guint x, guint kernel, guint stride, guint pad)
{
  return (x + 2 * pad - kernel) / stride + 1;
}

static guint
new_tensor (Builder *b, guint h, guint w)
{
  Tensor t = { 0, h, w, 0 };

  g_array_append_val (b->tensors, t);
  return b->tensors->len - 1;
}

/* A view of channels [c_off, c_off + c) of tensor @t; the tensor grows to hold
 * them. Channel counts are checked by the callers against the config. */
static RanetTensorView
view (Builder *b, guint t, guint c_off, guint c)
{
  Tensor *x = &g_array_index (b->tensors, Tensor, t);
  RanetTensorView v = { c, x->h, x->w, c_off, 0, t };

  x->c = MAX (x->c, c_off + c);
  return v;
}

static guint
new_tensor_like (Builder *b, guint c, guint h, guint w, RanetTensorView *v)
{
  guint t = new_tensor (b, h, w);

  *v = view (b, t, 0, c);
  return t;
}

static const char *
intern (Builder *b, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static const char *
intern (Builder *b, const char *fmt, ...)
{
  va_list args;
  g_autofree char *s = NULL;

  va_start (args, fmt);
  s = g_strdup_vprintf (fmt, args);
  va_end (args);
  return g_string_chunk_insert_const (b->g->names, s);
}

static void
expect (Builder *b, const char *name, guint n_dims, guint d0, guint d1,
    guint d2, guint d3)
{
  RanetExpectedTensor e = { name, n_dims, { d0, d1, d2, d3 } };

  if (g_hash_table_contains (b->g->expected_idx, name))
    return;
  g_array_append_val (b->g->expected, e);
  g_hash_table_insert (b->g->expected_idx, (gpointer) name,
      GUINT_TO_POINTER (b->g->expected->len));
}

static const char *
expect_bn (Builder *b, const char *prefix, guint c)
{
  const char *p = intern (b, "%s", prefix);

  expect (b, intern (b, "%s.weight", p), 1, c, 0, 0, 0);
  expect (b, intern (b, "%s.bias", p), 1, c, 0, 0, 0);
  expect (b, intern (b, "%s.running_mean", p), 1, c, 0, 0, 0);
  expect (b, intern (b, "%s.running_var", p), 1, c, 0, 0, 0);
  return p;
}

static RanetLayer *
add_layer (Builder *b, RanetLayerKind kind, GError **error)
{
  RanetLayer l = { 0 };

  if (b->g->layers->len >= RANET_GRAPH_MAX_LAYERS) {
    g_set_error (error, RANET_GRAPH_ERROR, RANET_GRAPH_ERROR_TOO_LARGE,
        "the config (nBlocks %u, block_step %u, step %u) needs more than %u "
        "layers; expected fewer blocks or layers per block",
        b->cfg->nBlocks, b->cfg->block_step, b->cfg->step,
        RANET_GRAPH_MAX_LAYERS);
    return NULL;
  }
  l.kind = kind;
  l.stage = b->stage;
  g_array_append_val (b->g->layers, l);
  return &g_array_index (b->g->layers, RanetLayer, b->g->layers->len - 1);
}

/* A convolution followed by an optional folded BatchNorm and ReLU; 1x1
 * stride-1 convolutions become the matrix-product op. */
static gboolean
emit_conv (Builder *b, const RanetTensorView *in, const RanetTensorView *out,
    guint kernel, guint stride, guint pad, gboolean relu,
    const char *weight, const char *bias, const char *bn_after,
    GError **error)
{
  gboolean is_1x1 = kernel == 1 && stride == 1 && pad == 0;
  RanetLayer *l = add_layer (b, is_1x1 ? RANET_LAYER_CONV1X1 : RANET_LAYER_CONV2D,
      error);

  if (!l)
    return FALSE;
  if (is_1x1) {
    l->p.conv1x1.in = *in;
    l->p.conv1x1.out = *out;
    l->p.conv1x1.relu = relu;
  } else {
    l->p.conv2d.in = *in;
    l->p.conv2d.out = *out;
    l->p.conv2d.kh = l->p.conv2d.kw = kernel;
    l->p.conv2d.stride = stride;
    l->p.conv2d.pad_h = l->p.conv2d.pad_w = pad;
    l->p.conv2d.relu = relu;
  }
  l->weight = intern (b, "%s", weight);
  expect (b, l->weight, 4, out->c, in->c, kernel, kernel);
  if (bias) {
    l->bias = intern (b, "%s", bias);
    expect (b, l->bias, 1, out->c, 0, 0, 0);
  }
  if (bn_after)
    l->bn_after = expect_bn (b, bn_after, out->c);
  return TRUE;
}

/* ConvBasic: Conv2d (no bias), BatchNorm, ReLU as net.0, net.1, net.2. */
static gboolean
emit_conv_basic (Builder *b, const char *prefix, const RanetTensorView *in,
    const RanetTensorView *out, guint kernel, guint stride, guint pad,
    GError **error)
{
  g_autofree char *w = g_strdup_printf ("%s.net.0.weight", prefix);
  g_autofree char *bn = g_strdup_printf ("%s.net.1", prefix);

  return emit_conv (b, in, out, kernel, stride, pad, TRUE, w, NULL, bn, error);
}

static gboolean
emit_resize (Builder *b, const RanetTensorView *in, const RanetTensorView *out,
    GError **error)
{
  RanetLayer *l = add_layer (b, RANET_LAYER_RESIZE_BILINEAR, error);

  if (!l)
    return FALSE;
  l->p.resize.in = *in;
  l->p.resize.out = *out;
  return TRUE;
}

/* ConvBN: a 1x1 bottleneck to min (nIn, bnWidth * nOut) channels, then a 3x3
 * convolution. With bnAfter each convolution is followed by BN-ReLU; without,
 * each is preceded by BN-ReLU: the first BN becomes the 1x1's pre-activation,
 * the second folds into the 1x1's output (it comes right after it), and the 3x3
 * result stays raw. */
static gboolean
emit_conv_bn (Builder *b, const char *prefix, const RanetTensorView *in,
    const RanetTensorView *out, guint stride, guint bn_width, GError **error)
{
  guint inner = (guint) MIN ((guint64) in->c, (guint64) bn_width * out->c);
  RanetTensorView mid;
  g_autofree char *w1 = NULL, *w3 = NULL, *bn1 = NULL, *bn3 = NULL;

  new_tensor_like (b, inner, in->h, in->w, &mid);
  if (b->cfg->bnAfter) {
    w1 = g_strdup_printf ("%s.net.0.weight", prefix);
    bn1 = g_strdup_printf ("%s.net.1", prefix);
    w3 = g_strdup_printf ("%s.net.3.weight", prefix);
    bn3 = g_strdup_printf ("%s.net.4", prefix);
    return emit_conv (b, in, &mid, 1, 1, 0, TRUE, w1, NULL, bn1, error)
        && emit_conv (b, &mid, out, 3, stride, 1, TRUE, w3, NULL, bn3, error);
  } else {
    g_autofree char *pre = g_strdup_printf ("%s.net.0", prefix);
    RanetLayer *l;

    w1 = g_strdup_printf ("%s.net.2.weight", prefix);
    bn1 = g_strdup_printf ("%s.net.3", prefix);
    w3 = g_strdup_printf ("%s.net.5.weight", prefix);
    if (!emit_conv (b, in, &mid, 1, 1, 0, TRUE, w1, NULL, bn1, error))
      return FALSE;
    l = &g_array_index (b->g->layers, RanetLayer, b->g->layers->len - 1);
    l->p.conv1x1.pre_act = TRUE;
    l->bn_before = expect_bn (b, pre, in->c);
    return emit_conv (b, &mid, out, 3, stride, 1, FALSE, w3, NULL, NULL, error);
  }
}

/* A stride-1 ConvBN or 1x1 ConvBasic on @low whose result lands in @slot:
 * straight there when the sizes agree (align_corners resizing to the same size
 * is the identity), else through a temporary tensor and a resize. */
static gboolean
emit_fused_into (Builder *b, const char *prefix, gboolean basic_1x1,
    const RanetTensorView *low, const RanetTensorView *slot, guint bn_width,
    GError **error)
{
  RanetTensorView dst = *slot;
  gboolean resize = low->h != slot->h || low->w != slot->w;

  if (resize)
    new_tensor_like (b, slot->c, low->h, low->w, &dst);
  if (basic_1x1) {
    if (!emit_conv_basic (b, prefix, low, &dst, 1, 1, 0, error))
      return FALSE;
  } else if (!emit_conv_bn (b, prefix, low, &dst, 1, bn_width, error)) {
    return FALSE;
  }
  return !resize || emit_resize (b, &dst, slot, error);
}

static gboolean
check_channels (Builder *b, guint ii, guint block, guint64 c, GError **error)
{
  if (c <= RANET_GRAPH_MAX_CHANNELS)
    return TRUE;
  FAIL (RANET_GRAPH_ERROR_TOO_LARGE,
      "scale %u block %u would have %" G_GUINT64_FORMAT " channels; expected "
      "at most %u (lower nChannels, growthRate, grFactor[%u], step or nBlocks)",
      ii, block, c, RANET_GRAPH_MAX_CHANNELS, ii);
}

/* _BlockNormal: layer j reads channels [0, nIn + j*g) of the block tensor and
 * writes the next g channels. @lows gets the block's outputs: prefixes. */
static gboolean
emit_block_normal (Builder *b, const char *prefix, guint ii, guint block,
    guint t, guint *c, guint n_layers, guint growth, GArray *lows,
    GError **error)
{
  RanetTensorView v = view (b, t, 0, *c);

  if (!check_channels (b, ii, block, *c + (guint64) n_layers * growth, error))
    return FALSE;
  g_array_append_val (lows, v);
  for (guint j = 0; j < n_layers; j++) {
    g_autofree char *p = g_strdup_printf ("%s.layers.%u.conv_normal", prefix, j);
    RanetTensorView in = view (b, t, 0, *c);
    RanetTensorView out = view (b, t, *c, growth);

    if (!emit_conv_bn (b, p, &in, &out, 1, b->cfg->bnFactor[ii], error))
      return FALSE;
    *c += growth;
    v = view (b, t, 0, *c);
    g_array_append_val (lows, v);
  }
  return TRUE;
}

/* _BlockUpNormal: layer j's output is [cur, resize (conv_up (low_j)),
 * conv_normal (cur)]. cur stays where it is, except in a down-sampling last
 * layer, which starts a half-resolution tensor. conv_last's features, from
 * the lower scale's last output, end the block. */
static gboolean
emit_block_up (Builder *b, const char *prefix, guint ii, guint block,
    guint *t, guint *c, guint n_layers, guint growth, gboolean down,
    const GArray *low, GArray *lows, GError **error)
{
  const RanetConfig *cfg = b->cfg;
  guint n_up = (guint) floor (growth * cfg->compress_factor);
  guint64 n_end = *c + (guint64) n_layers * growth;
  guint n_last = (guint) floor ((double) MIN (n_end, G_MAXUINT) * cfg->compress_factor);
  RanetTensorView v = view (b, *t, 0, *c);

  if (n_up == 0 || n_up >= growth)
    FAIL (RANET_GRAPH_ERROR_INVALID_CONFIG,
        "config field compress_factor is %g: it gives %u of the %u new channels "
        "of each layer of scale %u to the lower scale; expected at least 1 and "
        "fewer than %u", cfg->compress_factor, n_up, growth, ii, growth);
  if (!check_channels (b, ii, block, n_end + n_last, error))
    return FALSE;
  if (n_last == 0)
    FAIL (RANET_GRAPH_ERROR_INVALID_CONFIG,
        "config field compress_factor is %g: block %u of scale %u gets 0 "
        "channels from the lower scale (%" G_GUINT64_FORMAT " x %g); "
        "expected at least 1", cfg->compress_factor, block, ii, n_end,
        cfg->compress_factor);
  g_assert (low->len == n_layers + 1);

  g_array_append_val (lows, v);
  for (guint j = 0; j < n_layers; j++) {
    gboolean down_here = down && j == n_layers - 1;
    const RanetTensorView *low_j = &g_array_index (low, RanetTensorView, j);
    g_autofree char *p_up = g_strdup_printf ("%s.layers.%u.conv_up", prefix, j);
    g_autofree char *p_normal = g_strdup_printf ("%s.layers.%u.conv_normal", prefix, j);
    RanetTensorView cur = view (b, *t, 0, *c);
    guint dst = *t;
    RanetTensorView up_slot, normal_slot;

    if (down_here) {
      const Tensor *x = &g_array_index (b->tensors, Tensor, *t);
      dst = new_tensor (b, conv_out (x->h, 3, 2, 1), conv_out (x->w, 3, 2, 1));
    }
    up_slot = view (b, dst, *c, n_up);
    normal_slot = view (b, dst, *c + n_up, growth - n_up);

    if (!emit_conv_bn (b, p_normal, &cur, &normal_slot, down_here ? 2 : 1,
            cfg->bnFactor[ii], error))
      return FALSE;
    if (down_here) {
      RanetTensorView cur_small = view (b, dst, 0, *c);

      if (!emit_resize (b, &cur, &cur_small, error))
        return FALSE;
    }
    if (!emit_fused_into (b, p_up, FALSE, low_j, &up_slot, cfg->bnFactor[ii - 1],
            error))
      return FALSE;
    *t = dst;
    *c += growth;
    v = view (b, *t, 0, *c);
    g_array_append_val (lows, v);
  }

  {
    g_autofree char *p_last = g_strdup_printf ("%s.conv_last", prefix);
    const RanetTensorView *low_last = &g_array_index (low, RanetTensorView, n_layers);
    RanetTensorView last_slot = view (b, *t, *c, n_last);

    if (!emit_fused_into (b, p_last, TRUE, low_last, &last_slot, 0, error))
      return FALSE;
    *c += n_last;
  }
  return TRUE;
}

/* ClassifierModule: two stride-2 ConvBasic, AvgPool2d (2), Linear; then the
 * softmax that ends the stage. */
static gboolean
emit_classifier (Builder *b, guint k, guint t, guint c, GError **error)
{
  const RanetConfig *cfg = b->cfg;
  guint hc = cfg->stem == RANET_STEM_CIFAR ? cfg->head_channels : c;
  RanetTensorView in = view (b, t, 0, c), v1, v2, v3, logits;
  guint h1 = conv_out (in.h, 3, 2, 1), w1 = conv_out (in.w, 3, 2, 1);
  guint h2 = conv_out (h1, 3, 2, 1), w2 = conv_out (w1, 3, 2, 1);
  g_autofree char *p0 = g_strdup_printf ("classifier.%u.m.0", k);
  g_autofree char *p1 = g_strdup_printf ("classifier.%u.m.1", k);
  RanetLayer *l;

  /* Linear (channels, classes) after flatten only fits a 1x1 pooled map. */
  if (h2 < 2 || w2 < 2 || h2 / 2 != 1 || w2 / 2 != 1)
    FAIL (RANET_GRAPH_ERROR_INVALID_CONFIG,
        "exit %u sees %ux%u features: its classifier (two stride-2 "
        "convolutions, then a 2x2 average pool) needs 5 to 12 pixels in each "
        "direction to end at 1x1; expected other input_h/input_w (%ux%u) or "
        "scale_list", k, in.h, in.w, cfg->input_h, cfg->input_w);

  new_tensor_like (b, hc, h1, w1, &v1);
  new_tensor_like (b, hc, h2, w2, &v2);
  new_tensor_like (b, cfg->num_classes, 1, 1, &logits);
  if (!emit_conv_basic (b, p0, &in, &v1, 3, 2, 1, error)
      || !emit_conv_basic (b, p1, &v1, &v2, 3, 2, 1, error))
    return FALSE;

  /* A small linear layer takes the 2x2 average pool into its weights, which
   * saves the pool's dispatch; a large one would read h2 x w2 times the
   * weights instead (ImageNet-style, 1000 classes: 2.8 M weights more per
   * exit, slower than the pool on lavapipe). */
  guint fold = (guint64) hc * h2 * w2 * cfg->num_classes <= FOLD_AVGPOOL_MAX_WEIGHTS ? 2 : 0;
  if (fold == 0) {
    new_tensor_like (b, hc, 1, 1, &v3);
    if (!(l = add_layer (b, RANET_LAYER_AVGPOOL2D, error)))
      return FALSE;
    l->p.pool.in = v2;
    l->p.pool.out = v3;
    l->p.pool.kind = RANET_POOL_AVG;
    l->p.pool.kernel = l->p.pool.stride = 2;
  }
  if (!(l = add_layer (b, RANET_LAYER_LINEAR, error)))
    return FALSE;
  l->p.linear.in = fold ? v2 : v3;
  l->p.linear.out = logits;
  l->folded_avgpool = fold;
  l->weight = intern (b, "classifier.%u.linear.weight", k);
  l->bias = intern (b, "classifier.%u.linear.bias", k);
  expect (b, l->weight, 2, cfg->num_classes, hc, 0, 0);
  expect (b, l->bias, 1, cfg->num_classes, 0, 0, 0);
  g_array_append_val (b->logits, logits);

  if (!(l = add_layer (b, RANET_LAYER_SOFTMAX, error)))
    return FALSE;
  l->p.softmax.in = logits;
  l->p.softmax.out_base = (gsize) k * RANET_SOFTMAX_OUT_SIZE (cfg->num_classes);

  b->stage++;
  g_array_append_val (b->stage_first, b->g->layers->len);
  return TRUE;
}

/* RAFirstLayer: from the highest scale down, each scale's base features,
 * written straight into the tensor of that scale's first block. */
static gboolean
emit_first_layer (Builder *b, guint *scale_in, GError **error)
{
  const RanetConfig *cfg = b->cfg;
  guint n = cfg->n_scales, top = n - 1;
  guint h = cfg->input_h, w = cfg->input_w;
  RanetTensorView in = view (b, 0, 0, cfg->in_channels), out;

  for (guint i = 0; i < n; i++) {
    guint ii = top - i;
    guint64 c = (guint64) cfg->nChannels * cfg->grFactor[ii];

    if (c > RANET_GRAPH_MAX_CHANNELS)
      FAIL (RANET_GRAPH_ERROR_TOO_LARGE,
          "config fields nChannels (%u) x grFactor[%u] (%u) give %"
          G_GUINT64_FORMAT " channels; expected at most %u",
          cfg->nChannels, ii, cfg->grFactor[ii], c, RANET_GRAPH_MAX_CHANNELS);
    if (i == 0 && cfg->stem == RANET_STEM_IMAGENET) {
      RanetTensorView conv;
      RanetLayer *l;
      guint hc = conv_out (h, 7, 2, 3), wc = conv_out (w, 7, 2, 3);

      new_tensor_like (b, (guint) c, hc, wc, &conv);
      if (!emit_conv (b, &in, &conv, 7, 2, 3, TRUE, "FirstLayer.layers.0.0.weight",
              "FirstLayer.layers.0.0.bias", "FirstLayer.layers.0.1", error))
        return FALSE;
      h = conv_out (hc, 3, 2, 1);
      w = conv_out (wc, 3, 2, 1);
      scale_in[ii] = new_tensor_like (b, (guint) c, h, w, &out);
      if (!(l = add_layer (b, RANET_LAYER_MAXPOOL2D, error)))
        return FALSE;
      l->p.pool.in = conv;
      l->p.pool.out = out;
      l->p.pool.kind = RANET_POOL_MAX;
      l->p.pool.kernel = 3;
      l->p.pool.stride = 2;
      l->p.pool.pad = 1;
    } else {
      guint stride = i > 0 && cfg->scale_list[ii] != cfg->scale_list[ii + 1] ? 2 : 1;
      g_autofree char *p = g_strdup_printf ("FirstLayer.layers.%u", i);

      h = conv_out (h, 3, stride, 1);
      w = conv_out (w, 3, stride, 1);
      scale_in[ii] = new_tensor_like (b, (guint) c, h, w, &out);
      if (!emit_conv_basic (b, p, &in, &out, 3, stride, 1, error))
        return FALSE;
    }
    in = out;
  }
  return TRUE;
}

static void
free_lows (gpointer p)
{
  g_array_unref (p);
}

/* The scale flows in forward order; block_plan() of the reference, inlined. */
static gboolean
emit_scale_flows (Builder *b, const guint *scale_in, GError **error)
{
  const RanetConfig *cfg = b->cfg;
  guint n = cfg->n_scales;
  guint n_blocks[RANET_MAX_SCALES + 1] = { 0 };
  g_autoptr (GArray) steps = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr (GPtrArray) prev_lows = NULL;
  guint k = 0;

  for (guint ii = 0; ii < n; ii++)
    n_blocks[ii + 1] = cfg->block_step * ii + cfg->nBlocks;
  g_array_append_val (steps, cfg->step);

  for (guint ii = 0; ii < n; ii++) {
    guint s = cfg->scale_list[ii];
    guint64 growth = (guint64) cfg->growthRate * cfg->grFactor[ii];
    guint t = scale_in[ii];
    guint c = cfg->nChannels * cfg->grFactor[ii];
    g_autoptr (GPtrArray) lows = g_ptr_array_new_with_free_func (free_lows);

    if (growth > RANET_GRAPH_MAX_CHANNELS)
      FAIL (RANET_GRAPH_ERROR_TOO_LARGE,
          "config fields growthRate (%u) x grFactor[%u] (%u) give a growth of %"
          G_GUINT64_FORMAT " channels per layer; expected at most %u",
          cfg->growthRate, ii, cfg->grFactor[ii], growth, RANET_GRAPH_MAX_CHANNELS);

    for (guint nb = 1; nb <= n_blocks[ii + 1]; nb++) {
      guint i = nb - 1;
      guint n_layers = g_array_index (steps, guint, i);
      gboolean trans = FALSE;
      g_autofree char *prefix = g_strdup_printf ("scale_flows.%u.%u", ii, i);
      GArray *block_lows = g_array_new (FALSE, FALSE, sizeof (RanetTensorView));

      g_ptr_array_add (lows, block_lows);
      for (guint q = 0; q + 1 < s; q++)
        trans = trans || nb == (guint) (((guint64) (q + 1) * n_blocks[ii + 1]) / s);

      if (nb > n_blocks[ii]) {
        guint last = g_array_index (steps, guint, steps->len - 1);
        guint next = cfg->stepmode == RANET_STEPMODE_EVEN ? cfg->step : last + cfg->step;

        g_array_append_val (steps, next);
        if (!emit_block_normal (b, prefix, ii, i, t, &c, n_layers, (guint) growth,
                block_lows, error))
          return FALSE;
      } else {
        /* nBlocks[:ii+1][-(s-1):], where a slice start of -0 takes the whole
         * list and one beyond its length does too. */
        guint len = ii + 1, from = s - 1 == 0 || s - 1 >= len ? 0 : len - (s - 1);
        gboolean down = FALSE;

        for (guint q = from; q < len; q++)
          down = down || nb == n_blocks[q];
        if (!emit_block_up (b, prefix, ii, i, &t, &c, n_layers, (guint) growth,
                down, g_ptr_array_index (prev_lows, i), block_lows, error))
          return FALSE;
      }

      if (trans) {
        guint n_out = (guint) floor (cfg->reduction * c);
        g_autofree char *p = g_strdup_printf ("%s.trans", prefix);
        const Tensor *x = &g_array_index (b->tensors, Tensor, t);
        RanetTensorView in = view (b, t, 0, c), out;

        if (n_out == 0)
          FAIL (RANET_GRAPH_ERROR_INVALID_CONFIG,
              "config field reduction is %g: the transition after block %u of "
              "scale %u would keep 0 of %u channels; expected at least 1",
              cfg->reduction, i, ii, c);
        t = new_tensor_like (b, n_out, x->h, x->w, &out);
        if (!emit_conv_basic (b, p, &in, &out, 1, 1, 0, error))
          return FALSE;
        c = n_out;
      }

      if (nb > n_blocks[ii] && !emit_classifier (b, k++, t, c, error))
        return FALSE;
    }
    g_clear_pointer (&prev_lows, g_ptr_array_unref);
    prev_lows = g_steal_pointer (&lows);
  }
  return TRUE;
}

static void
patch_view (const Tensor *tensors, RanetTensorView *v)
{
  const Tensor *t = &tensors[v->base];

  v->base = t->base;
  v->c_total = t->c;
}

static void
patch_layer (const Tensor *tensors, RanetLayer *l)
{
  const RanetLayerKindInfo *info = ranet_layer_kind_get_info (l->kind);
  RanetTensorView *out = ranet_layer_view_at (l, info->out_view);

  patch_view (tensors, ranet_layer_view_at (l, info->in_view));
  if (out != NULL)
    patch_view (tensors, out);
}

/* Gives every tensor its place, then replaces tensor indices by offsets. */
static gboolean
place_tensors (Builder *b, GError **error)
{
  RanetGraph *g = b->g;
  Tensor *tensors = (Tensor *) (void *) b->tensors->data;
  guint64 total = 0;

  for (guint i = 0; i < b->tensors->len; i++) {
    Tensor *t = &tensors[i];

    tensors[i].base = (gsize) total;
    total += ((guint64) t->c * t->h * t->w + RANET_GRAPH_TENSOR_ALIGN - 1)
        / RANET_GRAPH_TENSOR_ALIGN * RANET_GRAPH_TENSOR_ALIGN;
    if (total > RANET_GRAPH_MAX_ACTIVATION_FLOATS)
      FAIL (RANET_GRAPH_ERROR_TOO_LARGE,
          "the network's activations need more than %" G_GSIZE_FORMAT " floats "
          "(1 GiB); expected a smaller input_h/input_w (%ux%u), nChannels or "
          "growthRate", RANET_GRAPH_MAX_ACTIVATION_FLOATS,
          b->cfg->input_h, b->cfg->input_w);
  }
  g->activation_size = (gsize) total;

  for (guint i = 0; i < g->layers->len; i++)
    patch_layer (tensors, &g_array_index (g->layers, RanetLayer, i));
  patch_view (tensors, &g->input);
  g->n_exits = b->logits->len;
  g->logits = g_new (RanetTensorView, g->n_exits);
  for (guint k = 0; k < g->n_exits; k++) {
    g->logits[k] = g_array_index (b->logits, RanetTensorView, k);
    patch_view (tensors, &g->logits[k]);
  }
  return TRUE;
}

gboolean
ranet_graph_build (RanetGraph *g, GError **error)
{
  g_autoptr (GArray) tensors = g_array_new (FALSE, FALSE, sizeof (Tensor));
  g_autoptr (GArray) stage_first = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr (GArray) logits = g_array_new (FALSE, FALSE, sizeof (RanetTensorView));
  Builder b = { g, &g->cfg, tensors, stage_first, logits, 0 };
  guint scale_in[RANET_MAX_SCALES];
  guint zero = 0;
  guint64 macs = 0;

  g_array_append_val (stage_first, zero);
  new_tensor (&b, g->cfg.input_h, g->cfg.input_w);
  g->input = view (&b, 0, 0, g->cfg.in_channels);

  if (!emit_first_layer (&b, scale_in, error)
      || !emit_scale_flows (&b, scale_in, error)
      || !place_tensors (&b, error))
    return FALSE;

  g->results_size = (gsize) g->n_exits * RANET_SOFTMAX_OUT_SIZE (g->cfg.num_classes);
  g->stage_first = (guint *) (void *) g_array_steal (stage_first, NULL);
  g->exit_macs = g_new0 (guint64, g->n_exits);
  for (guint i = 0; i < g->layers->len; i++) {
    RanetLayer *l = &g_array_index (g->layers, RanetLayer, i);
    const RanetLayerKindInfo *info = ranet_layer_kind_get_info (l->kind);

    /* counted once the views are placed and the pools folded */
    l->macs = info->macs != NULL ? info->macs (l) : 0;
    macs += l->macs;
    if (l->kind == RANET_LAYER_SOFTMAX)
      g->exit_macs[l->stage] = macs;
  }
  return TRUE;
}
