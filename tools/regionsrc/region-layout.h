/* region-layout.h: square boxes at random places in a frame, none
 * overlapping another, as a detector's regions of interest would be. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * RegionBox:
 * @x: left column
 * @y: top row
 * @side: width and height in pixels
 */
typedef struct {
  guint x;
  guint y;
  guint side;
} RegionBox;

/**
 * region_layout_place:
 * @rand: where the sizes and places come from; the same state places the
 *   same boxes
 * @width: the frame's width
 * @height: the frame's height
 * @min_side: the smallest side, at least 1
 * @max_side: the largest side, at least @min_side and at most @width and
 *   @height
 * @n: how many boxes to add
 * @boxes: (element-type RegionBox): the boxes already placed, which new ones
 *   do not overlap; the new ones are appended
 *
 * Each box gets a side drawn from [@min_side, @max_side] and a place inside
 * the frame that overlaps no box of @boxes. Where none is found in a bounded
 * number of tries the frame is taken as full and the rest are not placed, so
 * a crowded frame costs a bounded time. On an empty @boxes the first box
 * always fits.
 *
 * Returns: how many boxes were added, at most @n.
 */
guint region_layout_place (GRand *rand, guint width, guint height,
    guint min_side, guint max_side, guint n, GArray *boxes);

/* Whether two boxes share a pixel. */
gboolean region_box_overlaps (const RegionBox *a, const RegionBox *b);

G_END_DECLS
