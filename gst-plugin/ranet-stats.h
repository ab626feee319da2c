/* ranet-stats.h: a session's statistics as ranetclassify's stats property. */
#pragma once

#include <gst/gst.h>

#include "session/ranet-session.h"

G_BEGIN_DECLS

/**
 * ranet_stats_structure_new:
 * @stats: (nullable): what the session did; %NULL before the element starts
 *   (every count 0, no exits)
 * @regions_degenerate: regions of interest the element did not give the
 *   session because nothing of their box lies in the frame
 *
 * Returns: (transfer full): a "ranet-stats" structure: frames, classified,
 *   exit-counts (a GstValueArray of guint64), mean-latency, max-latency,
 *   forced-exits, deadline-misses, operating-point-changes and budget;
 *   regions (every region chosen: classified, skipped or degenerate),
 *   regions-classified, regions-skipped and regions-degenerate; all
 *   guint64 (times in ns); calibration-source ("file" or "online"),
 *   probe-frames, recalibrations, share-frames (guint64), realised-shares
 *   and planned-shares (GstValueArrays of gdouble, per exit).
 */
GstStructure *ranet_stats_structure_new (const RanetSessionStats *stats,
    guint64 regions_degenerate);

G_END_DECLS
