/* region-canvas.c: the grey frame before it takes the negotiated format. */
#include "region-canvas.h"

#include <string.h>

/* A 32-bit integer hash with good avalanche (each input bit flips each
 * output bit with probability near 1/2): cheap per-pixel noise that needs
 * no generator state, so any pixel's value depends on its place alone. */
static guint32
mix32 (guint32 h)
{
  h ^= h >> 16;
  h *= 0x7feb352dU;
  h ^= h >> 15;
  h *= 0x846ca68bU;
  h ^= h >> 16;
  return h;
}

/* Stripe directions (dx, dy): the stripe index is (x dx + y dy) / period. */
static const gint directions[][2] = {
  { 1, 0 }, { 0, 1 }, { 1, 1 }, { 1, -1 }, { 2, 1 }, { 1, 2 }, { 2, -1 }, { 1, -2 },
};

void
region_canvas_paint_background (guint8 *canvas, guint width, guint height,
    guint32 seed, guint64 frame)
{
  guint32 words[3] = { seed, (guint32) frame, (guint32) (frame >> 32) };
  g_autoptr (GRand) rand = g_rand_new_with_seed_array (words, G_N_ELEMENTS (words));
  const gint *dir = directions[g_rand_int_range (rand, 0, G_N_ELEMENTS (directions))];
  gint period = g_rand_int_range (rand, 6, 25);
  gint contrast = g_rand_int_range (rand, 16, 48);
  gint base = g_rand_int_range (rand, 80, 150);
  /* positive whatever x and y: the most negative x dx + y dy is -2 height */
  gint64 phase = g_rand_int_range (rand, 0, 2 * period) + 2 * (gint64) height;
  guint32 noise_key = mix32 (seed ^ mix32 ((guint32) frame ^ mix32 ((guint32) (frame >> 32))));

  for (guint y = 0; y < height; y++) {
    guint8 *row = canvas + (gsize) y * width;

    for (guint x = 0; x < width; x++) {
      gint64 t = (gint64) x * dir[0] + (gint64) y * dir[1] + phase;
      gint stripe = (t / period) % 2 ? contrast : -contrast;
      gint noise = (gint) (mix32 (noise_key ^ (y * width + x)) & 63) - 32;

      row[x] = (guint8) CLAMP (base + stripe + noise, 0, 255);
    }
  }
}

void
region_canvas_paint_image (guint8 *canvas, guint canvas_width,
    const RegionBox *box, const guint8 *image, guint image_width, guint image_height)
{
  if (box->side == image_width && box->side == image_height) {
    for (guint y = 0; y < box->side; y++)
      memcpy (canvas + (gsize) (box->y + y) * canvas_width + box->x,
          image + (gsize) y * image_width, image_width);
    return;
  }
  for (guint y = 0; y < box->side; y++) {
    guint sy = (guint) ((2 * (guint64) y + 1) * image_height / (2 * (guint64) box->side));
    const guint8 *src = image + (gsize) sy * image_width;
    guint8 *dst = canvas + (gsize) (box->y + y) * canvas_width + box->x;

    for (guint x = 0; x < box->side; x++)
      dst[x] = src[(2 * (guint64) x + 1) * image_width / (2 * (guint64) box->side)];
  }
}
