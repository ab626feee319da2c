/* ranet-overlay-regions.c: a region's box and tag, with Pango and Cairo.
 *
 * One rectangle per region rather than one the frame's size: blending costs
 * what the rectangles cover, and a few boxes cover little of a frame. */
#include "ranet-overlay-regions.h"

#include <pango/pangocairo.h>

/* Twelve hues 30 degrees apart, ordered so that neighbouring classes differ
 * by 90 degrees or more, at one saturation and value: any class's box stands
 * out from the next's, and from the skipped grey. */
static const guint32 palette[] = {
  0xfff23d3d, 0xff3df297, 0xfff2f23d, 0xff3d97f2, 0xff3df23d, 0xff973df2,
  0xfff2973d, 0xff3df2f2, 0xff97f23d, 0xff3d3df2, 0xfff23df2, 0xfff23d97,
};

guint32
ranet_overlay_class_argb (gint class_id)
{
  if (class_id < 0)
    return RANET_OVERLAY_SKIPPED_ARGB;
  return palette[class_id % G_N_ELEMENTS (palette)];
}

static void
set_source_argb (cairo_t *cr, guint32 argb)
{
  cairo_set_source_rgba (cr, ((argb >> 16) & 0xff) / 255.0,
      ((argb >> 8) & 0xff) / 255.0, (argb & 0xff) / 255.0, (argb >> 24) / 255.0);
}

/* Black text on a light tag, white on a dark one (Rec. 601 luma). */
static guint32
text_argb_on (guint32 argb)
{
  guint luma = (299 * ((argb >> 16) & 0xff) + 587 * ((argb >> 8) & 0xff)
      + 114 * (argb & 0xff)) / 1000;

  return luma > 128 ? 0xff000000 : 0xffffffff;
}

static PangoLayout *
new_layout (cairo_t *cr, const gchar *font, const gchar *text)
{
  PangoLayout *layout = pango_cairo_create_layout (cr);
  PangoFontDescription *desc = pango_font_description_from_string (font != NULL ? font : "Sans 12");

  pango_layout_set_font_description (layout, desc);
  pango_font_description_free (desc);
  pango_layout_set_text (layout, text, -1);
  return layout;
}

/* The tag's size for @text, padding included; 0x0 for no text. */
static void
measure_tag (const gchar *font, const gchar *text, gint pad, gint *w, gint *h)
{
  cairo_surface_t *surface;
  cairo_t *cr;
  PangoLayout *layout;

  *w = *h = 0;
  if (text == NULL || text[0] == '\0')
    return;
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1, 1);
  cr = cairo_create (surface);
  layout = new_layout (cr, font, text);
  pango_layout_get_pixel_size (layout, w, h);
  *w += 2 * pad;
  *h += 2 * pad;
  g_object_unref (layout);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
}

static void
draw (cairo_t *cr, const RanetOverlayRegion *region, const gchar *font, gint box_x, gint box_w,
    gint box_h, gint line, gint pad, gint tag_w, gint tag_h)
{
  cairo_set_operator (cr, CAIRO_OPERATOR_SOURCE);
  cairo_set_source_rgba (cr, 0, 0, 0, 0);
  cairo_paint (cr);
  cairo_set_operator (cr, CAIRO_OPERATOR_OVER);

  /* the outline inside the box, its pixels whole: the stroke's centre half a
   * line in from the edge */
  set_source_argb (cr, region->argb);
  cairo_set_line_width (cr, line);
  if (region->dashed) {
    const double dashes[] = { 3.0 * line, 2.0 * line };

    cairo_set_dash (cr, dashes, G_N_ELEMENTS (dashes), 0);
  }
  cairo_rectangle (cr, box_x + line / 2.0, line / 2.0, MAX (box_w - line, 0), MAX (box_h - line, 0));
  cairo_stroke (cr);
  cairo_set_dash (cr, NULL, 0, 0);

  if (tag_w > 0) {
    PangoLayout *layout;

    cairo_rectangle (cr, 0, 0, tag_w, tag_h);
    cairo_fill (cr);
    set_source_argb (cr, text_argb_on (region->argb));
    layout = new_layout (cr, font, region->text);
    cairo_move_to (cr, pad, pad);
    pango_cairo_show_layout (cr, layout);
    g_object_unref (layout);
  }
}

GstVideoOverlayRectangle *
ranet_overlay_render_region (const RanetOverlayRegion *region, const gchar *font,
    gint frame_width, gint frame_height)
{
  cairo_surface_t *surface;
  cairo_t *cr;
  GstBuffer *pixels;
  GstMapInfo map;
  GstVideoOverlayRectangle *rect;
  gint box_w, box_h, x, dx, w, h, stride, tag_w, tag_h;
  /* edges 2 px wide at 320x240, 7 at 1920x1080: seen at any size */
  gint line = MAX (MIN (frame_width, frame_height) / 160, 2);
  gint pad = MAX (line / 2, 1);

  if (frame_width <= 0 || frame_height <= 0 || region->width == 0 || region->height == 0
      || region->x >= (guint) frame_width || region->y >= (guint) frame_height)
    return NULL;
  box_w = (gint) MIN (region->width, (guint) frame_width - region->x);
  box_h = (gint) MIN (region->height, (guint) frame_height - region->y);
  measure_tag (font, region->text, pad, &tag_w, &tag_h);
  /* a tag wider or taller than its box spills out of it; one that would
   * cross the frame's right edge moves left, as far as the frame allows, so
   * that it stays whole: the rectangle then starts left of the box */
  x = MIN ((gint) region->x, MAX (frame_width - tag_w, 0));
  dx = (gint) region->x - x;
  w = MIN (MAX (dx + box_w, tag_w), frame_width - x);
  h = MIN (MAX (box_h, tag_h), frame_height - (gint) region->y);

  stride = cairo_format_stride_for_width (CAIRO_FORMAT_ARGB32, w);
  pixels = gst_buffer_new_allocate (NULL, (gsize) stride * h, NULL);
  gst_buffer_map (pixels, &map, GST_MAP_READWRITE);
  surface = cairo_image_surface_create_for_data (map.data, CAIRO_FORMAT_ARGB32, w, h, stride);
  cr = cairo_create (surface);
  draw (cr, region, font, dx, box_w, box_h, line, pad, tag_w, tag_h);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  cairo_surface_destroy (surface);
  gst_buffer_unmap (pixels, &map);

  {
    gsize offset[GST_VIDEO_MAX_PLANES] = { 0 };
    gint strides[GST_VIDEO_MAX_PLANES] = { stride };

    gst_buffer_add_video_meta_full (pixels, GST_VIDEO_FRAME_FLAG_NONE,
        GST_VIDEO_OVERLAY_COMPOSITION_FORMAT_RGB, w, h, 1, offset, strides);
  }
  rect = gst_video_overlay_rectangle_new_raw (pixels, x, (gint) region->y, w, h,
      GST_VIDEO_OVERLAY_FORMAT_FLAG_PREMULTIPLIED_ALPHA);
  gst_buffer_unref (pixels);
  return rect;
}
