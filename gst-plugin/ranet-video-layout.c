/* ranet-video-layout.c: GstVideoFrame -> RanetFrameLayout. */
#include "ranet-video-layout.h"

#include <string.h>

/* GStreamer's name for each format, by the table's rows. */
static const struct {
  RanetPixelFormat ranet;
  GstVideoFormat gst;
} formats[] = {
#define RANET_PIXEL_FORMAT(name, id, gst_name, ...) \
  { RANET_PIXEL_##name, GST_VIDEO_FORMAT_##gst_name },
#include "preprocess/ranet-pixel-formats.def"
#undef RANET_PIXEL_FORMAT
};

GstCaps *
ranet_video_layout_new_caps (void)
{
  g_autoptr (GString) list = g_string_new ("{ ");
  g_autofree gchar *caps = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    g_string_append_printf (list, i > 0 ? ", %s" : "%s",
        gst_video_format_to_string (formats[i].gst));
  g_string_append (list, " }");
  /* the pad templates' caps as GST_VIDEO_CAPS_MAKE writes them */
  caps = g_strdup_printf (GST_VIDEO_CAPS_MAKE ("%s"), list->str);
  return gst_caps_from_string (caps);
}

gboolean
ranet_video_layout_to_pixel_format (GstVideoFormat format, RanetPixelFormat *pixel_format)
{
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++) {
    if (formats[i].gst == format) {
      *pixel_format = formats[i].ranet;
      return TRUE;
    }
  }
  return FALSE;
}

GstVideoFormat
ranet_video_layout_to_video_format (RanetPixelFormat pixel_format)
{
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    if (formats[i].ranet == pixel_format)
      return formats[i].gst;
  return GST_VIDEO_FORMAT_UNKNOWN;
}

gboolean
ranet_video_layout_from_frame (const GstVideoFrame *frame, RanetFrameLayout *layout)
{
  const GstVideoInfo *info = &frame->info;
  gsize at = 0;
  gdouble kr = 0.299, kb = 0.114;

  memset (layout, 0, sizeof *layout);
  if (!ranet_video_layout_to_pixel_format (GST_VIDEO_INFO_FORMAT (info), &layout->format))
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
