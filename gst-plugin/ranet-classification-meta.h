/* ranet-classification-meta.h: reading ranetclassify's result from a buffer.
 *
 * The result rides on each buffer as a GstCustomMeta registered under the name
 * "RanetClassificationMeta"; its GstStructure (which GStreamer names after the
 * meta, "RanetClassificationMeta") holds:
 *
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
 * ranet_classification_meta_read:
 * @buffer: a buffer
 * @result: (out caller-allocates): the result
 *
 * Returns: %TRUE when @buffer carries a complete result.
 */
static inline gboolean
ranet_classification_meta_read (GstBuffer *buffer, RanetClassification *result)
{
  const GstStructure *s = ranet_classification_meta_get_structure (buffer);

  if (s == NULL)
    return FALSE;
  result->label = gst_structure_get_string (s, "label");
  return result->label != NULL
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

G_END_DECLS
