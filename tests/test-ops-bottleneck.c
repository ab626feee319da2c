/* test-ops-bottleneck.c: the fused bottleneck op (a 1x1 convolution, then a
 * KxK convolution of its result, and optionally a bilinear resize of that,
 * in one dispatch) against the C reference of the layers run one after the
 * other, with the tolerance of every op check (ranet-op-check.h); the
 * parameters it refuses; and, with -m perf, its time against the two ops it
 * replaces. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ref/ranet-ref.h"
#include "testing/ranet-op-check.h"

static RanetVkDevice *device;

enum {
  PRE_ACT = 1 << 0,   /* relu(scale * x + shift) before the 1x1 */
  MID_RELU = 1 << 1,  /* ReLU on the bottleneck */
  RELU = 1 << 2,      /* ReLU on the output */
  ALL = PRE_ACT | MID_RELU | RELU,
};

typedef struct {
  guint in_c, mid_c, out_c, h, w;
  guint kh, kw, stride, pad_h, pad_w;
  guint flags;
} Shape;

/* Bottleneck widths 1..64, input channels 1..128, maps from 1x1 to 28x28 and
 * odd ones, strides 1 to 3; bottlenecks that fill 16 KiB in one tile
 * (64 x 7x7) and that need several tiles (32 x 14x14, 24 x 14x14 and
 * 28x28, 32 x 28x28 at stride 2: one output row each), kernels other than
 * 3x3, padding other than 1. */
static const Shape shapes[] = {
  { 1, 1, 1, 1, 1, 3, 3, 1, 1, 1, 0 },
  { 3, 2, 5, 1, 1, 3, 3, 2, 1, 1, ALL },
  { 5, 3, 4, 2, 2, 3, 3, 1, 1, 1, MID_RELU },
  { 8, 4, 8, 2, 2, 3, 3, 2, 1, 1, PRE_ACT | RELU },
  { 16, 6, 6, 4, 4, 3, 3, 1, 1, 1, ALL },
  { 12, 8, 16, 4, 4, 3, 3, 2, 1, 1, PRE_ACT },
  { 64, 64, 32, 7, 7, 3, 3, 1, 1, 1, ALL },
  { 72, 32, 16, 7, 7, 3, 3, 1, 1, 1, PRE_ACT | MID_RELU },
  { 128, 64, 64, 7, 7, 3, 3, 2, 1, 1, ALL },
  { 128, 64, 64, 4, 4, 3, 3, 2, 1, 1, RELU },
  { 96, 48, 40, 7, 7, 3, 3, 1, 1, 1, MID_RELU | RELU },
  { 16, 6, 6, 28, 28, 3, 3, 1, 1, 1, ALL },
  { 16, 32, 32, 28, 28, 3, 3, 2, 1, 1, ALL },
  { 24, 24, 12, 28, 28, 3, 3, 1, 1, 1, PRE_ACT | MID_RELU },
  { 32, 24, 12, 14, 14, 3, 3, 1, 1, 1, ALL },
  { 24, 24, 12, 14, 14, 3, 3, 2, 1, 1, ALL },
  { 32, 32, 24, 14, 14, 3, 3, 1, 1, 1, 0 },
  { 40, 16, 8, 14, 14, 3, 3, 2, 1, 1, MID_RELU },
  { 7, 5, 9, 5, 9, 3, 3, 1, 1, 1, ALL },
  { 9, 12, 7, 5, 9, 3, 3, 2, 1, 1, PRE_ACT },
  { 33, 17, 13, 9, 5, 3, 3, 2, 1, 1, RELU | PRE_ACT },
  { 2, 1, 3, 13, 11, 3, 3, 1, 1, 1, MID_RELU },
  { 128, 1, 4, 7, 7, 3, 3, 1, 1, 1, ALL },
  { 1, 64, 8, 4, 4, 3, 3, 1, 1, 1, ALL },
  { 20, 10, 6, 7, 7, 5, 5, 1, 2, 2, ALL },
  { 20, 10, 6, 8, 6, 3, 1, 1, 1, 0, MID_RELU },
  { 20, 10, 6, 6, 6, 1, 1, 1, 0, 0, PRE_ACT },
  { 12, 6, 5, 9, 9, 3, 3, 3, 1, 1, ALL },
  { 12, 6, 5, 8, 8, 3, 3, 1, 0, 0, RELU },
  /* padding wider than the kernel: tiles of two output rows, the first
   * and last of which see only padding */
  { 8, 64, 4, 6, 28, 1, 1, 1, 2, 2, ALL },
};

/* A pair whose KxK result the op resizes to @rs_h x @rs_w, into channels
 * @out_off.. of a tensor of @c_total. */
typedef struct {
  Shape s;
  guint rs_h, rs_w, out_off, c_total;
} ResizeShape;

/* The default model's upsampling pairs (ReLU after each convolution), then
 * odd sizes, a downsampling, a 1x1 result and a stride before the resize. */
static const ResizeShape resize_shapes[] = {
  { { 16, 16, 4, 7, 7, 3, 3, 1, 1, 1, MID_RELU | RELU }, 14, 14, 8, 24 },
  { { 4, 4, 2, 14, 14, 3, 3, 1, 1, 1, MID_RELU | RELU }, 28, 28, 2, 6 },
  { { 8, 8, 2, 7, 7, 3, 3, 1, 1, 1, MID_RELU | RELU }, 14, 14, 4, 10 },
  { { 5, 3, 3, 3, 5, 3, 3, 1, 1, 1, ALL }, 7, 9, 1, 5 },
  { { 6, 4, 5, 9, 9, 3, 3, 1, 1, 1, PRE_ACT }, 4, 4, 0, 5 },
  { { 7, 5, 3, 1, 1, 3, 3, 1, 1, 1, ALL }, 3, 5, 2, 7 },
  { { 6, 4, 5, 2, 3, 3, 3, 1, 1, 1, RELU }, 1, 1, 3, 9 },
  { { 12, 8, 6, 9, 9, 3, 3, 2, 1, 1, ALL }, 11, 13, 5, 11 },
};

/* The conv2d output size of @s. */
static guint
out_size (guint in, guint k, guint stride, guint pad)
{
  return (in + 2 * pad - k) / stride + 1;
}

/* @s's parameters: the input a slice of a larger tensor at a float offset,
 * the output channels @out_off.. of a larger tensor (dense concatenation),
 * the bottleneck a tensor of its own. */
static RanetBottleneckParams
shape_params (const Shape *s, guint in_off, guint out_off)
{
  RanetTensorView in = { s->in_c, s->h, s->w, in_off, s->in_c + in_off + 1, 5 };
  RanetTensorView mid = { s->mid_c, s->h, s->w, 0, s->mid_c, 0 };
  guint oh = out_size (s->h, s->kh, s->stride, s->pad_h);
  guint ow = out_size (s->w, s->kw, s->stride, s->pad_w);
  RanetTensorView out = { s->out_c, oh, ow, out_off, s->out_c + out_off + 3, 3 };

  return (RanetBottleneckParams) {
    .reduce = { in, mid, (s->flags & PRE_ACT) != 0, (s->flags & MID_RELU) != 0 },
    .conv = { mid, out, s->kh, s->kw, s->stride, s->pad_h, s->pad_w,
      (s->flags & RELU) != 0 },
  };
}

/* @r's parameters: as shape_params(), the KxK result a tensor of its own
 * behind the resize's output tensor in the same buffer, so that the checks
 * see it left alone. */
static RanetBottleneckParams
resize_shape_params (const ResizeShape *r, guint in_off)
{
  RanetBottleneckParams p = shape_params (&r->s, in_off, 0);
  RanetTensorView out = { r->s.out_c, r->rs_h, r->rs_w, r->out_off, r->c_total, 3 };
  const RanetTensorView *c = &p.conv.out;
  RanetTensorView tmp = { c->c, c->h, c->w, 0, c->c, ranet_op_check_view_end (&out) + 7 };

  p.conv.out = tmp;
  p.resize = TRUE;
  p.resize_p = (RanetResizeParams) { tmp, out };
  return p;
}

/* The two convolutions' weights in PyTorch's layout. */
typedef struct {
  float *w1, *b1, *scale, *shift, *w3, *b3;
} Weights;

static void
weights_init (Weights *w, GRand *rand, const RanetBottleneckParams *p)
{
  const RanetConv2dParams *c = &p->conv;

  w->w1 = ranet_op_check_random_floats (rand, (gsize) c->in.c * p->reduce.in.c);
  w->b1 = ranet_op_check_random_floats (rand, c->in.c);
  w->scale = ranet_op_check_random_floats (rand, p->reduce.in.c);
  w->shift = ranet_op_check_random_floats (rand, p->reduce.in.c);
  w->w3 = ranet_op_check_random_floats (rand, (gsize) c->out.c * c->in.c * c->kh * c->kw);
  w->b3 = ranet_op_check_random_floats (rand, c->out.c);
}

static void
weights_abs (Weights *a, const Weights *w, const RanetBottleneckParams *p)
{
  const RanetConv2dParams *c = &p->conv;

  a->w1 = ranet_op_check_abs_floats (w->w1, (gsize) c->in.c * p->reduce.in.c);
  a->b1 = ranet_op_check_abs_floats (w->b1, c->in.c);
  a->scale = ranet_op_check_abs_floats (w->scale, p->reduce.in.c);
  a->shift = ranet_op_check_abs_floats (w->shift, p->reduce.in.c);
  a->w3 = ranet_op_check_abs_floats (w->w3, (gsize) c->out.c * c->in.c * c->kh * c->kw);
  a->b3 = ranet_op_check_abs_floats (w->b3, c->out.c);
}

static void
weights_clear (Weights *w)
{
  g_free (w->w1);
  g_free (w->b1);
  g_free (w->scale);
  g_free (w->shift);
  g_free (w->w3);
  g_free (w->b3);
}

/* The reference: the 1x1 into a host bottleneck, then the KxK of it, then
 * where @p says so the resize of that into @out. */
static void
reference (const RanetBottleneckParams *p, const Weights *w, const float *in, float *out)
{
  g_autofree float *mid = g_new0 (float, ranet_op_check_view_end (&p->reduce.out));
  g_autofree float *tmp = NULL;

  ranet_ref_conv1x1 (&p->reduce, in, w->w1, w->b1, w->scale, w->shift, mid);
  if (!p->resize) {
    ranet_ref_conv2d (&p->conv, mid, w->w3, w->b3, out);
    return;
  }
  tmp = g_new0 (float, ranet_op_check_view_end (&p->conv.out));
  ranet_ref_conv2d (&p->conv, mid, w->w3, w->b3, tmp);
  ranet_ref_resize_bilinear (&p->resize_p, tmp, out);
}

/* Both convolutions' packed blocks, one after the other: the 1x1's at 0,
 * the KxK's at *@conv_at. */
static float *
pack (const RanetBottleneckParams *p, const Weights *w, gsize *conv_at, gsize *n)
{
  gsize n1 = ranet_op_conv1x1_packed_weight_size (&p->reduce);
  gsize n3 = ranet_op_conv2d_packed_weight_size (&p->conv);
  float *packed = g_new (float, n1 + n3);

  ranet_op_conv1x1_pack_weights (&p->reduce, w->w1, w->b1, w->scale, w->shift, packed);
  ranet_op_conv2d_pack_weights (&p->conv, w->w3, w->b3, packed + n1);
  *conv_at = n1;
  *n = n1 + n3;
  return packed;
}

static gboolean
need_device (void)
{
  if (device == NULL)
    g_test_skip ("no Vulkan device");
  return device != NULL;
}

/* Runs @p's fused op on random data seeded by @seed and compares it with the
 * reference. */
static void
check_params (const RanetBottleneckParams *p, guint32 seed, const char *what)
{
  const RanetTensorView *out = p->resize ? &p->resize_p.out : &p->conv.out;
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  gsize in_n = ranet_op_check_view_end (&p->reduce.in);
  /* the output buffer holds the KxK result's view too, which must stay
   * as it was where the op resizes */
  gsize out_n = MAX (ranet_op_check_view_end (out), ranet_op_check_view_end (&p->conv.out));
  g_autofree float *in = ranet_op_check_random_floats (rand, in_n);
  g_autofree float *out_init = ranet_op_check_random_floats (rand, out_n);
  g_autofree float *abs_in = ranet_op_check_abs_floats (in, in_n);
  g_autofree float *expected = g_memdup2 (out_init, out_n * sizeof (float));
  g_autofree float *mag = g_memdup2 (out_init, out_n * sizeof (float));
  g_autofree gboolean *writes = g_new0 (gboolean, out_n);
  g_autofree float *packed = NULL;
  g_autoptr (GError) error = NULL;
  Weights w, wa;
  RanetOpCheck check;
  gsize conv_at, packed_n;
  RanetOp *op;

  weights_init (&w, rand, p);
  weights_abs (&wa, &w, p);
  reference (p, &w, in, expected);
  /* every term of the pair on absolute values is non-negative, so it bounds
   * every partial sum of both convolutions and their rounding */
  reference (p, &wa, abs_in, mag);
  for (guint c = 0; c < out->c; c++)
    for (guint y = 0; y < out->h; y++)
      for (guint x = 0; x < out->w; x++)
        writes[ranet_view_index (out, c, y, x)] = TRUE;
  packed = pack (p, &w, &conv_at, &packed_n);

  g_assert_true (ranet_op_bottleneck_supported (device, p));
  op = ranet_op_bottleneck_new (device, p, RANET_OP_CHECK_WEIGHTS_OFFSET,
      RANET_OP_CHECK_WEIGHTS_OFFSET + conv_at, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ranet_op_get_name (op), ==, "bottleneck");

  RanetOpCheckRun run = { in, in_n, out_init, out_n, expected, mag, writes, packed, packed_n };
  g_assert_true (ranet_op_check_run (device, op, &run, seed, &check, &error));
  g_assert_no_error (error);
  if (!ranet_op_check_passed (&check))
    g_test_message ("%s: max err %g (%.2f of tolerance), %" G_GSIZE_FORMAT
        " floats outside the output view changed", what, check.max_err,
        check.max_err_ratio, check.n_outside_changed);
  g_assert_cmpfloat (check.max_err_ratio, <=, 1.0);
  g_assert_cmpuint (check.n_outside_changed, ==, 0);
  g_assert_cmpuint (ranet_vk_device_get_validation_error_count (device), ==, 0);
  weights_clear (&w);
  weights_clear (&wa);
}

/* Every shape in the shader variant @variant selects: 0 the device's
 * choice, 1 without texel buffers, 2 without subgroup shuffles either (a
 * device made again with those options, as the op checks do). */
static void
test_shapes (gconstpointer data)
{
  guint variant = GPOINTER_TO_UINT (data);
  g_autoptr (GError) error = NULL;
  RanetVkDevice *dev0 = device;

  if (!need_device ())
    return;
  if (variant > 0) {
    RanetVkOptions options = *ranet_vk_device_get_options (dev0);
    options.texel_buffers = FALSE;
    options.subgroup_shuffle = options.subgroup_shuffle && variant < 2;
    device = ranet_vk_device_new_full (ranet_vk_device_get_name (dev0), &options, &error);
    g_assert_no_error (error);
  }
  for (guint i = 0; i < G_N_ELEMENTS (shapes); i++) {
    const Shape *s = &shapes[i];
    /* input slices at channel 0, 1 and 2; outputs always past channel 0 */
    RanetBottleneckParams p = shape_params (s, i % 3, 1 + i % 4);
    g_autofree char *what = g_strdup_printf ("%ux%ux%u -> %u -> %ux%u/%u %u",
        s->in_c, s->h, s->w, s->mid_c, s->kh, s->kw, s->stride, s->out_c);

    check_params (&p, 1000 + i, what);
  }
  if (variant > 0) {
    ranet_vk_device_unref (device);
    device = dev0;
  }
}

/* Every pair with a resize, in each shader variant as test_shapes(). */
static void
test_resize_shapes (gconstpointer data)
{
  guint variant = GPOINTER_TO_UINT (data);
  g_autoptr (GError) error = NULL;
  RanetVkDevice *dev0 = device;

  if (!need_device ())
    return;
  if (variant > 0) {
    RanetVkOptions options = *ranet_vk_device_get_options (dev0);
    options.texel_buffers = FALSE;
    options.subgroup_shuffle = options.subgroup_shuffle && variant < 2;
    device = ranet_vk_device_new_full (ranet_vk_device_get_name (dev0), &options, &error);
    g_assert_no_error (error);
  }
  for (guint i = 0; i < G_N_ELEMENTS (resize_shapes); i++) {
    const ResizeShape *r = &resize_shapes[i];
    RanetBottleneckParams p = resize_shape_params (r, i % 3);
    g_autofree char *what = g_strdup_printf ("%ux%ux%u -> %u -> %ux%u/%u %u -> %ux%u",
        r->s.in_c, r->s.h, r->s.w, r->s.mid_c, r->s.kh, r->s.kw, r->s.stride, r->s.out_c,
        r->rs_h, r->rs_w);

    check_params (&p, 2000 + i, what);
  }
  if (variant > 0) {
    ranet_vk_device_unref (device);
    device = dev0;
  }
}

/* The bottleneck view is not the device's to write: a 1x1 whose output
 * lies in the output buffer, inside the output tensor's channels outside
 * the output view, stays as it was. */
static void
test_bottleneck_not_written (void)
{
  Shape s = { 16, 6, 6, 7, 7, 3, 3, 1, 1, 1, ALL };
  RanetBottleneckParams p = shape_params (&s, 0, 8);

  if (!need_device ())
    return;
  /* channels 1..6 of the output tensor, which the op must leave alone */
  p.reduce.out.c_offset = 1;
  p.reduce.out.c_total = p.conv.out.c_total;
  p.reduce.out.base = p.conv.out.base;
  p.conv.in = p.reduce.out;
  check_params (&p, 77, "bottleneck view in the output tensor");
}

static void
expect_invalid (const RanetBottleneckParams *p, gsize w1, gsize w3)
{
  g_autoptr (GError) error = NULL;
  RanetOp *op = ranet_op_bottleneck_new (device, p, w1, w3, &error);

  g_assert_null (op);
  g_assert_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID);
  g_test_message ("rejected as expected: %s", error->message);
}

static void
test_invalid (void)
{
  Shape s = { 16, 8, 8, 7, 7, 3, 3, 1, 1, 1, ALL };
  RanetBottleneckParams good = shape_params (&s, 0, 2), p;
  Shape wide = { 16, 64, 8, 28, 28, 3, 3, 1, 1, 1, ALL };

  if (!need_device ())
    return;
  g_assert_true (ranet_op_bottleneck_supported (device, &good));

  /* the two views of the bottleneck differ */
  p = good;
  p.conv.in.c_offset = 1;
  p.conv.in.c_total = p.conv.in.c + 1;
  g_assert_false (ranet_op_bottleneck_supported (device, &p));
  expect_invalid (&p, 0, 4096);
  /* the KxK output does not match its input */
  p = good;
  p.conv.out.h = 6;
  g_assert_false (ranet_op_bottleneck_supported (device, &p));
  expect_invalid (&p, 0, 4096);
  /* the 1x1 changes the map's size */
  p = good;
  p.reduce.out.w = 6;
  p.conv.in.w = 6;
  expect_invalid (&p, 0, 4096);
  /* a stride of 0 */
  p = good;
  p.conv.stride = 0;
  expect_invalid (&p, 0, 4096);
  /* an input view outside its tensor */
  p = good;
  p.reduce.in.c_offset = 2;
  expect_invalid (&p, 0, 4096);
  /* weights offsets not multiples of 4 */
  expect_invalid (&good, 2, 4096);
  expect_invalid (&good, 0, 4098);
  /* a batch */
  p = good;
  p.reduce.in.n_items = 2;
  p.reduce.in.item_stride = (gsize) p.reduce.in.c_total * 49;
  p.conv.out.n_items = 2;
  p.conv.out.item_stride = (gsize) p.conv.out.c_total * 49;
  g_assert_false (ranet_op_bottleneck_supported (device, &p));
  expect_invalid (&p, 0, 4096);
  /* a bottleneck of which one output row does not fit 16 KiB:
   * 64 channels x 3 rows x 28 columns x 4 bytes */
  p = shape_params (&wide, 0, 1);
  g_assert_false (ranet_op_bottleneck_supported (device, &p));
  expect_invalid (&p, 0, 4096);
  g_assert_cmpuint (ranet_vk_device_get_validation_error_count (device), ==, 0);
}

/* Resizes the op cannot end with. */
static void
test_resize_invalid (void)
{
  RanetBottleneckParams good = resize_shape_params (&resize_shapes[0], 0), p;
  /* fused without a resize in tiles, but its bottleneck footprint (24
   * channels, 16 rows of 14) and KxK output (12x14x14) do not fit 16 KiB
   * at once */
  ResizeShape big = { { 32, 24, 12, 14, 14, 3, 3, 1, 1, 1, ALL }, 28, 28, 0, 12 };

  if (!need_device ())
    return;
  g_assert_true (ranet_op_bottleneck_supported (device, &good));

  /* the resize's input is not the KxK output */
  p = good;
  p.resize_p.in.base += 1;
  g_assert_false (ranet_op_bottleneck_supported (device, &p));
  expect_invalid (&p, 0, 4096);
  p = good;
  p.resize_p.in.h += 1;
  expect_invalid (&p, 0, 4096);
  /* channels differ */
  p = good;
  p.resize_p.out.c -= 1;
  g_assert_false (ranet_op_bottleneck_supported (device, &p));
  expect_invalid (&p, 0, 4096);
  /* an output view outside its tensor */
  p = good;
  p.resize_p.out.c_offset = p.resize_p.out.c_total - 1;
  expect_invalid (&p, 0, 4096);
  /* a batch of resized outputs */
  p = good;
  p.resize_p.out.n_items = 2;
  p.resize_p.out.item_stride = (gsize) p.resize_p.out.c_total * 14 * 14;
  g_assert_false (ranet_op_bottleneck_supported (device, &p));
  expect_invalid (&p, 0, 4096);
  /* too large for one workgroup */
  p = resize_shape_params (&big, 0);
  p.resize = FALSE;
  g_assert_true (ranet_op_bottleneck_supported (device, &p));
  p.resize = TRUE;
  g_assert_false (ranet_op_bottleneck_supported (device, &p));
  expect_invalid (&p, 0, 4096);
  g_assert_cmpuint (ranet_vk_device_get_validation_error_count (device), ==, 0);
}

static void
test_macs (void)
{
  Shape s = { 16, 8, 4, 7, 7, 3, 3, 2, 1, 1, ALL };
  RanetBottleneckParams p = shape_params (&s, 0, 0);
  g_autoptr (GError) error = NULL;
  g_autoptr (RanetOp) op = NULL;

  if (!need_device ())
    return;
  op = ranet_op_bottleneck_new (device, &p, 0, 4096, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ranet_op_get_macs (op), ==, 8 * 7 * 7 * 16 + 4 * 4 * 4 * 8 * 3 * 3);
}

/* With a resize, its outputs count as the resize op's do: one each. */
static void
test_resize_macs (void)
{
  RanetBottleneckParams p = resize_shape_params (&resize_shapes[0], 0);
  g_autoptr (GError) error = NULL;
  g_autoptr (RanetOp) op = NULL;

  if (!need_device ())
    return;
  op = ranet_op_bottleneck_new (device, &p, 0, 4096, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ranet_op_get_macs (op), ==,
      16 * 7 * 7 * 16 + 4 * 7 * 7 * 16 * 3 * 3 + 4 * 14 * 14);
}

/* The default model's pairs (the bnAfter form: ReLU after each
 * convolution). */
typedef struct {
  guint in_c, mid_c, out_c, h, w, stride;
} BenchShape;

static const BenchShape bench_shapes[] = {
  { 64, 64, 32, 7, 7, 1 },
  { 16, 6, 6, 28, 28, 1 },
  { 32, 24, 12, 14, 14, 1 },
  { 72, 32, 16, 7, 7, 1 },
  { 24, 24, 12, 14, 14, 2 },
};

/* Submissions timed per recording, after a few untimed ones. */
#define BENCH_RUNS 300
#define BENCH_WARMUP 20

static int
cmp_u64 (gconstpointer a, gconstpointer b)
{
  guint64 x = *(const guint64 *) a, y = *(const guint64 *) b;
  return x < y ? -1 : x > y;
}

static guint64
median (guint64 *a, guint n)
{
  qsort (a, n, sizeof *a, cmp_u64);
  return a[n / 2];
}

static RanetVkBuffer *
random_buffer (GRand *rand, gsize n)
{
  g_autofree float *data = ranet_op_check_random_floats (rand, n);
  g_autoptr (GError) error = NULL;
  RanetVkBuffer *buf = ranet_vk_buffer_new (device, n * sizeof (float),
      RANET_VK_BUFFER_DEVICE, &error);

  g_assert_no_error (error);
  g_assert_true (ranet_vk_buffer_upload (buf, 0, data, n * sizeof (float), &error));
  return buf;
}

/* A recording of @n ops, each on its three buffers, between timestamps 0 and 1. */
static RanetVkCommands *
record (RanetOp *const *ops, RanetVkBuffer *const (*bufs)[3], guint n)
{
  g_autoptr (GError) error = NULL;
  RanetVkCommands *cmds = ranet_vk_commands_new (device, 2, &error);

  g_assert_no_error (error);
  g_assert_true (ranet_vk_commands_begin (cmds, &error));
  ranet_vk_commands_timestamp (cmds, 0);
  for (guint i = 0; i < n; i++)
    ranet_op_record (ops[i], cmds, bufs[i][0], bufs[i][1], bufs[i][2]);
  ranet_vk_commands_timestamp (cmds, 1);
  g_assert_true (ranet_vk_commands_end (cmds, &error));
  return cmds;
}

/* One submission of @cmds: its device time and its wall time, in ns. */
static void
submit_timed (RanetVkCommands *cmds, guint64 *dev_ns, guint64 *wall_ns)
{
  g_autoptr (GError) error = NULL;
  gint64 t0 = g_get_monotonic_time ();

  g_assert_true (ranet_vk_commands_submit (cmds, &error));
  *wall_ns = (guint64) (g_get_monotonic_time () - t0) * 1000;
  *dev_ns = ranet_vk_commands_get_elapsed_ns (cmds, 0, 1);
}

/* A device buffer of @p's packed weights (random), from
 * RANET_OP_CHECK_WEIGHTS_OFFSET; @conv_at: where the KxK convolution's weights
 * start after that. */
static RanetVkBuffer *
weights_buffer (GRand *rand, const RanetBottleneckParams *p, gsize *conv_at)
{
  g_autoptr (GError) error = NULL;
  g_autofree float *packed = NULL;
  g_autofree float *wbuf = NULL;
  Weights w;
  gsize packed_n, bytes;
  RanetVkBuffer *buf;

  weights_init (&w, rand, p);
  packed = pack (p, &w, conv_at, &packed_n);
  weights_clear (&w);
  bytes = (RANET_OP_CHECK_WEIGHTS_OFFSET + packed_n) * sizeof (float);
  wbuf = g_malloc0 (bytes);
  memcpy (wbuf + RANET_OP_CHECK_WEIGHTS_OFFSET, packed, packed_n * sizeof (float));
  buf = ranet_vk_buffer_new (device, bytes, RANET_VK_BUFFER_DEVICE, &error);
  g_assert_no_error (error);
  g_assert_true (ranet_vk_buffer_upload (buf, 0, wbuf, bytes, &error));
  return buf;
}

/* Times @fused and @two, submitted alternately, and prints a row of their
 * medians. */
static void
time_both (RanetVkCommands *fused, RanetVkCommands *two, const char *what)
{
  guint64 fused_dev[BENCH_RUNS], fused_wall[BENCH_RUNS];
  guint64 two_dev[BENCH_RUNS], two_wall[BENCH_RUNS];

  /* alternating, so that the machine's other load hits both alike */
  for (guint i = 0; i < BENCH_WARMUP + BENCH_RUNS; i++) {
    guint k = i < BENCH_WARMUP ? 0 : i - BENCH_WARMUP;
    submit_timed (fused, &fused_dev[k], &fused_wall[k]);
    submit_timed (two, &two_dev[k], &two_wall[k]);
  }
  g_test_message ("| %s | %.1f | %.1f | %.1f | %.1f |", what,
      median (fused_dev, BENCH_RUNS) / 1e3, median (two_dev, BENCH_RUNS) / 1e3,
      median (fused_wall, BENCH_RUNS) / 1e3, median (two_wall, BENCH_RUNS) / 1e3);
}

static void
bench_shape (const BenchShape *b)
{
  Shape s = { b->in_c, b->mid_c, b->out_c, b->h, b->w, 3, 3, b->stride, 1, 1, ALL };
  RanetBottleneckParams p = shape_params (&s, 0, 0);
  g_autoptr (GRand) rand = g_rand_new_with_seed (1);
  g_autoptr (GError) error = NULL;
  gsize conv_at;

  g_autoptr (RanetVkBuffer) in = random_buffer (rand, ranet_op_check_view_end (&p.reduce.in));
  g_autoptr (RanetVkBuffer) mid = random_buffer (rand, ranet_op_check_view_end (&p.reduce.out));
  g_autoptr (RanetVkBuffer) out = random_buffer (rand, ranet_op_check_view_end (&p.conv.out));
  g_autoptr (RanetVkBuffer) weights = weights_buffer (rand, &p, &conv_at);

  gsize w1 = RANET_OP_CHECK_WEIGHTS_OFFSET, w3 = w1 + conv_at;
  g_autoptr (RanetOp) fused = ranet_op_bottleneck_new (device, &p, w1, w3, &error);
  g_assert_no_error (error);
  g_autoptr (RanetOp) reduce = ranet_op_conv1x1_new (device, &p.reduce, w1, &error);
  g_assert_no_error (error);
  g_autoptr (RanetOp) conv = ranet_op_conv2d_new (device, &p.conv, w3, &error);
  g_assert_no_error (error);

  RanetOp *fused_ops[] = { fused };
  RanetVkBuffer *const fused_bufs[][3] = { { in, weights, out } };
  RanetOp *pair_ops[] = { reduce, conv };
  RanetVkBuffer *const pair_bufs[][3] = { { in, weights, mid }, { mid, weights, out } };
  g_autoptr (RanetVkCommands) fused_cmds = record (fused_ops, fused_bufs, 1);
  g_autoptr (RanetVkCommands) pair_cmds = record (pair_ops, pair_bufs, 2);
  g_autofree char *what = g_strdup_printf ("%ux%ux%u -> %u -> 3x3/%u %u",
      b->in_c, b->h, b->w, b->mid_c, b->stride, b->out_c);

  time_both (fused_cmds, pair_cmds, what);
}

/* A pair of the default model that ends with a resize: the op with the
 * resize against the op without it followed by the resize op. */
static void
bench_resize_shape (const ResizeShape *r)
{
  RanetBottleneckParams p = resize_shape_params (r, 0), pair = p;
  g_autoptr (GRand) rand = g_rand_new_with_seed (2);
  g_autoptr (GError) error = NULL;
  gsize conv_at;

  pair.resize = FALSE;

  g_autoptr (RanetVkBuffer) in = random_buffer (rand, ranet_op_check_view_end (&p.reduce.in));
  /* the resize's output tensor, then the pair's result */
  g_autoptr (RanetVkBuffer) out = random_buffer (rand, ranet_op_check_view_end (&p.conv.out));
  g_autoptr (RanetVkBuffer) weights = weights_buffer (rand, &p, &conv_at);

  gsize w1 = RANET_OP_CHECK_WEIGHTS_OFFSET, w3 = w1 + conv_at;
  g_autoptr (RanetOp) fused = ranet_op_bottleneck_new (device, &p, w1, w3, &error);
  g_assert_no_error (error);
  g_autoptr (RanetOp) unresized = ranet_op_bottleneck_new (device, &pair, w1, w3, &error);
  g_assert_no_error (error);
  g_autoptr (RanetOp) resize = ranet_op_resize_bilinear_new (device, &p.resize_p, &error);
  g_assert_no_error (error);

  RanetOp *fused_ops[] = { fused };
  RanetVkBuffer *const fused_bufs[][3] = { { in, weights, out } };
  RanetOp *two_ops[] = { unresized, resize };
  RanetVkBuffer *const two_bufs[][3] = { { in, weights, out }, { out, NULL, out } };
  g_autoptr (RanetVkCommands) fused_cmds = record (fused_ops, fused_bufs, 1);
  g_autoptr (RanetVkCommands) two_cmds = record (two_ops, two_bufs, 2);
  g_autofree char *what = g_strdup_printf ("%ux%ux%u -> %u -> 3x3 %u -> %ux%u",
      r->s.in_c, r->s.h, r->s.w, r->s.mid_c, r->s.out_c, r->rs_h, r->rs_w);

  time_both (fused_cmds, two_cmds, what);
}

/* With -m perf: the fused op against the 1x1 and KxK ops recorded one after
 * the other, on the default model's pairs; and the op ending with a resize
 * against the op and the resize op, on the default model's first three
 * resize_shapes. Run it with nothing set in the
 * environment: the test environment's validation layer and LP_NUM_THREADS
 * change what is measured. */
static void
test_bench (void)
{
  if (!g_test_perf ()) {
    g_test_skip ("a benchmark: run with -m perf");
    return;
  }
  if (!need_device ())
    return;
  g_test_message ("%s, median of %d submissions of one recording, in us:",
      ranet_vk_device_get_name (device), BENCH_RUNS);
  g_test_message ("| pair | fused, device | two ops, device | fused, wall | two ops, wall |");
  g_test_message ("| --- | ---: | ---: | ---: | ---: |");
  for (guint i = 0; i < G_N_ELEMENTS (bench_shapes); i++)
    bench_shape (&bench_shapes[i]);
  g_test_message ("| pair and resize | fused, device | pair then resize, device | fused, wall "
      "| pair then resize, wall |");
  g_test_message ("| --- | ---: | ---: | ---: | ---: |");
  for (guint i = 0; i < 3; i++)
    bench_resize_shape (&resize_shapes[i]);
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

  g_test_add_data_func ("/ops/bottleneck/shapes", GUINT_TO_POINTER (0), test_shapes);
  g_test_add_data_func ("/ops/bottleneck/shapes-storage-buffers", GUINT_TO_POINTER (1),
      test_shapes);
  g_test_add_data_func ("/ops/bottleneck/shapes-no-shuffles", GUINT_TO_POINTER (2),
      test_shapes);
  g_test_add_data_func ("/ops/bottleneck/resize-shapes", GUINT_TO_POINTER (0),
      test_resize_shapes);
  g_test_add_data_func ("/ops/bottleneck/resize-shapes-storage-buffers", GUINT_TO_POINTER (1),
      test_resize_shapes);
  g_test_add_data_func ("/ops/bottleneck/resize-shapes-no-shuffles", GUINT_TO_POINTER (2),
      test_resize_shapes);
  g_test_add_func ("/ops/bottleneck/bottleneck-not-written", test_bottleneck_not_written);
  g_test_add_func ("/ops/bottleneck/resize-invalid-params", test_resize_invalid);
  g_test_add_func ("/ops/bottleneck/invalid-params", test_invalid);
  g_test_add_func ("/ops/bottleneck/macs", test_macs);
  g_test_add_func ("/ops/bottleneck/resize-macs", test_resize_macs);
  g_test_add_func ("/ops/bottleneck/bench", test_bench);
  ret = g_test_run ();

  if (device != NULL)
    ranet_vk_device_unref (device);
  return ret;
}
