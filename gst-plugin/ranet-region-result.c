/* ranet-region-result.c: a frame's region results as structures. */
#include "ranet-region-result.h"

/* A network without labels (ranet-session-backend.h) still gives every
 * reader a string to show. */
static gchar *
label_text (const RanetSessionResult *r)
{
  return r->label != NULL ? g_strdup (r->label) : g_strdup_printf ("%u", r->class_id);
}

GstStructure *
ranet_region_result_param_new (const RanetSessionResult *r)
{
  g_autofree gchar *label = NULL;

  if (r->skipped)
    return gst_structure_new (RANET_REGION_PARAM_NAME,
        "skipped", G_TYPE_BOOLEAN, TRUE, NULL);
  label = label_text (r);
  return gst_structure_new (RANET_REGION_PARAM_NAME,
      "label", G_TYPE_STRING, label,
      "label_id", G_TYPE_INT, (gint) r->class_id,
      "confidence", G_TYPE_DOUBLE, (gdouble) r->confidence,
      "exit", G_TYPE_INT, (gint) r->exit_index,
      "num-exits", G_TYPE_INT, (gint) r->n_exits,
      "forced", G_TYPE_BOOLEAN, r->forced,
      "macs", G_TYPE_UINT64, r->macs,
      "skipped", G_TYPE_BOOLEAN, FALSE, NULL);
}

/* @r: the region's result; NULL for a degenerate region */
static GstStructure *
object_new (const RanetRegionInfo *region, const RanetSessionResult *r)
{
  GstStructure *o = gst_structure_new ("object",
      "id", G_TYPE_INT, region->id,
      "roi-type", G_TYPE_STRING, region->roi_type,
      "x", G_TYPE_UINT, region->box.x,
      "y", G_TYPE_UINT, region->box.y,
      "w", G_TYPE_UINT, region->box.width,
      "h", G_TYPE_UINT, region->box.height,
      "skipped", G_TYPE_BOOLEAN, r != NULL && r->skipped,
      "degenerate", G_TYPE_BOOLEAN, region->degenerate, NULL);

  if (r != NULL && !r->skipped) {
    g_autofree gchar *label = label_text (r);

    gst_structure_set (o,
        "class-id", G_TYPE_INT, (gint) r->class_id,
        "label", G_TYPE_STRING, label,
        "confidence", G_TYPE_DOUBLE, (gdouble) r->confidence,
        "exit", G_TYPE_INT, (gint) r->exit_index,
        "num-exits", G_TYPE_INT, (gint) r->n_exits,
        "forced", G_TYPE_BOOLEAN, r->forced,
        "macs", G_TYPE_UINT64, r->macs, NULL);
  }
  return o;
}

void
ranet_region_result_fill_structure (GstStructure *s, const char *element,
    const char *model, const RanetRegionInfo *regions, guint n_regions,
    const RanetSessionResult *results, const RanetSessionBatchSummary *summary,
    guint64 budget_ns)
{
  GValue objects = G_VALUE_INIT;
  guint degenerate = 0, next_result = 0;

  gst_value_array_init (&objects, n_regions);
  for (guint i = 0; i < n_regions; i++) {
    const RanetSessionResult *r = NULL;
    GValue v = G_VALUE_INIT;

    if (regions[i].degenerate)
      degenerate++;
    else
      r = &results[next_result++];
    g_value_init (&v, GST_TYPE_STRUCTURE);
    g_value_take_boxed (&v, object_new (&regions[i], r));
    gst_value_array_append_and_take_value (&objects, &v);
  }
  gst_structure_set (s,
      "element", G_TYPE_STRING, element,
      "model", G_TYPE_STRING, model,
      "inference-region", G_TYPE_STRING, "roi-list",
      "regions", G_TYPE_UINT, n_regions,
      "classified", G_TYPE_UINT, summary->n_classified,
      "skipped", G_TYPE_UINT, summary->n_skipped,
      "degenerate", G_TYPE_UINT, degenerate,
      "macs", G_TYPE_UINT64, summary->macs,
      "latency", G_TYPE_UINT64, summary->latency_ns,
      "operating-point", G_TYPE_INT, summary->operating_point,
      "budget", G_TYPE_UINT64, budget_ns, NULL);
  gst_structure_take_value (s, "objects", &objects);
}
