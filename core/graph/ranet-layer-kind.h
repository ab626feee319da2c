/* ranet-layer-kind.h: every kind of layer, described once.
 *
 * A RanetLayerKind is a row of one table: its name, where its views sit in a
 * #RanetLayer, what it costs, how its weights are packed, how its op is made
 * on a device and how the scalar reference (ref/ranet-ref.h) runs it. The
 * graph (building, dumping, the reference run), the net (weights and ops)
 * and the tools index this table instead of switching over kinds, so a new
 * kind is its op, its reference function and one row (docs/ADDING-AN-OP.md).
 *
 * The table lives with the graph because a row calls both the ops and the
 * references, which must not depend on each other's users.
 */
#pragma once

#include <stddef.h>

#include "graph/ranet-graph.h"

G_BEGIN_DECLS

/* RanetLayerKindInfo.out_view of kinds that write the results buffer instead
 * of a view (offset 0 of a #RanetLayer is its kind, never a view). */
#define RANET_LAYER_NO_VIEW 0

/**
 * RanetLayerVariants:
 * @RANET_LAYER_TEXEL_INPUT: the op reads its input through a texel buffer
 *   where ranet_op_texel_input() allows, RANET_TEXEL_BUFFERS=0 turns it off
 * @RANET_LAYER_WEIGHT_SHARING: the op shares weight loads through subgroup
 *   shuffles where ranet_op_weight_sharing() allows, RANET_SUBGROUP_SHUFFLE=0
 *   turns it off
 *
 * The shader variants an op chooses among when it is created, by the
 * environment switches that select the others: the op checks run every
 * variant a kind declares.
 */
typedef enum {
  RANET_LAYER_TEXEL_INPUT = 1 << 0,
  RANET_LAYER_WEIGHT_SHARING = 1 << 1,
} RanetLayerVariants;

/**
 * RanetLayerWeightSizes:
 * @weight: floats of #RanetLayerWeights.weight
 * @bias: floats of #RanetLayerWeights.bias
 * @pre_act: floats of each of #RanetLayerWeights.pre_scale and pre_shift; 0
 *   where the layer has no pre-activation
 */
typedef struct {
  gsize weight, bias, pre_act;
} RanetLayerWeightSizes;

/**
 * RanetLayerKindInfo:
 * @name: the kind's name, as ranet_op_get_name() spells it
 * @in_view: offset of the view the layer reads within a #RanetLayer
 * @out_view: offset of the view it writes, or %RANET_LAYER_NO_VIEW for a kind
 *   that writes the results buffer
 * @results: (nullable): for kinds without an out view: where the layer
 *   writes in the results buffer, @n floats from @first
 * @variants: the shader variants its op chooses among
 * @macs: (nullable): multiply-adds of one run as the model counts them
 *   (the reference's exit_macs()); %NULL for none
 * @weight_sizes: (nullable): the sizes of the folded weights its op takes;
 *   %NULL for kinds without weights, which have no packing either
 * @packed_size: (nullable): floats @pack writes, a multiple of 4
 * @pack: (nullable): the folded weights in the op's layout
 * @new_op: its op on a device, reading packed weights from @weights_offset
 *   (ignored by kinds without weights)
 * @reference: the scalar reference: reads the input view of @in and writes
 *   the out view of @out (or its window of the results buffer); @w is %NULL
 *   for kinds without weights
 * @describe: (nullable): appends what a graph dump shows beyond the views
 * @bench_category: the line of ranet-bench's table of op kinds the kind's
 *   layers count in
 * @bench_category_of: (nullable): for kinds whose layers count in several
 *   lines (by kernel and stride): the line of layer @l, in place of
 *   @bench_category
 *
 * One layer kind: every function takes a layer of this kind.
 */
typedef struct {
  const char *name;
  gsize in_view, out_view;
  void (*results) (const RanetLayer *l, gsize *first, gsize *n);
  RanetLayerVariants variants;
  guint64 (*macs) (const RanetLayer *l);
  void (*weight_sizes) (const RanetLayer *l, RanetLayerWeightSizes *sizes);
  gsize (*packed_size) (const RanetLayer *l);
  void (*pack) (const RanetLayer *l, const RanetLayerWeights *w, float *packed);
  RanetOp *(*new_op) (RanetVkDevice *dev, const RanetLayer *l, gsize weights_offset,
      GError **error);
  void (*reference) (const RanetLayer *l, const RanetLayerWeights *w, const float *in,
      float *out);
  void (*describe) (const RanetLayer *l, GString *s);
  const char *bench_category;
  char *(*bench_category_of) (const RanetLayer *l);
} RanetLayerKindInfo;

/**
 * ranet_layer_kind_get_info:
 * @kind: a layer kind below %RANET_LAYER_N_KINDS
 *
 * Returns: (transfer none): the kind's row.
 */
const RanetLayerKindInfo *ranet_layer_kind_get_info (RanetLayerKind kind);

/**
 * ranet_layer_writes_results:
 * @layer: a layer
 *
 * Returns: whether @layer writes the results buffer rather than a view of the
 *   activations.
 */
gboolean ranet_layer_writes_results (const RanetLayer *layer);

/**
 * ranet_layer_get_bench_category:
 * @layer: a layer
 *
 * Returns: (transfer full): the line of ranet-bench's table of op kinds
 *   @layer counts in.
 */
char *ranet_layer_get_bench_category (const RanetLayer *layer);

/**
 * ranet_layer_get_packed_size:
 * @layer: a layer
 *
 * Returns: the floats of its packed weights; 0 for kinds without weights.
 */
gsize ranet_layer_get_packed_size (const RanetLayer *layer);

/* The view at @offset (a RanetLayerKindInfo view offset) of @layer, or NULL
 * for RANET_LAYER_NO_VIEW. */
static inline RanetTensorView *
ranet_layer_view_at (RanetLayer *layer, gsize offset)
{
  return offset == RANET_LAYER_NO_VIEW ? NULL
      : (RanetTensorView *) (void *) ((char *) layer + offset);
}

G_END_DECLS
