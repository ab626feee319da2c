/* test-ops-batch.c: every op batched (views of several items, one dispatch
 * over a list of their slots) against the scalar reference run on each item
 * alone, in every shader variant its kind declares, over its kind's list of
 * shapes (core/testing/op-check-shapes.c): every slot or a subset in another
 * order, with gaps between the items, recorded directly and indirectly; and
 * the batches every op refuses. */
#include "testing/ranet-op-check.h"

static RanetVkDevice *device;

/* Items of 600 floats at most for the batches of 64: the small shapes. */
#define SMALL_ITEM_FLOATS 600

static const guint32 three_of_seven[] = { 5, 0, 3 };
static const guint32 four_of_seven[] = { 6, 1, 2, 4 };
static const guint32 three_of_64[] = { 63, 17, 0 };

/* The batches each kind is checked in: every shape in a few, the small
 * ones in more. Batches of equal slots and gap share their pipelines. */
static const RanetOpCheckBatch batches[] = {
  { .n_slots = 3, .gap = 5, .indirect = TRUE },
  { .n_slots = 7, .gap = 3, .items = three_of_seven, .n_run = 3 },
  { .n_slots = 7, .gap = 3, .items = four_of_seven, .n_run = 4, .indirect = TRUE },
  { .n_slots = 2, .max_item_floats = SMALL_ITEM_FLOATS },
  { .n_slots = 64, .gap = 2, .indirect = TRUE, .max_item_floats = SMALL_ITEM_FLOATS },
  { .n_slots = 64, .gap = 2, .items = three_of_64, .n_run = 3,
    .max_item_floats = SMALL_ITEM_FLOATS },
};

static RanetTensorView
view (guint c, guint h, guint w, guint off, guint total, gsize base)
{
  return (RanetTensorView) { c, h, w, off, total, base };
}

/* @n items of a whole tensor, @stride floats apart. */
static RanetTensorView
items (guint c, guint h, guint w, guint n, gsize stride)
{
  RanetTensorView v = view (c, h, w, 0, c, 0);

  v.n_items = n;
  v.item_stride = stride;
  return v;
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
  guint *n_reports = user_data;

  g_assert_no_error (error);
  g_test_message ("%s: max err %.2f of tolerance", what, check->max_err_ratio);
  if (!ranet_op_check_passed (check))
    g_test_message ("%s: max err %g (%.2f of tolerance), %" G_GSIZE_FORMAT
        " elements outside the items run changed", what, check->max_err,
        check->max_err_ratio, check->n_outside_changed);
  g_assert_cmpfloat (check->max_err_ratio, <=, 1.0);
  g_assert_cmpuint (check->n_outside_changed, ==, 0);
  g_assert_cmpuint (ranet_vk_device_get_validation_error_count (device), ==, 0);
  (*n_reports)++;
}

/* A kind's test: its shapes in every batch. */
static void
test_kind (gconstpointer data)
{
  RanetLayerKind kind = GPOINTER_TO_UINT (data);
  guint n_reports = 0;

  if (!need_device ())
    return;
  g_assert_cmpuint (ranet_op_check_kind_batches (device, kind, batches, G_N_ELEMENTS (batches),
          assert_check, &n_reports), >, 0);
  g_assert_cmpuint (n_reports, >, 0);
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

  /* item strides below the tensor: the items would overlap */
  RanetConv2dParams conv = { items (3, 8, 8, 4, 3 * 64), items (4, 8, 8, 4, 4 * 64 - 1),
    3, 3, 1, 1, 1, FALSE };
  op = ranet_op_conv2d_new (device, &conv, 0, &error);
  expect_invalid (op, &error);
  /* a slice's stride counts the whole tensor, not the slice */
  RanetCopyParams cp = { view (2, 4, 4, 1, 5, 0), items (2, 4, 4, 3, 32) };
  cp.in.n_items = 3;
  cp.in.item_stride = 2 * 16;
  op = ranet_op_copy_new (device, &cp, &error);
  expect_invalid (op, &error);

  /* as many items in and out */
  RanetConv1x1Params c1 = { items (3, 4, 4, 3, 48), items (5, 4, 4, 2, 80), FALSE, FALSE };
  op = ranet_op_conv1x1_new (device, &c1, 0, &error);
  expect_invalid (op, &error);
  c1.out.n_items = 0;   /* one item against three */
  op = ranet_op_conv1x1_new (device, &c1, 0, &error);
  expect_invalid (op, &error);
  RanetLinearParams lin = { items (8, 1, 1, 1, 0), items (4, 1, 1, 2, 4), FALSE };
  op = ranet_op_linear_new (device, &lin, 0, &error);
  expect_invalid (op, &error);
  RanetResizeParams rs = { items (3, 4, 4, 2, 48), items (3, 8, 8, 3, 192) };
  op = ranet_op_resize_bilinear_new (device, &rs, &error);
  expect_invalid (op, &error);
  RanetPool2dParams pool = { items (3, 8, 8, 5, 192), items (3, 4, 4, 4, 48),
    RANET_POOL_MAX, 2, 2, 0 };
  op = ranet_op_pool2d_new (device, &pool, &error);
  expect_invalid (op, &error);

  /* results of one item overlapping the next's */
  RanetSoftmaxParams sm = { items (10, 1, 1, 4, 10), 0, 11 };
  op = ranet_op_softmax_new (device, &sm, &error);
  expect_invalid (op, &error);
  /* the decision is a frame's */
  sm.out_item_stride = 12;
  op = ranet_op_softmax_decide_new (device, &sm, 0, 2, &error);
  expect_invalid (op, &error);

  /* the last item beyond float index 2^32 */
  RanetCopyParams far = { items (4, 16, 16, 5, (gsize) G_MAXUINT32 / 4),
    items (4, 16, 16, 5, 1024) };
  op = ranet_op_copy_new (device, &far, &error);
  expect_invalid (op, &error);

  /* more items than workgroups in z */
  guint max_z = ranet_vk_device_get_max_workgroup_count (device, 2);
  if (max_z < G_MAXUINT32 / 2) {
    RanetCopyParams many = { items (1, 1, 1, max_z + 1, 1), items (1, 1, 1, max_z + 1, 2) };
    op = ranet_op_copy_new (device, &many, &error);
    expect_invalid (op, &error);
  }
  g_assert_cmpuint (ranet_vk_device_get_validation_error_count (device), ==, 0);
}

/* What a batched op tells its user, and a single-item view that is not a
 * batch. */
static void
test_items_api (void)
{
  GError *error = NULL;
  RanetPool2dParams pool = { items (3, 8, 8, 5, 200), items (3, 4, 4, 5, 48),
    RANET_POOL_AVG, 2, 2, 0 };
  g_autoptr (RanetOp) batched = NULL;
  g_autoptr (RanetOp) single = NULL;
  guint32 one[3], five[3];

  if (!need_device ())
    return;
  batched = ranet_op_pool2d_new (device, &pool, &error);
  g_assert_no_error (error);
  g_assert_true (ranet_op_is_batched (batched));
  g_assert_cmpuint (ranet_op_get_max_items (batched), ==, 5);
  ranet_op_get_dispatch_args (batched, 1, one);
  ranet_op_get_dispatch_args (batched, 5, five);
  /* one output per invocation, 64 per workgroup: 48 outputs, one workgroup */
  g_assert_cmpuint (one[0], ==, 1);
  g_assert_cmpuint (one[1], ==, 1);
  g_assert_cmpuint (one[2], ==, 1);
  g_assert_cmpuint (five[0], ==, one[0]);
  g_assert_cmpuint (five[1], ==, one[1]);
  g_assert_cmpuint (five[2], ==, 5);

  pool.in.n_items = pool.out.n_items = 1;
  single = ranet_op_pool2d_new (device, &pool, &error);
  g_assert_no_error (error);
  g_assert_false (ranet_op_is_batched (single));
  g_assert_cmpuint (ranet_op_get_max_items (single), ==, 1);
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
    g_autofree char *path = g_strdup_printf ("/ops-batch/%s",
        ranet_layer_kind_to_string (kind));
    g_test_add_data_func (path, GUINT_TO_POINTER (kind), test_kind);
  }
  g_test_add_func ("/ops-batch/invalid", test_invalid);
  g_test_add_func ("/ops-batch/items-api", test_items_api);
  ret = g_test_run ();

  if (device != NULL)
    ranet_vk_device_unref (device);
  return ret;
}
