/* ranet-json-writer.h: JSON text written into a GString, for ranetjson and
 * the ranet-json example (which compiles this file in rather than linking the
 * plugin).
 *
 * Numbers are printed shortest-round-trip: the fewest digits that parse back
 * to the same double (0.94, not 0.93999999999999995), as Python's json module
 * and JavaScript print them; doubles keep a ".0" when whole, as json-glib and
 * Python write them, so a reader sees a float; a non-finite double, which JSON
 * cannot hold, becomes null. Members are separated by commas as they are
 * added: a value is the first in its object or array when the text ends in
 * '{' or '['.
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

void ranet_json_add_string (GString *out, const char *s);
void ranet_json_add_double (GString *out, gdouble v);

/* a comma unless the next value is the first in its object or array */
void ranet_json_next (GString *out);
/* "name": (the value is added next) */
void ranet_json_member (GString *out, const char *name);

void ranet_json_member_int (GString *out, const char *name, gint64 v);
void ranet_json_member_uint (GString *out, const char *name, guint64 v);
void ranet_json_member_double (GString *out, const char *name, gdouble v);
void ranet_json_member_bool (GString *out, const char *name, gboolean v);
/* a %NULL @v is written as null */
void ranet_json_member_string (GString *out, const char *name, const char *v);
void ranet_json_member_null (GString *out, const char *name);

/* "top-k": the metadata's top-k list (ranet-classification-meta.h) as an
 * array of {"class-id", "label", "score"} objects, best first */
void ranet_json_member_top_k (GString *out, const GstStructure *s);

/**
 * ranet_json_add_regions:
 * @out: the line, inside its object
 * @s: a roi-list result's structure (ranet_classification_is_roi_list())
 * @frame_width: the frame's width, for the normalised bounding boxes; 0
 *   where unknown: no "detection" is written
 * @frame_height: its height
 *
 * Adds "totals", the frame-level fields, and "objects", one per region in
 * the names and shapes of DL Streamer's gvametaconvert where they overlap:
 * "x", "y", "w", "h", "region_id", "roi_type", "detection" with its
 * normalised "bounding_box", and a classified region's "classification"
 * (gvametaconvert names a classification after its parameter structure,
 * which ranetclassify names "classification"); then this project's
 * "skipped" and "degenerate" marks.
 *
 * Returns: %FALSE when @s lacks a field (the line is then incomplete and
 *   should not be written).
 */
gboolean ranet_json_add_regions (GString *out, const GstStructure *s, gint frame_width,
    gint frame_height);

G_END_DECLS
