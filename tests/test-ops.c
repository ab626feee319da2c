/* test-ops.c: every op on the device against the scalar reference, over many
 * shapes: odd spatial sizes (1x1, 3x5, 7x7), channel counts that are not
 * multiples of 4, stride 2 on odd sizes, channel slices in input and output
 * (channels outside the output slice must stay untouched), input and output in
 * one buffer, pre-activation and ReLU on and off. The tolerance is documented
 * in ranet-op-check.h: 1e-5 relative to the op computed on absolute values. */
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

static void
assert_check (gboolean ran, const RanetOpCheck *check, GError *error,
    const char *what)
{
  g_assert_no_error (error);
  g_assert_true (ran);
  if (!ranet_op_check_passed (check))
    g_test_message ("%s: max err %g (%.2f of tolerance), %" G_GSIZE_FORMAT
        " elements outside the output view changed", what, check->max_err,
        check->max_err_ratio, check->n_outside_changed);
  g_assert_cmpfloat (check->max_err_ratio, <=, 1.0);
  g_assert_cmpuint (check->n_outside_changed, ==, 0);
  g_assert_cmpuint (ranet_vk_device_get_validation_error_count (device), ==, 0);
}

static gboolean
need_device (void)
{
  if (device == NULL)
    g_test_skip ("no Vulkan device");
  return device != NULL;
}

static guint
conv_out (guint in, guint k, guint stride, guint pad)
{
  return (in + 2 * pad - k) / stride + 1;
}

typedef struct {
  guint in_c, out_c, h, w, kh, kw, stride, pad_h, pad_w;
  gboolean relu;
  guint in_off, in_total, out_off, out_total;
  gboolean same;  /* output channels follow the input's in one tensor */
} ConvCase;

static const ConvCase conv_cases[] = {
  /* in_c out_c  h  w kh kw s ph pw relu in_off/total out_off/total same */
  { 3, 5, 1, 1, 3, 3, 1, 1, 1, FALSE, 0, 3, 0, 5, FALSE },
  { 1, 1, 1, 1, 1, 1, 1, 0, 0, TRUE, 0, 1, 0, 1, FALSE },
  { 3, 16, 7, 7, 7, 7, 2, 3, 3, TRUE, 0, 3, 0, 16, FALSE },
  { 13, 33, 3, 5, 3, 3, 1, 1, 1, FALSE, 0, 13, 0, 33, FALSE },
  { 5, 6, 7, 7, 3, 3, 2, 1, 1, TRUE, 0, 5, 0, 6, FALSE },
  { 8, 12, 9, 11, 3, 3, 2, 0, 0, FALSE, 0, 8, 0, 12, FALSE },
  { 4, 4, 7, 7, 1, 1, 2, 0, 0, FALSE, 0, 4, 0, 4, FALSE },
  { 3, 7, 9, 9, 5, 5, 1, 2, 2, TRUE, 0, 3, 0, 7, FALSE },
  { 6, 9, 5, 8, 1, 3, 1, 0, 1, FALSE, 0, 6, 0, 9, FALSE },
  { 6, 9, 8, 5, 3, 1, 2, 1, 0, TRUE, 0, 6, 0, 9, FALSE },
  { 2, 3, 5, 5, 3, 3, 1, 3, 3, FALSE, 0, 2, 0, 3, FALSE },
  { 3, 5, 13, 13, 7, 7, 2, 2, 1, FALSE, 0, 3, 0, 5, FALSE },
  { 5, 6, 7, 7, 3, 3, 1, 1, 1, TRUE, 2, 9, 5, 40, FALSE },
  { 13, 4, 3, 5, 3, 3, 2, 1, 1, FALSE, 3, 17, 1, 6, FALSE },
  { 12, 6, 7, 7, 3, 3, 1, 1, 1, TRUE, 0, 18, 12, 18, TRUE },
  { 33, 8, 5, 5, 3, 3, 1, 1, 1, FALSE, 0, 41, 33, 41, TRUE },
  { 1, 8, 28, 28, 3, 3, 1, 1, 1, TRUE, 0, 1, 0, 8, FALSE },
  { 16, 16, 32, 32, 3, 3, 1, 1, 1, TRUE, 0, 16, 0, 16, FALSE },
  /* classifier-like: few output pixels, several blocks of output channels in
   * one workgroup (4 blocks side by side; 3 blocks in groups of 2, one empty) */
  { 64, 64, 4, 4, 3, 3, 2, 1, 1, TRUE, 0, 64, 0, 64, FALSE },
  { 20, 40, 7, 7, 3, 3, 2, 1, 1, FALSE, 3, 25, 5, 50, FALSE },
};

static void
run_conv2d_cases (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (conv_cases); i++) {
    const ConvCase *t = &conv_cases[i];
    guint oh = conv_out (t->h, t->kh, t->stride, t->pad_h);
    guint ow = conv_out (t->w, t->kw, t->stride, t->pad_w);
    /* a same-buffer case needs equal spatial sizes: one tensor holds both */
    RanetConv2dParams p = {
      .in = view (t->in_c, t->h, t->w, t->in_off, t->in_total, 7),
      .out = view (t->out_c, oh, ow, t->out_off, t->out_total,
          t->same ? 7 : 3),
      .kh = t->kh, .kw = t->kw, .stride = t->stride,
      .pad_h = t->pad_h, .pad_w = t->pad_w, .relu = t->relu,
    };
    RanetOpCheck check;
    GError *error = NULL;
    g_autofree char *what = g_strdup_printf ("conv2d case %u", i);

    g_assert_true (!t->same || (oh == t->h && ow == t->w));
    gboolean ran = ranet_op_check_conv2d (device, &p, t->same, 100 + i, &check, &error);
    assert_check (ran, &check, error, what);
  }
}


typedef struct {
  guint in_c, out_c, h, w;
  gboolean pre_act, relu;
  guint in_off, in_total, out_off, out_total;
  gboolean same;
} Conv1x1Case;

static const Conv1x1Case conv1x1_cases[] = {
  /* in_c out_c h w pre_act relu in_off/total out_off/total same */
  { 1, 1, 1, 1, FALSE, FALSE, 0, 1, 0, 1, FALSE },
  { 3, 5, 1, 1, TRUE, FALSE, 0, 3, 0, 5, FALSE },
  { 13, 33, 3, 5, FALSE, TRUE, 0, 13, 0, 33, FALSE },
  { 13, 33, 3, 5, TRUE, TRUE, 0, 13, 0, 33, FALSE },
  { 5, 4, 7, 7, TRUE, FALSE, 2, 9, 1, 11, FALSE },
  { 33, 6, 7, 7, FALSE, FALSE, 5, 40, 0, 6, FALSE },
  { 16, 24, 8, 8, TRUE, TRUE, 0, 16, 8, 40, FALSE },
  { 12, 6, 5, 5, TRUE, TRUE, 0, 18, 12, 18, TRUE },
  { 20, 9, 3, 3, FALSE, TRUE, 0, 29, 20, 29, TRUE },
  { 64, 32, 16, 16, TRUE, TRUE, 0, 64, 0, 32, FALSE },
  /* blocks of 32 channels, 2 pixels per invocation */
  { 24, 64, 7, 7, TRUE, TRUE, 3, 30, 0, 64, FALSE },
  { 9, 96, 3, 5, FALSE, FALSE, 0, 9, 32, 128, FALSE },
};

static void
run_conv1x1_cases (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (conv1x1_cases); i++) {
    const Conv1x1Case *t = &conv1x1_cases[i];
    RanetConv1x1Params p = {
      .in = view (t->in_c, t->h, t->w, t->in_off, t->in_total, 5),
      .out = view (t->out_c, t->h, t->w, t->out_off, t->out_total,
          t->same ? 5 : 11),
      .pre_act = t->pre_act, .relu = t->relu,
    };
    RanetOpCheck check;
    GError *error = NULL;
    g_autofree char *what = g_strdup_printf ("conv1x1 case %u", i);
    gboolean ran = ranet_op_check_conv1x1 (device, &p, t->same, 200 + i, &check, &error);
    assert_check (ran, &check, error, what);
  }
}

static void
run_linear_cases (void)
{
  const RanetLinearParams cases[] = {
    { whole (1, 1, 1), whole (1, 1, 1), FALSE },
    { whole (33, 1, 1), whole (10, 1, 1), FALSE },
    { view (8, 3, 3, 2, 13, 4), view (13, 1, 1, 3, 20, 9), TRUE },
    { view (128, 1, 1, 0, 128, 0), view (10, 1, 1, 128, 140, 0), FALSE },
    { whole (5, 7, 7), whole (100, 1, 1), TRUE },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    RanetOpCheck check;
    GError *error = NULL;
    g_autofree char *what = g_strdup_printf ("linear case %u", i);
    /* case 3 writes after its input, in the same buffer */
    gboolean ran = ranet_op_check_linear (device, &cases[i], i == 3, 300 + i,
        &check, &error);
    assert_check (ran, &check, error, what);
  }
}

/* The convolution ops have three shader variants: input and weights read as
 * texel buffers, weights shared through subgroup shuffles (what CPU
 * implementations get), storage-buffer input with shuffles (GPUs), and neither
 * (devices without shuffles); the resize has the first two. The environment switches of
 * ranet_op_texel_input() and ranet_op_weight_sharing() select the others, so
 * every variant is checked on every device that can run it. */
typedef struct {
  const char *texel_input, *subgroup_shuffle;
} ShaderVariant;

static const ShaderVariant shader_variants[] = {
  { NULL, NULL }, { "0", NULL }, { "0", "0" },
};

typedef struct {
  void (*run) (void);
} CaseSet;

static void run_resize_cases (void);

static const CaseSet conv2d_set = { run_conv2d_cases };
static const CaseSet conv1x1_set = { run_conv1x1_cases };
static const CaseSet linear_set = { run_linear_cases };
static const CaseSet resize_set = { run_resize_cases };

static void
run_variants (gconstpointer data)
{
  const CaseSet *set = data;

  if (!need_device ())
    return;
  for (guint v = 0; v < G_N_ELEMENTS (shader_variants); v++) {
    const ShaderVariant *sv = &shader_variants[v];
    if (sv->texel_input)
      g_setenv ("RANET_TEXEL_BUFFERS", sv->texel_input, TRUE);
    if (sv->subgroup_shuffle)
      g_setenv ("RANET_SUBGROUP_SHUFFLE", sv->subgroup_shuffle, TRUE);
    set->run ();
    g_unsetenv ("RANET_TEXEL_BUFFERS");
    g_unsetenv ("RANET_SUBGROUP_SHUFFLE");
  }
}

static void
run_resize_cases (void)
{
  const RanetResizeParams cases[] = {
    { whole (3, 4, 4), whole (3, 7, 7) },
    { whole (5, 7, 7), whole (5, 3, 5) },
    { whole (1, 1, 1), whole (1, 3, 3) },
    { whole (2, 5, 5), whole (2, 1, 1) },
    { view (13, 3, 5, 2, 16, 3), view (13, 6, 10, 4, 20, 1) },
    { whole (4, 7, 7), whole (4, 14, 14) },
    { whole (4, 14, 14), whole (4, 7, 7) },
    { whole (3, 1, 8), whole (3, 5, 3) },
    { whole (8, 16, 16), whole (8, 32, 32) },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    RanetOpCheck check;
    GError *error = NULL;
    g_autofree char *what = g_strdup_printf ("resize case %u", i);
    gboolean ran = ranet_op_check_resize_bilinear (device, &cases[i], FALSE,
        400 + i, &check, &error);
    assert_check (ran, &check, error, what);
  }
  {
    /* a low-resolution tensor upsampled into a slice after it in the same
     * buffer (read as a texel buffer and written as a storage buffer at once) */
    RanetResizeParams p = {
      .in = view (5, 4, 4, 0, 5, 0),
      .out = view (5, 7, 7, 3, 9, 5 * 4 * 4),
    };
    RanetOpCheck check;
    GError *error = NULL;
    gboolean ran = ranet_op_check_resize_bilinear (device, &p, TRUE, 450, &check, &error);
    assert_check (ran, &check, error, "resize same buffer");
  }
}

static void
test_pool (void)
{
  const RanetPool2dParams cases[] = {
    { whole (3, 7, 7), whole (3, 4, 4), RANET_POOL_MAX, 3, 2, 1 },
    { whole (5, 8, 8), whole (5, 4, 4), RANET_POOL_MAX, 3, 2, 1 },
    { whole (5, 8, 8), whole (5, 4, 4), RANET_POOL_MAX, 2, 2, 0 },
    { whole (1, 1, 1), whole (1, 1, 1), RANET_POOL_MAX, 1, 1, 0 },
    { whole (13, 7, 7), whole (13, 3, 3), RANET_POOL_AVG, 2, 2, 0 },
    { whole (4, 8, 8), whole (4, 4, 4), RANET_POOL_AVG, 2, 2, 0 },
    { whole (3, 3, 5), whole (3, 1, 3), RANET_POOL_AVG, 3, 1, 0 },
    { whole (6, 7, 7), whole (6, 1, 1), RANET_POOL_AVG, 7, 7, 0 },
    { view (5, 7, 7, 2, 9, 3), view (5, 4, 4, 3, 10, 2), RANET_POOL_MAX, 3, 2, 1 },
    { view (5, 7, 7, 2, 9, 3), view (5, 3, 3, 1, 6, 5), RANET_POOL_AVG, 2, 2, 0 },
  };
  if (!need_device ())
    return;
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    RanetOpCheck check;
    GError *error = NULL;
    g_autofree char *what = g_strdup_printf ("pool case %u", i);
    gboolean ran = ranet_op_check_pool2d (device, &cases[i], FALSE, 500 + i,
        &check, &error);
    assert_check (ran, &check, error, what);
  }
}

static void
test_softmax (void)
{
  const RanetSoftmaxParams cases[] = {
    { whole (1, 1, 1), 0 },
    { whole (10, 1, 1), 0 },
    { whole (13, 1, 1), 5 },
    { view (10, 1, 1, 5, 20, 3), 2 },
    { whole (2, 3, 2), 7 },
    { whole (100, 1, 1), 0 },
    { whole (1000, 1, 1), 1 },
  };
  if (!need_device ())
    return;
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    RanetOpCheck check;
    GError *error = NULL;
    g_autofree char *what = g_strdup_printf ("softmax case %u", i);
    gboolean ran = ranet_op_check_softmax (device, &cases[i], FALSE, 600 + i,
        &check, &error);
    assert_check (ran, &check, error, what);
  }
}

static void
test_copy (void)
{
  const RanetCopyParams cases[] = {
    { whole (1, 1, 1), whole (1, 1, 1) },
    { whole (3, 5, 7), view (3, 5, 7, 4, 9, 2) },
    { view (13, 3, 5, 1, 20, 6), view (13, 3, 5, 0, 13, 1) },
    { view (33, 7, 7, 0, 40, 0), view (33, 7, 7, 5, 38, 11) },
  };
  if (!need_device ())
    return;
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    RanetOpCheck check;
    GError *error = NULL;
    g_autofree char *what = g_strdup_printf ("copy case %u", i);
    gboolean ran = ranet_op_check_copy (device, &cases[i], FALSE, 700 + i,
        &check, &error);
    assert_check (ran, &check, error, what);
  }
}

static void
test_copy_same_buffer (void)
{
  /* channels 0..4 of a tensor copied to channels 6..10 of the same tensor */
  RanetCopyParams p = { view (5, 3, 5, 0, 12, 0), view (5, 3, 5, 6, 12, 0) };
  RanetOpCheck check;
  GError *error = NULL;
  gboolean ran;

  if (!need_device ())
    return;
  ran = ranet_op_check_copy (device, &p, TRUE, 750, &check, &error);
  assert_check (ran, &check, error, "copy same buffer");
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

  g_test_add_data_func ("/ops/conv2d", &conv2d_set, run_variants);
  g_test_add_data_func ("/ops/conv1x1", &conv1x1_set, run_variants);
  g_test_add_data_func ("/ops/linear", &linear_set, run_variants);
  g_test_add_data_func ("/ops/resize-bilinear", &resize_set, run_variants);
  g_test_add_func ("/ops/pool2d", test_pool);
  g_test_add_func ("/ops/softmax", test_softmax);
  g_test_add_func ("/ops/copy", test_copy);
  g_test_add_func ("/ops/copy-same-buffer", test_copy_same_buffer);
  g_test_add_func ("/ops/invalid-params", test_invalid);
  g_test_add_func ("/ops/macs", test_macs);
  ret = g_test_run ();

  if (device != NULL)
    ranet_vk_device_unref (device);
  return ret;
}
