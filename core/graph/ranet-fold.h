/* ranet-fold.h: BatchNorm folding, as inference needs it.
 *
 * A trained model stores each BatchNorm as PyTorch keeps it (gamma, beta,
 * running mean, running variance). At inference a BatchNorm right after a
 * convolution is an affine map per output channel, so it folds into the
 * convolution's weights and bias; one in front of a convolution (the
 * pre-activation order) becomes a per-input-channel scale and shift applied
 * before the ReLU.
 */
#pragma once

#include <glib.h>

#include "graph/ranet-graph.h"

G_BEGIN_DECLS

/**
 * RANET_BN_EPS:
 *
 * The epsilon of every BatchNorm layer of a RANet (PyTorch's default).
 */
#define RANET_BN_EPS 1e-5

/**
 * ranet_fold_bn_into_conv:
 * @weight: (inout): [out_c][weights_per_out] convolution weights, scaled in
 *   place
 * @bias: (out caller-allocates): out_c folded biases
 * @conv_bias: (nullable): the convolution's own bias, or %NULL for none
 * @out_c: output channels
 * @weights_per_out: weights per output channel (in_c * kh * kw)
 * @gamma: BatchNorm weight [out_c]
 * @beta: BatchNorm bias [out_c]
 * @mean: BatchNorm running mean [out_c]
 * @var: BatchNorm running variance [out_c]
 * @eps: BatchNorm epsilon, normally %RANET_BN_EPS
 *
 * With s = gamma / sqrt (var + eps): w' = w * s and
 * b' = beta + (b - mean) * s, computed in double.
 */
void ranet_fold_bn_into_conv (float *weight, float *bias,
    const float *conv_bias, guint out_c, gsize weights_per_out,
    const float *gamma, const float *beta, const float *mean,
    const float *var, double eps);

/**
 * ranet_fold_bn_preact:
 * @scale: (out caller-allocates): n_channels scales
 * @shift: (out caller-allocates): n_channels shifts
 * @n_channels: channels of the BatchNorm
 * @gamma: BatchNorm weight
 * @beta: BatchNorm bias
 * @mean: BatchNorm running mean
 * @var: BatchNorm running variance
 * @eps: BatchNorm epsilon, normally %RANET_BN_EPS
 *
 * scale = gamma / sqrt (var + eps), shift = beta - mean * scale: the
 * BatchNorm as x * scale + shift.
 */
void ranet_fold_bn_preact (float *scale, float *shift, guint n_channels,
    const float *gamma, const float *beta, const float *mean,
    const float *var, double eps);

/**
 * ranet_fold_avgpool_into_linear:
 * @weight: out_c x in->c weights of a linear layer that reads the pooled map
 * @out_c: its outputs
 * @in: the pool's input map, which the pool reduces to 1x1
 * @kernel: the pool's kernel (= stride; floor mode: its one window is the
 *   top-left @kernel x @kernel pixels)
 *
 * The weights of the same linear layer reading the pool's input instead:
 * each weight spread over its channel's window and divided by the window's
 * size, zero outside it. The result equals pooling first up to rounding.
 *
 * Returns: (transfer full): out_c x (in->c x in->h x in->w) weights.
 */
float *ranet_fold_avgpool_into_linear (const float *weight, guint out_c,
    const RanetTensorView *in, guint kernel);

/**
 * RanetTensorLookupFn:
 * @name: a state_dict name
 * @n_floats: the number of floats the graph expects it to hold
 * @user_data: the data given with the function
 * @error: return location for a #GError
 *
 * Returns: (transfer none) (nullable): the tensor's float32 data, valid while
 *   the caller runs; %NULL with @error set when it is missing or of another
 *   size.
 */
typedef const float *(*RanetTensorLookupFn) (const char *name,
    gsize n_floats, gpointer user_data, GError **error);

/**
 * ranet_layer_fold_weights:
 * @g: the graph
 * @layer_index: a layer
 * @lookup: gives the stored tensors by name
 * @user_data: passed to @lookup
 * @error: return location for a #GError
 *
 * Gathers a layer's tensors (its weight, bias and BatchNorms) and folds them
 * into what the layer's op takes. A layer without weights gives an empty
 * #RanetLayerWeights.
 *
 * Returns: (transfer full): the folded weights, or %NULL with @error set.
 */
RanetLayerWeights *ranet_layer_fold_weights (const RanetGraph *g,
    guint layer_index, RanetTensorLookupFn lookup, gpointer user_data,
    GError **error);

G_END_DECLS
