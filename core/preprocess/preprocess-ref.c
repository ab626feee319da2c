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

/* @box of the frame preprocessed as a frame of its own: the maps and the tap
 * clamping see only the box, the taps read the frame at the box's offset. */
static void
preprocess_box (const RanetPreprocessParams *p, const RanetRegion *box,
    const guint8 *frame, float *out)
{
  const RanetFrameLayout *l = &p->frame;
  RanetAxisMap mx, my;

  ranet_preprocess_box_axis_maps (p, box->width, box->height, &mx, &my);
  for (guint oy = 0; oy < p->out.h; oy++) {
    for (guint ox = 0; ox < p->out.w; ox++) {
      Rgb v = { 0.0f, 0.0f, 0.0f };

      if (inside (&mx, ox) && inside (&my, oy)) {
        guint x0, x1, y0, y1;
        float lx1, ly1;

        source_taps (&mx, ox, box->width, &x0, &x1, &lx1);
        source_taps (&my, oy, box->height, &y0, &y1, &ly1);
        x0 += box->x;
        x1 += box->x;
        y0 += box->y;
        y1 += box->y;
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

void
ranet_ref_preprocess (const RanetPreprocessParams *p, const guint8 *frame,
    float *out)
{
  RanetRegion whole = { 0, 0, p->frame.width, p->frame.height };

  preprocess_box (p, &whole, frame, out);
}

void
ranet_ref_preprocess_region (const RanetPreprocessParams *p, const RanetRegion *region,
    const guint8 *frame, float *out)
{
  g_return_if_fail (p != NULL && region != NULL && frame != NULL && out != NULL);
  g_return_if_fail (ranet_region_is_clipped (&p->frame, region));

  preprocess_box (p, region, frame, out);
}

/* Marks in @needed the rows of @plane the taps of @box read, with a row of
 * margin inside the box where a source position lies on a row boundary. */
static void
mark_box_rows (const RanetPreprocessParams *p, const RanetRegion *box, guint plane,
    gboolean *needed)
{
  guint n_plane_rows = ranet_frame_layout_plane_rows (&p->frame, plane);
  /* chroma planes of I420 and NV12 hold one row per two frame rows */
  guint shift = plane > 0 ? 1 : 0;
  RanetAxisMap mx, my;

  ranet_preprocess_box_axis_maps (p, box->width, box->height, &mx, &my);
  for (guint oy = 0; oy < p->out.h; oy++) {
    guint y0, y1;
    float ly1;

    if (!inside (&my, oy))
      continue;
    source_taps (&my, oy, box->height, &y0, &y1, &ly1);
    /* A GPU that fuses the tap arithmetic into one multiply-add may round a
     * source position that sits (to float precision) on a row boundary the
     * other way: take the neighbouring row too when the position is that
     * close to it. Elsewhere the two taps are all the shader reads. */
    guint lo = y0, hi = y1;
    if (ly1 < 1e-3f && y0 > 0)
      lo = y0 - 1;
    if (ly1 > 1.0f - 1e-3f)
      hi = MIN (y1 + 1, box->height - 1);
    lo = (box->y + lo) >> shift;
    hi = (box->y + hi) >> shift;
    for (guint r = lo; r <= hi && r < n_plane_rows; r++)
      needed[r] = TRUE;
  }
}

/* The rows marked in @needed, in increasing order. */
static guint
list_rows (const gboolean *needed, guint n_plane_rows, guint *rows)
{
  guint n = 0;

  for (guint r = 0; r < n_plane_rows; r++)
    if (needed[r])
      rows[n++] = r;
  return n;
}

guint
ranet_preprocess_get_plane_rows (const RanetPreprocessParams *p, guint plane,
    guint *rows)
{
  RanetRegion whole = { 0, 0, p->frame.width, p->frame.height };

  return ranet_preprocess_get_regions_plane_rows (p, &whole, 1, plane, rows);
}

guint
ranet_preprocess_get_regions_plane_rows (const RanetPreprocessParams *p,
    const RanetRegion *regions, guint n_regions, guint plane, guint *rows)
{
  guint n_plane_rows;
  g_autofree gboolean *needed = NULL;

  g_return_val_if_fail (p != NULL && (regions != NULL || n_regions == 0), 0);

  n_plane_rows = ranet_frame_layout_plane_rows (&p->frame, plane);
  if (n_plane_rows == 0)
    return 0;
  needed = g_new0 (gboolean, n_plane_rows);
  for (guint i = 0; i < n_regions; i++) {
    RanetRegion box;

    /* a region the op would not be given reads nothing */
    if (ranet_region_clip (&p->frame, &regions[i], &box))
      mark_box_rows (p, &box, plane, needed);
  }
  return list_rows (needed, n_plane_rows, rows);
}
