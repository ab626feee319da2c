/* graph-fold.c: BatchNorm folding and the folded weights of a layer. */
#include <math.h>
#include <string.h>

#include "graph/graph-private.h"
#include "graph/ranet-fold.h"

void
ranet_fold_bn_into_conv (float *weight, float *bias, const float *conv_bias,
    guint out_c, gsize weights_per_out, const float *gamma, const float *beta,
    const float *mean, const float *var, double eps)
{
  for (guint o = 0; o < out_c; o++) {
    double s = gamma[o] / sqrt ((double) var[o] + eps);
    double b = conv_bias ? conv_bias[o] : 0.0;
    float *w = weight + o * weights_per_out;

    for (gsize i = 0; i < weights_per_out; i++)
      w[i] = (float) (w[i] * s);
    bias[o] = (float) (beta[o] + (b - mean[o]) * s);
  }
}

void
ranet_fold_bn_preact (float *scale, float *shift, guint n_channels,
    const float *gamma, const float *beta, const float *mean,
    const float *var, double eps)
{
  for (guint c = 0; c < n_channels; c++) {
    double s = gamma[c] / sqrt ((double) var[c] + eps);

    scale[c] = (float) s;
    shift[c] = (float) (beta[c] - mean[c] * s);
  }
}

float *
ranet_fold_avgpool_into_linear (const float *weight, guint out_c, const RanetTensorView *in,
    guint kernel)
{
  guint hw = in->h * in->w;
  float *spread = g_new0 (float, (gsize) out_c * in->c * hw);
  /* the pool's one output window: the top-left kernel x kernel pixels (a
   * floor-mode pool over a map smaller than two windows) */
  guint kh = MIN (kernel, in->h), kw = MIN (kernel, in->w);
  float scale = 1.0f / (float) (kernel * kernel);

  for (guint o = 0; o < out_c; o++)
    for (guint c = 0; c < in->c; c++) {
      float v = weight[(gsize) o * in->c + c] * scale;
      float *dst = spread + ((gsize) o * in->c + c) * hw;

      for (guint y = 0; y < kh; y++)
        for (guint x = 0; x < kw; x++)
          dst[y * in->w + x] = v;
    }
  return spread;
}

void
ranet_layer_weights_free (RanetLayerWeights *w)
{
  if (!w)
    return;
  g_free (w->weight);
  g_free (w->bias);
  g_free (w->pre_scale);
  g_free (w->pre_shift);
  g_free (w);
}

static gsize
n_floats (const RanetExpectedTensor *e)
{
  gsize n = 1;

  for (guint d = 0; d < e->n_dims; d++)
    n *= e->dims[d];
  return n;
}

/* The tensor @name with the size the graph expects, from @lookup. */
static const float *
get (const RanetGraph *g, const char *name, gsize *n, RanetTensorLookupFn lookup,
    gpointer user_data, GError **error)
{
  const RanetExpectedTensor *e = ranet_graph_lookup_expected_tensor (g, name);
  const float *data;
  GError *local = NULL;

  g_assert (e != NULL);
  *n = n_floats (e);
  data = lookup (name, *n, user_data, &local);
  if (!data) {
    if (local)
      g_propagate_error (error, local);
    else
      g_set_error (error, RANET_GRAPH_ERROR, RANET_GRAPH_ERROR_WEIGHTS,
          "tensor %s (%" G_GSIZE_FORMAT " floats) is missing", name, *n);
  }
  return data;
}

typedef struct {
  const float *gamma, *beta, *mean, *var;
  gsize n;
} Bn;

static gboolean
get_bn (const RanetGraph *g, const char *prefix, Bn *bn,
    RanetTensorLookupFn lookup, gpointer user_data, GError **error)
{
  g_autofree char *w = g_strconcat (prefix, ".weight", NULL);
  g_autofree char *b = g_strconcat (prefix, ".bias", NULL);
  g_autofree char *m = g_strconcat (prefix, ".running_mean", NULL);
  g_autofree char *v = g_strconcat (prefix, ".running_var", NULL);

  return (bn->gamma = get (g, w, &bn->n, lookup, user_data, error))
      && (bn->beta = get (g, b, &bn->n, lookup, user_data, error))
      && (bn->mean = get (g, m, &bn->n, lookup, user_data, error))
      && (bn->var = get (g, v, &bn->n, lookup, user_data, error));
}

RanetLayerWeights *
ranet_layer_fold_weights (const RanetGraph *g, guint layer_index,
    RanetTensorLookupFn lookup, gpointer user_data, GError **error)
{
  const RanetLayer *l = ranet_graph_get_layer (g, layer_index);
  g_autoptr (RanetLayerWeights) w = g_new0 (RanetLayerWeights, 1);
  const float *data;
  gsize n_w, n_b;

  g_return_val_if_fail (l != NULL, NULL);
  if (!l->weight)
    return g_steal_pointer (&w);

  if (!(data = get (g, l->weight, &n_w, lookup, user_data, error)))
    return NULL;
  w->weight = g_memdup2 (data, n_w * sizeof (float));
  if (l->bias) {
    if (!(data = get (g, l->bias, &n_b, lookup, user_data, error)))
      return NULL;
    w->bias = g_memdup2 (data, n_b * sizeof (float));
  }
  if (l->bn_after) {
    Bn bn;
    g_autofree float *conv_bias = g_steal_pointer (&w->bias);

    if (!get_bn (g, l->bn_after, &bn, lookup, user_data, error))
      return NULL;
    w->bias = g_new (float, bn.n);
    ranet_fold_bn_into_conv (w->weight, w->bias, conv_bias, bn.n, n_w / bn.n,
        bn.gamma, bn.beta, bn.mean, bn.var, RANET_BN_EPS);
  }
  if (l->kind == RANET_LAYER_LINEAR && l->folded_avgpool > 0) {
    float *spread = ranet_fold_avgpool_into_linear (w->weight, l->p.linear.out.c,
        &l->p.linear.in, l->folded_avgpool);
    g_free (w->weight);
    w->weight = spread;
  }
  if (l->bn_before) {
    Bn bn;

    if (!get_bn (g, l->bn_before, &bn, lookup, user_data, error))
      return NULL;
    w->pre_scale = g_new (float, bn.n);
    w->pre_shift = g_new (float, bn.n);
    ranet_fold_bn_preact (w->pre_scale, w->pre_shift, bn.n, bn.gamma, bn.beta,
        bn.mean, bn.var, RANET_BN_EPS);
  }
  return g_steal_pointer (&w);
}
