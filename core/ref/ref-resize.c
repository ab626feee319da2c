/* ref-resize.c: reference bilinear resize (align_corners=True). */
#include "ref/ranet-ref.h"

/* PyTorch computes the scale and source coordinates in float; doing the same keeps
 * the tap positions identical to it and to the shader. */
static float
align_corners_scale (guint in, guint out)
{
  return out > 1 ? (float) (in - 1) / (float) (out - 1) : 0.0f;
}

void
ranet_ref_resize_bilinear (const RanetResizeParams *p, const float *in,
    float *out)
{
  float sy = align_corners_scale (p->in.h, p->out.h);
  float sx = align_corners_scale (p->in.w, p->out.w);

  for (guint c = 0; c < p->out.c; c++)
    for (guint oy = 0; oy < p->out.h; oy++) {
      float fy = sy * (float) oy;
      guint y0 = (guint) fy;
      guint y1 = y0 + (y0 < p->in.h - 1 ? 1 : 0);
      float ly1 = fy - (float) y0, ly0 = 1.0f - ly1;
      for (guint ox = 0; ox < p->out.w; ox++) {
        float fx = sx * (float) ox;
        guint x0 = (guint) fx;
        guint x1 = x0 + (x0 < p->in.w - 1 ? 1 : 0);
        float lx1 = fx - (float) x0, lx0 = 1.0f - lx1;
        float v00 = in[ranet_view_index (&p->in, c, y0, x0)];
        float v01 = in[ranet_view_index (&p->in, c, y0, x1)];
        float v10 = in[ranet_view_index (&p->in, c, y1, x0)];
        float v11 = in[ranet_view_index (&p->in, c, y1, x1)];
        out[ranet_view_index (&p->out, c, oy, ox)] =
            ly0 * (lx0 * v00 + lx1 * v01) + ly1 * (lx0 * v10 + lx1 * v11);
      }
    }
}
