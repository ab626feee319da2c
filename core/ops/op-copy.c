/* op-copy.c: copy a channel slice into another (shaders/copy_channels.comp). */
#include "ops/op-private.h"

RanetOp *
ranet_op_copy_new (RanetVkDevice *dev, const RanetCopyParams *p,
    GError **error)
{
  RanetOpWindow in_w, out_w;
  RanetOpItems items;

  g_return_val_if_fail (dev != NULL && p != NULL, NULL);
  if (!ranet_op_check_view (&p->in, "copy", "input", error)
      || !ranet_op_check_view (&p->out, "copy", "output", error)
      || !ranet_op_check_items (&p->in, &p->out, "copy", &items, error))
    return NULL;
  if (p->in.c != p->out.c || p->in.h != p->out.h || p->in.w != p->out.w) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "copy: shapes differ, %ux%ux%u to %ux%ux%u", p->in.c, p->in.h, p->in.w,
        p->out.c, p->out.h, p->out.w);
    return NULL;
  }
  guint64 n = (guint64) p->in.c * p->in.h * p->in.w;
  guint32 spec[] = {
    (guint32) n, ranet_op_view_window (dev, &p->in, &in_w),
    ranet_op_view_window (dev, &p->out, &out_w),
  };
  return ranet_op_set_windows (ranet_op_new_internal_items (dev, "copy", "copy_channels",
          RANET_OP_IN_OUT, 0, &items, spec, G_N_ELEMENTS (spec), n, 0, error),
      &in_w, &out_w);
}
