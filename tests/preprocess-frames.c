/* preprocess-frames.c: frames for the preprocess tests. */
#include "preprocess-frames.h"

static const char *const format_names[] = {
#define RANET_PIXEL_FORMAT(name, id, ...) [id] = #name,
#include "preprocess/ranet-pixel-formats.def"
#undef RANET_PIXEL_FORMAT
};
G_STATIC_ASSERT (G_N_ELEMENTS (format_names) == RANET_PIXEL_N_FORMATS);

RanetFrameLayout
preprocess_test_layout (RanetPixelFormat format, guint w, guint h, guint pad, guint gap)
{
  RanetFrameLayout l = { .format = format, .width = w, .height = h,
    .kr = 0.299, .kb = 0.114, .yuv_full_range = FALSE };
  gsize at = gap;

  for (guint i = 0; i < RANET_MAX_PLANES; i++) {
    guint rows = ranet_frame_layout_plane_rows (&l, i);
    if (rows == 0)
      break;
    l.offset[i] = at;
    l.stride[i] = ranet_frame_layout_plane_row_bytes (&l, i) + pad;
    at += l.stride[i] * rows + gap;
  }
  return l;
}

const char *
preprocess_test_format_name (RanetPixelFormat format)
{
  return (guint) format < RANET_PIXEL_N_FORMATS ? format_names[format] : "?";
}

guint8 *
preprocess_test_frame (const RanetFrameLayout *layout, guint32 seed, gsize *padded)
{
  GRand *rand = g_rand_new_with_seed (seed);
  guint8 *frame;

  *padded = (ranet_frame_layout_get_size (layout) + 3) & ~(gsize) 3;
  frame = g_malloc (*padded);
  for (gsize i = 0; i < *padded; i++)
    frame[i] = (guint8) g_rand_int_range (rand, 0, 256);
  g_rand_free (rand);
  return frame;
}
