/* ranet-regions.h: the regions of interest of a frame that ranetclassify
 * classifies in roi-list mode: which GstVideoRegionOfInterestMetas are
 * chosen (object-class), and their boxes clipped to the frame. */
#pragma once

#include <gst/video/video.h>

#include "preprocess/ranet-preprocess.h"

G_BEGIN_DECLS

/**
 * RanetRegionInfo:
 * @meta: (nullable): the region's GstVideoRegionOfInterestMeta on the buffer
 *   being classified, where its result goes; %NULL for a region not taken
 *   from a buffer
 * @id: the meta's id
 * @roi_type: the meta's roi_type as a string (interned; "" for none)
 * @box: the box clipped to the frame; for a degenerate region, the meta's
 *   own box
 * @degenerate: nothing of the box lies in the frame (zero width or height,
 *   or entirely outside): not classified
 *
 * One chosen region of a frame.
 */
typedef struct {
  GstVideoRegionOfInterestMeta *meta;
  gint id;
  const gchar *roi_type;
  RanetRegion box;
  gboolean degenerate;
} RanetRegionInfo;

/**
 * ranet_regions_clip:
 * @frame_width: the frame's width in pixels
 * @frame_height: the frame's height in pixels
 * @x: the box's first column
 * @y: the box's first row
 * @w: the box's width
 * @h: the box's height
 * @clipped: (out): the part of the box inside the frame; untouched when
 *   there is none
 *
 * Clips a GstVideoRegionOfInterestMeta's box (any guint values: detectors
 * are not trusted) to the frame, without overflow.
 *
 * Returns: %FALSE when no pixel of the box lies in the frame.
 */
gboolean ranet_regions_clip (guint frame_width, guint frame_height,
    guint x, guint y, guint w, guint h, RanetRegion *clipped);

/**
 * ranet_regions_parse_object_class:
 * @object_class: (nullable): the object-class property: roi types separated
 *   by commas, blanks around each ignored
 *
 * Returns: (transfer full) (nullable): the types, none empty; %NULL (every
 *   type chosen) for %NULL, an empty string, or nothing but commas and blanks.
 */
gchar **ranet_regions_parse_object_class (const gchar *object_class);

/**
 * ranet_regions_type_chosen:
 * @classes: (nullable): from ranet_regions_parse_object_class(); %NULL
 *   chooses every type
 * @roi_type: a region's type ("" for none)
 *
 * Returns: whether a region of @roi_type is classified.
 */
gboolean ranet_regions_type_chosen (const gchar *const *classes, const gchar *roi_type);

/**
 * ranet_regions_collect:
 * @buffer: a buffer; its metas stay on it
 * @frame_width: its frame's width
 * @frame_height: its frame's height
 * @classes: (nullable): the chosen types (ranet_regions_parse_object_class())
 *
 * Returns: (transfer full) (element-type RanetRegionInfo): the buffer's
 *   GstVideoRegionOfInterestMetas of a chosen type, in the buffer's meta
 *   order, clipped to the frame; the degenerate ones included and marked.
 */
GArray *ranet_regions_collect (GstBuffer *buffer, guint frame_width,
    guint frame_height, const gchar *const *classes);

G_END_DECLS
