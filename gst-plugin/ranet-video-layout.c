/* ranet-video-layout.c: GstVideoFrame -> RanetFrameLayout. */
#include "ranet-video-layout.h"

#include <string.h>

static gboolean
pixel_format (GstVideoFormat format, RanetPixelFormat *out)
{
  static const struct {
    GstVideoFormat gst;
    RanetPixelFormat ranet;
  } table[] = {
    { GST_VIDEO_FORMAT_RGB, RANET_PIXEL_RGB },
    { GST_VIDEO_FORMAT_BGR, RANET_PIXEL_BGR },
    { GST_VIDEO_FORMAT_RGBA, RANET_PIXEL_RGBA },
    { GST_VIDEO_FORMAT_BGRA, RANET_PIXEL_BGRA },
    { GST_VIDEO_FORMAT_RGBx, RANET_PIXEL_RGBX },
    { GST_VIDEO_FORMAT_BGRx, RANET_PIXEL_BGRX },
    { GST_VIDEO_FORMAT_xRGB, RANET_PIXEL_XRGB },
    { GST_VIDEO_FORMAT_xBGR, RANET_PIXEL_XBGR },
    { GST_VIDEO_FORMAT_GRAY8, RANET_PIXEL_GRAY8 },
    { GST_VIDEO_FORMAT_I420, RANET_PIXEL_I420 },
    { GST_VIDEO_FORMAT_NV12, RANET_PIXEL_NV12 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++) {
    if (table[i].gst == format) {
      *out = table[i].ranet;
      return TRUE;
    }
  }
  return FALSE;
}

gboolean
ranet_video_layout_from_frame (const GstVideoFrame *frame, RanetFrameLayout *layout)
{
  const GstVideoInfo *info = &frame->info;
  gsize at = 0;
  gdouble kr = 0.299, kb = 0.114;

  memset (layout, 0, sizeof *layout);
  if (!pixel_format (GST_VIDEO_INFO_FORMAT (info), &layout->format))
    return FALSE;
  layout->width = GST_VIDEO_INFO_WIDTH (info);
  layout->height = GST_VIDEO_INFO_HEIGHT (info);
  for (guint i = 0; i < GST_VIDEO_FRAME_N_PLANES (frame) && i < RANET_MAX_PLANES; i++) {
    layout->offset[i] = at;
    layout->stride[i] = (gsize) GST_VIDEO_FRAME_PLANE_STRIDE (frame, i);
    at += layout->stride[i] * ranet_frame_layout_plane_rows (layout, i);
  }
  /* an unknown matrix reads as BT.601, what SD video and JPEG use */
  if (!gst_video_color_matrix_get_Kr_Kb (info->colorimetry.matrix, &kr, &kb)) {
    kr = 0.299;
    kb = 0.114;
  }
  layout->kr = kr;
  layout->kb = kb;
  layout->yuv_full_range = info->colorimetry.range == GST_VIDEO_COLOR_RANGE_0_255;
  return TRUE;
}

gboolean
ranet_video_layout_fits_frame (const GstVideoFrame *frame,
    const RanetFrameLayout *layout)
{
  for (guint i = 0; i < RANET_MAX_PLANES; i++) {
    guint rows = ranet_frame_layout_plane_rows (layout, i);
    /* without a GstVideoMeta the whole buffer is map[0]; with one, each plane
     * has the mapping of the memory holding it */
    const GstMapInfo *map = frame->meta != NULL ? &frame->map[i] : &frame->map[0];
    const guint8 *plane = GST_VIDEO_FRAME_PLANE_DATA (frame, i);
    gsize start, need;

    if (rows == 0)
      break;
    if (plane < map->data || plane > map->data + map->size)
      return FALSE;
    start = (gsize) (plane - map->data);
    /* a negative stride reads as a huge one here, and fails */
    if (layout->stride[i] > G_MAXSIZE / rows)
      return FALSE;
    need = layout->stride[i] * (rows - 1) + ranet_frame_layout_plane_row_bytes (layout, i);
    if (need > map->size - start)
      return FALSE;
  }
  return TRUE;
}
