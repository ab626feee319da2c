/* ranet-overlay-stats.h: the last second of frames (rate, mean exit, budget
 * use) and the text of ranetoverlay's show-stats box. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Frames seen within the last second, oldest first, in a ring: at most one
 * per slot, so above RANET_OVERLAY_STATS_SLOTS frames/s the window shortens
 * to the newest RANET_OVERLAY_STATS_SLOTS frames. */
#define RANET_OVERLAY_STATS_SLOTS 1024

/**
 * RanetOverlayFrame:
 * @exit_sum: the sum of the 0-based exits of the frame's results
 * @n_results: how many results: 1 for a classified whole frame, the
 *   classified regions of a roi-list frame, 0 for a frame without a result
 * @num_exits: the network's number of exits; 0 where not known
 * @operating_point: the operating point the frame ran at; -1 outside
 *   adaptive mode
 * @latency_ns: the frame's inference time
 * @budget_ns: the per-frame budget in force when it ran; 0 for none
 * @inferred: the frame was classified: a reused result or a frame without
 *   one spent none of its budget, and does not count in the budget use
 * @roi_list: a frame of regions: @regions, @classified and @skipped apply
 * @regions: its regions
 * @classified: of those, how many were classified
 * @skipped: how many the budget left out
 *
 * What one frame brings to the statistics.
 */
typedef struct {
  guint exit_sum;
  guint n_results;
  gint num_exits;
  gint operating_point;
  guint64 latency_ns;
  guint64 budget_ns;
  gboolean inferred;
  gboolean roi_list;
  guint regions, classified, skipped;
} RanetOverlayFrame;

typedef struct {
  gint64 time_us[RANET_OVERLAY_STATS_SLOTS];
  guint exit_sum[RANET_OVERLAY_STATS_SLOTS];
  guint n_results[RANET_OVERLAY_STATS_SLOTS];
  gdouble budget_use[RANET_OVERLAY_STATS_SLOTS];  /* < 0: not counted */
  guint first, count;
} RanetOverlayStats;

void ranet_overlay_stats_reset (RanetOverlayStats *stats);

/**
 * ranet_overlay_stats_add:
 * @stats: the window
 * @now_us: the frame's arrival, monotonic microseconds
 * @frame: what it brought
 *
 * Adds a frame and forgets those more than a second older.
 */
void ranet_overlay_stats_add (RanetOverlayStats *stats, gint64 now_us,
    const RanetOverlayFrame *frame);

/**
 * ranet_overlay_stats_fps:
 *
 * Returns: frames per second over the window: the frames of the last second,
 *   or while the stream is younger than a second, the rate between its first
 *   and its newest frame; 0 before two frames.
 */
gdouble ranet_overlay_stats_fps (const RanetOverlayStats *stats);

/**
 * ranet_overlay_stats_mean_exit:
 * @mean: (out): the mean 0-based exit of the window's results (each region
 *   of a roi-list frame one result)
 *
 * Returns: %FALSE when the window holds no result.
 */
gboolean ranet_overlay_stats_mean_exit (const RanetOverlayStats *stats, gdouble *mean);

/**
 * ranet_overlay_stats_budget_use:
 * @mean: (out): the mean of the window's frames' latency / budget
 * @max: (out): the largest
 *
 * Over the frames classified under a budget.
 *
 * Returns: %FALSE when the window holds none.
 */
gboolean ranet_overlay_stats_budget_use (const RanetOverlayStats *stats, gdouble *mean,
    gdouble *max);

/**
 * ranet_overlay_stats_text:
 * @stats: the window, @frame included
 * @frame: the frame drawn on
 *
 * The show-stats box's lines: the frame rate and mean exit (counted from 1,
 * as the exit bar's cells); for a frame of regions, those classified and
 * skipped; the operating point ("fixed" outside adaptive mode), the frame's
 * latency and the budget use over the window, mean and max, in percent ("no
 * budget" where @frame had none).
 *
 * Returns: (transfer full): the text, lines separated by '\n'.
 */
gchar *ranet_overlay_stats_text (const RanetOverlayStats *stats, const RanetOverlayFrame *frame);

G_END_DECLS
