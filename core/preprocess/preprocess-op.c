/* preprocess-op.c: the preprocess dispatch (shaders/preprocess.comp). */
#include "preprocess/preprocess-private.h"

#include "ops/op-private.h"

static guint32
float_bits (float f)
{
  union { float f; guint32 u; } v = { .f = f };
  return v.u;
}

RanetOp *
ranet_op_preprocess_new (RanetVkDevice *dev, const RanetPreprocessParams *p,
    GError **error)
{
  const RanetFrameLayout *l;
  RanetAxisMap mx, my;
  /* the frame is the host's, written before each submission: bound whole */
  RanetOpWindow frame_w = { 0, 0 }, out_w;

  g_return_val_if_fail (dev != NULL && p != NULL, NULL);
  l = &p->frame;
  if (!ranet_frame_layout_check (l, error)
      || !ranet_op_check_view (&p->out, "preprocess", "output", error))
    return NULL;
  if (p->out.c != 1 && p->out.c != 3) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "preprocess: the network input has %u channels; 1 or 3 are supported",
        p->out.c);
    return NULL;
  }
  for (guint c = 0; c < p->out.c; c++) {
    if (!(p->std[c] > 0.0f)) {
      g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
          "preprocess: std[%u] is %g; it must be positive", c, p->std[c]);
      return NULL;
    }
  }
  /* formats with chroma planes are YUV */
  if (ranet_pixel_format_get_info (l->format)->chroma_bytes > 0) {
    if (!(l->kr > 0.0 && l->kb > 0.0 && l->kr + l->kb < 1.0)) {
      g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
          "preprocess: YUV matrix Kr=%g Kb=%g is not a valid matrix", l->kr, l->kb);
      return NULL;
    }
  }

  ranet_preprocess_axis_maps (p, &mx, &my);
  guint32 spec[] = {
    l->format, l->width, l->height,
    (guint32) l->offset[0], (guint32) l->offset[1], (guint32) l->offset[2],
    (guint32) l->stride[0], (guint32) l->stride[1], (guint32) l->stride[2],
    p->out.c, p->out.h, p->out.w, ranet_op_view_window (dev, &p->out, &out_w),
    float_bits (mx.scale), float_bits (mx.src_origin),
    float_bits (mx.dst_lo), float_bits (mx.dst_hi),
    float_bits (my.scale), float_bits (my.src_origin),
    float_bits (my.dst_lo), float_bits (my.dst_hi),
    float_bits (p->mean[0]), float_bits (p->mean[1]), float_bits (p->mean[2]),
    float_bits (p->std[0]), float_bits (p->std[1]), float_bits (p->std[2]),
    float_bits ((float) l->kr), float_bits ((float) l->kb),
    l->yuv_full_range ? 1u : 0u,
  };
  return ranet_op_set_windows (ranet_op_new_internal (dev, "preprocess", "preprocess",
          RANET_OP_IN_OUT, 0, spec, G_N_ELEMENTS (spec), (guint64) p->out.h * p->out.w, 0, error),
      &frame_w, &out_w);
}
