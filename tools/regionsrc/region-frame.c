/* region-frame.c: grey to the negotiated format, component by component. */
#include "region-frame.h"

#include <string.h>

/* The value a component takes: the grey level (-1), or a constant. */
static gint
component_constant (const GstVideoFormatInfo *finfo, guint comp)
{
  if (GST_VIDEO_FORMAT_INFO_IS_YUV (finfo) && (comp == GST_VIDEO_COMP_U || comp == GST_VIDEO_COMP_V))
    return 128;
  if (comp == GST_VIDEO_COMP_A)
    return 255;
  return -1;
}

void
region_frame_write_grey (GstVideoFrame *frame, const guint8 *canvas)
{
  const GstVideoFormatInfo *finfo = frame->info.finfo;
  guint width = GST_VIDEO_FRAME_WIDTH (frame);

  /* padding bytes (the x of RGBx) belong to no component: 255 like an
   * opaque alpha, and never left as whatever the pool's memory held */
  if (GST_VIDEO_FORMAT_INFO_IS_RGB (finfo) && !GST_VIDEO_FORMAT_INFO_HAS_ALPHA (finfo)
      && GST_VIDEO_FRAME_COMP_PSTRIDE (frame, 0) == 4) {
    for (guint y = 0; y < (guint) GST_VIDEO_FRAME_HEIGHT (frame); y++)
      memset ((guint8 *) GST_VIDEO_FRAME_PLANE_DATA (frame, 0)
          + (gsize) y * GST_VIDEO_FRAME_PLANE_STRIDE (frame, 0), 0xff, (gsize) width * 4);
  }

  for (guint c = 0; c < GST_VIDEO_FRAME_N_COMPONENTS (frame); c++) {
    guint8 *data = GST_VIDEO_FRAME_COMP_DATA (frame, c);
    gint stride = GST_VIDEO_FRAME_COMP_STRIDE (frame, c);
    gint pstride = GST_VIDEO_FRAME_COMP_PSTRIDE (frame, c);
    guint cw = (guint) GST_VIDEO_FRAME_COMP_WIDTH (frame, c);
    guint ch = (guint) GST_VIDEO_FRAME_COMP_HEIGHT (frame, c);
    gint constant = component_constant (finfo, c);

    for (guint y = 0; y < ch; y++) {
      guint8 *dst = data + (gsize) y * stride;
      const guint8 *src = canvas + (gsize) y * width;

      if (constant >= 0 && pstride == 1)
        memset (dst, constant, cw);
      else if (constant >= 0)
        for (guint x = 0; x < cw; x++)
          dst[(gsize) x * pstride] = (guint8) constant;
      else if (pstride == 1)
        memcpy (dst, src, cw);
      else
        for (guint x = 0; x < cw; x++)
          dst[(gsize) x * pstride] = src[x];
    }
  }
}
