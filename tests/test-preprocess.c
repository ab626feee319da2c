/* test-preprocess.c: the preprocess shader against its C reference, over every
 * pixel format, odd and even sizes, padded strides, plane offsets, every resize
 * mode, grey and colour models, and an output at a channel offset. */
#include "preprocess/ranet-preprocess.h"
#include "preprocess-frames.h"
#include "ref/ranet-ref.h"

#include <math.h>
#include <string.h>

static RanetVkDevice *device;

/* The rows of the format table, in order: every test goes through each. */
static const struct {
  RanetPixelFormat format;
  guint id;
  const char *name;
} formats[] = {
#define RANET_PIXEL_FORMAT(name, id, ...) { RANET_PIXEL_##name, id, #name },
#include "preprocess/ranet-pixel-formats.def"
#undef RANET_PIXEL_FORMAT
};
G_STATIC_ASSERT (G_N_ELEMENTS (formats) == RANET_PIXEL_N_FORMATS);

typedef struct {
  float max_err;
} CaseResult;

/* With @rows_only, the device gets a frame in which every row that
 * ranet_preprocess_get_plane_rows() leaves out is overwritten with other
 * values, while the reference sees the real frame: the results agree only if
 * the shader never reads a row outside the list. */
static CaseResult
run_case_rows (const RanetPreprocessParams *p, guint32 seed, gboolean rows_only)
{
  GError *error = NULL;
  gsize frame_size = ranet_frame_layout_get_size (&p->frame);
  gsize padded = (frame_size + 3) & ~(gsize) 3;
  gsize out_floats = p->out.base + (gsize) p->out.c_total * p->out.h * p->out.w;
  GRand *rand = g_rand_new_with_seed (seed);
  g_autofree guint8 *frame = g_malloc (padded);
  g_autofree float *expect = g_new (float, out_floats);
  CaseResult r = { 0.0f };

  for (gsize i = 0; i < padded; i++)
    frame[i] = (guint8) g_rand_int_range (rand, 0, 256);
  for (gsize i = 0; i < out_floats; i++)
    expect[i] = -7.0f;   /* sentinel: must survive outside the view */
  g_rand_free (rand);

  g_autoptr (RanetVkBuffer) fbuf = ranet_vk_buffer_new (device, padded,
      RANET_VK_BUFFER_HOST, &error);
  g_assert_no_error (error);
  g_autoptr (RanetVkBuffer) obuf = ranet_vk_buffer_new (device,
      out_floats * sizeof (float), RANET_VK_BUFFER_HOST, &error);
  g_assert_no_error (error);
  memcpy (ranet_vk_buffer_get_mapped (fbuf), frame, padded);
  memcpy (ranet_vk_buffer_get_mapped (obuf), expect, out_floats * sizeof (float));
  if (rows_only) {
    guint8 *dev_frame = ranet_vk_buffer_get_mapped (fbuf);
    for (guint i = 0; i < RANET_MAX_PLANES; i++) {
      guint n_rows = ranet_frame_layout_plane_rows (&p->frame, i);
      g_autofree guint *rows = g_new (guint, MAX (n_rows, 1));
      g_autofree gboolean *needed = g_new0 (gboolean, MAX (n_rows, 1));
      guint n = ranet_preprocess_get_plane_rows (p, i, rows);
      g_assert_cmpuint (n, <=, n_rows);
      for (guint j = 0; j < n; j++) {
        g_assert_true (j == 0 || rows[j] > rows[j - 1]);
        needed[rows[j]] = TRUE;
      }
      for (guint y = 0; y < n_rows; y++)
        if (!needed[y])
          memset (dev_frame + p->frame.offset[i] + y * p->frame.stride[i], 0x5a,
              ranet_frame_layout_plane_row_bytes (&p->frame, i));
    }
  }

  g_autoptr (RanetOp) op = ranet_op_preprocess_new (device, p, &error);
  g_assert_no_error (error);
  g_autoptr (RanetVkCommands) cmds = ranet_vk_commands_new (device, 0, &error);
  g_assert_no_error (error);
  g_assert_true (ranet_vk_commands_begin (cmds, &error));
  ranet_op_record (op, cmds, fbuf, NULL, obuf);
  g_assert_true (ranet_vk_commands_end (cmds, &error));
  g_assert_true (ranet_vk_commands_submit (cmds, &error));
  g_assert_no_error (error);

  ranet_ref_preprocess (p, frame, expect);
  const float *got = ranet_vk_buffer_get_mapped (obuf);
  for (gsize i = 0; i < out_floats; i++)
    r.max_err = MAX (r.max_err, fabsf (got[i] - expect[i]));
  return r;
}

static CaseResult
run_case (const RanetPreprocessParams *p, guint32 seed)
{
  return run_case_rows (p, seed, FALSE);
}

/* Values are (x - mean) / std with x in [0, 1] and std about 0.25: a few units.
 * Shader and reference do the same float operations in the same order, but the
 * compiler may contract a * b + c into a fused multiply-add, which changes the
 * last bit of each of the ~10 chained operations: 1e-5 absolute covers that and
 * is far below one grey level (1/255/std = 0.016). */
#define TOLERANCE 1e-5f

/* The table numbers its rows 0, 1, 2... (the shader cannot count them): the
 * enum then has no gaps, RANET_PIXEL_N_FORMATS counts the rows, and a loop
 * over the values below it meets every format. */
static void
test_format_table (void)
{
  for (guint f = 0; f < G_N_ELEMENTS (formats); f++) {
    g_assert_cmpuint (formats[f].id, ==, f);
    g_assert_cmpuint (formats[f].format, ==, f);
    g_assert_cmpuint (ranet_frame_layout_plane_rows (&(RanetFrameLayout) {
          .format = formats[f].format, .width = 2, .height = 2 }, 0), ==, 2);
  }
}

static void
test_formats_and_sizes (void)
{
  static const guint sizes[][2] = {
    {28, 28}, {1, 1}, {7, 3}, {3, 5}, {33, 17}, {64, 48}, {5, 120}, {321, 241},
  };

  for (guint f = 0; f < RANET_PIXEL_N_FORMATS; f++) {
    for (guint s = 0; s < G_N_ELEMENTS (sizes); s++) {
      for (guint channels = 1; channels <= 3; channels += 2) {
        RanetPreprocessParams p = {
          .frame = preprocess_test_layout (f, sizes[s][0], sizes[s][1], s % 3 * 5, s % 2 * 12),
          .mode = s % 3,
          /* the input slice sits at channel 1 of a 5-channel tensor at float 10 */
          .out = { .c = channels, .h = 28, .w = 24, .c_offset = 1, .c_total = 5, .base = 10 },
          .mean = { 0.1f, 0.5f, 0.9f },
          .std = { 0.25f, 0.2f, 0.3f },
        };
        p.frame.yuv_full_range = s % 2;
        CaseResult r = run_case (&p, f * 100 + s);
        if (r.max_err > TOLERANCE)
          g_error ("%s %ux%u mode %d -> %u channels: max error %g",
              formats[f].name, sizes[s][0], sizes[s][1], p.mode, channels, r.max_err);
      }
    }
  }
  g_assert_cmpuint (ranet_vk_device_get_validation_error_count (device), ==, 0);
}

static void
test_modes_geometry (void)
{
  /* a wide frame letterboxed into a square leaves black bars above and below:
   * on a grey model with mean 0, std 1 their value is exactly 0 */
  RanetPreprocessParams p = {
    .frame = preprocess_test_layout (RANET_PIXEL_GRAY8, 64, 16, 0, 0),
    .mode = RANET_RESIZE_LETTERBOX,
    .out = { .c = 1, .h = 16, .w = 16, .c_offset = 0, .c_total = 1, .base = 0 },
    .mean = { 0.0f }, .std = { 1.0f },
  };
  g_autofree guint8 *white = g_malloc (64 * 16);
  float out[256];

  memset (white, 255, 64 * 16);
  ranet_ref_preprocess (&p, white, out);
  /* content is 16x4 in the middle: rows 6..9 */
  g_assert_cmpfloat (out[0], ==, 0.0f);
  g_assert_cmpfloat (out[5 * 16 + 8], ==, 0.0f);
  g_assert_cmpfloat_with_epsilon (out[6 * 16 + 8], 1.0f, 1e-6);
  g_assert_cmpfloat_with_epsilon (out[9 * 16 + 8], 1.0f, 1e-6);
  g_assert_cmpfloat (out[10 * 16 + 8], ==, 0.0f);

  /* center-crop of a frame whose left and right quarters are black keeps only
   * the white middle */
  p.mode = RANET_RESIZE_CENTER_CROP;
  p.frame = preprocess_test_layout (RANET_PIXEL_GRAY8, 32, 16, 0, 0);
  memset (white, 0, 32 * 16);
  for (guint y = 0; y < 16; y++)
    memset (white + y * 32 + 8, 255, 16);
  ranet_ref_preprocess (&p, white, out);
  for (guint i = 0; i < 256; i++)
    g_assert_cmpfloat_with_epsilon (out[i], 1.0f, 1e-6);
  CaseResult r = run_case (&p, 1);
  g_assert_cmpfloat (r.max_err, <=, TOLERANCE);
}

static void
test_identity_size (void)
{
  /* same size, stretch: the sampling is exact, each output is its pixel */
  RanetPreprocessParams p = {
    .frame = preprocess_test_layout (RANET_PIXEL_GRAY8, 28, 28, 4, 0),
    .mode = RANET_RESIZE_STRETCH,
    .out = { .c = 1, .h = 28, .w = 28, .c_offset = 0, .c_total = 1, .base = 0 },
    .mean = { 0.5f }, .std = { 0.5f },
  };
  guint8 frame[32 * 28];
  float out[28 * 28];

  for (guint i = 0; i < sizeof frame; i++)
    frame[i] = (guint8) (i * 7);
  ranet_ref_preprocess (&p, frame, out);
  for (guint y = 0; y < 28; y++)
    for (guint x = 0; x < 28; x++)
      g_assert_cmpfloat_with_epsilon (out[y * 28 + x],
          (frame[y * 32 + x] / 255.0f - 0.5f) / 0.5f, 1e-6);
}

/* Copying only the rows the taps read gives the same input, for every format,
 * mode, and frames larger and smaller than the input. */
static void
test_needed_rows (void)
{
  static const guint sizes[][2] = {
    {1920, 1080}, {28, 28}, {7, 3}, {33, 17}, {321, 241}, {64, 480},
  };

  for (guint f = 0; f < RANET_PIXEL_N_FORMATS; f++) {
    for (guint s = 0; s < G_N_ELEMENTS (sizes); s++) {
      RanetPreprocessParams p = {
        .frame = preprocess_test_layout (f, sizes[s][0], sizes[s][1], s % 2 * 4, 0),
        .mode = (f + s) % 3,
        .out = { .c = 3, .h = 28, .w = 28, .c_offset = 0, .c_total = 3, .base = 0 },
        .mean = { 0.1f, 0.5f, 0.9f },
        .std = { 0.25f, 0.2f, 0.3f },
      };
      CaseResult r = run_case_rows (&p, f * 100 + s, TRUE);
      if (r.max_err > TOLERANCE)
        g_error ("%s %ux%u mode %d, needed rows only: max error %g",
            formats[f].name, sizes[s][0], sizes[s][1], p.mode, r.max_err);
    }
  }
  g_assert_cmpuint (ranet_vk_device_get_validation_error_count (device), ==, 0);
}

static void
test_bad_layouts (void)
{
  GError *error = NULL;
  RanetPreprocessParams p = {
    .frame = preprocess_test_layout (RANET_PIXEL_RGB, 10, 10, 0, 0),
    .out = { .c = 3, .h = 8, .w = 8, .c_offset = 0, .c_total = 3, .base = 0 },
    .mean = { 0, 0, 0 }, .std = { 1, 1, 1 },
  };

  p.frame.stride[0] = 29;   /* shorter than a row of 30 bytes */
  g_assert_null (ranet_op_preprocess_new (device, &p, &error));
  g_assert_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID);
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  p.frame = preprocess_test_layout (RANET_PIXEL_RGB, 0, 10, 0, 0);
  g_assert_null (ranet_op_preprocess_new (device, &p, &error));
  g_assert_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID);
  g_clear_error (&error);

  p.frame = preprocess_test_layout (RANET_PIXEL_RGB, 8192, 8192, 0, 0);
  p.frame.offset[0] = G_MAXUINT32 - 100;  /* beyond 32-bit addressing */
  g_assert_null (ranet_op_preprocess_new (device, &p, &error));
  g_assert_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID);
  g_clear_error (&error);

  p.frame = preprocess_test_layout (RANET_PIXEL_RGB, 10, 10, 0, 0);
  p.std[1] = 0.0f;
  g_assert_null (ranet_op_preprocess_new (device, &p, &error));
  g_assert_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID);
  g_clear_error (&error);
}

int
main (int argc, char **argv)
{
  GError *error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  device = ranet_vk_device_new (NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/preprocess/format-table", test_format_table);
  g_test_add_func ("/preprocess/formats-and-sizes", test_formats_and_sizes);
  g_test_add_func ("/preprocess/modes-geometry", test_modes_geometry);
  g_test_add_func ("/preprocess/identity-size", test_identity_size);
  g_test_add_func ("/preprocess/needed-rows", test_needed_rows);
  g_test_add_func ("/preprocess/bad-layouts", test_bad_layouts);
  ret = g_test_run ();
  ranet_vk_device_unref (device);
  return ret;
}
