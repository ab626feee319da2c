/* op-softmax.c: softmax, top probability and argmax (shaders/softmax.glsl),
 * and its variant that also decides a frame's exit (softmax_decide.comp). */
#include "ops/op-private.h"

/* The shader's first three specialization constants for @p. */
static gboolean
softmax_spec (const RanetSoftmaxParams *p, guint32 spec[3], GError **error)
{
  guint64 k;

  if (!ranet_op_check_view (&p->in, "softmax", "input", error))
    return FALSE;
  k = (guint64) p->in.c * p->in.h * p->in.w;
  /* the argmax travels as a float, exact only below 2^24 */
  if (k >= (1u << 24) || p->out_base > G_MAXUINT32 - (k + 2)) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "softmax: %" G_GUINT64_FORMAT " logits at output offset %" G_GSIZE_FORMAT
        " are out of range", k, p->out_base);
    return FALSE;
  }
  spec[0] = (guint32) k;
  spec[1] = ranet_op_view_origin (&p->in);
  spec[2] = (guint32) p->out_base;
  return TRUE;
}

RanetOp *
ranet_op_softmax_new (RanetVkDevice *dev, const RanetSoftmaxParams *p,
    GError **error)
{
  guint32 spec[3];

  g_return_val_if_fail (dev != NULL && p != NULL, NULL);
  if (!softmax_spec (p, spec, error))
    return NULL;
  /* a single invocation: the shader's workgroup has one */
  return ranet_op_new_internal (dev, "softmax", "softmax", FALSE, 0, spec,
      G_N_ELEMENTS (spec), 1, 0, error);
}

RanetVkPipeline *
ranet_op_softmax_decide_pipeline_new (RanetVkDevice *dev, const RanetSoftmaxParams *p,
    guint exit_index, guint n_exits, GError **error)
{
  guint32 spec[5];

  g_return_val_if_fail (dev != NULL && p != NULL, NULL);
  if (!softmax_spec (p, spec, error))
    return NULL;
  spec[3] = exit_index;
  spec[4] = n_exits;
  return ranet_vk_pipeline_new_named (dev, "softmax_decide", 3, spec, G_N_ELEMENTS (spec), 0,
      error);
}
