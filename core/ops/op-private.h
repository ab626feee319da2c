/* op-private.h: what every op wrapper shares; not installed. */
#pragma once

#include "ops/ranet-ops.h"

G_BEGIN_DECLS

struct _RanetOp {
  const char *name;
  RanetVkPipeline *pipe;
  gboolean has_weights;     /* binds (in, weights, out) rather than (in, out) */
  guint groups_x, groups_y;
  guint64 macs;
};

/* Invocations per workgroup in every op shader (local_size_x). */
#define RANET_OP_GROUP_SIZE 64u

/* An op whose shader runs @n_invocations invocations, flattened over
 * workgroups x and y (RANET_OP_GROUP_SIZE per workgroup). */
RanetOp *ranet_op_new_internal (RanetVkDevice *dev, const char *name,
    const char *shader, gboolean has_weights, const guint32 *spec, guint n_spec,
    guint64 n_invocations, guint64 macs, GError **error);

gboolean ranet_op_check_view (const RanetTensorView *v, const char *op,
    const char *what, GError **error);
gboolean ranet_op_check_weights_offset (gsize weights_offset, gsize n_floats,
    const char *op, GError **error);

/* Float index of element (0, 0, 0) of a view that passed ranet_op_check_view(). */
static inline guint32
ranet_op_view_origin (const RanetTensorView *v)
{
  return (guint32) (v->base + (gsize) v->c_offset * v->h * v->w);
}

/* Vec4s of output channels per invocation for @out_c output channels: two when
 * there are enough channels to fill them, for twice the reuse of every input
 * load; one for narrow layers (a growth rate of 4 or 6), where eight would
 * mostly compute padding. The packing and the shader both follow this. */
static inline guint
ranet_op_oc_vec4s (guint out_c)
{
  return out_c > 4 ? 2 : 1;
}

/* Output pixels per invocation along a run of @n: up to 8, each loaded input
 * value feeds 8 * 4 * ranet_op_oc_vec4s() multiply-adds (measured on lavapipe:
 * 8 beats 4 by 25-35%; more spills registers), balanced so that the last block
 * of a row is not mostly empty (14 -> 7 + 7, not 8 + 6). */
static inline guint
ranet_op_pixels_per_invocation (guint n)
{
  guint n_blocks = (n + 7) / 8;
  return (n + n_blocks - 1) / n_blocks;
}

G_END_DECLS
