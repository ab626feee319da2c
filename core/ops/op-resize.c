/* op-resize.c: bilinear resize, align_corners=True (shaders/resize_bilinear.comp). */
#include "ops/op-private.h"

guint32
ranet_op_resize_scale_bits (guint in, guint out)
{
  union { float f; guint32 u; } s;

  s.f = out > 1 ? (float) (in - 1) / (float) (out - 1) : 0.0f;
  return s.u;
}

RanetOp *
ranet_op_resize_bilinear_new (RanetVkDevice *dev, const RanetResizeParams *p,
    GError **error)
{
  RanetOpWindow in_w, out_w;
  RanetOpItems items;

  g_return_val_if_fail (dev != NULL && p != NULL, NULL);
  if (!ranet_op_check_view (&p->in, "resize_bilinear", "input", error)
      || !ranet_op_check_view (&p->out, "resize_bilinear", "output", error)
      || !ranet_op_check_items (&p->in, &p->out, "resize_bilinear", &items, error))
    return NULL;
  if (p->in.c != p->out.c) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "resize_bilinear: output has %u channels, input %u", p->out.c, p->in.c);
    return NULL;
  }
  guint32 spec[] = {
    p->in.c, p->in.h, p->in.w, ranet_op_view_window (dev, &p->in, &in_w),
    p->out.h, p->out.w, ranet_op_view_window (dev, &p->out, &out_w),
    ranet_op_resize_scale_bits (p->in.h, p->out.h), ranet_op_resize_scale_bits (p->in.w, p->out.w),
  };
  gboolean texel = ranet_op_texel_input (dev, &in_w);

  return ranet_op_set_windows (ranet_op_new_internal_items (dev, "resize_bilinear",
          texel ? "resize_bilinear_texel" : "resize_bilinear", RANET_OP_IN_OUT, texel ? 1u : 0u,
          &items, spec, G_N_ELEMENTS (spec), (guint64) p->out.c * p->out.h * p->out.w, 0, error),
      &in_w, &out_w);
}
