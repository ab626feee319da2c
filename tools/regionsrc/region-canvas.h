/* region-canvas.h: a frame drawn in grey levels: a textured background and
 * the garment images in their boxes. The element writes it to the negotiated
 * format afterwards (region-frame.h). */
#pragma once

#include <glib.h>

#include "region-layout.h"

G_BEGIN_DECLS

/**
 * region_canvas_paint_background:
 * @canvas: @width * @height bytes, row-major
 * @seed: the stream's seed
 * @frame: the frame's number in the stream
 *
 * Stripes of a direction, period and contrast drawn for this frame, with
 * per-pixel noise on top: a background whose patches are neither uniform nor
 * alike, the same for the same @seed and @frame.
 */
void region_canvas_paint_background (guint8 *canvas, guint width, guint height,
    guint32 seed, guint64 frame);

/**
 * region_canvas_paint_image:
 * @canvas: @canvas_width bytes per row
 * @box: where the image goes, inside the canvas
 * @image: @image_width * @image_height bytes, row-major
 *
 * Fills @box with @image scaled to its side by nearest neighbour: box pixel
 * (x, y) takes the image pixel whose area holds the centre of the box
 * pixel, column (2x + 1) * image_width / (2 side), and likewise the row.
 * Where the side is the image's own, the box holds the image's exact bytes.
 */
void region_canvas_paint_image (guint8 *canvas, guint canvas_width,
    const RegionBox *box, const guint8 *image, guint image_width, guint image_height);

G_END_DECLS
