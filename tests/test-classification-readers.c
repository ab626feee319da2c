/* test-classification-readers.c: the readers of a roi-list result in
 * ranet-classification-meta.h, on structures made here: every field read as
 * written, a region that was not classified read without class fields, and
 * a missing or mistyped field a FALSE, never a crash. The full-frame readers
 * refuse a roi-list result and keep reading a full-frame one. A result
 * written before operating-point and budget (full-frame) or budget
 * (roi-list) existed still reads, with their "none" values. */
#include <gst/check/gstcheck.h>

#include "ranet-classification-meta.h"
#include "roi-list-meta.h"

static const TestRegion regions[] = {
  { "person", 10, 20, 100, 80, FALSE, FALSE, 3, "Dress", 0.94, 1, 5, TRUE, 1000 },
  { "car", 150, 40, 60, 60, TRUE, FALSE },
  { "face", 400, 300, 16, 16, FALSE, TRUE },
};
static const gint ids[] = { 11, 12, 13 };

static GstStructure *
roi_list_structure (void)
{
  GstStructure *s = gst_structure_new_empty (RANET_CLASSIFICATION_STRUCTURE_NAME);

  test_roi_list_fill (s, regions, ids, G_N_ELEMENTS (regions));
  return s;
}

/* @s with field @name of object @i removed */
static GstStructure *
without_object_field (const GstStructure *s, guint i, const gchar *name)
{
  GstStructure *copy = gst_structure_copy (s);
  GValue objects = G_VALUE_INIT;
  GstStructure *o;

  g_value_init (&objects, GST_TYPE_ARRAY);
  g_value_copy (gst_structure_get_value (copy, "objects"), &objects);
  o = (GstStructure *) gst_value_get_structure (gst_value_array_get_value (&objects, i));
  gst_structure_remove_field (o, name);
  gst_structure_take_value (copy, "objects", &objects);
  return copy;
}

GST_START_TEST (test_reads_every_field)
{
  g_autoptr (GstStructure) s = roi_list_structure ();
  RanetRegionTotals t;
  RanetRegionClassification r;

  fail_unless (ranet_classification_is_roi_list (s));
  fail_unless (ranet_classification_read_totals (s, &t));
  fail_unless_equals_string (t.element, "ranetclassify0");
  fail_unless_equals_string (t.model, "test.safetensors");
  fail_unless_equals_int (t.regions, 3);
  fail_unless_equals_int (t.classified, 1);
  fail_unless_equals_int (t.skipped, 1);
  fail_unless_equals_int (t.degenerate, 1);
  fail_unless_equals_uint64 (t.macs, 1000);
  fail_unless_equals_uint64 (t.latency_ns, TEST_ROI_LIST_LATENCY_NS);
  fail_unless_equals_int (t.operating_point, TEST_ROI_LIST_OPERATING_POINT);
  fail_unless_equals_uint64 (t.budget_ns, TEST_ROI_LIST_BUDGET_NS);

  fail_unless_equals_int (ranet_classification_get_n_objects (s), 3);
  fail_unless (ranet_classification_read_object (s, 0, &r));
  fail_unless_equals_int (r.id, 11);
  fail_unless_equals_string (r.roi_type, "person");
  fail_unless (r.x == 10 && r.y == 20 && r.width == 100 && r.height == 80);
  fail_unless (!r.skipped && !r.degenerate);
  fail_unless_equals_int (r.class_id, 3);
  fail_unless_equals_string (r.label, "Dress");
  fail_unless_equals_float (r.confidence, 0.94);
  fail_unless_equals_int (r.exit_index, 1);
  fail_unless_equals_int (r.num_exits, 5);
  fail_unless (r.forced);
  fail_unless_equals_uint64 (r.macs, 1000);

  fail_unless (ranet_classification_read_object (s, 1, &r));
  fail_unless_equals_int (r.id, 12);
  fail_unless (r.skipped && !r.degenerate);
  fail_unless_equals_int (r.class_id, -1);
  fail_unless_equals_int (r.exit_index, -1);
  fail_unless (r.label == NULL);
  fail_unless_equals_uint64 (r.macs, 0);

  fail_unless (ranet_classification_read_object (s, 2, &r));
  fail_unless (r.degenerate && !r.skipped);
  fail_unless (r.x == 400 && r.y == 300);
  fail_unless (r.label == NULL);

  fail_if (ranet_classification_read_object (s, 3, &r), "no fourth region");
}
GST_END_TEST;

GST_START_TEST (test_missing_fields)
{
  g_autoptr (GstStructure) s = roi_list_structure ();
  static const gchar *const totals[] = { "element", "model", "inference-region", "regions",
    "classified", "skipped", "degenerate", "macs", "latency", "operating-point" };
  static const gchar *const region[] = { "id", "roi-type", "x", "y", "w", "h", "skipped",
    "degenerate" };
  static const gchar *const class_fields[] = { "class-id", "label", "confidence", "exit",
    "num-exits", "forced", "macs" };
  RanetRegionTotals t;
  RanetRegionClassification r;

  for (guint i = 0; i < G_N_ELEMENTS (totals); i++) {
    g_autoptr (GstStructure) copy = gst_structure_copy (s);

    gst_structure_remove_field (copy, totals[i]);
    fail_if (ranet_classification_read_totals (copy, &t), "without %s", totals[i]);
  }
  for (guint i = 0; i < G_N_ELEMENTS (region); i++) {
    for (guint k = 0; k < G_N_ELEMENTS (regions); k++) {
      g_autoptr (GstStructure) copy = without_object_field (s, k, region[i]);

      fail_if (ranet_classification_read_object (copy, k, &r), "region %u without %s", k,
          region[i]);
    }
  }
  for (guint i = 0; i < G_N_ELEMENTS (class_fields); i++) {
    g_autoptr (GstStructure) copy = without_object_field (s, 0, class_fields[i]);

    fail_if (ranet_classification_read_object (copy, 0, &r), "classified region without %s",
        class_fields[i]);
    /* the others need no class fields */
    fail_unless (ranet_classification_read_object (copy, 1, &r));
  }
  {
    /* a field of another type, and objects that are not an array of structures */
    g_autoptr (GstStructure) copy = gst_structure_copy (s);

    gst_structure_set (copy, "regions", G_TYPE_INT, 3, "objects", G_TYPE_STRING, "none", NULL);
    fail_if (ranet_classification_read_totals (copy, &t));
    fail_unless_equals_int (ranet_classification_get_n_objects (copy), 0);
    fail_if (ranet_classification_read_object (copy, 0, &r));
  }
  {
    g_autoptr (GstStructure) copy = gst_structure_copy (s);
    GValue objects = G_VALUE_INIT, item = G_VALUE_INIT;

    gst_value_array_init (&objects, 1);
    g_value_init (&item, G_TYPE_INT);
    g_value_set_int (&item, 4);
    gst_value_array_append_and_take_value (&objects, &item);
    gst_structure_take_value (copy, "objects", &objects);
    fail_unless_equals_int (ranet_classification_get_n_objects (copy), 1);
    fail_if (ranet_classification_read_object (copy, 0, &r));
  }
  {
    g_autoptr (GstStructure) empty = gst_structure_new_empty (RANET_CLASSIFICATION_STRUCTURE_NAME);

    fail_if (ranet_classification_is_roi_list (empty));
    fail_if (ranet_classification_read_totals (empty, &t));
    fail_unless_equals_int (ranet_classification_get_n_objects (empty), 0);
    fail_if (ranet_classification_read_object (empty, 0, &r));
  }
}
GST_END_TEST;

/* The full-frame readers refuse a roi-list result (it has no frame-level
 * class) and read a full-frame one as before; the region readers find no
 * regions in it. */
GST_START_TEST (test_full_frame_readers)
{
  g_autoptr (GstStructure) roi = roi_list_structure ();
  GstBuffer *buf = gst_buffer_new ();
  RanetClassification c;
  RanetRegionTotals t;
  RanetRegionClassification r;
  const GstStructure *full;
  static const gchar *no_tags[] = { NULL };

  fail_if (ranet_classification_read_structure (roi, &c));
  /* registered as the plugin does, without loading it */
  if (gst_meta_get_info (RANET_CLASSIFICATION_META_NAME) == NULL)
    gst_meta_register_custom (RANET_CLASSIFICATION_META_NAME, no_tags, NULL, NULL, NULL);
  full = test_full_frame_attach (buf);
  fail_unless (ranet_classification_meta_read (buf, &c));
  fail_unless_equals_int (c.class_id, 7);
  fail_unless_equals_string (c.label, "Sneaker");
  fail_unless_equals_int (c.operating_point, TEST_FULL_FRAME_OPERATING_POINT);
  fail_unless_equals_uint64 (c.budget_ns, TEST_FULL_FRAME_BUDGET_NS);
  fail_if (ranet_classification_is_roi_list (full));
  fail_if (ranet_classification_read_totals (full, &t));
  fail_unless_equals_int (ranet_classification_get_n_objects (full), 0);
  fail_if (ranet_classification_read_object (full, 0, &r));
  gst_buffer_unref (buf);
}
GST_END_TEST;

/* Results from before operating-point and budget: complete, with -1 and 0
 * for them; a mistyped one reads as absent. */
GST_START_TEST (test_without_budget_fields)
{
  g_autoptr (GstStructure) roi = roi_list_structure ();
  GstBuffer *buf = gst_buffer_new ();
  RanetClassification c;
  RanetRegionTotals t;
  GstStructure *full;
  static const gchar *no_tags[] = { NULL };

  gst_structure_remove_field (roi, "budget");
  t.budget_ns = 42;
  fail_unless (ranet_classification_read_totals (roi, &t));
  fail_unless_equals_uint64 (t.budget_ns, 0);
  fail_unless_equals_int (t.operating_point, TEST_ROI_LIST_OPERATING_POINT);

  if (gst_meta_get_info (RANET_CLASSIFICATION_META_NAME) == NULL)
    gst_meta_register_custom (RANET_CLASSIFICATION_META_NAME, no_tags, NULL, NULL, NULL);
  full = test_full_frame_attach (buf);
  gst_structure_remove_fields (full, "operating-point", "budget", NULL);
  c.operating_point = 42;
  c.budget_ns = 42;
  fail_unless (ranet_classification_meta_read (buf, &c));
  fail_unless_equals_int (c.class_id, 7);
  fail_unless_equals_int (c.operating_point, -1);
  fail_unless_equals_uint64 (c.budget_ns, 0);

  gst_structure_set (full, "operating-point", G_TYPE_STRING, "3",
      "budget", G_TYPE_INT, 5, NULL);
  fail_unless (ranet_classification_meta_read (buf, &c));
  fail_unless_equals_int (c.operating_point, -1);
  fail_unless_equals_uint64 (c.budget_ns, 0);
  gst_buffer_unref (buf);
}
GST_END_TEST;

static Suite *
readers_suite (void)
{
  Suite *s = suite_create ("classification-readers");
  TCase *tc = tcase_create ("readers");

  tcase_add_test (tc, test_reads_every_field);
  tcase_add_test (tc, test_missing_fields);
  tcase_add_test (tc, test_full_frame_readers);
  tcase_add_test (tc, test_without_budget_fields);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (readers);
