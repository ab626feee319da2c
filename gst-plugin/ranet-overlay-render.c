/* ranet-overlay-render.c: the box ranetoverlay draws, with Pango and Cairo.
 *
 * Cairo's ARGB32 is premultiplied and native-endian, which is exactly
 * GST_VIDEO_OVERLAY_COMPOSITION_FORMAT_RGB with the premultiplied flag: the
 * surface's pixels become the rectangle's without a conversion. */
#include "ranet-overlay-render.h"

#include <pango/pangocairo.h>

static void
set_source_argb (cairo_t *cr, guint32 argb)
{
  cairo_set_source_rgba (cr, ((argb >> 16) & 0xff) / 255.0,
      ((argb >> 8) & 0xff) / 255.0, (argb & 0xff) / 255.0, (argb >> 24) / 255.0);
}

/* The box's geometry, all in pixels, from the text's measured size. */
typedef struct {
  gint pad;
  gint text_w, text_h;
  gint cell_w, cell_h, cell_gap;
  gint width, height;
} Geometry;

static void
measure (const RanetOverlayBox *box, PangoLayout *layout, Geometry *g)
{
  PangoFontMetrics *metrics;
  gint line_h;
  gboolean has_text = box->text != NULL && box->text[0] != '\0';

  metrics = pango_context_get_metrics (pango_layout_get_context (layout),
      pango_layout_get_font_description (layout), NULL);
  line_h = PANGO_PIXELS (pango_font_metrics_get_height (metrics));
  pango_font_metrics_unref (metrics);
  line_h = MAX (line_h, 4);

  /* every size follows the font's line height, so a bigger font scales the
   * whole box, bar included */
  g->pad = MAX (line_h / 4, 2);
  g->text_w = g->text_h = 0;
  if (has_text)
    pango_layout_get_pixel_size (layout, &g->text_w, &g->text_h);
  g->cell_h = box->n_cells > 0 ? MAX (line_h * 6 / 10, 3) : 0;
  g->cell_w = g->cell_h * 3 / 2;
  g->cell_gap = MAX (g->cell_h / 4, 1);

  g->width = g->text_w;
  if (box->n_cells > 0)
    g->width = MAX (g->width,
        (gint) box->n_cells * (g->cell_w + g->cell_gap) - g->cell_gap);
  g->height = g->text_h;
  if (box->n_cells > 0)
    g->height += (has_text ? g->pad : 0) + g->cell_h;
  g->width += 2 * g->pad;
  g->height += 2 * g->pad;
}

static void
draw (cairo_t *cr, const RanetOverlayBox *box, PangoLayout *layout, const Geometry *g)
{
  gint bar_y = g->pad + g->text_h + (g->text_h > 0 ? g->pad : 0);

  cairo_set_operator (cr, CAIRO_OPERATOR_SOURCE);
  set_source_argb (cr, box->background_argb);
  cairo_paint (cr);
  cairo_set_operator (cr, CAIRO_OPERATOR_OVER);

  set_source_argb (cr, box->text_argb);
  if (g->text_h > 0) {
    cairo_move_to (cr, g->pad, g->pad);
    pango_cairo_show_layout (cr, layout);
  }
  /* the exits taken filled, the rest outlined: how far of the network the
   * frame went reads at a glance */
  cairo_set_line_width (cr, 1.0);
  for (guint i = 0; i < box->n_cells; i++) {
    gdouble x = g->pad + i * (g->cell_w + g->cell_gap);

    if (i < box->filled_cells) {
      cairo_rectangle (cr, x, bar_y, g->cell_w, g->cell_h);
      cairo_fill (cr);
    } else {
      cairo_rectangle (cr, x + 0.5, bar_y + 0.5, g->cell_w - 1, g->cell_h - 1);
      cairo_stroke (cr);
    }
  }
}

/* The box's place: a margin of its padding from the corner's two edges. */
static void
place (RanetOverlayPosition position, gint frame_w, gint frame_h, gint w, gint h,
    gint margin, gint *x, gint *y)
{
  gboolean right = position == RANET_OVERLAY_TOP_RIGHT
      || position == RANET_OVERLAY_BOTTOM_RIGHT;
  gboolean bottom = position == RANET_OVERLAY_BOTTOM_LEFT
      || position == RANET_OVERLAY_BOTTOM_RIGHT;

  margin = (w + 2 * margin <= frame_w && h + 2 * margin <= frame_h) ? margin : 0;
  *x = right ? frame_w - w - margin : margin;
  *y = bottom ? frame_h - h - margin : margin;
}

GstVideoOverlayRectangle *
ranet_overlay_render (const RanetOverlayBox *box, gint frame_width, gint frame_height)
{
  cairo_surface_t *surface;
  cairo_t *cr;
  PangoLayout *layout;
  PangoFontDescription *desc;
  Geometry g;
  GstBuffer *pixels;
  GstMapInfo map;
  gint stride, render_w, render_h, x, y;
  GstVideoOverlayRectangle *rect;

  if ((box->text == NULL || box->text[0] == '\0') && box->n_cells == 0)
    return NULL;
  if (frame_width <= 0 || frame_height <= 0)
    return NULL;

  /* measured on a scratch surface: the real one's size follows from it */
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1, 1);
  cr = cairo_create (surface);
  layout = pango_cairo_create_layout (cr);
  desc = pango_font_description_from_string (box->font != NULL ? box->font : "Sans 12");
  pango_layout_set_font_description (layout, desc);
  pango_font_description_free (desc);
  pango_layout_set_text (layout, box->text != NULL ? box->text : "", -1);
  measure (box, layout, &g);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);

  stride = cairo_format_stride_for_width (CAIRO_FORMAT_ARGB32, g.width);
  pixels = gst_buffer_new_allocate (NULL, (gsize) stride * g.height, NULL);
  gst_buffer_map (pixels, &map, GST_MAP_READWRITE);
  surface = cairo_image_surface_create_for_data (map.data, CAIRO_FORMAT_ARGB32,
      g.width, g.height, stride);
  cr = cairo_create (surface);
  pango_cairo_update_layout (cr, layout);
  draw (cr, box, layout, &g);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  cairo_surface_destroy (surface);
  gst_buffer_unmap (pixels, &map);
  g_object_unref (layout);

  {
    gsize offset[GST_VIDEO_MAX_PLANES] = { 0 };
    gint strides[GST_VIDEO_MAX_PLANES] = { stride };

    gst_buffer_add_video_meta_full (pixels, GST_VIDEO_FRAME_FLAG_NONE,
        GST_VIDEO_OVERLAY_COMPOSITION_FORMAT_RGB, g.width, g.height, 1, offset, strides);
  }

  /* a box wider or taller than the frame is shown whole, scaled down (the
   * composition scales when its render size differs from its pixels') */
  render_w = g.width;
  render_h = g.height;
  if (render_w > frame_width || render_h > frame_height) {
    gdouble s = MIN ((gdouble) frame_width / render_w, (gdouble) frame_height / render_h);

    render_w = MAX ((gint) (render_w * s), 1);
    render_h = MAX ((gint) (render_h * s), 1);
  }
  place (box->position, frame_width, frame_height, render_w, render_h, g.pad, &x, &y);
  rect = gst_video_overlay_rectangle_new_raw (pixels, x, y, render_w, render_h,
      GST_VIDEO_OVERLAY_FORMAT_FLAG_PREMULTIPLIED_ALPHA);
  gst_buffer_unref (pixels);
  return rect;
}
