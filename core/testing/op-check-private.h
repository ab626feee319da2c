/* op-check-private.h: what the op checks hold for each kind beyond its row
 * in the table of layer kinds: the shapes to check it on and, where its
 * output is not a plain sum of products, how to make its data and tolerance. */
#pragma once

#include "testing/ranet-op-check.h"

G_BEGIN_DECLS

/**
 * RanetOpCheckKind:
 * @shapes: the shapes the tests check, in every shader variant
 * @n_shapes: their number
 * @selfcheck: one small, typical shape for ranet-selfcheck
 * @input_scale: factor on the random values of the input view; 0 leaves
 *   them in [-1, 1]
 * @magnitude: (nullable): writes the magnitude each output's tolerance
 *   scales with (ranet-op-check.h) into the output range of @mag, for kinds
 *   where the op on absolute values does not bound the rounding
 */
typedef struct {
  const RanetOpCheckShape *shapes;
  guint n_shapes;
  RanetOpCheckShape selfcheck;
  float input_scale;
  void (*magnitude) (const RanetLayer *l, float *mag);
} RanetOpCheckKind;

/* op-check-shapes.c: one entry per kind, indexed by RanetLayerKind. */
extern const RanetOpCheckKind ranet_op_check_kinds[RANET_LAYER_N_KINDS];

/* op-check.c: the floats one item of @shape spans: its input tensor and its
 * output tensor, or its results. */
gsize ranet_op_check_item_floats (const RanetOpCheckShape *shape);

G_END_DECLS
