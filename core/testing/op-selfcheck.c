/* op-selfcheck.c: one check per op on a small, typical shape (ranet-selfcheck). */
#include "testing/ranet-op-check.h"

#define SEED 1

static RanetTensorView
view (guint c, guint h, guint w, guint off, guint total)
{
  return (RanetTensorView) { c, h, w, off, total, 0 };
}

/* Turns a finished comparison into the self-check's answer. */
static gboolean
verdict (gboolean ran, const RanetOpCheck *check, guint64 *elapsed_ns,
    GError **error)
{
  if (!ran)
    return FALSE;
  *elapsed_ns = check->elapsed_ns;
  if (!ranet_op_check_passed (check)) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_FAILED,
        "wrong result: max err %g (%.1f times the tolerance), %" G_GSIZE_FORMAT
        " elements outside the output changed", check->max_err,
        check->max_err_ratio, check->n_outside_changed);
    return FALSE;
  }
  return TRUE;
}

gboolean
ranet_op_selfcheck_conv2d (RanetVkDevice *dev, guint64 *elapsed_ns, GError **error)
{
  /* a dense layer's 3x3 conv writing its slice of the block's tensor */
  RanetConv2dParams p = {
    .in = view (16, 16, 16, 0, 16), .out = view (8, 16, 16, 16, 24),
    .kh = 3, .kw = 3, .stride = 1, .pad_h = 1, .pad_w = 1, .relu = TRUE,
  };
  RanetOpCheck check;
  gboolean ran = ranet_op_check_conv2d (dev, &p, FALSE, SEED, &check, error);
  return verdict (ran, &check, elapsed_ns, error);
}

gboolean
ranet_op_selfcheck_conv1x1 (RanetVkDevice *dev, guint64 *elapsed_ns, GError **error)
{
  RanetConv1x1Params p = {
    .in = view (24, 16, 16, 0, 24), .out = view (16, 16, 16, 0, 16),
    .pre_act = TRUE, .relu = TRUE,
  };
  RanetOpCheck check;
  gboolean ran = ranet_op_check_conv1x1 (dev, &p, FALSE, SEED, &check, error);
  return verdict (ran, &check, elapsed_ns, error);
}

gboolean
ranet_op_selfcheck_linear (RanetVkDevice *dev, guint64 *elapsed_ns, GError **error)
{
  RanetLinearParams p = { .in = view (64, 1, 1, 0, 64), .out = view (10, 1, 1, 0, 10) };
  RanetOpCheck check;
  gboolean ran = ranet_op_check_linear (dev, &p, FALSE, SEED, &check, error);
  return verdict (ran, &check, elapsed_ns, error);
}

gboolean
ranet_op_selfcheck_resize_bilinear (RanetVkDevice *dev, guint64 *elapsed_ns,
    GError **error)
{
  RanetResizeParams p = { .in = view (8, 8, 8, 0, 8), .out = view (8, 16, 16, 0, 8) };
  RanetOpCheck check;
  gboolean ran = ranet_op_check_resize_bilinear (dev, &p, FALSE, SEED, &check, error);
  return verdict (ran, &check, elapsed_ns, error);
}

gboolean
ranet_op_selfcheck_maxpool2d (RanetVkDevice *dev, guint64 *elapsed_ns, GError **error)
{
  RanetPool2dParams p = {
    .in = view (8, 16, 16, 0, 8), .out = view (8, 8, 8, 0, 8),
    .kind = RANET_POOL_MAX, .kernel = 3, .stride = 2, .pad = 1,
  };
  RanetOpCheck check;
  gboolean ran = ranet_op_check_pool2d (dev, &p, FALSE, SEED, &check, error);
  return verdict (ran, &check, elapsed_ns, error);
}

gboolean
ranet_op_selfcheck_avgpool2d (RanetVkDevice *dev, guint64 *elapsed_ns, GError **error)
{
  RanetPool2dParams p = {
    .in = view (8, 16, 16, 0, 8), .out = view (8, 8, 8, 0, 8),
    .kind = RANET_POOL_AVG, .kernel = 2, .stride = 2, .pad = 0,
  };
  RanetOpCheck check;
  gboolean ran = ranet_op_check_pool2d (dev, &p, FALSE, SEED, &check, error);
  return verdict (ran, &check, elapsed_ns, error);
}

gboolean
ranet_op_selfcheck_softmax (RanetVkDevice *dev, guint64 *elapsed_ns, GError **error)
{
  RanetSoftmaxParams p = { .in = view (10, 1, 1, 0, 10), .out_base = 0 };
  RanetOpCheck check;
  gboolean ran = ranet_op_check_softmax (dev, &p, FALSE, SEED, &check, error);
  return verdict (ran, &check, elapsed_ns, error);
}

gboolean
ranet_op_selfcheck_copy (RanetVkDevice *dev, guint64 *elapsed_ns, GError **error)
{
  RanetCopyParams p = { .in = view (8, 16, 16, 0, 8), .out = view (8, 16, 16, 4, 12) };
  RanetOpCheck check;
  gboolean ran = ranet_op_check_copy (dev, &p, FALSE, SEED, &check, error);
  return verdict (ran, &check, elapsed_ns, error);
}
