/* ranet-stats.c: a session's statistics as a GstStructure. */
#include "ranet-stats.h"

/* @n doubles as a GstValueArray. */
static void
take_double_array (GstStructure *s, const char *name, const double *values, guint n)
{
  GValue array = G_VALUE_INIT;

  gst_value_array_init (&array, n);
  for (guint k = 0; k < n; k++) {
    GValue v = G_VALUE_INIT;
    g_value_init (&v, G_TYPE_DOUBLE);
    g_value_set_double (&v, values[k]);
    gst_value_array_append_and_take_value (&array, &v);
  }
  gst_structure_take_value (s, name, &array);
}

GstStructure *
ranet_stats_structure_new (const RanetSessionStats *stats, guint64 regions_degenerate)
{
  const RanetSessionStats none = { 0 };
  GValue counts = G_VALUE_INIT;
  GstStructure *s;

  if (stats == NULL)
    stats = &none;
  gst_value_array_init (&counts, stats->n_exits);
  for (guint k = 0; k < stats->n_exits; k++) {
    GValue v = G_VALUE_INIT;
    g_value_init (&v, G_TYPE_UINT64);
    g_value_set_uint64 (&v, stats->exit_counts[k]);
    gst_value_array_append_and_take_value (&counts, &v);
  }
  s = gst_structure_new ("ranet-stats",
      "frames", G_TYPE_UINT64, stats->frames,
      "forced-exits", G_TYPE_UINT64, stats->forced_exits,
      "deadline-misses", G_TYPE_UINT64, stats->deadline_misses,
      "operating-point-changes", G_TYPE_UINT64, stats->operating_point_changes,
      "budget", G_TYPE_UINT64, stats->budget_ns,
      "classified", G_TYPE_UINT64, stats->classified,
      "mean-latency", G_TYPE_UINT64, stats->mean_latency_ns,
      "max-latency", G_TYPE_UINT64, stats->max_latency_ns,
      /* the session never sees a degenerate region: the element's count
       * completes the regions chosen */
      "regions", G_TYPE_UINT64, stats->regions + regions_degenerate,
      "regions-classified", G_TYPE_UINT64, stats->regions_classified,
      "regions-skipped", G_TYPE_UINT64, stats->regions_skipped,
      "regions-degenerate", G_TYPE_UINT64, regions_degenerate,
      "calibration-source", G_TYPE_STRING, stats->calibrated_online ? "online" : "file",
      "probe-frames", G_TYPE_UINT64, stats->probes,
      "recalibrations", G_TYPE_UINT64, stats->recalibrations,
      "share-frames", G_TYPE_UINT64, stats->share_frames, NULL);
  gst_structure_take_value (s, "exit-counts", &counts);
  take_double_array (s, "realised-shares", stats->realised_shares, stats->n_exits);
  take_double_array (s, "planned-shares", stats->planned_shares, stats->n_exits);
  return s;
}
