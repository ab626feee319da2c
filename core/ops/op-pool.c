/* op-pool.c: max and average pooling (shaders/pool2d.comp). */
#include "ops/op-private.h"

#define MAX_KERNEL 15u

static gboolean
pool2d_check (const RanetPool2dParams *p, const char *name, GError **error)
{
  if (!ranet_op_check_view (&p->in, name, "input", error)
      || !ranet_op_check_view (&p->out, name, "output", error))
    return FALSE;
  if (p->in.c != p->out.c) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "%s: output has %u channels, input %u", name, p->out.c, p->in.c);
    return FALSE;
  }
  /* a window made of padding alone would give -inf (max) or a wrong mean (avg) */
  if (p->kernel == 0 || p->kernel > MAX_KERNEL || p->stride == 0
      || (p->kind == RANET_POOL_MAX ? p->pad > p->kernel / 2 : p->pad != 0)) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "%s: unsupported kernel %u, stride %u, padding %u (kernel 1..%u, "
        "padding at most kernel / 2, none for average pooling)", name,
        p->kernel, p->stride, p->pad, MAX_KERNEL);
    return FALSE;
  }
  if (p->in.h + 2 * p->pad < p->kernel || p->in.w + 2 * p->pad < p->kernel
      || p->out.h != (p->in.h + 2 * p->pad - p->kernel) / p->stride + 1
      || p->out.w != (p->in.w + 2 * p->pad - p->kernel) / p->stride + 1) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "%s: output %ux%u does not match input %ux%u with kernel %u, stride %u, "
        "padding %u", name, p->out.h, p->out.w, p->in.h, p->in.w, p->kernel,
        p->stride, p->pad);
    return FALSE;
  }
  return TRUE;
}

RanetOp *
ranet_op_pool2d_new (RanetVkDevice *dev, const RanetPool2dParams *p,
    GError **error)
{
  const char *name;
  RanetOpWindow in_w, out_w;
  RanetOpItems items;

  g_return_val_if_fail (dev != NULL && p != NULL, NULL);
  if (p->kind != RANET_POOL_MAX && p->kind != RANET_POOL_AVG) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "pool2d: unknown kind %d", (int) p->kind);
    return NULL;
  }
  name = p->kind == RANET_POOL_MAX ? "maxpool2d" : "avgpool2d";
  if (!pool2d_check (p, name, error)
      || !ranet_op_check_items (&p->in, &p->out, name, &items, error))
    return NULL;
  guint32 spec[] = {
    p->in.c, p->in.h, p->in.w, ranet_op_view_window (dev, &p->in, &in_w),
    p->out.h, p->out.w, ranet_op_view_window (dev, &p->out, &out_w),
    p->kernel, p->stride, p->pad, p->kind == RANET_POOL_MAX ? 1 : 0,
  };
  return ranet_op_set_windows (ranet_op_new_internal_items (dev, name, "pool2d",
          RANET_OP_IN_OUT, 0, &items, spec, G_N_ELEMENTS (spec),
          (guint64) p->out.c * p->out.h * p->out.w, 0, error),
      &in_w, &out_w);
}
