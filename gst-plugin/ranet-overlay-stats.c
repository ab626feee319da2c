/* ranet-overlay-stats.c: the last second of frames, as a ring, and the
 * statistics box's text. */
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

/* latency / budget of a frame classified under a budget; -1 for others */
static gdouble
budget_use (const RanetOverlayFrame *frame)
{
  if (!frame->inferred || frame->budget_ns == 0)
    return -1.0;
  return (gdouble) frame->latency_ns / (gdouble) frame->budget_ns;
}

void
ranet_overlay_stats_add (RanetOverlayStats *stats, gint64 now_us,
    const RanetOverlayFrame *frame)
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
  stats->exit_sum[at] = frame->exit_sum;
  stats->n_results[at] = frame->n_results;
  stats->budget_use[at] = budget_use (frame);
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
  guint64 sum = 0, n = 0;

  for (guint i = 0; i < stats->count; i++) {
    sum += stats->exit_sum[slot (stats, i)];
    n += stats->n_results[slot (stats, i)];
  }
  if (n == 0)
    return FALSE;
  *mean = (gdouble) sum / n;
  return TRUE;
}

gboolean
ranet_overlay_stats_budget_use (const RanetOverlayStats *stats, gdouble *mean,
    gdouble *max)
{
  gdouble sum = 0.0, largest = 0.0;
  guint n = 0;

  for (guint i = 0; i < stats->count; i++) {
    gdouble use = stats->budget_use[slot (stats, i)];

    if (use < 0.0)
      continue;
    sum += use;
    largest = MAX (largest, use);
    n++;
  }
  if (n == 0)
    return FALSE;
  *mean = sum / n;
  *max = largest;
  return TRUE;
}

/* "point 3, 4.20 ms, budget use 45% (max 80%)" */
static void
append_budget_line (GString *text, const RanetOverlayStats *stats,
    const RanetOverlayFrame *frame)
{
  gdouble mean, max;

  if (frame->operating_point >= 0)
    g_string_append_printf (text, "\npoint %d", frame->operating_point);
  else
    g_string_append (text, "\nfixed");
  g_string_append_printf (text, ", %.2f ms", frame->latency_ns / 1e6);
  if (frame->budget_ns == 0)
    g_string_append (text, ", no budget");
  else if (ranet_overlay_stats_budget_use (stats, &mean, &max))
    g_string_append_printf (text, ", budget use %.0f%% (max %.0f%%)", 100.0 * mean, 100.0 * max);
  else
    /* no frame of the window was classified under it (reused results) */
    g_string_append_printf (text, ", budget %.2f ms", frame->budget_ns / 1e6);
}

gchar *
ranet_overlay_stats_text (const RanetOverlayStats *stats, const RanetOverlayFrame *frame)
{
  GString *text = g_string_new (NULL);
  gdouble mean;

  g_string_append_printf (text, "%.1f fps", ranet_overlay_stats_fps (stats));
  if (ranet_overlay_stats_mean_exit (stats, &mean)) {
    g_string_append_printf (text, ", mean exit %.2f", mean + 1.0);
    if (frame->num_exits > 0)
      g_string_append_printf (text, "/%d", frame->num_exits);
  }
  if (frame->roi_list) {
    g_string_append_printf (text, "\n%u/%u regions classified", frame->classified,
        frame->regions);
    if (frame->skipped > 0)
      g_string_append_printf (text, ", %u skipped", frame->skipped);
  }
  append_budget_line (text, stats, frame);
  return g_string_free (text, FALSE);
}
