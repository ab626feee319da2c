/* ranet-graph.h: a RANet as a flat list of layers, built from its config.
 *
 * The graph mirrors the reference PyTorch builder (python/ranet/model.py): the
 * same modules in the same forward order, the same channel arithmetic, the same
 * state_dict names. Every layer is one op of ranet-ops.h with its views already
 * placed in a single activation buffer, so running a stage is walking its
 * layers in order. Dense concatenation costs nothing: a dense block owns one
 * tensor and each layer writes its new channels straight into their slice;
 * a block without a transition layer simply keeps growing the same tensor, so
 * the next block's input is already in place.
 *
 * Stage k holds everything exit k needs that earlier stages have not computed,
 * in the reference forward order: the first layer of every scale is in stage 0,
 * and each stage ends with its classifier's linear layer and a softmax that
 * writes RANET_SOFTMAX_OUT_SIZE (num_classes) floats into a small results
 * buffer.
 */
#pragma once

#include <glib.h>

#include "graph/ranet-config.h"
#include "ops/ranet-ops.h"

G_BEGIN_DECLS

/**
 * RANET_GRAPH_ERROR:
 *
 * Error domain of graph building and running. Errors in this domain are from
 * the #RanetGraphError enumeration.
 */
#define RANET_GRAPH_ERROR (ranet_graph_error_quark ())
GQuark ranet_graph_error_quark (void);

/**
 * RanetGraphError:
 * @RANET_GRAPH_ERROR_INVALID_CONFIG: a config field is out of range or the
 *   network it describes cannot be built (a spatial size or a channel count
 *   reaching 0, a classifier whose pooled map is not 1x1)
 * @RANET_GRAPH_ERROR_TOO_LARGE: the network would exceed a size limit
 *   (channels, layers or activation memory)
 * @RANET_GRAPH_ERROR_WEIGHTS: weights for a layer are missing or malformed
 *
 * Ways building or running a graph can fail.
 */
typedef enum {
  RANET_GRAPH_ERROR_INVALID_CONFIG,
  RANET_GRAPH_ERROR_TOO_LARGE,
  RANET_GRAPH_ERROR_WEIGHTS,
} RanetGraphError;

/**
 * RANET_GRAPH_MAX_CHANNELS:
 *
 * The largest channel count of any tensor a graph accepts.
 */
#define RANET_GRAPH_MAX_CHANNELS 65536

/**
 * RANET_GRAPH_MAX_ACTIVATION_FLOATS:
 *
 * The largest activation buffer a graph accepts, in floats (1 GiB).
 */
#define RANET_GRAPH_MAX_ACTIVATION_FLOATS ((gsize) 1 << 28)

/**
 * RANET_GRAPH_TENSOR_ALIGN:
 *
 * Tensors start at multiples of this many floats (64 bytes): cheap, and every
 * tensor then suits vector loads.
 */
#define RANET_GRAPH_TENSOR_ALIGN 16

/**
 * RANET_GRAPH_MAX_LAYERS:
 *
 * The largest number of layers a graph accepts.
 */
#define RANET_GRAPH_MAX_LAYERS 100000

/**
 * RanetLayerKind:
 * @RANET_LAYER_CONV2D: a #RanetConv2dParams convolution
 * @RANET_LAYER_CONV1X1: a #RanetConv1x1Params convolution
 * @RANET_LAYER_RESIZE_BILINEAR: a #RanetResizeParams resize
 * @RANET_LAYER_MAXPOOL2D: a #RanetPool2dParams max pooling
 * @RANET_LAYER_AVGPOOL2D: a #RanetPool2dParams average pooling
 * @RANET_LAYER_LINEAR: a #RanetLinearParams fully connected layer (the logits)
 * @RANET_LAYER_SOFTMAX: a #RanetSoftmaxParams softmax into the results buffer
 * @RANET_LAYER_COPY: a #RanetCopyParams channel copy
 * @RANET_LAYER_N_KINDS: the number of kinds, not a kind
 *
 * What a layer computes; it says which member of #RanetLayer.p is valid.
 * Each kind is one row of the table in ranet-layer-kind.h.
 */
typedef enum {
  RANET_LAYER_CONV2D,
  RANET_LAYER_CONV1X1,
  RANET_LAYER_RESIZE_BILINEAR,
  RANET_LAYER_MAXPOOL2D,
  RANET_LAYER_AVGPOOL2D,
  RANET_LAYER_LINEAR,
  RANET_LAYER_SOFTMAX,
  RANET_LAYER_COPY,
  RANET_LAYER_N_KINDS,
} RanetLayerKind;

/**
 * RanetLayer:
 * @kind: what the layer computes
 * @stage: the exit whose stage the layer belongs to
 * @p: the op parameters; views carry their final offsets in the activation
 *   buffer (the softmax's out_base is in the results buffer)
 * @weight: (nullable): state_dict name of the convolution or linear weight
 * @bias: (nullable): state_dict name of the convolution bias (ImageNet stem
 *   only) or the linear bias
 * @bn_after: (nullable): state_dict prefix of the BatchNorm that follows the
 *   convolution and is folded into it (tensors PREFIX.weight, .bias,
 *   .running_mean, .running_var)
 * @bn_before: (nullable): state_dict prefix of the BatchNorm (+ ReLU) in front
 *   of a 1x1 convolution; it becomes the op's pre_act scale and shift
 * @macs: multiply-adds of one run (convolutions and linear layers only), as
 *   the model defines the layer
 * @folded_avgpool: for a linear layer, the kernel (and stride) of the
 *   average pool in front of it that is folded into its weights, 0 for none:
 *   the layer reads the pool's input, its weights are spread over the pooled
 *   windows and divided by their size (ranet_layer_fold_weights()), which
 *   saves the pool's dispatch
 *
 * One op of the network. Names point into the graph and live as long as it.
 */
typedef struct {
  RanetLayerKind kind;
  guint stage;
  union {
    RanetConv2dParams conv2d;
    RanetConv1x1Params conv1x1;
    RanetResizeParams resize;
    RanetPool2dParams pool;
    RanetLinearParams linear;
    RanetSoftmaxParams softmax;
    RanetCopyParams copy;
  } p;
  const char *weight;
  const char *bias;
  const char *bn_after;
  const char *bn_before;
  guint64 macs;
  guint folded_avgpool;
} RanetLayer;

/**
 * RanetExpectedTensor:
 * @name: state_dict name
 * @n_dims: number of dimensions (1, 2 or 4)
 * @dims: the shape; entries past @n_dims are 0
 *
 * A tensor the model file must hold.
 */
typedef struct {
  const char *name;
  guint n_dims;
  guint dims[4];
} RanetExpectedTensor;

/**
 * RanetGraph:
 *
 * The layers, tensor layout and expected weights of one RANet configuration.
 * Immutable once built.
 */
typedef struct _RanetGraph RanetGraph;

/**
 * ranet_graph_new:
 * @cfg: the network's hyper-parameters; copied
 * @error: return location for a #GError
 *
 * Builds the network @cfg describes. A config the reference builder would
 * reject, or one that would build an absurdly large network, gives an error
 * in %RANET_GRAPH_ERROR whose message names the field, the value found and
 * what is expected.
 *
 * Returns: (transfer full): the graph, or %NULL with @error set.
 */
RanetGraph *ranet_graph_new (const RanetConfig *cfg, GError **error);

/**
 * ranet_graph_free:
 * @g: (nullable): a graph
 */
void ranet_graph_free (RanetGraph *g);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RanetGraph, ranet_graph_free)

/**
 * ranet_graph_get_config:
 * @g: the graph
 *
 * Returns: (transfer none): the config the graph was built from.
 */
const RanetConfig *ranet_graph_get_config (const RanetGraph *g);

/**
 * ranet_graph_get_n_exits:
 * @g: the graph
 *
 * Returns: the number of exits (classifiers), at least 1; also the number of
 *   stages.
 */
guint ranet_graph_get_n_exits (const RanetGraph *g);

/**
 * ranet_graph_get_n_layers:
 * @g: the graph
 *
 * Returns: the number of layers.
 */
guint ranet_graph_get_n_layers (const RanetGraph *g);

/**
 * ranet_graph_get_layer:
 * @g: the graph
 * @index: a layer index below ranet_graph_get_n_layers()
 *
 * Layers come in execution order, stage after stage.
 *
 * Returns: (transfer none): the layer.
 */
const RanetLayer *ranet_graph_get_layer (const RanetGraph *g, guint index);

/**
 * ranet_graph_get_stage_layers:
 * @g: the graph
 * @stage: an exit index
 * @first: (out): index of the stage's first layer
 * @n_layers: (out): number of layers of the stage, the last two being the
 *   exit's linear layer and its softmax
 */
void ranet_graph_get_stage_layers (const RanetGraph *g, guint stage,
    guint *first, guint *n_layers);

/**
 * ranet_graph_get_activation_size:
 * @g: the graph
 *
 * Every tensor has its own place in one activation buffer (no reuse), each
 * starting at a multiple of 16 floats.
 *
 * Returns: the size of the activation buffer, in floats.
 */
gsize ranet_graph_get_activation_size (const RanetGraph *g);

/**
 * ranet_graph_get_input_view:
 * @g: the graph
 *
 * Returns: the view of the network input (in_channels x input_h x input_w,
 *   normalised) inside the activation buffer.
 */
RanetTensorView ranet_graph_get_input_view (const RanetGraph *g);

/**
 * ranet_graph_get_logits_view:
 * @g: the graph
 * @exit_index: an exit
 *
 * Returns: the view, in the activation buffer, of the num_classes logits of
 *   exit @exit_index (c = num_classes, h = w = 1).
 */
RanetTensorView ranet_graph_get_logits_view (const RanetGraph *g,
    guint exit_index);

/**
 * ranet_graph_get_results_size:
 * @g: the graph
 *
 * Returns: the size of the results buffer the softmax layers write, in
 *   floats.
 */
gsize ranet_graph_get_results_size (const RanetGraph *g);

/**
 * ranet_graph_get_result_offset:
 * @g: the graph
 * @exit_index: an exit
 *
 * Returns: where exit @exit_index's softmax writes its
 *   RANET_SOFTMAX_OUT_SIZE (num_classes) floats in the results buffer.
 */
gsize ranet_graph_get_result_offset (const RanetGraph *g, guint exit_index);

/**
 * ranet_tensor_view_batch:
 * @v: a view of a graph's activation buffer
 * @n_items: the batch size, at least 2
 *
 * A batch keeps each tensor's @n_items copies side by side, one padded
 * tensor size apart, from @n_items times the tensor's offset: tensors stay
 * disjoint and contiguous in an activation buffer @n_items times one item's.
 *
 * Returns: @v for a batch of @n_items (its n_items and item_stride set).
 */
RanetTensorView ranet_tensor_view_batch (const RanetTensorView *v, guint n_items);

/**
 * ranet_layer_batch:
 * @g: the graph of @layer
 * @layer: (inout): a copy of one of its layers
 * @n_items: the batch size, at least 2
 *
 * Makes @layer's views those of a batch (ranet_tensor_view_batch()); a
 * softmax writes each item's results one ranet_graph_get_results_size()
 * apart.
 */
void ranet_layer_batch (const RanetGraph *g, RanetLayer *layer, guint n_items);

/**
 * ranet_graph_get_batch_max_tensor:
 * @g: the graph
 *
 * Returns: the largest padded tensor (one item's copy) a layer binds, in
 *   floats: a batch's bindings span that many times the batch size.
 */
gsize ranet_graph_get_batch_max_tensor (const RanetGraph *g);

/**
 * ranet_graph_get_exit_macs:
 * @g: the graph
 * @exit_index: an exit
 *
 * Counted as the reference's exit_macs(): out_elements * in_c * kh * kw per
 * convolution, in * out per linear layer, nothing for resizing and pooling.
 *
 * Returns: the multiply-adds of stages 0 to @exit_index together.
 */
guint64 ranet_graph_get_exit_macs (const RanetGraph *g, guint exit_index);

/**
 * ranet_graph_get_expected_tensors:
 * @g: the graph
 * @n_tensors: (out): length of the returned array
 *
 * Exactly the state_dict tensors a model file for this config holds: every
 * convolution weight and bias, every BatchNorm's weight, bias, running_mean
 * and running_var, every linear weight and bias (no num_batches_tracked).
 * Names are unique; the order is that of first use.
 *
 * Returns: (transfer none) (array length=n_tensors): the tensors.
 */
const RanetExpectedTensor *ranet_graph_get_expected_tensors (
    const RanetGraph *g, guint *n_tensors);

/**
 * ranet_graph_lookup_expected_tensor:
 * @g: the graph
 * @name: a state_dict name
 *
 * Returns: (transfer none) (nullable): the expected tensor called @name, or
 *   %NULL when the model has no such tensor.
 */
const RanetExpectedTensor *ranet_graph_lookup_expected_tensor (
    const RanetGraph *g, const char *name);

/**
 * ranet_graph_dump:
 * @g: the graph
 *
 * Returns: (transfer full): a human-readable listing of every layer with its
 *   stage, shapes, offsets and weight names.
 */
char *ranet_graph_dump (const RanetGraph *g);

/**
 * ranet_layer_kind_to_string:
 * @kind: a layer kind
 *
 * Returns: the kind's name as ranet_op_get_name() spells it.
 */
const char *ranet_layer_kind_to_string (RanetLayerKind kind);

/**
 * ranet_layer_get_views:
 * @layer: a layer
 * @in: (out): the view it reads
 * @out: (out) (nullable): the view it writes, or %NULL for a softmax, which
 *   writes its results (#RANET_SOFTMAX_OUT_SIZE floats at out_base) outside
 *   the activations
 */
void ranet_layer_get_views (const RanetLayer *layer, const RanetTensorView **in,
    const RanetTensorView **out);

/**
 * RanetLayerWeights:
 * @weight: (nullable): PyTorch-layout weights with BatchNorm folded in
 * @bias: (nullable): per-output bias with BatchNorm folded in; %NULL for zeros
 * @pre_scale: (nullable): pre-activation scale (1x1 convolutions with
 *   bn_before)
 * @pre_shift: (nullable): pre-activation shift
 *
 * The folded weights of one layer, as the ops take them. Owns its arrays.
 */
typedef struct {
  float *weight;
  float *bias;
  float *pre_scale;
  float *pre_shift;
} RanetLayerWeights;

/**
 * ranet_layer_weights_free:
 * @w: (nullable): weights from ranet_layer_fold_weights()
 */
void ranet_layer_weights_free (RanetLayerWeights *w);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RanetLayerWeights, ranet_layer_weights_free)

/**
 * RanetWeightFn:
 * @g: the graph
 * @layer_index: a layer that has weights (a convolution or a linear layer)
 * @user_data: the data given with the function
 * @error: return location for a #GError
 *
 * Gives a layer's folded weights, for example from ranet_layer_fold_weights().
 *
 * Returns: (transfer none) (nullable): the weights, valid until the call that
 *   asked for them returns; %NULL with @error set on failure.
 */
typedef const RanetLayerWeights *(*RanetWeightFn) (const RanetGraph *g,
    guint layer_index, gpointer user_data, GError **error);

/**
 * ranet_graph_run_reference:
 * @g: the graph
 * @input: the network input, in_channels x input_h x input_w floats in CHW
 *   order, already normalised
 * @get_weights: gives each layer's folded weights
 * @user_data: passed to @get_weights
 * @activations: ranet_graph_get_activation_size() floats
 * @results: ranet_graph_get_results_size() floats
 * @error: return location for a #GError
 *
 * Runs every stage with the scalar reference ops (ranet-ref.h) on the CPU:
 * the definition a device run is compared with.
 *
 * Returns: %TRUE on success; %FALSE with @error set when @get_weights failed.
 */
gboolean ranet_graph_run_reference (const RanetGraph *g, const float *input,
    RanetWeightFn get_weights, gpointer user_data, float *activations,
    float *results, GError **error);

G_END_DECLS
