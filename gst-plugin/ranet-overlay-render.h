/* ranet-overlay-render.h: ranetoverlay's box of text and exit cells as an
 * ARGB overlay rectangle, drawn with Pango and Cairo. */
#pragma once

#include <gst/video/video.h>

G_BEGIN_DECLS

/**
 * RanetOverlayPosition:
 * @RANET_OVERLAY_TOP_LEFT: the frame's top-left corner
 * @RANET_OVERLAY_TOP_RIGHT: top-right
 * @RANET_OVERLAY_BOTTOM_LEFT: bottom-left
 * @RANET_OVERLAY_BOTTOM_RIGHT: bottom-right
 *
 * The corner of the frame the box is drawn in.
 */
typedef enum {
  RANET_OVERLAY_TOP_LEFT,
  RANET_OVERLAY_TOP_RIGHT,
  RANET_OVERLAY_BOTTOM_LEFT,
  RANET_OVERLAY_BOTTOM_RIGHT,
} RanetOverlayPosition;

/**
 * RanetOverlayBox:
 * @font: a Pango font description ("Sans 12")
 * @text_argb: text and cell colour, 0xAARRGGBB
 * @background_argb: the box's colour, 0xAARRGGBB
 * @position: the corner
 * @text: (nullable): lines of plain text; %NULL or "" for none
 * @n_cells: cells of the exit bar, below the text; 0 for no bar
 * @filled_cells: of those, how many are filled
 *
 * What to draw.
 */
typedef struct {
  const gchar *font;
  guint32 text_argb;
  guint32 background_argb;
  RanetOverlayPosition position;
  const gchar *text;
  guint n_cells;
  guint filled_cells;
} RanetOverlayBox;

/**
 * ranet_overlay_render:
 * @box: what to draw
 * @frame_width: the video's width
 * @frame_height: the video's height
 *
 * Draws @box and places it in a corner of the frame; a box larger than the
 * frame is scaled down to fit it.
 *
 * Returns: (transfer full) (nullable): the rectangle, premultiplied ARGB in
 *   GStreamer's overlay layout; %NULL when there is nothing to draw.
 */
GstVideoOverlayRectangle *ranet_overlay_render (const RanetOverlayBox *box,
    gint frame_width, gint frame_height);

G_END_DECLS
