/* test-ops.c: every op on the device against the scalar reference, in every
 * shader variant its kind declares, over its kind's list of shapes
 * (core/testing/op-check-shapes.c), with the tolerance documented in
 * ranet-op-check.h: 1e-5 relative to the op computed on absolute values; and
 * the parameters every op refuses. */
#include "testing/ranet-op-check.h"

static RanetVkDevice *device;

/* A view of channels [off, off + c) of a tensor of @total channels at @base. */
static RanetTensorView
view (guint c, guint h, guint w, guint off, guint total, gsize base)
{
  return (RanetTensorView) { c, h, w, off, total, base };
}

/* A whole tensor of its own. */
static RanetTensorView
whole (guint c, guint h, guint w)
{
  return view (c, h, w, 0, c, 0);
}

static gboolean
need_device (void)
{
  if (device == NULL)
    g_test_skip ("no Vulkan device");
  return device != NULL;
}

static void
assert_check (const char *what, const RanetOpCheck *check, const GError *error,
    gpointer user_data)
{
  g_assert_no_error (error);
  if (!ranet_op_check_passed (check))
    g_test_message ("%s: max err %g (%.2f of tolerance), %" G_GSIZE_FORMAT
        " elements outside the output view changed", what, check->max_err,
        check->max_err_ratio, check->n_outside_changed);
  g_assert_cmpfloat (check->max_err_ratio, <=, 1.0);
  g_assert_cmpuint (check->n_outside_changed, ==, 0);
  g_assert_cmpuint (ranet_vk_device_get_validation_error_count (device), ==, 0);
}

/* A kind's test: its list of shapes, which must not be empty. */
static void
test_kind (gconstpointer data)
{
  RanetLayerKind kind = GPOINTER_TO_UINT (data);

  if (!need_device ())
    return;
  g_assert_cmpuint (ranet_op_check_kind (device, kind, assert_check, NULL), >, 0);
}

static void
expect_invalid (RanetOp *op, GError **error)
{
  g_assert_null (op);
  g_assert_error (*error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID);
  g_test_message ("rejected as expected: %s", (*error)->message);
  g_clear_error (error);
}

static void
test_invalid (void)
{
  GError *error = NULL;
  RanetOp *op;

  if (!need_device ())
    return;

  RanetConv2dParams conv = { whole (3, 8, 8), whole (4, 8, 8), 3, 3, 1, 1, 1, FALSE };
  conv.out.h = 7;   /* does not match the formula */
  op = ranet_op_conv2d_new (device, &conv, 0, &error);
  expect_invalid (op, &error);
  conv.out.h = 8;
  conv.stride = 0;
  op = ranet_op_conv2d_new (device, &conv, 0, &error);
  expect_invalid (op, &error);
  conv.stride = 1;
  op = ranet_op_conv2d_new (device, &conv, 2, &error);
  expect_invalid (op, &error);
  conv.in.c_offset = 1;   /* 1 + 3 channels in a tensor of 3 */
  op = ranet_op_conv2d_new (device, &conv, 0, &error);
  expect_invalid (op, &error);

  RanetConv1x1Params c1 = { whole (3, 4, 4), whole (5, 4, 5), TRUE, TRUE };
  op = ranet_op_conv1x1_new (device, &c1, 0, &error);
  expect_invalid (op, &error);

  RanetLinearParams lin = { whole (3, 4, 4), whole (5, 2, 1), FALSE };
  op = ranet_op_linear_new (device, &lin, 0, &error);
  expect_invalid (op, &error);

  RanetResizeParams rs = { whole (3, 4, 4), whole (2, 8, 8) };
  op = ranet_op_resize_bilinear_new (device, &rs, &error);
  expect_invalid (op, &error);
  rs.out.c = 3;
  rs.out.w = 0;
  op = ranet_op_resize_bilinear_new (device, &rs, &error);
  expect_invalid (op, &error);

  RanetPool2dParams pool = { whole (3, 7, 7), whole (3, 3, 3), RANET_POOL_AVG, 3, 2, 1 };
  op = ranet_op_pool2d_new (device, &pool, &error);
  expect_invalid (op, &error);
  pool.kind = RANET_POOL_MAX;
  pool.pad = 2;   /* more than kernel / 2 */
  op = ranet_op_pool2d_new (device, &pool, &error);
  expect_invalid (op, &error);

  RanetSoftmaxParams sm = { whole (10, 1, 1), G_MAXUINT32 };
  op = ranet_op_softmax_new (device, &sm, &error);
  expect_invalid (op, &error);

  RanetCopyParams cp = { whole (3, 4, 4), whole (3, 4, 5) };
  op = ranet_op_copy_new (device, &cp, &error);
  expect_invalid (op, &error);

  RanetCopyParams big = { view (4, 1024, 1024, 0, 4, (gsize) G_MAXUINT32 - 100),
    whole (4, 1024, 1024) };
  op = ranet_op_copy_new (device, &big, &error);
  expect_invalid (op, &error);
  g_assert_cmpuint (ranet_vk_device_get_validation_error_count (device), ==, 0);
}

static void
test_macs (void)
{
  GError *error = NULL;
  RanetConv2dParams conv = { whole (3, 8, 8), whole (4, 4, 4), 3, 3, 2, 1, 1, FALSE };
  g_autoptr (RanetOp) op = NULL;

  if (!need_device ())
    return;
  op = ranet_op_conv2d_new (device, &conv, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ranet_op_get_name (op), ==, "conv2d");
  g_assert_cmpuint (ranet_op_get_macs (op), ==, 4 * 4 * 4 * 3 * 3 * 3);
}

int
main (int argc, char **argv)
{
  GError *error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  device = ranet_vk_device_new (NULL, &error);
  if (device == NULL) {
    g_printerr ("no Vulkan device, op tests will be skipped: %s\n", error->message);
    g_clear_error (&error);
  }

  for (guint kind = 0; kind < RANET_LAYER_N_KINDS; kind++) {
    g_autofree char *path = g_strdup_printf ("/ops/%s", ranet_layer_kind_to_string (kind));
    g_test_add_data_func (path, GUINT_TO_POINTER (kind), test_kind);
  }
  g_test_add_func ("/ops/invalid-params", test_invalid);
  g_test_add_func ("/ops/macs", test_macs);
  ret = g_test_run ();

  if (device != NULL)
    ranet_vk_device_unref (device);
  return ret;
}
