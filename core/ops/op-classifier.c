/* op-classifier.c: the last convolution, linear layer and softmax of an
 * exit's classifier as one dispatch (shaders/classifier.comp). */
#include "ops/op-private.h"

/* Floats of shared memory the shader may use: the least any device has
 * (maxComputeSharedMemorySize is at least 16384 bytes). */
#define SHARED_FLOATS (16384 / sizeof (float))

/* Invocations: the convolution's items are a 2x2 or 4x4 map times a few
 * blocks of channels, the logits a few tens. */
#define CLASSIFIER_LOCAL 64u

static gboolean
same_view (const RanetTensorView *a, const RanetTensorView *b)
{
  return ranet_tensor_view_origin (a) == ranet_tensor_view_origin (b)
      && (guint64) a->c * a->h * a->w == (guint64) b->c * b->h * b->w;
}

gboolean
ranet_op_classifier_supported (const RanetClassifierParams *p)
{
  guint64 mid, k;

  g_return_val_if_fail (p != NULL, FALSE);
  if (!ranet_op_conv2d_check (&p->conv, NULL)
      || !ranet_op_check_view (&p->linear.in, "linear", "input", NULL)
      || !ranet_op_check_view (&p->linear.out, "linear", "output", NULL)
      || !ranet_op_check_view (&p->softmax.in, "softmax", "input", NULL))
    return FALSE;
  if (ranet_tensor_view_n_items (&p->conv.in) > 1 || ranet_tensor_view_n_items (&p->conv.out) > 1
      || ranet_tensor_view_n_items (&p->linear.in) > 1
      || ranet_tensor_view_n_items (&p->softmax.in) > 1)
    return FALSE;
  mid = (guint64) p->conv.out.c * p->conv.out.h * p->conv.out.w;
  k = p->linear.out.c;
  return same_view (&p->conv.out, &p->linear.in) && same_view (&p->linear.out, &p->softmax.in)
      && p->linear.out.h == 1 && p->linear.out.w == 1 && !p->linear.relu
      && mid + k <= SHARED_FLOATS
      && (guint64) p->softmax.out_base + RANET_SOFTMAX_OUT_SIZE (k) <= G_MAXUINT32;
}

static RanetOp *
classifier_new (RanetVkDevice *dev, const RanetClassifierParams *p,
    gsize conv_weights_offset, gsize linear_weights_offset, gboolean decide,
    guint exit_index, guint n_exits, GError **error)
{
  const RanetConv2dParams *c = &p->conv;
  RanetOpWindow in_w, logits_w, out_w;
  RanetOpItems one = { 1, 0, 0 };
  guint k = p->linear.out.c;
  guint64 macs;
  gboolean texel;
  RanetOp *op;

  if (!ranet_op_classifier_supported (p)) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "classifier: the layers do not chain as one classifier, are batched, or need "
        "more than %" G_GSIZE_FORMAT " floats of shared memory (%ux%ux%u and %u logits)",
        (gsize) SHARED_FLOATS, c->out.c, c->out.h, c->out.w, k);
    return NULL;
  }
  if (!ranet_op_check_weights_offset (conv_weights_offset,
          ranet_op_conv2d_packed_weight_size (c), "classifier", error)
      || !ranet_op_check_weights_offset (linear_weights_offset,
          ranet_op_linear_packed_weight_size (&p->linear), "classifier", error))
    return NULL;

  guint32 in_origin = ranet_op_view_window (dev, &c->in, &in_w);
  texel = ranet_op_texel_input (dev, &in_w)
      && MAX (conv_weights_offset + ranet_op_conv2d_packed_weight_size (c),
          linear_weights_offset + ranet_op_linear_packed_weight_size (&p->linear)) / 4
      <= ranet_vk_device_get_max_texel_buffer_elements (dev);
  guint32 spec[] = {
    c->in.c, c->in.h, c->in.w, in_origin,
    c->out.c, c->out.h, c->out.w, c->kh, c->kw, c->stride, c->pad_h, c->pad_w,
    c->relu ? 1 : 0, (guint32) (conv_weights_offset / 4), ranet_op_oc_vec4s (c->out.c),
    k, (guint32) (linear_weights_offset / 4), ranet_op_linear_oc_vec4s (&p->linear),
    ranet_op_view_window (dev, &p->linear.out, &logits_w),
    ranet_op_float_window (dev, p->softmax.out_base, RANET_SOFTMAX_OUT_SIZE (k), &out_w),
    CLASSIFIER_LOCAL, exit_index, n_exits,
  };
  macs = (guint64) c->out.c * c->out.h * c->out.w * c->in.c * c->kh * c->kw
      + (guint64) k * c->out.c * c->out.h * c->out.w;
  op = ranet_op_new_grid (dev, decide ? "classifier_decide" : "classifier",
      decide ? (texel ? "classifier_decide_texel" : "classifier_decide")
      : (texel ? "classifier_texel" : "classifier"),
      decide ? RANET_OP_CLASSIFIER_CONTROL : RANET_OP_CLASSIFIER,
      texel ? 1u : 0u, texel ? 2u : 0u, &one, spec,
      decide ? G_N_ELEMENTS (spec) : G_N_ELEMENTS (spec) - 2, 1, 1, macs, error);
  if (op != NULL) {
    /* the weights and the control words are bound whole */
    op->window[0] = in_w;
    op->window[2] = logits_w;
    op->window[3] = out_w;
  }
  return op;
}

RanetOp *
ranet_op_classifier_new (RanetVkDevice *dev, const RanetClassifierParams *p,
    gsize conv_weights_offset, gsize linear_weights_offset, GError **error)
{
  g_return_val_if_fail (dev != NULL && p != NULL, NULL);
  return classifier_new (dev, p, conv_weights_offset, linear_weights_offset, FALSE, 0, 1,
      error);
}

RanetOp *
ranet_op_classifier_decide_new (RanetVkDevice *dev, const RanetClassifierParams *p,
    gsize conv_weights_offset, gsize linear_weights_offset, guint exit_index, guint n_exits,
    GError **error)
{
  g_return_val_if_fail (dev != NULL && p != NULL, NULL);
  if (exit_index >= n_exits) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "classifier_decide: exit %u of %u", exit_index, n_exits);
    return NULL;
  }
  return classifier_new (dev, p, conv_weights_offset, linear_weights_offset, TRUE,
      exit_index, n_exits, error);
}
