/* ranet-overlay-stats.h: frames per second and mean exit over the last second
 * of frames, for ranetoverlay's show-stats. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Frames seen within the last second, oldest first, in a ring: at most one
 * per slot, so above RANET_OVERLAY_STATS_SLOTS frames/s the window shortens
 * to the newest RANET_OVERLAY_STATS_SLOTS frames. */
#define RANET_OVERLAY_STATS_SLOTS 1024

typedef struct {
  gint64 time_us[RANET_OVERLAY_STATS_SLOTS];
  gint exit_index[RANET_OVERLAY_STATS_SLOTS];  /* -1: the frame had no result */
  guint first, count;
} RanetOverlayStats;

void ranet_overlay_stats_reset (RanetOverlayStats *stats);

/**
 * ranet_overlay_stats_add:
 * @stats: the window
 * @now_us: the frame's arrival, monotonic microseconds
 * @exit_index: its exit, 0-based; -1 when it had no result
 *
 * Adds a frame and forgets those more than a second older.
 */
void ranet_overlay_stats_add (RanetOverlayStats *stats, gint64 now_us, gint exit_index);

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
 * @mean: (out): the mean 0-based exit of the window's frames with a result
 *
 * Returns: %FALSE when none of the window's frames had a result.
 */
gboolean ranet_overlay_stats_mean_exit (const RanetOverlayStats *stats, gdouble *mean);

G_END_DECLS
