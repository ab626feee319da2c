/* ranet-classification-meta.h: reading ranetclassify's result from a buffer.
 *
 * The result rides on each buffer as a GstCustomMeta registered under the name
 * "RanetClassificationMeta"; its GstStructure (which GStreamer names after the
 * meta, "RanetClassificationMeta") holds:
 *
 *   element      gchararray the name of the ranetclassify element that wrote
 *                           it: a buffer that went through several carries
 *                           one meta from each, in the order they ran
 *   model        gchararray the model's: its file's name without the
 *                           directories, or "fashion-mnist-ranet.safetensors
 *                           (built-in)" for the built-in model
 *   class-id     gint       the predicted class
 *   label        gchararray its label
 *   confidence   gdouble    its softmax probability at the exit taken
 *   exit         gint       the exit taken, 0-based
 *   num-exits    gint       the network's number of exits
 *   threshold    gdouble    the confidence threshold applied at that exit
 *   forced       gboolean   something other than confidence ended the frame:
 *                           it stopped below its threshold (max-exit, or a
 *                           deadline); a frame reaching the network's last
 *                           exit is not forced (threshold 0 there)
 *   reused       gboolean   the frame was not classified: it carries the last
 *                           classified frame's result (inference-interval)
 *   macs         guint64    multiply-adds spent on this frame
 *   latency      guint64    this frame's inference time, in nanoseconds
 *   operating-point gint    the calibrated operating point whose thresholds
 *                           the frame used; -1 outside adaptive mode
 *   budget       guint64    the per-frame budget in force when the frame ran,
 *                           in nanoseconds; 0 where none applied
 *   top-k        GstValueArray of GstStructure "ranet-class" with
 *                class-id (gint), label (gchararray), score (gdouble)
 *   inference-region gchararray "full-frame"
 *
 * Where ranetclassify classified the frame's regions (inference-region=
 * roi-list: one GstVideoRegionOfInterestMeta each) its structure holds the
 * frame's totals and one "object" per region instead of a frame-level class:
 *
 *   element, model   as above
 *   inference-region gchararray "roi-list"
 *   regions      guint      the regions that matched
 *   classified   guint      of those, how many were classified
 *   skipped      guint      how many the frame's budget left out
 *   degenerate   guint      how many had no pixels in the frame (zero size,
 *                           or outside it): not classified
 *   macs         guint64    multiply-adds spent on the frame, all regions
 *   latency      guint64    the frame's inference time, in nanoseconds
 *   operating-point gint    the operating point the frame ran at; -1
 *                           outside adaptive mode
 *   budget       guint64    as above
 *   objects      GstValueArray of GstStructure "object", one per region:
 *     id         gint       the GstVideoRegionOfInterestMeta's id
 *     roi-type   gchararray its type's name
 *     x, y, w, h guint      its box, in the frame's pixels
 *     skipped    gboolean   left out by the budget
 *     degenerate gboolean   no pixels in the frame
 *     and where the region was classified (neither skipped nor degenerate):
 *     class-id, label, confidence, exit, num-exits, forced, macs as above,
 *     for the region alone
 *
 * Everything here is inline, so an application reads the metadata without
 * linking to the plugin. Python:
 *   buf.get_custom_meta("RanetClassificationMeta").get_structure()
 * and a roi-list structure's objects through s.get_array("objects"), a
 * GValueArray of Gst.Structure (GstValueArray has no Python conversion of its
 * own without gst-python).
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define RANET_CLASSIFICATION_META_NAME "RanetClassificationMeta"
/* GStreamer names a custom meta's structure after the meta */
#define RANET_CLASSIFICATION_STRUCTURE_NAME RANET_CLASSIFICATION_META_NAME

/**
 * RanetClassification:
 * @element: the name of the element that wrote the result; valid while the
 *   buffer's metadata is
 * @model: the model's name; valid while the buffer's metadata is
 * @class_id: the predicted class
 * @label: its label; valid while the buffer's metadata is
 * @confidence: its softmax probability
 * @exit_index: the exit taken, 0-based
 * @num_exits: the network's number of exits
 * @threshold: the threshold applied at the exit taken
 * @forced: something other than confidence ended the frame
 * @reused: the result was carried over from an earlier frame
 * @macs: multiply-adds spent on this frame
 * @latency_ns: this frame's inference time
 * @operating_point: the operating point whose thresholds the frame used; -1
 *   outside adaptive mode, and where the metadata predates the field
 * @budget_ns: the per-frame budget in force when the frame ran; 0 where none
 *   applied, and where the metadata predates the field
 *
 * The scalar fields of the metadata, typed.
 */
typedef struct {
  const gchar *element;
  const gchar *model;
  gint class_id;
  const gchar *label;
  gdouble confidence;
  gint exit_index;
  gint num_exits;
  gdouble threshold;
  gboolean forced;
  gboolean reused;
  guint64 macs;
  guint64 latency_ns;
  gint operating_point;
  guint64 budget_ns;
} RanetClassification;

/**
 * ranet_classification_read_budget:
 * @s: a result's structure, full-frame or roi-list
 * @operating_point: (out) (optional): its operating-point; -1 where absent
 * @budget_ns: (out): its budget; 0 where absent
 *
 * Reads the fields added after the others: a result written without them
 * (or with another type) reads with their "none" values, never fails.
 */
static inline void
ranet_classification_read_budget (const GstStructure *s, gint *operating_point,
    guint64 *budget_ns)
{
  if (operating_point != NULL && !gst_structure_get_int (s, "operating-point", operating_point))
    *operating_point = -1;
  if (!gst_structure_get_uint64 (s, "budget", budget_ns))
    *budget_ns = 0;
}

/**
 * ranet_classification_meta_get_structure:
 * @buffer: a buffer
 *
 * Returns: (transfer none) (nullable): the result's structure, or %NULL when
 *   @buffer carries none.
 */
static inline const GstStructure *
ranet_classification_meta_get_structure (GstBuffer *buffer)
{
  GstCustomMeta *meta;

  if (gst_meta_get_info (RANET_CLASSIFICATION_META_NAME) == NULL)
    return NULL;   /* not registered: no buffer can carry it */
  meta = gst_buffer_get_custom_meta (buffer, RANET_CLASSIFICATION_META_NAME);
  return meta != NULL ? gst_custom_meta_get_structure (meta) : NULL;
}

/**
 * ranet_classification_meta_get_structure_from:
 * @buffer: a buffer
 * @element: the name of a ranetclassify element
 *
 * Returns: (transfer none) (nullable): the structure of the result @element
 *   wrote on @buffer, or %NULL when it wrote none.
 */
static inline const GstStructure *
ranet_classification_meta_get_structure_from (GstBuffer *buffer, const gchar *element)
{
  gpointer state = NULL;
  GstMeta *meta;

  while ((meta = gst_buffer_iterate_meta (buffer, &state)) != NULL) {
    const GstStructure *s;
    const gchar *name;

    if (!gst_meta_info_is_custom (meta->info)
        || !gst_custom_meta_has_name ((GstCustomMeta *) meta, RANET_CLASSIFICATION_META_NAME))
      continue;
    s = gst_custom_meta_get_structure ((GstCustomMeta *) meta);
    name = gst_structure_get_string (s, "element");
    if (name != NULL && g_str_equal (name, element))
      return s;
  }
  return NULL;
}

/**
 * ranet_classification_read_structure:
 * @s: a result's structure
 * @result: (out caller-allocates): the result
 *
 * operating-point and budget are optional: without them @result's
 * operating_point is -1 and its budget_ns 0.
 *
 * Returns: %TRUE when @s holds a complete result.
 */
static inline gboolean
ranet_classification_read_structure (const GstStructure *s, RanetClassification *result)
{
  ranet_classification_read_budget (s, &result->operating_point, &result->budget_ns);
  result->element = gst_structure_get_string (s, "element");
  result->model = gst_structure_get_string (s, "model");
  result->label = gst_structure_get_string (s, "label");
  return result->element != NULL && result->model != NULL && result->label != NULL
      && gst_structure_get (s,
          "class-id", G_TYPE_INT, &result->class_id,
          "confidence", G_TYPE_DOUBLE, &result->confidence,
          "exit", G_TYPE_INT, &result->exit_index,
          "num-exits", G_TYPE_INT, &result->num_exits,
          "threshold", G_TYPE_DOUBLE, &result->threshold,
          "forced", G_TYPE_BOOLEAN, &result->forced,
          "reused", G_TYPE_BOOLEAN, &result->reused,
          "macs", G_TYPE_UINT64, &result->macs,
          "latency", G_TYPE_UINT64, &result->latency_ns,
          NULL);
}

/**
 * ranet_classification_meta_read:
 * @buffer: a buffer
 * @result: (out caller-allocates): the result
 *
 * Reads the first result on @buffer: the one the first ranetclassify it went
 * through wrote.
 *
 * Returns: %TRUE when @buffer carries a complete result.
 */
static inline gboolean
ranet_classification_meta_read (GstBuffer *buffer, RanetClassification *result)
{
  const GstStructure *s = ranet_classification_meta_get_structure (buffer);

  return s != NULL && ranet_classification_read_structure (s, result);
}

/**
 * ranet_classification_meta_read_from:
 * @buffer: a buffer
 * @element: the name of a ranetclassify element
 * @result: (out caller-allocates): the result
 *
 * Reads the result @element wrote on @buffer, where several did.
 *
 * Returns: %TRUE when @buffer carries a complete result from @element.
 */
static inline gboolean
ranet_classification_meta_read_from (GstBuffer *buffer, const gchar *element,
    RanetClassification *result)
{
  const GstStructure *s = ranet_classification_meta_get_structure_from (buffer, element);

  return s != NULL && ranet_classification_read_structure (s, result);
}

/* ---- a frame's regions (inference-region=roi-list) ---- */

/**
 * RanetRegionTotals:
 * @element: the name of the element that wrote the result; valid while the
 *   buffer's metadata is
 * @model: the model's name; valid while the buffer's metadata is
 * @regions: the regions that matched
 * @classified: of those, how many were classified
 * @skipped: how many the frame's budget left out
 * @degenerate: how many had no pixels in the frame
 * @macs: multiply-adds spent on the frame, all regions together
 * @latency_ns: the frame's inference time
 * @operating_point: the operating point the frame ran at; -1 outside
 *   adaptive mode
 * @budget_ns: the per-frame budget in force when the frame ran; 0 where none
 *   applied, and where the metadata predates the field
 *
 * The frame-level fields of a roi-list result, typed.
 */
typedef struct {
  const gchar *element;
  const gchar *model;
  guint regions;
  guint classified;
  guint skipped;
  guint degenerate;
  guint64 macs;
  guint64 latency_ns;
  gint operating_point;
  guint64 budget_ns;
} RanetRegionTotals;

/**
 * RanetRegionClassification:
 * @id: the GstVideoRegionOfInterestMeta's id
 * @roi_type: its type's name; valid while the buffer's metadata is
 * @x: its box's left edge, in the frame's pixels
 * @y: its top edge
 * @width: its width
 * @height: its height
 * @skipped: the frame's budget left it out: not classified
 * @degenerate: it has no pixels in the frame: not classified
 * @class_id: the predicted class; -1 where not classified
 * @label: its label; %NULL where not classified
 * @confidence: its softmax probability; 0 where not classified
 * @exit_index: the exit taken, 0-based; -1 where not classified
 * @num_exits: the network's number of exits; 0 where not classified
 * @forced: something other than confidence ended the region's inference
 * @macs: multiply-adds spent on the region; 0 where not classified
 *
 * One region of a roi-list result, typed.
 */
typedef struct {
  gint id;
  const gchar *roi_type;
  guint x, y, width, height;
  gboolean skipped, degenerate;
  gint class_id;
  const gchar *label;
  gdouble confidence;
  gint exit_index;
  gint num_exits;
  gboolean forced;
  guint64 macs;
} RanetRegionClassification;

/**
 * ranet_classification_is_roi_list:
 * @s: a result's structure
 *
 * Returns: %TRUE when @s is a roi-list result: its class is per region, in
 *   its objects, rather than the frame's.
 */
static inline gboolean
ranet_classification_is_roi_list (const GstStructure *s)
{
  const gchar *region = gst_structure_get_string (s, "inference-region");

  return region != NULL && g_str_equal (region, "roi-list");
}

/**
 * ranet_classification_read_totals:
 * @s: a result's structure
 * @totals: (out caller-allocates): the frame's totals
 *
 * budget is optional: without it @totals' budget_ns is 0.
 *
 * Returns: %TRUE when @s is a roi-list result with every frame-level field.
 */
static inline gboolean
ranet_classification_read_totals (const GstStructure *s, RanetRegionTotals *totals)
{
  ranet_classification_read_budget (s, NULL, &totals->budget_ns);
  totals->element = gst_structure_get_string (s, "element");
  totals->model = gst_structure_get_string (s, "model");
  return ranet_classification_is_roi_list (s)
      && totals->element != NULL && totals->model != NULL
      && gst_structure_get (s,
          "regions", G_TYPE_UINT, &totals->regions,
          "classified", G_TYPE_UINT, &totals->classified,
          "skipped", G_TYPE_UINT, &totals->skipped,
          "degenerate", G_TYPE_UINT, &totals->degenerate,
          "macs", G_TYPE_UINT64, &totals->macs,
          "latency", G_TYPE_UINT64, &totals->latency_ns,
          "operating-point", G_TYPE_INT, &totals->operating_point,
          NULL);
}

/**
 * ranet_classification_get_n_objects:
 * @s: a result's structure
 *
 * Returns: the number of regions in @s's objects; 0 where it has none (a
 *   full-frame result).
 */
static inline guint
ranet_classification_get_n_objects (const GstStructure *s)
{
  const GValue *objects = gst_structure_get_value (s, "objects");

  return objects != NULL && GST_VALUE_HOLDS_ARRAY (objects)
      ? gst_value_array_get_size (objects) : 0;
}

/**
 * ranet_classification_read_object:
 * @s: a result's structure
 * @i: the region's index in @s's objects, from 0
 * @r: (out caller-allocates): the region
 *
 * A classified region (neither skipped nor degenerate) is complete with its
 * class fields; one that was not is complete without them, and reads with
 * @class_id and @exit_index -1.
 *
 * Returns: %TRUE when @s has an object @i and it is complete.
 */
static inline gboolean
ranet_classification_read_object (const GstStructure *s, guint i, RanetRegionClassification *r)
{
  const GValue *objects = gst_structure_get_value (s, "objects");
  const GValue *value;
  const GstStructure *o;

  if (objects == NULL || !GST_VALUE_HOLDS_ARRAY (objects)
      || i >= gst_value_array_get_size (objects))
    return FALSE;
  value = gst_value_array_get_value (objects, i);
  if (!GST_VALUE_HOLDS_STRUCTURE (value) || (o = gst_value_get_structure (value)) == NULL)
    return FALSE;

  r->class_id = -1;
  r->label = NULL;
  r->confidence = 0.0;
  r->exit_index = -1;
  r->num_exits = 0;
  r->forced = FALSE;
  r->macs = 0;
  r->roi_type = gst_structure_get_string (o, "roi-type");
  if (r->roi_type == NULL
      || !gst_structure_get (o,
          "id", G_TYPE_INT, &r->id,
          "x", G_TYPE_UINT, &r->x,
          "y", G_TYPE_UINT, &r->y,
          "w", G_TYPE_UINT, &r->width,
          "h", G_TYPE_UINT, &r->height,
          "skipped", G_TYPE_BOOLEAN, &r->skipped,
          "degenerate", G_TYPE_BOOLEAN, &r->degenerate,
          NULL))
    return FALSE;
  if (r->skipped || r->degenerate)
    return TRUE;
  r->label = gst_structure_get_string (o, "label");
  return r->label != NULL
      && gst_structure_get (o,
          "class-id", G_TYPE_INT, &r->class_id,
          "confidence", G_TYPE_DOUBLE, &r->confidence,
          "exit", G_TYPE_INT, &r->exit_index,
          "num-exits", G_TYPE_INT, &r->num_exits,
          "forced", G_TYPE_BOOLEAN, &r->forced,
          "macs", G_TYPE_UINT64, &r->macs,
          NULL);
}

G_END_DECLS
