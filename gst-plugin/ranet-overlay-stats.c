/* ranet-overlay-stats.c: the last second of frames, as a ring. */
#include "ranet-overlay-stats.h"

#define WINDOW_US G_USEC_PER_SEC

static guint
slot (const RanetOverlayStats *stats, guint i)
{
  return (stats->first + i) % RANET_OVERLAY_STATS_SLOTS;
}

void
ranet_overlay_stats_reset (RanetOverlayStats *stats)
{
  stats->first = stats->count = 0;
}

void
ranet_overlay_stats_add (RanetOverlayStats *stats, gint64 now_us, gint exit_index)
{
  guint at;

  while (stats->count > 0 && now_us - stats->time_us[stats->first] > WINDOW_US) {
    stats->first = slot (stats, 1);
    stats->count--;
  }
  if (stats->count == RANET_OVERLAY_STATS_SLOTS) {
    stats->first = slot (stats, 1);
    stats->count--;
  }
  at = slot (stats, stats->count);
  stats->time_us[at] = now_us;
  stats->exit_index[at] = exit_index;
  stats->count++;
}

gdouble
ranet_overlay_stats_fps (const RanetOverlayStats *stats)
{
  gint64 span;

  if (stats->count < 2)
    return 0.0;
  span = stats->time_us[slot (stats, stats->count - 1)] - stats->time_us[stats->first];
  if (span <= 0)
    return 0.0;
  /* n frames span n - 1 intervals */
  return (stats->count - 1) * (gdouble) G_USEC_PER_SEC / span;
}

gboolean
ranet_overlay_stats_mean_exit (const RanetOverlayStats *stats, gdouble *mean)
{
  gint64 sum = 0;
  guint n = 0;

  for (guint i = 0; i < stats->count; i++) {
    gint e = stats->exit_index[slot (stats, i)];

    if (e >= 0) {
      sum += e;
      n++;
    }
  }
  if (n == 0)
    return FALSE;
  *mean = (gdouble) sum / n;
  return TRUE;
}
