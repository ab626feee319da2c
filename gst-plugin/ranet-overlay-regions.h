/* ranet-overlay-regions.h: the boxes ranetoverlay draws around a frame's
 * regions of interest (ranetclassify's inference-region=roi-list), each an
 * ARGB overlay rectangle drawn with Pango and Cairo. */
#pragma once

#include <gst/video/video.h>

G_BEGIN_DECLS

/**
 * RanetOverlayRegion:
 * @x: the box's left edge, in the frame's pixels
 * @y: its top edge
 * @width: its width
 * @height: its height
 * @argb: the box's and its tag's colour, 0xAARRGGBB
 * @dashed: a dashed outline (a region the frame's budget left out)
 * @text: (nullable): the tag's text, drawn in the box's top-left corner;
 *   %NULL or "" for a box without a tag
 *
 * One region to draw.
 */
typedef struct {
  guint x, y, width, height;
  guint32 argb;
  gboolean dashed;
  const gchar *text;
} RanetOverlayRegion;

/* The colour of a skipped region's box: a neutral grey, apart from every
 * class's */
#define RANET_OVERLAY_SKIPPED_ARGB 0xffa0a0a0

/**
 * ranet_overlay_class_argb:
 * @class_id: a class
 *
 * Returns: the class's colour from a fixed palette (opaque; the palette
 *   repeats past its length; a negative class gets the skipped grey).
 */
guint32 ranet_overlay_class_argb (gint class_id);

/**
 * ranet_overlay_render_region:
 * @region: what to draw
 * @font: a Pango font description ("Sans 12")
 * @frame_width: the video's width
 * @frame_height: the video's height
 *
 * Draws @region's outline, its edges' width following the frame's size, and
 * its tag; the rectangle starts at the box's top-left corner (left of it
 * where the tag would cross the frame's right edge) and is cut at the
 * frame's edges.
 *
 * Returns: (transfer full) (nullable): the rectangle, premultiplied ARGB in
 *   GStreamer's overlay layout; %NULL where the box has no pixel in the
 *   frame.
 */
GstVideoOverlayRectangle *ranet_overlay_render_region (const RanetOverlayRegion *region,
    const gchar *font, gint frame_width, gint frame_height);

G_END_DECLS
