/* op-softmax.c: softmax, top probability and argmax (shaders/softmax.comp). */
#include "ops/op-private.h"

RanetOp *
ranet_op_softmax_new (RanetVkDevice *dev, const RanetSoftmaxParams *p,
    GError **error)
{
  guint64 k;

  g_return_val_if_fail (dev != NULL && p != NULL, NULL);
  if (!ranet_op_check_view (&p->in, "softmax", "input", error))
    return NULL;
  k = (guint64) p->in.c * p->in.h * p->in.w;
  /* the argmax travels as a float, exact only below 2^24 */
  if (k >= (1u << 24) || p->out_base > G_MAXUINT32 - (k + 2)) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "softmax: %" G_GUINT64_FORMAT " logits at output offset %" G_GSIZE_FORMAT
        " are out of range", k, p->out_base);
    return NULL;
  }
  guint32 spec[] = {
    (guint32) k, ranet_op_view_origin (&p->in), (guint32) p->out_base,
  };
  /* a single invocation: the shader's workgroup has one */
  return ranet_op_new_internal (dev, "softmax", "softmax", FALSE, 0, spec,
      G_N_ELEMENTS (spec), 1, 0, error);
}
