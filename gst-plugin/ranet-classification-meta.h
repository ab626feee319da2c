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
 *   top-k        GstValueArray of GstStructure "ranet-class" with
 *                class-id (gint), label (gchararray), score (gdouble)
 *
 * Everything here is inline, so an application reads the metadata without
 * linking to the plugin. Python:
 *   buf.get_custom_meta("RanetClassificationMeta").get_structure()
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
} RanetClassification;

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
 * Returns: %TRUE when @s holds a complete result.
 */
static inline gboolean
ranet_classification_read_structure (const GstStructure *s, RanetClassification *result)
{
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

G_END_DECLS
