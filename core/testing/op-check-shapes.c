/* op-check-shapes.c: the shapes each layer kind is checked on.
 *
 * The tests' lists cover odd spatial sizes (1x1, 3x5, 7x7), channel counts
 * that are not multiples of 4, stride 2 on odd sizes, channel slices in input
 * and output (channels outside the output slice must stay untouched), input
 * and output in one buffer, pre-activation and ReLU on and off; the
 * self-check's shape is one layer of the default model's size.
 */
#include "testing/op-check-private.h"

/* Channels [off, off + c) of a tensor of @total channels at float @base. */
#define VIEW(c, h, w, off, total, base) { (c), (h), (w), (off), (total), (base) }
/* A whole tensor of its own. */
#define WHOLE(c, h, w) VIEW (c, h, w, 0, c, 0)

#define CONV_OUT(n, k, s, pad) (((n) + 2 * (pad) - (k)) / (s) + 1)

/* A layer of @kind_ whose parameters, member @params_ of RanetLayer.p, are
 * the remaining arguments. */
#define SHAPE(kind_, params_, same_, ...) \
  { .layer = { .kind = (kind_), .p.params_ = { __VA_ARGS__ } }, .same_buffer = (same_) }

/* ---- conv2d ---- */

/* Input at float 7, output at 3, or at 7 too in one buffer, where the
 * output's channels follow the input's in one tensor (equal sizes). */
#define CONV2D(ic, oc, h_, w_, k_h, k_w, s, p_h, p_w, relu_, in_off, in_total, out_off, \
    out_total, same) \
  SHAPE (RANET_LAYER_CONV2D, conv2d, same, \
      .in = VIEW (ic, h_, w_, in_off, in_total, 7), \
      .out = VIEW (oc, CONV_OUT (h_, k_h, s, p_h), CONV_OUT (w_, k_w, s, p_w), out_off, \
          out_total, (same) ? 7 : 3), \
      .kh = (k_h), .kw = (k_w), .stride = (s), .pad_h = (p_h), .pad_w = (p_w), .relu = (relu_))

static const RanetOpCheckShape conv2d_shapes[] = {
  /*      in_c out_c  h  w kh kw s ph pw relu in_off/total out_off/total same */
  CONV2D (3, 5, 1, 1, 3, 3, 1, 1, 1, FALSE, 0, 3, 0, 5, FALSE),
  CONV2D (1, 1, 1, 1, 1, 1, 1, 0, 0, TRUE, 0, 1, 0, 1, FALSE),
  CONV2D (3, 16, 7, 7, 7, 7, 2, 3, 3, TRUE, 0, 3, 0, 16, FALSE),
  CONV2D (13, 33, 3, 5, 3, 3, 1, 1, 1, FALSE, 0, 13, 0, 33, FALSE),
  CONV2D (5, 6, 7, 7, 3, 3, 2, 1, 1, TRUE, 0, 5, 0, 6, FALSE),
  CONV2D (8, 12, 9, 11, 3, 3, 2, 0, 0, FALSE, 0, 8, 0, 12, FALSE),
  CONV2D (4, 4, 7, 7, 1, 1, 2, 0, 0, FALSE, 0, 4, 0, 4, FALSE),
  CONV2D (3, 7, 9, 9, 5, 5, 1, 2, 2, TRUE, 0, 3, 0, 7, FALSE),
  CONV2D (6, 9, 5, 8, 1, 3, 1, 0, 1, FALSE, 0, 6, 0, 9, FALSE),
  CONV2D (6, 9, 8, 5, 3, 1, 2, 1, 0, TRUE, 0, 6, 0, 9, FALSE),
  CONV2D (2, 3, 5, 5, 3, 3, 1, 3, 3, FALSE, 0, 2, 0, 3, FALSE),
  CONV2D (3, 5, 13, 13, 7, 7, 2, 2, 1, FALSE, 0, 3, 0, 5, FALSE),
  CONV2D (5, 6, 7, 7, 3, 3, 1, 1, 1, TRUE, 2, 9, 5, 40, FALSE),
  CONV2D (13, 4, 3, 5, 3, 3, 2, 1, 1, FALSE, 3, 17, 1, 6, FALSE),
  CONV2D (12, 6, 7, 7, 3, 3, 1, 1, 1, TRUE, 0, 18, 12, 18, TRUE),
  CONV2D (33, 8, 5, 5, 3, 3, 1, 1, 1, FALSE, 0, 41, 33, 41, TRUE),
  CONV2D (1, 8, 28, 28, 3, 3, 1, 1, 1, TRUE, 0, 1, 0, 8, FALSE),
  CONV2D (16, 16, 32, 32, 3, 3, 1, 1, 1, TRUE, 0, 16, 0, 16, FALSE),
  /* classifier-like: few output pixels, several blocks of output channels in
   * one workgroup (4 blocks side by side; 3 blocks in groups of 2, one empty) */
  CONV2D (64, 64, 4, 4, 3, 3, 2, 1, 1, TRUE, 0, 64, 0, 64, FALSE),
  CONV2D (20, 40, 7, 7, 3, 3, 2, 1, 1, FALSE, 3, 25, 5, 50, FALSE),
};

/* ---- conv1x1 ---- */

/* Input at float 5, output at 11, or at 5 too in one buffer. */
#define CONV1X1(ic, oc, h_, w_, pre, relu_, in_off, in_total, out_off, out_total, same) \
  SHAPE (RANET_LAYER_CONV1X1, conv1x1, same, \
      .in = VIEW (ic, h_, w_, in_off, in_total, 5), \
      .out = VIEW (oc, h_, w_, out_off, out_total, (same) ? 5 : 11), \
      .pre_act = (pre), .relu = (relu_))

static const RanetOpCheckShape conv1x1_shapes[] = {
  /*       in_c out_c h w pre_act relu in_off/total out_off/total same */
  CONV1X1 (1, 1, 1, 1, FALSE, FALSE, 0, 1, 0, 1, FALSE),
  CONV1X1 (3, 5, 1, 1, TRUE, FALSE, 0, 3, 0, 5, FALSE),
  CONV1X1 (13, 33, 3, 5, FALSE, TRUE, 0, 13, 0, 33, FALSE),
  CONV1X1 (13, 33, 3, 5, TRUE, TRUE, 0, 13, 0, 33, FALSE),
  CONV1X1 (5, 4, 7, 7, TRUE, FALSE, 2, 9, 1, 11, FALSE),
  CONV1X1 (33, 6, 7, 7, FALSE, FALSE, 5, 40, 0, 6, FALSE),
  CONV1X1 (16, 24, 8, 8, TRUE, TRUE, 0, 16, 8, 40, FALSE),
  CONV1X1 (12, 6, 5, 5, TRUE, TRUE, 0, 18, 12, 18, TRUE),
  CONV1X1 (20, 9, 3, 3, FALSE, TRUE, 0, 29, 20, 29, TRUE),
  CONV1X1 (64, 32, 16, 16, TRUE, TRUE, 0, 64, 0, 32, FALSE),
  /* blocks of 32 channels, 2 pixels per invocation */
  CONV1X1 (24, 64, 7, 7, TRUE, TRUE, 3, 30, 0, 64, FALSE),
  CONV1X1 (9, 96, 3, 5, FALSE, FALSE, 0, 9, 32, 128, FALSE),
};

/* ---- linear ---- */

#define LINEAR(in, out, relu_, same) SHAPE (RANET_LAYER_LINEAR, linear, same, in, out, relu_)

static const RanetOpCheckShape linear_shapes[] = {
  LINEAR (WHOLE (1, 1, 1), WHOLE (1, 1, 1), FALSE, FALSE),
  LINEAR (WHOLE (33, 1, 1), WHOLE (10, 1, 1), FALSE, FALSE),
  LINEAR (VIEW (8, 3, 3, 2, 13, 4), VIEW (13, 1, 1, 3, 20, 9), TRUE, FALSE),
  /* the logits after their input, in the same buffer */
  LINEAR (VIEW (128, 1, 1, 0, 128, 0), VIEW (10, 1, 1, 128, 140, 0), FALSE, TRUE),
  LINEAR (WHOLE (5, 7, 7), WHOLE (100, 1, 1), TRUE, FALSE),
};

/* ---- resize_bilinear ---- */

#define RESIZE(in, out, same) SHAPE (RANET_LAYER_RESIZE_BILINEAR, resize, same, in, out)

static const RanetOpCheckShape resize_shapes[] = {
  RESIZE (WHOLE (3, 4, 4), WHOLE (3, 7, 7), FALSE),
  RESIZE (WHOLE (5, 7, 7), WHOLE (5, 3, 5), FALSE),
  RESIZE (WHOLE (1, 1, 1), WHOLE (1, 3, 3), FALSE),
  RESIZE (WHOLE (2, 5, 5), WHOLE (2, 1, 1), FALSE),
  RESIZE (VIEW (13, 3, 5, 2, 16, 3), VIEW (13, 6, 10, 4, 20, 1), FALSE),
  RESIZE (WHOLE (4, 7, 7), WHOLE (4, 14, 14), FALSE),
  RESIZE (WHOLE (4, 14, 14), WHOLE (4, 7, 7), FALSE),
  RESIZE (WHOLE (3, 1, 8), WHOLE (3, 5, 3), FALSE),
  RESIZE (WHOLE (8, 16, 16), WHOLE (8, 32, 32), FALSE),
  /* a low-resolution tensor upsampled into a slice after it in the same
   * buffer (read as a texel buffer and written as a storage buffer at once) */
  RESIZE (VIEW (5, 4, 4, 0, 5, 0), VIEW (5, 7, 7, 3, 9, 5 * 4 * 4), TRUE),
};

/* ---- maxpool2d and avgpool2d ---- */

#define MAXPOOL(in, out, kernel, stride, pad) \
  SHAPE (RANET_LAYER_MAXPOOL2D, pool, FALSE, in, out, RANET_POOL_MAX, kernel, stride, pad)
#define AVGPOOL(in, out, kernel, stride) \
  SHAPE (RANET_LAYER_AVGPOOL2D, pool, FALSE, in, out, RANET_POOL_AVG, kernel, stride, 0)

static const RanetOpCheckShape maxpool_shapes[] = {
  MAXPOOL (WHOLE (3, 7, 7), WHOLE (3, 4, 4), 3, 2, 1),
  MAXPOOL (WHOLE (5, 8, 8), WHOLE (5, 4, 4), 3, 2, 1),
  MAXPOOL (WHOLE (5, 8, 8), WHOLE (5, 4, 4), 2, 2, 0),
  MAXPOOL (WHOLE (1, 1, 1), WHOLE (1, 1, 1), 1, 1, 0),
  MAXPOOL (VIEW (5, 7, 7, 2, 9, 3), VIEW (5, 4, 4, 3, 10, 2), 3, 2, 1),
};

static const RanetOpCheckShape avgpool_shapes[] = {
  AVGPOOL (WHOLE (13, 7, 7), WHOLE (13, 3, 3), 2, 2),
  AVGPOOL (WHOLE (4, 8, 8), WHOLE (4, 4, 4), 2, 2),
  AVGPOOL (WHOLE (3, 3, 5), WHOLE (3, 1, 3), 3, 1),
  AVGPOOL (WHOLE (6, 7, 7), WHOLE (6, 1, 1), 7, 7),
  AVGPOOL (VIEW (5, 7, 7, 2, 9, 3), VIEW (5, 3, 3, 1, 6, 5), 2, 2),
};

/* ---- softmax ---- */

#define SOFTMAX(in, out_base) SHAPE (RANET_LAYER_SOFTMAX, softmax, FALSE, in, out_base)

static const RanetOpCheckShape softmax_shapes[] = {
  SOFTMAX (WHOLE (1, 1, 1), 0),
  SOFTMAX (WHOLE (10, 1, 1), 0),
  SOFTMAX (WHOLE (13, 1, 1), 5),
  SOFTMAX (VIEW (10, 1, 1, 5, 20, 3), 2),
  SOFTMAX (WHOLE (2, 3, 2), 7),
  SOFTMAX (WHOLE (100, 1, 1), 0),
  SOFTMAX (WHOLE (1000, 1, 1), 1),
};

/* Probabilities and the top one lie in [0, 1]: their rounding scales with 1.
 * The argmax must be exact. */
static void
softmax_magnitude (const RanetLayer *l, float *mag)
{
  const RanetTensorView *in = &l->p.softmax.in;
  guint k = in->c * in->h * in->w;

  for (guint i = 0; i <= k; i++)
    mag[l->p.softmax.out_base + i] = 1.0f;
  mag[l->p.softmax.out_base + k + 1] = 0.0f;
}

/* ---- copy ---- */

#define COPY(in, out, same) SHAPE (RANET_LAYER_COPY, copy, same, in, out)

static const RanetOpCheckShape copy_shapes[] = {
  COPY (WHOLE (1, 1, 1), WHOLE (1, 1, 1), FALSE),
  COPY (WHOLE (3, 5, 7), VIEW (3, 5, 7, 4, 9, 2), FALSE),
  COPY (VIEW (13, 3, 5, 1, 20, 6), VIEW (13, 3, 5, 0, 13, 1), FALSE),
  COPY (VIEW (33, 7, 7, 0, 40, 0), VIEW (33, 7, 7, 5, 38, 11), FALSE),
  /* channels 0..4 of a tensor copied to channels 6..10 of the same tensor */
  COPY (VIEW (5, 3, 5, 0, 12, 0), VIEW (5, 3, 5, 6, 12, 0), TRUE),
};

/* ---- every kind ---- */

#define SHAPES(list) .shapes = (list), .n_shapes = G_N_ELEMENTS (list)

const RanetOpCheckKind ranet_op_check_kinds[RANET_LAYER_N_KINDS] = {
  [RANET_LAYER_CONV2D] = {
    SHAPES (conv2d_shapes),
    /* a dense layer's 3x3 conv writing its slice of the block's tensor */
    .selfcheck = SHAPE (RANET_LAYER_CONV2D, conv2d, FALSE,
        .in = WHOLE (16, 16, 16), .out = VIEW (8, 16, 16, 16, 24, 0),
        .kh = 3, .kw = 3, .stride = 1, .pad_h = 1, .pad_w = 1, .relu = TRUE),
  },
  [RANET_LAYER_CONV1X1] = {
    SHAPES (conv1x1_shapes),
    .selfcheck = SHAPE (RANET_LAYER_CONV1X1, conv1x1, FALSE,
        .in = WHOLE (24, 16, 16), .out = WHOLE (16, 16, 16), .pre_act = TRUE, .relu = TRUE),
  },
  [RANET_LAYER_RESIZE_BILINEAR] = {
    SHAPES (resize_shapes),
    .selfcheck = RESIZE (WHOLE (8, 8, 8), WHOLE (8, 16, 16), FALSE),
  },
  [RANET_LAYER_MAXPOOL2D] = {
    SHAPES (maxpool_shapes),
    .selfcheck = MAXPOOL (WHOLE (8, 16, 16), WHOLE (8, 8, 8), 3, 2, 1),
  },
  [RANET_LAYER_AVGPOOL2D] = {
    SHAPES (avgpool_shapes),
    .selfcheck = AVGPOOL (WHOLE (8, 16, 16), WHOLE (8, 8, 8), 2, 2),
  },
  [RANET_LAYER_LINEAR] = {
    SHAPES (linear_shapes),
    .selfcheck = LINEAR (WHOLE (64, 1, 1), WHOLE (10, 1, 1), FALSE, FALSE),
  },
  [RANET_LAYER_SOFTMAX] = {
    SHAPES (softmax_shapes),
    .selfcheck = SOFTMAX (WHOLE (10, 1, 1), 0),
    /* logits spread wider than [-1, 1], as a trained classifier's are */
    .input_scale = 8.0f,
    .magnitude = softmax_magnitude,
  },
  [RANET_LAYER_COPY] = {
    SHAPES (copy_shapes),
    .selfcheck = COPY (WHOLE (8, 16, 16), VIEW (8, 16, 16, 4, 12, 0), FALSE),
  },
};
