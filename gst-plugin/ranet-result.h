/* ranet-result.h: one frame's classification, and its GstStructure form. */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/**
 * RanetFrameResult:
 * The figures ranetclassify attaches to a frame; @probs is owned.
 */
typedef struct {
  gint class_id;
  gdouble confidence;
  gint exit_index;
  gint num_exits;
  gdouble threshold;
  gboolean forced;
  gboolean reused;
  guint64 macs;
  guint64 latency_ns;
  guint n_classes;
  gfloat *probs;
} RanetFrameResult;

void ranet_frame_result_clear (RanetFrameResult *r);
void ranet_frame_result_copy (RanetFrameResult *dest, const RanetFrameResult *src);

/**
 * ranet_frame_result_fill_structure:
 * @r: the result
 * @s: the structure to set the fields in (the metadata's, or a message's)
 * @element: the name of the element that classified the frame
 * @model: the name of the model that did (see ranet-classification-meta.h)
 * @labels: num_classes labels
 * @top_k: how many classes the top-k list holds (clamped to the class count)
 *
 * Sets the fields documented in ranet-classification-meta.h.
 */
void ranet_frame_result_fill_structure (const RanetFrameResult *r,
    GstStructure *s, const char *element, const char *model,
    const char *const *labels, guint top_k);

/* Registers the RanetClassificationMeta custom meta (idempotent). */
void ranet_classification_meta_register (void);

G_END_DECLS
