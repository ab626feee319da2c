/* ranet-region-result.h: the results of a frame's regions (roi-list mode)
 * as GstStructures: one "classification" parameter per region for its
 * GstVideoRegionOfInterestMeta, and the frame's metadata with its objects. */
#pragma once

#include <gst/gst.h>

#include "ranet-regions.h"
#include "session/ranet-session.h"

G_BEGIN_DECLS

/* The name of the parameter structure each classified region's meta gets,
 * as DL Streamer's classifiers name theirs. */
#define RANET_REGION_PARAM_NAME "classification"

/**
 * ranet_region_result_param_new:
 * @r: a region's result
 *
 * Returns: (transfer full): a "classification" structure: label
 *   (gchararray), label_id (gint), confidence (gdouble), exit (gint),
 *   num-exits (gint), forced (gboolean), macs (guint64) and skipped
 *   (gboolean, %FALSE); for a region the budget skipped, skipped (%TRUE)
 *   alone. A network without labels gives the class id as the label.
 */
GstStructure *ranet_region_result_param_new (const RanetSessionResult *r);

/**
 * ranet_region_result_fill_structure:
 * @s: the structure to set the fields in (the frame's metadata, or a message's)
 * @element: the name of the element that classified the frame
 * @model: the name of the model that did (see ranet-classification-meta.h)
 * @regions: (array length=n_regions): the frame's chosen regions, in the
 *   buffer's meta order, degenerate ones included
 * @n_regions: how many
 * @results: (array): one result per region that is not degenerate, in the
 *   order of @regions
 * @summary: the session's totals for the frame
 * @budget_ns: the per-frame budget in force when the frame ran; 0 for none
 *
 * Sets element, model, inference-region ("roi-list"), regions (guint, the
 *   chosen regions), classified, skipped and degenerate (guint), macs and
 *   latency (guint64, ns), operating-point (gint), budget (guint64, ns) and
 *   objects: a GstValueArray of "object" structures, one per region, with id (gint),
 *   roi-type (gchararray), x, y, w, h (guint, the clipped box; a degenerate
 *   region's own box), skipped and degenerate (gboolean), and for a
 *   classified region class-id (gint), label (gchararray), confidence
 *   (gdouble), exit and num-exits (gint), forced (gboolean) and macs (guint64).
 */
void ranet_region_result_fill_structure (GstStructure *s, const char *element,
    const char *model, const RanetRegionInfo *regions, guint n_regions,
    const RanetSessionResult *results, const RanetSessionBatchSummary *summary,
    guint64 budget_ns);

G_END_DECLS
