/* roi-list-meta.c: hand-made roi-list results (see roi-list-meta.h). */
#include "roi-list-meta.h"

#include "ranet-classification-meta.h"

static gboolean
classified (const TestRegion *r)
{
  return !r->skipped && !r->degenerate;
}

void
test_roi_list_fill (GstStructure *s, const TestRegion *regions, const gint *ids, guint n)
{
  GValue objects = G_VALUE_INIT;
  guint done = 0, skipped = 0, degenerate = 0;
  guint64 macs = 0;

  gst_value_array_init (&objects, n);
  for (guint i = 0; i < n; i++) {
    const TestRegion *r = &regions[i];
    GstStructure *o = gst_structure_new ("object",
        "id", G_TYPE_INT, ids[i],
        "roi-type", G_TYPE_STRING, r->roi_type,
        "x", G_TYPE_UINT, (guint) MAX (r->x, 0),
        "y", G_TYPE_UINT, (guint) MAX (r->y, 0),
        "w", G_TYPE_UINT, r->w,
        "h", G_TYPE_UINT, r->h,
        "skipped", G_TYPE_BOOLEAN, r->skipped,
        "degenerate", G_TYPE_BOOLEAN, r->degenerate, NULL);
    GValue v = G_VALUE_INIT;

    if (classified (r)) {
      gst_structure_set (o,
          "class-id", G_TYPE_INT, r->class_id,
          "label", G_TYPE_STRING, r->label,
          "confidence", G_TYPE_DOUBLE, r->confidence,
          "exit", G_TYPE_INT, r->exit_index,
          "num-exits", G_TYPE_INT, r->num_exits,
          "forced", G_TYPE_BOOLEAN, r->forced,
          "macs", G_TYPE_UINT64, r->macs, NULL);
      done++;
      macs += r->macs;
    }
    skipped += r->skipped;
    degenerate += r->degenerate;
    g_value_init (&v, GST_TYPE_STRUCTURE);
    g_value_take_boxed (&v, o);
    gst_value_array_append_and_take_value (&objects, &v);
  }
  gst_structure_set (s,
      "element", G_TYPE_STRING, "ranetclassify0",
      "model", G_TYPE_STRING, "test.safetensors",
      "inference-region", G_TYPE_STRING, "roi-list",
      "regions", G_TYPE_UINT, n,
      "classified", G_TYPE_UINT, done,
      "skipped", G_TYPE_UINT, skipped,
      "degenerate", G_TYPE_UINT, degenerate,
      "macs", G_TYPE_UINT64, macs,
      "latency", G_TYPE_UINT64, TEST_ROI_LIST_LATENCY_NS,
      "operating-point", G_TYPE_INT, TEST_ROI_LIST_OPERATING_POINT,
      "budget", G_TYPE_UINT64, TEST_ROI_LIST_BUDGET_NS, NULL);
  gst_structure_take_value (s, "objects", &objects);
}

GstStructure *
test_roi_list_attach (GstBuffer *buf, const TestRegion *regions, guint n)
{
  GstCustomMeta *meta;
  g_autofree gint *ids = g_new0 (gint, MAX (n, 1));

  for (guint i = 0; i < n; i++) {
    const TestRegion *r = &regions[i];
    GstVideoRegionOfInterestMeta *roi = gst_buffer_add_video_region_of_interest_meta (buf,
        r->roi_type, (guint) MAX (r->x, 0), (guint) MAX (r->y, 0), r->w, r->h);

    /* distinct ids, as a detector or tracker gives them (GStreamer's is 0) */
    roi->id = (gint) (100 + i);
    ids[i] = roi->id;
    if (classified (r))
      gst_video_region_of_interest_meta_add_param (roi, gst_structure_new ("classification",
              "label", G_TYPE_STRING, r->label,
              "label_id", G_TYPE_INT, r->class_id,
              "confidence", G_TYPE_DOUBLE, r->confidence,
              "exit", G_TYPE_INT, r->exit_index,
              "num-exits", G_TYPE_INT, r->num_exits,
              "forced", G_TYPE_BOOLEAN, r->forced,
              "macs", G_TYPE_UINT64, r->macs,
              "skipped", G_TYPE_BOOLEAN, FALSE, NULL));
  }
  meta = gst_buffer_add_custom_meta (buf, RANET_CLASSIFICATION_META_NAME);
  g_assert (meta != NULL);
  test_roi_list_fill (gst_custom_meta_get_structure (meta), regions, ids, n);
  return gst_custom_meta_get_structure (meta);
}

GstStructure *
test_full_frame_attach (GstBuffer *buf)
{
  GstCustomMeta *meta = gst_buffer_add_custom_meta (buf, RANET_CLASSIFICATION_META_NAME);
  GstStructure *s;
  GValue top_k = G_VALUE_INIT, entry = G_VALUE_INIT;

  g_assert (meta != NULL);
  s = gst_custom_meta_get_structure (meta);
  gst_structure_set (s,
      "element", G_TYPE_STRING, "ranetclassify0",
      "model", G_TYPE_STRING, "test.safetensors",
      "inference-region", G_TYPE_STRING, "full-frame",
      "class-id", G_TYPE_INT, 7,
      "label", G_TYPE_STRING, "Sneaker",
      "confidence", G_TYPE_DOUBLE, 0.87,
      "exit", G_TYPE_INT, 2,
      "num-exits", G_TYPE_INT, 5,
      "threshold", G_TYPE_DOUBLE, 0.8,
      "forced", G_TYPE_BOOLEAN, FALSE,
      "reused", G_TYPE_BOOLEAN, FALSE,
      "macs", G_TYPE_UINT64, (guint64) 123456,
      "latency", G_TYPE_UINT64, (guint64) (2 * GST_MSECOND),
      "operating-point", G_TYPE_INT, TEST_FULL_FRAME_OPERATING_POINT,
      "budget", G_TYPE_UINT64, TEST_FULL_FRAME_BUDGET_NS, NULL);
  gst_value_array_init (&top_k, 1);
  g_value_init (&entry, GST_TYPE_STRUCTURE);
  g_value_take_boxed (&entry, gst_structure_new ("ranet-class", "class-id", G_TYPE_INT, 7,
          "label", G_TYPE_STRING, "Sneaker", "score", G_TYPE_DOUBLE, 0.87, NULL));
  gst_value_array_append_and_take_value (&top_k, &entry);
  gst_structure_take_value (s, "top-k", &top_k);
  return s;
}
