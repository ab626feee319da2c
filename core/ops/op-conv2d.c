/* op-conv2d.c: general direct convolution (shaders/conv2d.comp). */
#include "ops/op-private.h"

/* Limits that keep the fully unrolled kernel loops of the shader small. */
#define MAX_KERNEL 15u
#define MAX_STRIDE 8u

static guint
conv2d_n_oc_blocks (const RanetConv2dParams *p)
{
  guint oc_per_block = 4 * ranet_op_oc_vec4s (p->out.c);
  return (p->out.c + oc_per_block - 1) / oc_per_block;
}

gsize
ranet_op_conv2d_packed_weight_size (const RanetConv2dParams *p)
{
  g_return_val_if_fail (p != NULL, 0);
  return (gsize) conv2d_n_oc_blocks (p) * ranet_op_oc_vec4s (p->out.c) * 4
      * (1 + (gsize) p->in.c * p->kh * p->kw);
}

void
ranet_op_conv2d_pack_weights (const RanetConv2dParams *p,
    const float *torch_weights, const float *bias, float *packed)
{
  guint ocv = ranet_op_oc_vec4s (p->out.c);
  guint n_taps = p->kh * p->kw;
  gsize i = 0;

  g_return_if_fail (p != NULL && torch_weights != NULL && packed != NULL);

  /* per block of 4 * ocv output channels: bias, then [in_c][kh][kw][4 * ocv] */
  for (guint ocb = 0; ocb < conv2d_n_oc_blocks (p); ocb++) {
    guint oc0 = ocb * 4 * ocv;
    for (guint j = 0; j < 4 * ocv; j++)
      packed[i++] = (oc0 + j < p->out.c && bias) ? bias[oc0 + j] : 0.0f;
    for (guint ic = 0; ic < p->in.c; ic++)
      for (guint t = 0; t < n_taps; t++)
        for (guint j = 0; j < 4 * ocv; j++) {
          guint oc = oc0 + j;
          packed[i++] = oc < p->out.c
              ? torch_weights[((gsize) oc * p->in.c + ic) * n_taps + t] : 0.0f;
        }
  }
  g_assert (i == ranet_op_conv2d_packed_weight_size (p));
}

gboolean
ranet_op_conv2d_check (const RanetConv2dParams *p, GError **error)
{
  if (!ranet_op_check_view (&p->in, "conv2d", "input", error)
      || !ranet_op_check_view (&p->out, "conv2d", "output", error))
    return FALSE;
  if (p->kh == 0 || p->kw == 0 || p->kh > MAX_KERNEL || p->kw > MAX_KERNEL
      || p->stride == 0 || p->stride > MAX_STRIDE
      || p->pad_h > MAX_KERNEL || p->pad_w > MAX_KERNEL) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "conv2d: unsupported kernel %ux%u, stride %u, padding %ux%u (kernel 1..%u, "
        "stride 1..%u, padding 0..%u)", p->kh, p->kw, p->stride,
        p->pad_h, p->pad_w, MAX_KERNEL, MAX_STRIDE, MAX_KERNEL);
    return FALSE;
  }
  if (p->in.h + 2 * p->pad_h < p->kh || p->in.w + 2 * p->pad_w < p->kw
      || p->out.h != (p->in.h + 2 * p->pad_h - p->kh) / p->stride + 1
      || p->out.w != (p->in.w + 2 * p->pad_w - p->kw) / p->stride + 1) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "conv2d: output %ux%u does not match input %ux%u with kernel %ux%u, "
        "stride %u, padding %ux%u", p->out.h, p->out.w, p->in.h, p->in.w,
        p->kh, p->kw, p->stride, p->pad_h, p->pad_w);
    return FALSE;
  }
  return TRUE;
}

RanetOp *
ranet_op_conv2d_new (RanetVkDevice *dev, const RanetConv2dParams *p,
    gsize weights_offset, GError **error)
{
  guint px, nxb, local, ocv, sg, groups;
  guint64 macs, n_pix;
  RanetOpWindow in_w, out_w;
  RanetOpItems items;

  g_return_val_if_fail (dev != NULL && p != NULL, NULL);
  if (!ranet_op_conv2d_check (p, error)
      || !ranet_op_check_items (&p->in, &p->out, "conv2d", &items, error)
      || !ranet_op_check_weights_offset (weights_offset,
          ranet_op_conv2d_packed_weight_size (p), "conv2d", error))
    return NULL;

  ocv = ranet_op_oc_vec4s (p->out.c);
  px = ranet_op_pixels_per_invocation (p->out.w, ranet_op_max_pixels (ocv));
  nxb = (p->out.w + px - 1) / px;
  n_pix = (guint64) p->out.h * nxb;
  sg = ranet_op_weight_sharing (dev);
  groups = ranet_op_oc_groups (dev, sg, n_pix, conv2d_n_oc_blocks (p));
  local = ranet_op_local_size (n_pix * groups);
  macs = (guint64) p->out.c * p->out.h * p->out.w * p->in.c * p->kh * p->kw;
  guint32 spec[] = {
    p->in.c, p->in.h, p->in.w, ranet_op_view_window (dev, &p->in, &in_w),
    p->out.c, p->out.h, p->out.w, ranet_op_view_window (dev, &p->out, &out_w),
    p->kh, p->kw, p->stride, p->pad_h, p->pad_w, p->relu ? 1 : 0,
    (guint32) (weights_offset / 4), ocv, px, local,
    sg, groups,
  };
  return ranet_op_set_windows (ranet_op_new_conv (dev, "conv2d", "conv2d", &in_w,
          weights_offset + ranet_op_conv2d_packed_weight_size (p), sg, local, groups,
          &items, spec, G_N_ELEMENTS (spec), n_pix, conv2d_n_oc_blocks (p), macs, error),
      &in_w, &out_w);
}
