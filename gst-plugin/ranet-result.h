/* ranet-result.h: one frame's classification as a GstStructure: the
 * metadata's, or an element message's. */
#pragma once

#include <gst/gst.h>

#include "session/ranet-session.h"

G_BEGIN_DECLS

/**
 * ranet_result_fill_structure:
 * @r: the frame's result
 * @s: the structure to set the fields in (the metadata's, or a message's)
 * @element: the name of the element that classified the frame
 * @model: the name of the model that did (see ranet-classification-meta.h)
 * @labels: num_classes labels
 * @top_k: how many classes the top-k list holds (clamped to the class count)
 * @budget_ns: the per-frame budget in force when the frame ran; 0 for none
 *
 * Sets the fields documented in ranet-classification-meta.h, and
 * inference-region ("full-frame").
 */
void ranet_result_fill_structure (const RanetSessionResult *r, GstStructure *s,
    const char *element, const char *model, const char *const *labels, guint top_k,
    guint64 budget_ns);

/**
 * ranet_result_add_times:
 * @s: a result's structure, for an element message
 * @segment: the stream's segment
 * @pts: the frame's timestamp
 *
 * Adds the frame's timestamp, stream-time and running-time (guint64, ns;
 * GST_CLOCK_TIME_NONE where the segment is not in time).
 */
void ranet_result_add_times (GstStructure *s, const GstSegment *segment, GstClockTime pts);

/* Registers the RanetClassificationMeta custom meta (idempotent). */
void ranet_classification_meta_register (void);

G_END_DECLS
