/* ranet-ref.h: plain scalar C versions of every op in ranet-ops.h.
 *
 * They are the definition the shaders are tested against, so they favour being
 * obviously right over being fast: one output at a time, sums in double. Buffers
 * are whole float arrays indexed exactly as the views say; weights are in
 * PyTorch's layout, not packed. Parameters must be valid (see the ranet_op_*_new()
 * functions); out-of-view elements of the output buffer are never written.
 */
#pragma once

#include "ops/ranet-ops.h"

G_BEGIN_DECLS

/* Float index of element (c, y, x) of @v. */
static inline gsize
ranet_view_index (const RanetTensorView *v, guint c, guint y, guint x)
{
  return v->base + (((gsize) v->c_offset + c) * v->h + y) * v->w + x;
}

void ranet_ref_conv2d (const RanetConv2dParams *p, const float *in,
    const float *weights, const float *bias, float *out);
void ranet_ref_conv1x1 (const RanetConv1x1Params *p, const float *in,
    const float *weights, const float *bias, const float *pre_scale,
    const float *pre_shift, float *out);
void ranet_ref_linear (const RanetLinearParams *p, const float *in,
    const float *weights, const float *bias, float *out);
void ranet_ref_resize_bilinear (const RanetResizeParams *p, const float *in,
    float *out);
void ranet_ref_pool2d (const RanetPool2dParams *p, const float *in, float *out);
void ranet_ref_softmax (const RanetSoftmaxParams *p, const float *in,
    float *out);
void ranet_ref_copy (const RanetCopyParams *p, const float *in, float *out);

G_END_DECLS
