/* op-conv1x1.c: 1x1 convolution and fully connected layer, both a matrix
 * product computed by shaders/conv1x1.comp. */
#include "ops/op-private.h"

/* A 1x1 convolution and a linear layer, reduced to what the shader sees. */
typedef struct {
  guint in_c, hw, out_c;
  gboolean pre_act, relu;
} Gemm;

static Gemm
gemm_from_conv1x1 (const RanetConv1x1Params *p)
{
  return (Gemm) {
    .in_c = p->in.c, .hw = p->in.h * p->in.w, .out_c = p->out.c,
    .pre_act = p->pre_act, .relu = p->relu,
  };
}

/* The input view's channels are consecutive, so its CHW flattening is one
 * contiguous run: a linear layer is a 1x1 convolution on a single pixel. */
static Gemm
gemm_from_linear (const RanetLinearParams *p)
{
  return (Gemm) {
    .in_c = p->in.c * p->in.h * p->in.w, .hw = 1, .out_c = p->out.c,
    .pre_act = FALSE, .relu = p->relu,
  };
}

/* Vec4s of output channels per invocation (@out_c of them): as the convolutions
 * (ranet_op_oc_vec4s()), or 8 where the channels come in whole blocks of 32
 * (2 pixels per invocation then). Each input value then feeds 32
 * multiply-adds instead of 16 and each shared weight load covers a whole
 * input channel, which pays where loads cost more than arithmetic (lavapipe,
 * 256x28x28 -> 64: 12.4 -> 15.7-16.5 GFLOP/s); the 3x3 kernel, whose rows of
 * input already feed many taps, gains nothing from it. */
guint
ranet_op_conv1x1_oc_vec4s (guint out_c)
{
  return out_c % 32 == 0 ? 8 : ranet_op_oc_vec4s (out_c);
}

static guint
gemm_oc_vec4s (const Gemm *g)
{
  return ranet_op_conv1x1_oc_vec4s (g->out_c);
}

static guint
gemm_n_oc_blocks (const Gemm *g)
{
  guint oc_per_block = 4 * gemm_oc_vec4s (g);
  return (g->out_c + oc_per_block - 1) / oc_per_block;
}

static gsize
gemm_packed_size (const Gemm *g)
{
  return (g->pre_act ? (gsize) g->in_c * 4 : 0)
      + (gsize) gemm_n_oc_blocks (g) * gemm_oc_vec4s (g) * 4
      * (1 + (gsize) g->in_c);
}

static void
gemm_pack (const Gemm *g, const float *w, const float *bias,
    const float *pre_scale, const float *pre_shift, float *packed)
{
  guint ocv = gemm_oc_vec4s (g);
  gsize i = 0;

  if (g->pre_act)
    for (guint ic = 0; ic < g->in_c; ic++) {
      packed[i++] = pre_scale ? pre_scale[ic] : 1.0f;
      packed[i++] = pre_shift ? pre_shift[ic] : 0.0f;
      packed[i++] = 0.0f;
      packed[i++] = 0.0f;
    }
  for (guint ocb = 0; ocb < gemm_n_oc_blocks (g); ocb++) {
    guint oc0 = ocb * 4 * ocv;
    for (guint j = 0; j < 4 * ocv; j++)
      packed[i++] = (oc0 + j < g->out_c && bias) ? bias[oc0 + j] : 0.0f;
    for (guint ic = 0; ic < g->in_c; ic++)
      for (guint j = 0; j < 4 * ocv; j++)
        packed[i++] = oc0 + j < g->out_c ? w[(gsize) (oc0 + j) * g->in_c + ic] : 0.0f;
  }
  g_assert (i == gemm_packed_size (g));
}

static RanetOp *
gemm_new (RanetVkDevice *dev, const char *name, const Gemm *g, const RanetTensorView *in,
    const RanetTensorView *out, gsize weights_offset, GError **error)
{
  RanetOpWindow in_w, out_w;
  RanetOpItems items;
  guint ocv = gemm_oc_vec4s (g);
  guint px = ranet_op_pixels_per_invocation (g->hw, ranet_op_max_pixels (ocv));
  guint n_pb = (g->hw + px - 1) / px;
  guint n_ocb = gemm_n_oc_blocks (g);
  guint sg = ranet_op_weight_sharing (dev);
  guint groups = ranet_op_oc_groups (dev, sg, n_pb, n_ocb);
  guint local = ranet_op_local_size ((guint64) n_pb * groups);
  guint32 spec[] = {
    g->in_c, g->hw, ranet_op_view_window (dev, in, &in_w),
    g->out_c, ranet_op_view_window (dev, out, &out_w),
    g->pre_act ? 1 : 0, g->relu ? 1 : 0, (guint32) (weights_offset / 4),
    ocv, px, local, sg, groups,
  };

  if (!ranet_op_check_weights_offset (weights_offset, gemm_packed_size (g),
          name, error)
      || !ranet_op_check_items (in, out, name, &items, error))
    return NULL;
  return ranet_op_set_windows (ranet_op_new_conv (dev, name, "conv1x1", &in_w,
          weights_offset + gemm_packed_size (g), sg, local, groups,
          &items, spec, G_N_ELEMENTS (spec), n_pb, n_ocb,
          (guint64) g->out_c * g->hw * g->in_c, error),
      &in_w, &out_w);
}

gsize
ranet_op_conv1x1_packed_weight_size (const RanetConv1x1Params *p)
{
  g_return_val_if_fail (p != NULL, 0);
  Gemm g = gemm_from_conv1x1 (p);
  return gemm_packed_size (&g);
}

void
ranet_op_conv1x1_pack_weights (const RanetConv1x1Params *p,
    const float *torch_weights, const float *bias,
    const float *pre_scale, const float *pre_shift, float *packed)
{
  g_return_if_fail (p != NULL && torch_weights != NULL && packed != NULL);
  Gemm g = gemm_from_conv1x1 (p);
  gemm_pack (&g, torch_weights, bias, pre_scale, pre_shift, packed);
}

gboolean
ranet_op_conv1x1_check (const RanetConv1x1Params *p, GError **error)
{
  if (!ranet_op_check_view (&p->in, "conv1x1", "input", error)
      || !ranet_op_check_view (&p->out, "conv1x1", "output", error))
    return FALSE;
  if (p->in.h != p->out.h || p->in.w != p->out.w) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "conv1x1: output %ux%u differs from input %ux%u",
        p->out.h, p->out.w, p->in.h, p->in.w);
    return FALSE;
  }
  return TRUE;
}

RanetOp *
ranet_op_conv1x1_new (RanetVkDevice *dev, const RanetConv1x1Params *p,
    gsize weights_offset, GError **error)
{
  g_return_val_if_fail (dev != NULL && p != NULL, NULL);
  if (!ranet_op_conv1x1_check (p, error))
    return NULL;
  Gemm g = gemm_from_conv1x1 (p);
  return gemm_new (dev, "conv1x1", &g, &p->in, &p->out, weights_offset, error);
}

guint
ranet_op_linear_oc_vec4s (const RanetLinearParams *p)
{
  Gemm g = gemm_from_linear (p);
  return gemm_oc_vec4s (&g);
}

gsize
ranet_op_linear_packed_weight_size (const RanetLinearParams *p)
{
  g_return_val_if_fail (p != NULL, 0);
  Gemm g = gemm_from_linear (p);
  return gemm_packed_size (&g);
}

void
ranet_op_linear_pack_weights (const RanetLinearParams *p,
    const float *torch_weights, const float *bias, float *packed)
{
  g_return_if_fail (p != NULL && torch_weights != NULL && packed != NULL);
  Gemm g = gemm_from_linear (p);
  gemm_pack (&g, torch_weights, bias, NULL, NULL, packed);
}

RanetOp *
ranet_op_linear_new (RanetVkDevice *dev, const RanetLinearParams *p,
    gsize weights_offset, GError **error)
{
  g_return_val_if_fail (dev != NULL && p != NULL, NULL);
  if (!ranet_op_check_view (&p->in, "linear", "input", error)
      || !ranet_op_check_view (&p->out, "linear", "output", error))
    return NULL;
  if (p->out.h != 1 || p->out.w != 1) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "linear: output view must be %ux1x1, not %ux%ux%u",
        p->out.c, p->out.c, p->out.h, p->out.w);
    return NULL;
  }
  Gemm g = gemm_from_linear (p);
  return gemm_new (dev, "linear", &g, &p->in, &p->out, weights_offset, error);
}
