/* test-ops-classifier.c: the fused end of a classifier (ranet_op_classifier_new():
 * convolution, linear layer, softmax in one dispatch) against the scalar
 * reference run layer by layer, over classifier shapes and beyond: channel
 * slices, strides, paddings, ReLU or not, 1 to 100 classes, results at an
 * offset; its deciding variant against the rule softmax_decide applies; and
 * what it refuses. Tolerance: 1e-5 relative to the layers computed on
 * absolute values, as the ops' own tests (ranet-op-check.h). */
#include <math.h>
#include <string.h>

#include "ref/ranet-ref.h"
#include "testing/ranet-op-check.h"

static RanetVkDevice *device;

typedef struct {
  guint in_c, in_h, in_w, in_off, in_total;
  guint mid_c, k, stride, pad;
  gboolean relu;
} Shape;

static const Shape shapes[] = {
  /* the default model's heads: 64x4x4 -> 64x2x2, 10 classes */
  { 64, 4, 4, 0, 64, 64, 10, 2, 1, TRUE },
  /* an input that is a channel slice, and other widths */
  { 24, 7, 7, 8, 40, 32, 10, 2, 1, TRUE },
  { 5, 3, 3, 0, 5, 7, 3, 1, 1, FALSE },
  { 130, 2, 2, 2, 140, 12, 1, 2, 1, TRUE },
  { 16, 9, 5, 0, 16, 20, 100, 2, 0, TRUE },
  { 3, 1, 1, 0, 3, 4, 2, 1, 1, TRUE },
  { 64, 8, 8, 0, 64, 128, 37, 2, 1, FALSE },
};

typedef struct {
  RanetClassifierParams p;
  gsize act_floats, w_floats, res_floats;
  gsize conv_w, lin_w;
  float *act, *weights, *torch_conv, *conv_bias, *torch_lin, *lin_bias;
} Case;

/* ranet_op_check_random_floats() times @scale. */
static float *
random_floats (GRand *rand, gsize n, float scale)
{
  float *f = ranet_op_check_random_floats (rand, n);
  for (gsize i = 0; i < n; i++)
    f[i] *= scale;
  return f;
}

static void
case_init (Case *c, const Shape *s, guint32 seed)
{
  GRand *rand = g_rand_new_with_seed (seed);
  guint mid_h = (s->in_h + 2 * s->pad - 3) / s->stride + 1;
  guint mid_w = (s->in_w + 2 * s->pad - 3) / s->stride + 1;
  gsize in_size = (gsize) s->in_total * s->in_h * s->in_w;
  gsize mid_base = (in_size + 16) / 16 * 16;
  gsize mid_size = (gsize) s->mid_c * mid_h * mid_w;
  gsize logits_base = (mid_base + mid_size + 31) / 16 * 16;

  memset (c, 0, sizeof *c);
  c->p.conv = (RanetConv2dParams) {
    .in = { s->in_c, s->in_h, s->in_w, s->in_off, s->in_total, 0 },
    .out = { s->mid_c, mid_h, mid_w, 0, s->mid_c, mid_base },
    .kh = 3, .kw = 3, .stride = s->stride, .pad_h = s->pad, .pad_w = s->pad,
    .relu = s->relu,
  };
  c->p.linear = (RanetLinearParams) {
    .in = c->p.conv.out, .out = { s->k, 1, 1, 0, s->k, logits_base },
  };
  c->p.softmax = (RanetSoftmaxParams) { .in = c->p.linear.out, .out_base = 5 };
  c->act_floats = logits_base + s->k + 20;
  c->res_floats = 5 + RANET_SOFTMAX_OUT_SIZE (s->k) + 7;
  c->conv_w = 8;
  c->lin_w = (c->conv_w + ranet_op_conv2d_packed_weight_size (&c->p.conv) + 12) / 4 * 4;
  c->w_floats = c->lin_w + ranet_op_linear_packed_weight_size (&c->p.linear) + 4;

  c->act = random_floats (rand, c->act_floats, 1.0);
  c->torch_conv = random_floats (rand, (gsize) s->mid_c * s->in_c * 9, 0.3);
  c->conv_bias = random_floats (rand, s->mid_c, 0.3);
  c->torch_lin = random_floats (rand, (gsize) s->k * mid_size, 0.3);
  c->lin_bias = random_floats (rand, s->k, 0.3);
  c->weights = random_floats (rand, c->w_floats, 1.0);
  ranet_op_conv2d_pack_weights (&c->p.conv, c->torch_conv, c->conv_bias, c->weights + c->conv_w);
  ranet_op_linear_pack_weights (&c->p.linear, c->torch_lin, c->lin_bias, c->weights + c->lin_w);
  g_rand_free (rand);
}

static void
case_clear (Case *c)
{
  g_free (c->act);
  g_free (c->weights);
  g_free (c->torch_conv);
  g_free (c->conv_bias);
  g_free (c->torch_lin);
  g_free (c->lin_bias);
}

/* The layers one by one on the host: logits and results into @act and @res;
 * with @absolute, on the absolute values of everything (the error scale). */
static void
reference (const Case *c, gboolean absolute, float *act, float *res)
{
  gsize nc = (gsize) c->p.conv.out.c * c->p.conv.in.c * 9;
  gsize nl = (gsize) c->p.linear.out.c * c->p.conv.out.c * c->p.conv.out.h * c->p.conv.out.w;
  g_autofree float *wc = g_memdup2 (c->torch_conv, nc * sizeof (float));
  g_autofree float *bc = g_memdup2 (c->conv_bias, c->p.conv.out.c * sizeof (float));
  g_autofree float *wl = g_memdup2 (c->torch_lin, nl * sizeof (float));
  g_autofree float *bl = g_memdup2 (c->lin_bias, c->p.linear.out.c * sizeof (float));

  memcpy (act, c->act, c->act_floats * sizeof (float));
  if (absolute) {
    for (gsize i = 0; i < c->act_floats; i++)
      act[i] = fabsf (act[i]);
    for (gsize i = 0; i < nc; i++)
      wc[i] = fabsf (wc[i]);
    for (gsize i = 0; i < c->p.conv.out.c; i++)
      bc[i] = fabsf (bc[i]);
    for (gsize i = 0; i < nl; i++)
      wl[i] = fabsf (wl[i]);
    for (gsize i = 0; i < c->p.linear.out.c; i++)
      bl[i] = fabsf (bl[i]);
  }
  ranet_ref_conv2d (&c->p.conv, act, wc, bc, act);
  ranet_ref_linear (&c->p.linear, act, wl, bl, act);
  ranet_ref_softmax (&c->p.softmax, act, res);
}

/* Runs @op on the case's buffers; @control (nullable) its control words in
 * and out. Returns the activations and the results as the device left them. */
static void
run (const Case *c, RanetOp *op, guint32 *control, guint n_control, float *act, float *res)
{
  GError *error = NULL;
  g_autoptr (RanetVkBuffer) a = ranet_vk_buffer_new (device, c->act_floats * 4,
      RANET_VK_BUFFER_DEVICE, &error);
  g_autoptr (RanetVkBuffer) w = ranet_vk_buffer_new (device, c->w_floats * 4,
      RANET_VK_BUFFER_DEVICE, &error);
  g_autoptr (RanetVkBuffer) r = ranet_vk_buffer_new (device, c->res_floats * 4,
      RANET_VK_BUFFER_HOST, &error);
  g_autoptr (RanetVkBuffer) k = ranet_vk_buffer_new (device, MAX (n_control, 1) * 4,
      RANET_VK_BUFFER_HOST, &error);
  g_autoptr (RanetVkCommands) cmds = ranet_vk_commands_new (device, 0, &error);

  g_assert_no_error (error);
  g_assert_true (ranet_vk_buffer_upload (a, 0, c->act, c->act_floats * 4, &error));
  g_assert_true (ranet_vk_buffer_upload (w, 0, c->weights, c->w_floats * 4, &error));
  for (gsize i = 0; i < c->res_floats; i++)
    ((float *) ranet_vk_buffer_get_mapped (r))[i] = -7.0f;
  if (control != NULL)
    memcpy (ranet_vk_buffer_get_mapped (k), control, n_control * 4);
  RanetVkBuffer *buffers[] = { a, w, a, r, k };
  g_assert_true (ranet_vk_commands_begin (cmds, &error));
  ranet_op_record_buffers (op, cmds, buffers, control != NULL ? 5 : 4);
  g_assert_true (ranet_vk_commands_end (cmds, &error));
  g_assert_true (ranet_vk_commands_submit (cmds, &error));
  g_assert_no_error (error);
  g_assert_true (ranet_vk_buffer_download (a, 0, act, c->act_floats * 4, &error));
  g_assert_no_error (error);
  memcpy (res, ranet_vk_buffer_get_mapped (r), c->res_floats * 4);
  if (control != NULL)
    memcpy (control, ranet_vk_buffer_get_mapped (k), n_control * 4);
}

/* The device's logits and results against the reference's: the logits and
 * probabilities within tolerance, the confidence the largest probability,
 * the argmax the reference's unless two logits tie within tolerance; every
 * other float untouched, the convolution's output included (the fused op
 * keeps it in shared memory). */
static void
check_case (const Case *c, const float *act, const float *res)
{
  g_autofree float *want_act = g_new (float, c->act_floats);
  g_autofree float *abs_act = g_new (float, c->act_floats);
  g_autofree float *want_res = g_new0 (float, c->res_floats);
  g_autofree float *abs_res = g_new0 (float, c->res_floats);
  gsize logits = c->p.linear.out.base;
  guint k = c->p.linear.out.c;
  double worst = 0.0;

  reference (c, FALSE, want_act, want_res);
  reference (c, TRUE, abs_act, abs_res);
  for (gsize i = 0; i < c->act_floats; i++) {
    if (i >= logits && i < logits + k) {
      double tol = 1e-5 * abs_act[i] + 1e-6;
      worst = MAX (worst, fabs (act[i] - want_act[i]) / tol);
    } else {
      /* untouched: the input, the padding, the convolution's output */
      g_assert_cmpfloat (act[i], ==, c->act[i]);
    }
  }
  g_assert_cmpfloat (worst, <=, 1.0);
  for (gsize i = 0; i < c->res_floats; i++) {
    if (i < c->p.softmax.out_base || i >= c->p.softmax.out_base + RANET_SOFTMAX_OUT_SIZE (k)) {
      g_assert_cmpfloat (res[i], ==, -7.0f);
      continue;
    }
    gsize j = i - c->p.softmax.out_base;
    if (j < k) {
      /* a probability moves by at most the logits' error */
      g_assert_cmpfloat (fabs (res[i] - want_res[i]), <=, 4e-5);
    } else if (j == k) {
      g_assert_cmpfloat (fabs (res[i] - want_res[i]), <=, 4e-5);
    } else {
      guint got = (guint) res[i], ref = (guint) want_res[i];
      if (got != ref)
        g_assert_cmpfloat (fabs (want_act[logits + got] - want_act[logits + ref]), <=,
            1e-5 * (abs_act[logits + got] + abs_act[logits + ref]) + 2e-6);
    }
  }
}

static void
test_shapes (void)
{
  if (device == NULL) {
    g_test_skip ("no Vulkan device");
    return;
  }
  for (guint i = 0; i < G_N_ELEMENTS (shapes); i++) {
    Case c;
    GError *error = NULL;

    case_init (&c, &shapes[i], 17 + i);
    g_test_message ("%ux%ux%u (channels %u.. of %u) -> %u, stride %u, pad %u, relu %d, %u classes",
        shapes[i].in_c, shapes[i].in_h, shapes[i].in_w, shapes[i].in_off, shapes[i].in_total,
        shapes[i].mid_c, shapes[i].stride, shapes[i].pad, shapes[i].relu, shapes[i].k);
    g_assert_true (ranet_op_classifier_supported (&c.p));
    g_autoptr (RanetOp) op = ranet_op_classifier_new (device, &c.p, c.conv_w, c.lin_w, &error);
    g_assert_no_error (error);
    g_autofree float *act = g_new (float, c.act_floats);
    g_autofree float *res = g_new (float, c.res_floats);
    run (&c, op, NULL, 0, act, res);
    check_case (&c, act, res);
    g_assert_cmpuint (ranet_vk_device_get_validation_error_count (device), ==, 0);
    case_clear (&c);
  }
}

/* The deciding variant: the same results, and the control word of the next
 * stage set exactly as softmax_decide sets it (softmax-body.glsl): go on
 * unless confidence >= threshold, only if this stage ran and may not be the
 * last. Exit 1 of 3: words 0-2 thresholds, 3-5 run flags, 6 the last stage. */
static void
test_decide (void)
{
  Case c;
  GError *error = NULL;
  struct { float threshold_delta; guint32 runs, last; guint32 want; } rules[] = {
    { 0.0f, 1, 2, 0 },        /* confidence == threshold: stop */
    { 1e-3f, 1, 2, 1 },       /* threshold above: go on */
    { -1e-3f, 1, 2, 0 },      /* below: stop */
    { 1e-3f, 0, 2, 0 },       /* this stage did not run */
    { 1e-3f, 1, 1, 0 },       /* the frame may not go past this stage */
  };

  if (device == NULL) {
    g_test_skip ("no Vulkan device");
    return;
  }
  case_init (&c, &shapes[0], 99);
  g_autoptr (RanetOp) plain = ranet_op_classifier_new (device, &c.p, c.conv_w, c.lin_w, &error);
  g_autoptr (RanetOp) op = ranet_op_classifier_decide_new (device, &c.p, c.conv_w, c.lin_w,
      1, 3, &error);
  g_assert_no_error (error);
  g_autofree float *act = g_new (float, c.act_floats);
  g_autofree float *res = g_new (float, c.res_floats);
  g_autofree float *res0 = g_new (float, c.res_floats);
  run (&c, plain, NULL, 0, act, res0);
  float confidence = res0[c.p.softmax.out_base + c.p.linear.out.c];
  for (guint i = 0; i < G_N_ELEMENTS (rules); i++) {
    union { float f; guint32 u; } th = { .f = confidence + rules[i].threshold_delta };
    guint32 control[7] = { 0, th.u, 0, 1, rules[i].runs, 0xdead, rules[i].last };

    run (&c, op, control, G_N_ELEMENTS (control), act, res);
    g_assert_cmpmem (res, c.res_floats * 4, res0, c.res_floats * 4);
    g_assert_cmpuint (control[5], ==, rules[i].want);
    /* nothing else changes */
    g_assert_cmpuint (control[1], ==, th.u);
    g_assert_cmpuint (control[4], ==, rules[i].runs);
  }
  g_assert_null (ranet_op_classifier_decide_new (device, &c.p, c.conv_w, c.lin_w, 3, 3, &error));
  g_assert_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID);
  g_clear_error (&error);
  case_clear (&c);
}

/* Layers one op cannot run give an error, not an op. */
static void
test_refused (void)
{
  Case c;
  GError *error = NULL;
  RanetClassifierParams p;

  if (device == NULL) {
    g_test_skip ("no Vulkan device");
    return;
  }
  case_init (&c, &shapes[0], 5);
  /* the linear layer reading something else than the convolution's output */
  p = c.p;
  p.linear.in.base += 16;
  p.softmax.in = p.linear.out;
  /* logits that do not feed the softmax */
  RanetClassifierParams q = c.p;
  q.softmax.in.base += 16;
  /* more than the shared memory holds: 64x9x9 */
  RanetClassifierParams big = c.p;
  big.conv.in.h = big.conv.in.w = 17;
  big.conv.out.h = big.conv.out.w = 9;
  big.linear.in = big.conv.out;
  /* a batch */
  RanetClassifierParams batch = c.p;
  batch.conv.in.n_items = batch.conv.out.n_items = 2;
  batch.conv.in.item_stride = batch.conv.out.item_stride = 100000;
  /* ReLU on the logits */
  RanetClassifierParams relu = c.p;
  relu.linear.relu = TRUE;
  RanetClassifierParams *refused[] = { &p, &q, &big, &batch, &relu };

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++) {
    g_assert_false (ranet_op_classifier_supported (refused[i]));
    g_assert_null (ranet_op_classifier_new (device, refused[i], c.conv_w, c.lin_w, &error));
    g_assert_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID);
    g_clear_error (&error);
  }
  /* unaligned weights */
  g_assert_null (ranet_op_classifier_new (device, &c.p, c.conv_w + 1, c.lin_w, &error));
  g_assert_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID);
  g_clear_error (&error);
  case_clear (&c);
}

int
main (int argc, char **argv)
{
  GError *error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  device = ranet_vk_device_new (NULL, &error);
  if (device == NULL) {
    g_printerr ("no Vulkan device: %s\n", error->message);
    g_clear_error (&error);
  }
  g_test_add_func ("/ops-classifier/shapes", test_shapes);
  g_test_add_func ("/ops-classifier/decide", test_decide);
  g_test_add_func ("/ops-classifier/refused", test_refused);
  status = g_test_run ();
  g_clear_pointer (&device, ranet_vk_device_unref);
  return status;
}
