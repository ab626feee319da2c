/* preprocess-ref.c: the scalar reference of shaders/preprocess.comp. Every float
 * operation is written in the shader's order so that the two agree to rounding. */
#include "preprocess/preprocess-private.h"

#include "ref/ranet-ref.h"

typedef struct {
  float r, g, b;
} Rgb;

static Rgb
yuv_to_rgb (const RanetFrameLayout *l, float y, float u, float v)
{
  float kr = (float) l->kr, kb = (float) l->kb;
  float yf, cb, cr;
  Rgb o;

  if (l->yuv_full_range) {
    yf = y / 255.0f;
    cb = (u - 128.0f) / 255.0f;
    cr = (v - 128.0f) / 255.0f;
  } else {
    yf = (y - 16.0f) / 219.0f;
    cb = (u - 128.0f) / 224.0f;
    cr = (v - 128.0f) / 224.0f;
  }
  o.r = yf + 2.0f * (1.0f - kr) * cr;
  o.b = yf + 2.0f * (1.0f - kb) * cb;
  o.g = (yf - kr * o.r - kb * o.b) / (1.0f - kr - kb);
  o.r = CLAMP (o.r, 0.0f, 1.0f);
  o.g = CLAMP (o.g, 0.0f, 1.0f);
  o.b = CLAMP (o.b, 0.0f, 1.0f);
  return o;
}

static Rgb
fetch_rgb (const RanetFrameLayout *l, const guint8 *f, guint x, guint y)
{
  Rgb o;

  switch (l->format) {
    case RANET_PIXEL_GRAY8:
      o.r = o.g = o.b = (float) f[l->offset[0] + y * l->stride[0] + x] / 255.0f;
      return o;
    case RANET_PIXEL_I420:
      return yuv_to_rgb (l, f[l->offset[0] + y * l->stride[0] + x],
          f[l->offset[1] + (y / 2) * l->stride[1] + x / 2],
          f[l->offset[2] + (y / 2) * l->stride[2] + x / 2]);
    case RANET_PIXEL_NV12: {
      gsize uv = l->offset[1] + (y / 2) * l->stride[1] + (x / 2) * 2;
      return yuv_to_rgb (l, f[l->offset[0] + y * l->stride[0] + x], f[uv],
          f[uv + 1]);
    }
    default: {
      /* packed RGB: the table says where each colour sits */
      const RanetPixelFormatInfo *p = ranet_pixel_format_get_info (l->format);
      gsize base = l->offset[0] + y * l->stride[0] + (gsize) x * p->pixel_bytes;

      o.r = (float) f[base + p->r] / 255.0f;
      o.g = (float) f[base + p->g] / 255.0f;
      o.b = (float) f[base + p->b] / 255.0f;
      return o;
    }
  }
}

/* PyTorch's align_corners=False source index: clamped at 0, taps x0 and x0 + 1. */
static void
source_taps (const RanetAxisMap *m, guint dst, guint size, guint *i0, guint *i1,
    float *l1)
{
  float s = ((float) dst + 0.5f - m->dst_lo) * m->scale + m->src_origin - 0.5f;

  s = MAX (s, 0.0f);
  *i0 = MIN ((guint) s, size - 1);
  *i1 = *i0 + (*i0 < size - 1 ? 1 : 0);
  *l1 = s - (float) *i0;
}

static gboolean
inside (const RanetAxisMap *m, guint dst)
{
  float c = (float) dst + 0.5f;
  return c >= m->dst_lo && c < m->dst_hi;
}

void
ranet_ref_preprocess (const RanetPreprocessParams *p, const guint8 *frame,
    float *out)
{
  const RanetFrameLayout *l = &p->frame;
  RanetAxisMap mx, my;

  ranet_preprocess_axis_maps (p, &mx, &my);
  for (guint oy = 0; oy < p->out.h; oy++) {
    for (guint ox = 0; ox < p->out.w; ox++) {
      Rgb v = { 0.0f, 0.0f, 0.0f };

      if (inside (&mx, ox) && inside (&my, oy)) {
        guint x0, x1, y0, y1;
        float lx1, ly1;

        source_taps (&mx, ox, l->width, &x0, &x1, &lx1);
        source_taps (&my, oy, l->height, &y0, &y1, &ly1);
        float lx0 = 1.0f - lx1, ly0 = 1.0f - ly1;
        Rgb a = fetch_rgb (l, frame, x0, y0), b = fetch_rgb (l, frame, x1, y0);
        Rgb c = fetch_rgb (l, frame, x0, y1), d = fetch_rgb (l, frame, x1, y1);
        v.r = ly0 * (lx0 * a.r + lx1 * b.r) + ly1 * (lx0 * c.r + lx1 * d.r);
        v.g = ly0 * (lx0 * a.g + lx1 * b.g) + ly1 * (lx0 * c.g + lx1 * d.g);
        v.b = ly0 * (lx0 * a.b + lx1 * b.b) + ly1 * (lx0 * c.b + lx1 * d.b);
      }
      if (p->out.c == 1) {
        float luma = RANET_LUMA_R * v.r + RANET_LUMA_G * v.g + RANET_LUMA_B * v.b;
        out[ranet_view_index (&p->out, 0, oy, ox)] = (luma - p->mean[0]) / p->std[0];
      } else {
        float rgb[3] = { v.r, v.g, v.b };
        for (guint c = 0; c < 3; c++)
          out[ranet_view_index (&p->out, c, oy, ox)] = (rgb[c] - p->mean[c]) / p->std[c];
      }
    }
  }
}

guint
ranet_preprocess_get_plane_rows (const RanetPreprocessParams *p, guint plane,
    guint *rows)
{
  const RanetFrameLayout *l = &p->frame;
  guint n_plane_rows = ranet_frame_layout_plane_rows (l, plane);
  /* chroma planes of I420 and NV12 hold one row per two frame rows */
  guint shift = plane > 0 ? 1 : 0;
  RanetAxisMap mx, my;
  guint n = 0;
  gint last = -1;

  if (n_plane_rows == 0)
    return 0;
  ranet_preprocess_axis_maps (p, &mx, &my);
  for (guint oy = 0; oy < p->out.h; oy++) {
    guint y0, y1;
    float ly1;

    if (!inside (&my, oy))
      continue;
    source_taps (&my, oy, l->height, &y0, &y1, &ly1);
    /* A GPU that fuses the tap arithmetic into one multiply-add may round a
     * source position that sits (to float precision) on a row boundary the
     * other way: take the neighbouring row too when the position is that
     * close to it. Elsewhere the two taps are all the shader reads. */
    guint lo = y0, hi = y1;
    if (ly1 < 1e-3f && y0 > 0)
      lo = y0 - 1;
    if (ly1 > 1.0f - 1e-3f)
      hi = MIN (y1 + 1, l->height - 1);
    lo >>= shift;
    hi >>= shift;
    /* output rows map to non-decreasing source rows: the list stays sorted */
    for (guint r = MAX (lo, (guint) (last + 1)); r <= hi && r < n_plane_rows; r++) {
      rows[n++] = r;
      last = (gint) r;
    }
  }
  return n;
}
