/* op-softmax.c: softmax, top probability and argmax (shaders/softmax.comp),
 * and its variant that also decides a frame's exit (softmax_decide). */
#include "ops/op-private.h"

/* The shader's first three specialization constants for @p, the windows of
 * its logits and its results, and its items. */
static gboolean
softmax_spec (RanetVkDevice *dev, const RanetSoftmaxParams *p, guint32 spec[3],
    RanetOpWindow *in_w, RanetOpWindow *out_w, RanetOpItems *items, GError **error)
{
  guint n = ranet_tensor_view_n_items (&p->in);
  guint64 k, out_stride, out_end;

  if (!ranet_op_check_view (&p->in, "softmax", "input", error))
    return FALSE;
  k = (guint64) p->in.c * p->in.h * p->in.w;
  out_stride = n > 1 ? p->out_item_stride : 0;
  if (n > 1 && out_stride < RANET_SOFTMAX_OUT_SIZE (k)) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "softmax: output item stride of %" G_GUINT64_FORMAT " floats is less than the %"
        G_GUINT64_FORMAT " each item writes", out_stride, RANET_SOFTMAX_OUT_SIZE (k));
    return FALSE;
  }
  /* the argmax travels as a float, exact only below 2^24; the stride is
   * checked alone first so that the product cannot overflow */
  out_end = (guint64) p->out_base + RANET_SOFTMAX_OUT_SIZE (k);
  if (k >= (1u << 24) || out_stride > G_MAXUINT32 || out_end > G_MAXUINT32
      || out_stride * (n - 1) > G_MAXUINT32 - out_end) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "softmax: %u items of %" G_GUINT64_FORMAT " logits at output offset %"
        G_GSIZE_FORMAT " are out of range", n, k, p->out_base);
    return FALSE;
  }
  *items = (RanetOpItems) { n, n > 1 ? (guint32) p->in.item_stride : 0, (guint32) out_stride };
  spec[0] = (guint32) k;
  spec[1] = ranet_op_view_window (dev, &p->in, in_w);
  spec[2] = ranet_op_float_window (dev, p->out_base,
      out_stride * (n - 1) + RANET_SOFTMAX_OUT_SIZE (k), out_w);
  return TRUE;
}

RanetOp *
ranet_op_softmax_new (RanetVkDevice *dev, const RanetSoftmaxParams *p,
    GError **error)
{
  guint32 spec[3];
  RanetOpWindow in_w, out_w;
  RanetOpItems items;

  g_return_val_if_fail (dev != NULL && p != NULL, NULL);
  if (!softmax_spec (dev, p, spec, &in_w, &out_w, &items, error))
    return NULL;
  /* a single invocation per item: the shader's workgroup has one */
  return ranet_op_set_windows (ranet_op_new_internal_items (dev, "softmax", "softmax",
          RANET_OP_IN_OUT, 0, &items, spec, G_N_ELEMENTS (spec), 1, 0, error),
      &in_w, &out_w);
}

RanetOp *
ranet_op_softmax_decide_new (RanetVkDevice *dev, const RanetSoftmaxParams *p,
    guint exit_index, guint n_exits, GError **error)
{
  guint32 spec[5];
  RanetOpWindow in_w, out_w;
  RanetOpItems items;
  RanetOp *op;

  g_return_val_if_fail (dev != NULL && p != NULL, NULL);
  if (!softmax_spec (dev, p, spec, &in_w, &out_w, &items, error))
    return NULL;
  /* the decision is a frame's: one item */
  if (items.n_items > 1) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "softmax_decide: is never batched, but its input holds %u items", items.n_items);
    return NULL;
  }
  spec[3] = exit_index;
  spec[4] = n_exits;
  /* the control words, bound whole, come last */
  op = ranet_op_new_internal (dev, "softmax_decide", "softmax_decide", RANET_OP_IN_OUT_CONTROL,
      0, spec, G_N_ELEMENTS (spec), 1, 0, error);
  return ranet_op_set_windows (op, &in_w, &out_w);
}
