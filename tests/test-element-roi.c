/* test-element-roi.c: ranetclassify's inference-region=roi-list.
 *
 * Without a device: the properties (defaults, values read back as set, the
 * enum by its nick), object-class parsing and the choice of types, the clip
 * of a region's box to the frame (zero sizes, boxes outside, partly outside,
 * values near G_MAXUINT), the regions taken from a buffer's metas, the
 * structures built from hand-made results (classified, skipped by the
 * budget, degenerate, a network without labels) and the stats' region counts.
 *
 * With the built-in model: full-frame mode is unchanged by regions of
 * interest on the buffer (the metas get nothing, the metadata is the
 * frame's), and a frame shared with another buffer is classified without
 * its memory being copied.
 *
 * Through the element: every region's parameter agrees with
 * the frame's metadata and with the region classified as a frame of its own;
 * types outside object-class are left untouched; degenerate regions are
 * counted and marked; a caps change clips against the new size; a frame
 * without regions says 0; the element message carries the metadata.
 */
#include <string.h>

#include <gst/check/gstharness.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include "gstranetclassify-properties.h"
#include "ranet-classification-meta.h"
#include "ranet-region-result.h"
#include "ranet-regions.h"
#include "ranet-stats.h"
#include "vk/ranet-vk.h"

/* Held for the whole program, so that the element's starts reuse one device. */
static RanetVkDevice *device;

/* ---- helpers ---- */

/* A GRAY8 frame of a pattern that differs per @seed and across the frame;
 * @width a multiple of 4, so that its rows need no padding. */
static GstBuffer *
gray_frame (guint width, guint height, guint seed)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, (gsize) width * height, NULL);
  GstMapInfo map;

  g_assert_cmpuint (width % 4, ==, 0);
  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  for (guint y = 0; y < height; y++)
    for (guint x = 0; x < width; x++)
      map.data[y * width + x] = (guint8) (((x * (seed + 3) + y * 5) * 2654435761u) >> 24
          ^ (x / 8 + y / 8) * 40);
  gst_buffer_unmap (buf, &map);
  GST_BUFFER_PTS (buf) = seed * GST_SECOND / 30;
  GST_BUFFER_DURATION (buf) = GST_SECOND / 30;
  return buf;
}

static GstVideoRegionOfInterestMeta *
add_roi (GstBuffer *buf, const char *type, guint x, guint y, guint w, guint h)
{
  return type != NULL ? gst_buffer_add_video_region_of_interest_meta (buf, type, x, y, w, h)
      : gst_buffer_add_video_region_of_interest_meta_id (buf, 0, x, y, w, h);
}

static GstHarness *
harness_new (const char *props, guint width, guint height)
{
  g_autofree char *launch = g_strdup_printf ("ranetclassify name=c %s", props);
  g_autofree char *caps = g_strdup_printf ("video/x-raw,format=GRAY8,width=%u,"
      "height=%u,framerate=30/1", width, height);
  GstHarness *h = gst_harness_new_parse (launch);

  gst_harness_set_src_caps_str (h, caps);
  return h;
}

static GstElement *
classifier (GstHarness *h)
{
  GstElement *e = gst_harness_find_element (h, "ranetclassify");

  g_assert_nonnull (e);
  /* the harness holds it */
  gst_object_unref (e);
  return e;
}

/* The buffer's RanetClassificationMeta structure (one ranetclassify ran). */
static const GstStructure *
frame_meta (GstBuffer *buf)
{
  GstCustomMeta *meta = gst_buffer_get_custom_meta (buf, RANET_CLASSIFICATION_META_NAME);

  g_assert_nonnull (meta);
  return gst_custom_meta_get_structure (meta);
}

static guint
get_uint (const GstStructure *s, const char *field)
{
  guint v = 0;

  g_assert_true (gst_structure_get_uint (s, field, &v));
  return v;
}

static gint
get_int (const GstStructure *s, const char *field)
{
  gint v = 0;

  g_assert_true (gst_structure_get_int (s, field, &v));
  return v;
}

static guint64
get_uint64 (const GstStructure *s, const char *field)
{
  guint64 v = 0;

  g_assert_true (gst_structure_get_uint64 (s, field, &v));
  return v;
}

static gdouble
get_double (const GstStructure *s, const char *field)
{
  gdouble v = 0;

  g_assert_true (gst_structure_get_double (s, field, &v));
  return v;
}

static gboolean
get_boolean (const GstStructure *s, const char *field)
{
  gboolean v = FALSE;

  g_assert_true (gst_structure_get_boolean (s, field, &v));
  return v;
}

static guint
n_objects (const GstStructure *s)
{
  const GValue *objects = gst_structure_get_value (s, "objects");

  g_assert_nonnull (objects);
  g_assert_true (GST_VALUE_HOLDS_ARRAY (objects));
  return gst_value_array_get_size (objects);
}

static const GstStructure *
nth_object (const GstStructure *s, guint i)
{
  const GstStructure *o = gst_value_get_structure (gst_value_array_get_value (
          gst_structure_get_value (s, "objects"), i));

  g_assert_cmpstr (gst_structure_get_name (o), ==, "object");
  return o;
}

static guint64
stats_uint64 (GstElement *e, const char *field)
{
  g_autoptr (GstStructure) stats = NULL;

  g_object_get (e, "stats", &stats, NULL);
  return get_uint64 (stats, field);
}

/* ---- properties ---- */

static void
test_property_defaults (void)
{
  g_autoptr (GstElement) e = gst_element_factory_make ("ranetclassify", NULL);
  g_autofree gchar *object_class = NULL;
  gint region = -1;
  guint max_batch = 1;

  g_assert_nonnull (e);
  g_object_get (e, "inference-region", &region, "object-class", &object_class,
      "max-batch", &max_batch, NULL);
  g_assert_cmpint (region, ==, GST_RANET_INFERENCE_REGION_FULL_FRAME);
  g_assert_null (object_class);
  g_assert_cmpuint (max_batch, ==, 0);
}

static void
test_property_round_trip (void)
{
  g_autoptr (GstElement) e = gst_element_factory_make ("ranetclassify", NULL);
  const guint batches[] = { 1, 7, G_MAXUINT, 0 };
  const char *classes[] = { "person", " person , car,,", "", NULL };
  gint region = -1;

  /* by the nick, as gst-launch-1.0 sets it */
  gst_util_set_object_arg (G_OBJECT (e), "inference-region", "roi-list");
  g_object_get (e, "inference-region", &region, NULL);
  g_assert_cmpint (region, ==, GST_RANET_INFERENCE_REGION_ROI_LIST);
  gst_util_set_object_arg (G_OBJECT (e), "inference-region", "full-frame");
  g_object_get (e, "inference-region", &region, NULL);
  g_assert_cmpint (region, ==, GST_RANET_INFERENCE_REGION_FULL_FRAME);

  for (guint i = 0; i < G_N_ELEMENTS (batches); i++) {
    guint v = 12345;

    g_object_set (e, "max-batch", batches[i], NULL);
    g_object_get (e, "max-batch", &v, NULL);
    g_assert_cmpuint (v, ==, batches[i]);
  }
  /* the string reads back as written, blanks and empty entries included */
  for (guint i = 0; i < G_N_ELEMENTS (classes); i++) {
    g_autofree gchar *v = NULL;

    g_object_set (e, "object-class", classes[i], NULL);
    g_object_get (e, "object-class", &v, NULL);
    g_assert_cmpstr (v, ==, classes[i]);
  }
}

/* ---- object-class ---- */

static void
assert_parsed (const char *object_class, const char *const *expected)
{
  g_auto (GStrv) parsed = ranet_regions_parse_object_class (object_class);

  if (expected == NULL) {
    g_assert_null (parsed);
    return;
  }
  g_assert_nonnull (parsed);
  g_assert_cmpuint (g_strv_length (parsed), ==, g_strv_length ((gchar **) expected));
  for (guint i = 0; expected[i] != NULL; i++)
    g_assert_cmpstr (parsed[i], ==, expected[i]);
}

static void
test_object_class_parse (void)
{
  const char *one[] = { "person", NULL };
  const char *three[] = { "person", "car", "traffic light", NULL };

  assert_parsed (NULL, NULL);
  assert_parsed ("", NULL);
  assert_parsed (" , ,\t,", NULL);
  assert_parsed ("person", one);
  assert_parsed ("person,", one);
  assert_parsed (" person ,car,, traffic light ", three);
}

static void
test_object_class_choice (void)
{
  g_auto (GStrv) classes = ranet_regions_parse_object_class ("person,car");

  /* no classes: every type, the untyped one included */
  g_assert_true (ranet_regions_type_chosen (NULL, "person"));
  g_assert_true (ranet_regions_type_chosen (NULL, ""));
  g_assert_true (ranet_regions_type_chosen ((const gchar * const *) classes, "person"));
  g_assert_true (ranet_regions_type_chosen ((const gchar * const *) classes, "car"));
  /* whole names, case and all */
  g_assert_false (ranet_regions_type_chosen ((const gchar * const *) classes, "Person"));
  g_assert_false (ranet_regions_type_chosen ((const gchar * const *) classes, "pers"));
  g_assert_false (ranet_regions_type_chosen ((const gchar * const *) classes, "person,car"));
  g_assert_false (ranet_regions_type_chosen ((const gchar * const *) classes, ""));
}

/* ---- clipping ---- */

static void
assert_clip (guint fw, guint fh, guint x, guint y, guint w, guint h,
    gboolean inside, guint cx, guint cy, guint cw, guint ch)
{
  RanetRegion clipped = { 11, 22, 33, 44 };

  g_assert_cmpint (ranet_regions_clip (fw, fh, x, y, w, h, &clipped), ==, inside);
  if (!inside) {
    /* untouched */
    g_assert_cmpuint (clipped.x, ==, 11);
    g_assert_cmpuint (clipped.height, ==, 44);
    return;
  }
  g_assert_cmpuint (clipped.x, ==, cx);
  g_assert_cmpuint (clipped.y, ==, cy);
  g_assert_cmpuint (clipped.width, ==, cw);
  g_assert_cmpuint (clipped.height, ==, ch);
  /* inside the frame, whatever came in */
  g_assert_cmpuint (clipped.width, <=, fw - clipped.x);
  g_assert_cmpuint (clipped.height, <=, fh - clipped.y);
}

static void
test_clip (void)
{
  const guint M = G_MAXUINT;

  /* inside: unchanged, the whole frame included */
  assert_clip (64, 48, 10, 5, 20, 30, TRUE, 10, 5, 20, 30);
  assert_clip (64, 48, 0, 0, 64, 48, TRUE, 0, 0, 64, 48);
  assert_clip (64, 48, 63, 47, 1, 1, TRUE, 63, 47, 1, 1);
  /* zero size */
  assert_clip (64, 48, 10, 5, 0, 30, FALSE, 0, 0, 0, 0);
  assert_clip (64, 48, 10, 5, 20, 0, FALSE, 0, 0, 0, 0);
  assert_clip (64, 48, 0, 0, 0, 0, FALSE, 0, 0, 0, 0);
  /* outside: right of, below, both */
  assert_clip (64, 48, 64, 0, 10, 10, FALSE, 0, 0, 0, 0);
  assert_clip (64, 48, 0, 48, 10, 10, FALSE, 0, 0, 0, 0);
  assert_clip (64, 48, 100, 100, 10, 10, FALSE, 0, 0, 0, 0);
  /* partly outside: cut at the right and bottom edges */
  assert_clip (64, 48, 60, 40, 10, 10, TRUE, 60, 40, 4, 8);
  assert_clip (64, 48, 0, 0, 65, 49, TRUE, 0, 0, 64, 48);
  /* values where x + w wraps around */
  assert_clip (64, 48, 0, 0, M, M, TRUE, 0, 0, 64, 48);
  assert_clip (64, 48, 63, 47, M, M, TRUE, 63, 47, 1, 1);
  assert_clip (64, 48, M, M, M, M, FALSE, 0, 0, 0, 0);
  assert_clip (64, 48, M, 0, 1, 1, FALSE, 0, 0, 0, 0);
  assert_clip (M, M, M - 1, M - 1, M, M, TRUE, M - 1, M - 1, 1, 1);
  assert_clip (M, M, 0, 0, M, M, TRUE, 0, 0, M, M);
  /* an empty frame has no pixel to keep */
  assert_clip (0, 0, 0, 0, 1, 1, FALSE, 0, 0, 0, 0);
}

/* ---- regions from a buffer ---- */

static void
test_collect (void)
{
  g_autoptr (GstBuffer) buf = gst_buffer_new ();
  g_auto (GStrv) people = ranet_regions_parse_object_class ("person");
  GstVideoRegionOfInterestMeta *metas[5];
  g_autoptr (GArray) all = NULL;
  g_autoptr (GArray) chosen = NULL;
  const RanetRegionInfo *r;

  metas[0] = add_roi (buf, "person", 10, 5, 20, 30);
  metas[1] = add_roi (buf, "car", 60, 40, 10, 10);
  metas[2] = add_roi (buf, "person", 64, 0, 10, 10);   /* outside */
  metas[3] = add_roi (buf, NULL, 0, 0, 8, 8);          /* no type */
  metas[4] = add_roi (buf, "person", 5, 5, 0, 9);      /* empty */
  for (guint i = 0; i < 5; i++)
    metas[i]->id = 100 + (gint) i;

  all = ranet_regions_collect (buf, 64, 48, NULL);
  g_assert_cmpuint (all->len, ==, 5);
  for (guint i = 0; i < 5; i++) {
    r = &g_array_index (all, RanetRegionInfo, i);
    g_assert_true (r->meta == metas[i]);
    g_assert_cmpint (r->id, ==, 100 + (gint) i);
  }
  r = &g_array_index (all, RanetRegionInfo, 1);
  g_assert_cmpstr (r->roi_type, ==, "car");
  g_assert_false (r->degenerate);
  g_assert_cmpuint (r->box.width, ==, 4);
  g_assert_cmpuint (r->box.height, ==, 8);
  /* a degenerate region keeps its own box */
  r = &g_array_index (all, RanetRegionInfo, 2);
  g_assert_true (r->degenerate);
  g_assert_cmpuint (r->box.x, ==, 64);
  g_assert_cmpuint (r->box.width, ==, 10);
  r = &g_array_index (all, RanetRegionInfo, 3);
  g_assert_cmpstr (r->roi_type, ==, "");
  g_assert_false (r->degenerate);
  g_assert_true (g_array_index (all, RanetRegionInfo, 4).degenerate);

  chosen = ranet_regions_collect (buf, 64, 48, (const gchar * const *) people);
  g_assert_cmpuint (chosen->len, ==, 3);
  g_assert_cmpint (g_array_index (chosen, RanetRegionInfo, 0).id, ==, 100);
  g_assert_cmpint (g_array_index (chosen, RanetRegionInfo, 1).id, ==, 102);
  g_assert_cmpint (g_array_index (chosen, RanetRegionInfo, 2).id, ==, 104);
}

/* ---- the structures ---- */

static RanetSessionResult
classified_result (guint class_id, const char *label, float confidence, guint exit_index,
    gboolean forced, guint64 macs)
{
  RanetSessionResult r = { 0 };

  r.class_id = class_id;
  r.label = label;
  r.confidence = confidence;
  r.exit_index = exit_index;
  r.n_exits = 5;
  r.forced = forced;
  r.macs = macs;
  return r;
}

static void
test_param_classified (void)
{
  RanetSessionResult r = classified_result (7, "Sneaker", 0.75f, 2, TRUE, 123456789012ull);
  g_autoptr (GstStructure) s = ranet_region_result_param_new (&r);
  const gchar *label;

  g_assert_cmpstr (gst_structure_get_name (s), ==, "classification");
  label = gst_structure_get_string (s, "label");
  g_assert_cmpstr (label, ==, "Sneaker");
  g_assert_cmpint (get_int (s, "label_id"), ==, 7);
  g_assert_cmpfloat (get_double (s, "confidence"), ==, 0.75);
  g_assert_cmpint (get_int (s, "exit"), ==, 2);
  g_assert_cmpint (get_int (s, "num-exits"), ==, 5);
  g_assert_true (get_boolean (s, "forced"));
  g_assert_cmpuint (get_uint64 (s, "macs"), ==, 123456789012ull);
  g_assert_false (get_boolean (s, "skipped"));
  g_assert_cmpint (gst_structure_n_fields (s), ==, 8);
}

static void
test_param_skipped (void)
{
  RanetSessionResult r = { 0 };
  g_autoptr (GstStructure) s = NULL;

  r.skipped = TRUE;
  r.n_exits = 5;
  s = ranet_region_result_param_new (&r);
  g_assert_cmpstr (gst_structure_get_name (s), ==, "classification");
  g_assert_true (get_boolean (s, "skipped"));
  /* nothing else: no class to mistake for one */
  g_assert_cmpint (gst_structure_n_fields (s), ==, 1);
}

static void
test_param_without_labels (void)
{
  RanetSessionResult r = classified_result (3, NULL, 0.5f, 0, FALSE, 10);
  g_autoptr (GstStructure) s = ranet_region_result_param_new (&r);

  g_assert_cmpstr (gst_structure_get_string (s, "label"), ==, "3");
  g_assert_cmpint (get_int (s, "label_id"), ==, 3);
}

static void
assert_object_box (const GstStructure *o, gint id, const char *type,
    guint x, guint y, guint w, guint h, gboolean skipped, gboolean degenerate)
{
  g_assert_cmpint (get_int (o, "id"), ==, id);
  g_assert_cmpstr (gst_structure_get_string (o, "roi-type"), ==, type);
  g_assert_cmpuint (get_uint (o, "x"), ==, x);
  g_assert_cmpuint (get_uint (o, "y"), ==, y);
  g_assert_cmpuint (get_uint (o, "w"), ==, w);
  g_assert_cmpuint (get_uint (o, "h"), ==, h);
  g_assert_cmpint (get_boolean (o, "skipped"), ==, skipped);
  g_assert_cmpint (get_boolean (o, "degenerate"), ==, degenerate);
  /* a class only where there is one */
  g_assert_cmpint (gst_structure_has_field (o, "class-id"), ==, !skipped && !degenerate);
  g_assert_cmpint (gst_structure_has_field (o, "label"), ==, !skipped && !degenerate);
  g_assert_cmpint (gst_structure_has_field (o, "confidence"), ==, !skipped && !degenerate);
}

static void
test_frame_structure (void)
{
  const RanetRegionInfo regions[] = {
    { NULL, 4, "person", { 10, 5, 20, 30 }, FALSE },
    { NULL, 9, "person", { 70, 0, 10, 10 }, TRUE },
    { NULL, 2, "car", { 60, 40, 4, 8 }, FALSE },
    { NULL, 5, "", { 0, 0, 8, 8 }, FALSE },
  };
  RanetSessionResult results[3];
  RanetSessionBatchSummary summary = { 3, 2, 1, 5000, 1234567, 2, 1 };
  g_autoptr (GstStructure) s = gst_structure_new_empty ("RanetClassificationMeta");
  const GstStructure *o;

  results[0] = classified_result (1, "Trouser", 0.5f, 0, FALSE, 2000);
  results[1] = (RanetSessionResult) { 0 };
  results[1].skipped = TRUE;
  results[2] = classified_result (9, "Ankle boot", 0.25f, 4, TRUE, 3000);

  ranet_region_result_fill_structure (s, "c", "model.safetensors", regions, 4,
      results, &summary, 33 * GST_MSECOND);
  g_assert_cmpstr (gst_structure_get_string (s, "element"), ==, "c");
  g_assert_cmpstr (gst_structure_get_string (s, "model"), ==, "model.safetensors");
  g_assert_cmpstr (gst_structure_get_string (s, "inference-region"), ==, "roi-list");
  g_assert_cmpuint (get_uint (s, "regions"), ==, 4);
  g_assert_cmpuint (get_uint (s, "classified"), ==, 2);
  g_assert_cmpuint (get_uint (s, "skipped"), ==, 1);
  g_assert_cmpuint (get_uint (s, "degenerate"), ==, 1);
  g_assert_cmpuint (get_uint64 (s, "macs"), ==, 5000);
  g_assert_cmpuint (get_uint64 (s, "latency"), ==, 1234567);
  g_assert_cmpint (get_int (s, "operating-point"), ==, 2);
  g_assert_cmpuint (get_uint64 (s, "budget"), ==, 33 * GST_MSECOND);
  /* no frame-level class in this mode */
  g_assert_false (gst_structure_has_field (s, "class-id"));
  g_assert_false (gst_structure_has_field (s, "label"));
  g_assert_false (gst_structure_has_field (s, "top-k"));

  g_assert_cmpuint (n_objects (s), ==, 4);
  o = nth_object (s, 0);
  assert_object_box (o, 4, "person", 10, 5, 20, 30, FALSE, FALSE);
  g_assert_cmpint (get_int (o, "class-id"), ==, 1);
  g_assert_cmpstr (gst_structure_get_string (o, "label"), ==, "Trouser");
  g_assert_cmpfloat (get_double (o, "confidence"), ==, 0.5);
  g_assert_cmpint (get_int (o, "exit"), ==, 0);
  g_assert_cmpint (get_int (o, "num-exits"), ==, 5);
  g_assert_false (get_boolean (o, "forced"));
  g_assert_cmpuint (get_uint64 (o, "macs"), ==, 2000);
  /* the degenerate region takes no result: the next one goes to region 2 */
  assert_object_box (nth_object (s, 1), 9, "person", 70, 0, 10, 10, FALSE, TRUE);
  assert_object_box (nth_object (s, 2), 2, "car", 60, 40, 4, 8, TRUE, FALSE);
  o = nth_object (s, 3);
  assert_object_box (o, 5, "", 0, 0, 8, 8, FALSE, FALSE);
  g_assert_cmpint (get_int (o, "class-id"), ==, 9);
  g_assert_cmpstr (gst_structure_get_string (o, "label"), ==, "Ankle boot");
  g_assert_cmpint (get_int (o, "exit"), ==, 4);
  g_assert_true (get_boolean (o, "forced"));
  g_assert_cmpuint (get_uint64 (o, "macs"), ==, 3000);
}

static void
test_frame_structure_empty (void)
{
  RanetSessionBatchSummary summary = { 0 };
  g_autoptr (GstStructure) s = gst_structure_new_empty ("RanetClassificationMeta");

  summary.operating_point = -1;
  ranet_region_result_fill_structure (s, "c", "m", NULL, 0, NULL, &summary, 0);
  g_assert_cmpuint (get_uint (s, "regions"), ==, 0);
  g_assert_cmpuint (get_uint (s, "classified"), ==, 0);
  g_assert_cmpuint (get_uint (s, "degenerate"), ==, 0);
  g_assert_cmpint (get_int (s, "operating-point"), ==, -1);
  g_assert_cmpuint (get_uint64 (s, "budget"), ==, 0);
  g_assert_cmpuint (n_objects (s), ==, 0);
}

static void
test_stats_structure (void)
{
  RanetSessionStats stats = { 0 };
  g_autoptr (GstStructure) s = NULL;
  g_autoptr (GstStructure) none = ranet_stats_structure_new (NULL, 0);

  stats.regions = 5;
  stats.regions_classified = 3;
  stats.regions_skipped = 2;
  s = ranet_stats_structure_new (&stats, 4);
  /* every region chosen, the degenerate ones the session never saw included */
  g_assert_cmpuint (get_uint64 (s, "regions"), ==, 9);
  g_assert_cmpuint (get_uint64 (s, "regions-classified"), ==, 3);
  g_assert_cmpuint (get_uint64 (s, "regions-skipped"), ==, 2);
  g_assert_cmpuint (get_uint64 (s, "regions-degenerate"), ==, 4);
  g_assert_cmpuint (get_uint64 (none, "regions"), ==, 0);
  g_assert_cmpuint (get_uint64 (none, "regions-degenerate"), ==, 0);
}

/* ---- full-frame mode, with the device ---- */

static void
test_full_frame_unchanged (void)
{
  GstHarness *h = harness_new ("threshold-mode=fixed", 64, 48);
  GstBuffer *in = gray_frame (64, 48, 1);
  GstVideoRegionOfInterestMeta *roi;
  const GstStructure *s;
  GstBuffer *out;
  gpointer state = NULL;

  add_roi (in, "person", 10, 5, 20, 30);
  out = gst_harness_push_and_pull (h, in);
  g_assert_nonnull (out);
  s = frame_meta (out);
  g_assert_cmpstr (gst_structure_get_string (s, "inference-region"), ==, "full-frame");
  g_assert_true (gst_structure_has_field (s, "class-id"));
  g_assert_true (gst_structure_has_field (s, "top-k"));
  g_assert_false (gst_structure_has_field (s, "objects"));
  g_assert_false (gst_structure_has_field (s, "regions"));
  /* the region is passed on as it came */
  roi = (GstVideoRegionOfInterestMeta *) gst_buffer_iterate_meta_filtered (out, &state,
      GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE);
  g_assert_nonnull (roi);
  g_assert_null (roi->params);
  g_assert_null (gst_video_region_of_interest_meta_get_param (roi, RANET_REGION_PARAM_NAME));
  g_assert_cmpuint (stats_uint64 (classifier (h), "regions"), ==, 0);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

/* A frame another buffer shares: the metadata goes on a writable buffer
 * (GstBaseTransform's shallow copy), and the video is read from the same
 * memory, not copied. */
static void
test_shared_frame_not_copied (void)
{
  GstHarness *h = harness_new ("threshold-mode=fixed", 64, 48);
  GstBuffer *in = gray_frame (64, 48, 2);
  GstMemory *memory = gst_buffer_peek_memory (in, 0);
  GstBuffer *out;

  gst_buffer_ref (in);
  out = gst_harness_push_and_pull (h, in);
  g_assert_nonnull (out);
  g_assert_true (out != in);
  g_assert_nonnull (gst_buffer_get_custom_meta (out, RANET_CLASSIFICATION_META_NAME));
  g_assert_null (gst_buffer_get_custom_meta (in, RANET_CLASSIFICATION_META_NAME));
  g_assert_cmpuint (gst_buffer_n_memory (out), ==, 1);
  g_assert_true (gst_buffer_peek_memory (out, 0) == memory);
  gst_buffer_unref (out);
  gst_buffer_unref (in);
  gst_harness_teardown (h);
}

/* ---- roi-list mode through the element ---- */

/* The region's meta on @buf, by its id. */
static GstVideoRegionOfInterestMeta *
roi_by_id (GstBuffer *buf, gint id)
{
  GstVideoRegionOfInterestMeta *roi = gst_buffer_get_video_region_of_interest_meta_id (buf, id);

  g_assert_nonnull (roi);
  return roi;
}

/* Every region of @s's objects against its meta's parameter on @buf. */
static void
assert_params_match_objects (GstBuffer *buf, const GstStructure *s)
{
  guint classified = 0, skipped = 0, degenerate = 0;

  for (guint i = 0; i < n_objects (s); i++) {
    const GstStructure *o = nth_object (s, i);
    GstVideoRegionOfInterestMeta *roi = roi_by_id (buf, get_int (o, "id"));
    GstStructure *p = gst_video_region_of_interest_meta_get_param (roi, RANET_REGION_PARAM_NAME);

    g_assert_cmpstr (gst_structure_get_string (o, "roi-type"), ==,
        g_quark_to_string (roi->roi_type));
    if (get_boolean (o, "degenerate")) {
      degenerate++;
      g_assert_null (p);
      /* the meta's own box */
      g_assert_cmpuint (get_uint (o, "x"), ==, roi->x);
      g_assert_cmpuint (get_uint (o, "w"), ==, roi->w);
      continue;
    }
    g_assert_nonnull (p);
    if (get_boolean (o, "skipped")) {
      skipped++;
      g_assert_true (get_boolean (p, "skipped"));
      g_assert_cmpint (gst_structure_n_fields (p), ==, 1);
      continue;
    }
    classified++;
    g_assert_false (get_boolean (p, "skipped"));
    g_assert_cmpint (get_int (p, "label_id"), ==, get_int (o, "class-id"));
    g_assert_cmpstr (gst_structure_get_string (p, "label"), ==,
        gst_structure_get_string (o, "label"));
    g_assert_cmpfloat (get_double (p, "confidence"), ==, get_double (o, "confidence"));
    g_assert_cmpint (get_int (p, "exit"), ==, get_int (o, "exit"));
    g_assert_cmpint (get_int (p, "num-exits"), ==, get_int (o, "num-exits"));
    g_assert_cmpint (get_boolean (p, "forced"), ==, get_boolean (o, "forced"));
    g_assert_cmpuint (get_uint64 (p, "macs"), ==, get_uint64 (o, "macs"));
    g_assert_cmpuint (get_uint64 (p, "macs"), >, 0);
    g_assert_cmpint (get_int (p, "label_id"), >=, 0);
    g_assert_cmpint (get_int (p, "label_id"), <, 10);
    g_assert_cmpfloat (get_double (p, "confidence"), >, 0.0);
    g_assert_cmpfloat (get_double (p, "confidence"), <=, 1.0);
  }
  g_assert_cmpuint (get_uint (s, "regions"), ==, n_objects (s));
  g_assert_cmpuint (get_uint (s, "classified"), ==, classified);
  g_assert_cmpuint (get_uint (s, "skipped"), ==, skipped);
  g_assert_cmpuint (get_uint (s, "degenerate"), ==, degenerate);
  g_assert_cmpstr (gst_structure_get_string (s, "inference-region"), ==, "roi-list");
  g_assert_false (gst_structure_has_field (s, "class-id"));
  g_assert_false (gst_structure_has_field (s, "label"));
  if (classified > 0)
    g_assert_cmpuint (get_uint64 (s, "macs"), >, 0);
}

/* The GRAY8 pixels of @box of @frame (rows of @frame_width bytes) as a frame
 * of their own, its rows padded to 4 bytes as GStreamer lays GRAY8 out. */
static GstBuffer *
crop (GstBuffer *frame, guint frame_width, const RanetRegion *box)
{
  const gsize stride = GST_ROUND_UP_4 (box->width);
  GstBuffer *out = gst_buffer_new_allocate (NULL, stride * box->height, NULL);
  GstMapInfo src, dst;

  gst_buffer_map (frame, &src, GST_MAP_READ);
  gst_buffer_map (out, &dst, GST_MAP_WRITE);
  memset (dst.data, 0, dst.size);
  for (guint y = 0; y < box->height; y++)
    memcpy (dst.data + y * stride,
        src.data + (gsize) (box->y + y) * frame_width + box->x, box->width);
  gst_buffer_unmap (out, &dst);
  gst_buffer_unmap (frame, &src);
  return out;
}

/* What full-frame mode says of @box cut out of @frame. */
static void
classify_as_frame (GstBuffer *frame, guint frame_width, const RanetRegion *box,
    gint *class_id, gdouble *confidence, gint *exit_index)
{
  GstHarness *h = harness_new ("threshold-mode=fixed threshold=1.0", box->width, box->height);
  GstBuffer *out = gst_harness_push_and_pull (h, crop (frame, frame_width, box));
  const GstStructure *s = frame_meta (out);

  *class_id = get_int (s, "class-id");
  *confidence = get_double (s, "confidence");
  *exit_index = get_int (s, "exit");
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

static void
test_roi_params_match_frame_meta (void)
{
  GstHarness *h = harness_new ("inference-region=roi-list threshold-mode=fixed threshold=1.0",
      64, 48);
  const RanetRegion boxes[] = { { 0, 0, 28, 28 }, { 10, 5, 40, 30 }, { 30, 20, 34, 28 } };
  GstBuffer *in = gray_frame (64, 48, 3);
  g_autoptr (GstBuffer) frame = gst_buffer_copy_deep (in);
  const GstStructure *s;
  GstBuffer *out;

  for (guint i = 0; i < G_N_ELEMENTS (boxes); i++)
    add_roi (in, "person", boxes[i].x, boxes[i].y, boxes[i].width, boxes[i].height)->id =
        10 + (gint) i;
  out = gst_harness_push_and_pull (h, in);
  s = frame_meta (out);
  g_assert_cmpuint (n_objects (s), ==, 3);
  /* no budget in fixed mode: every region classified */
  g_assert_cmpuint (get_uint (s, "classified"), ==, 3);
  assert_params_match_objects (out, s);
  for (guint i = 0; i < G_N_ELEMENTS (boxes); i++) {
    const GstStructure *o = nth_object (s, i);
    gint class_id, exit_index;
    gdouble confidence;

    /* in meta order, boxes inside the frame unchanged */
    g_assert_cmpint (get_int (o, "id"), ==, 10 + (gint) i);
    g_assert_cmpuint (get_uint (o, "w"), ==, boxes[i].width);
    /* a region is classified as its pixels alone would be */
    classify_as_frame (frame, 64, &boxes[i], &class_id, &confidence, &exit_index);
    g_assert_cmpint (get_int (o, "class-id"), ==, class_id);
    g_assert_cmpint (get_int (o, "exit"), ==, exit_index);
    g_assert_cmpfloat_with_epsilon (get_double (o, "confidence"), confidence, 1e-3);
  }
  g_assert_cmpuint (stats_uint64 (classifier (h), "regions"), ==, 3);
  g_assert_cmpuint (stats_uint64 (classifier (h), "regions-classified"), ==, 3);
  g_assert_cmpuint (stats_uint64 (classifier (h), "regions-skipped"), ==, 0);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

static void
test_roi_object_class_decoys (void)
{
  GstHarness *h = harness_new ("inference-region=roi-list threshold-mode=fixed "
      "object-class=\"person, bicycle\"", 64, 48);
  GstBuffer *in = gray_frame (64, 48, 4);
  const GstStructure *s;
  GstBuffer *out;

  add_roi (in, "car", 0, 0, 30, 30)->id = 1;
  add_roi (in, "person", 10, 10, 30, 30)->id = 2;
  add_roi (in, "Person", 10, 10, 30, 30)->id = 3;
  add_roi (in, NULL, 5, 5, 30, 30)->id = 4;
  add_roi (in, "bicycle", 20, 10, 30, 30)->id = 5;
  out = gst_harness_push_and_pull (h, in);
  s = frame_meta (out);
  g_assert_cmpuint (n_objects (s), ==, 2);
  g_assert_cmpint (get_int (nth_object (s, 0), "id"), ==, 2);
  g_assert_cmpint (get_int (nth_object (s, 1), "id"), ==, 5);
  assert_params_match_objects (out, s);
  /* the decoys pass untouched */
  g_assert_null (roi_by_id (out, 1)->params);
  g_assert_null (roi_by_id (out, 3)->params);
  g_assert_null (roi_by_id (out, 4)->params);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

static void
test_roi_degenerate (void)
{
  GstHarness *h = harness_new ("inference-region=roi-list threshold-mode=fixed", 64, 48);
  GstBuffer *in = gray_frame (64, 48, 5);
  const GstStructure *s;
  GstBuffer *out;

  add_roi (in, "person", 10, 10, 0, 20)->id = 1;
  add_roi (in, "person", 64, 0, 10, 10)->id = 2;
  add_roi (in, "person", G_MAXUINT, G_MAXUINT, G_MAXUINT, G_MAXUINT)->id = 3;
  add_roi (in, "person", 50, 40, G_MAXUINT, G_MAXUINT)->id = 4;
  out = gst_harness_push_and_pull (h, in);
  s = frame_meta (out);
  g_assert_cmpuint (get_uint (s, "degenerate"), ==, 3);
  g_assert_cmpuint (get_uint (s, "classified"), ==, 1);
  assert_params_match_objects (out, s);
  /* the last one, clipped */
  g_assert_cmpuint (get_uint (nth_object (s, 3), "w"), ==, 14);
  g_assert_cmpuint (get_uint (nth_object (s, 3), "h"), ==, 8);
  g_assert_cmpuint (stats_uint64 (classifier (h), "regions-degenerate"), ==, 3);
  g_assert_cmpuint (stats_uint64 (classifier (h), "regions"), ==, 4);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

static void
test_roi_caps_change (void)
{
  GstHarness *h = harness_new ("inference-region=roi-list threshold-mode=fixed", 64, 48);
  GstBuffer *in = gray_frame (64, 48, 6);
  const GstStructure *s;
  GstBuffer *out;

  add_roi (in, "person", 20, 10, 40, 30)->id = 1;
  add_roi (in, "person", 40, 30, 10, 10)->id = 2;
  out = gst_harness_push_and_pull (h, in);
  s = frame_meta (out);
  g_assert_cmpuint (get_uint (s, "degenerate"), ==, 0);
  g_assert_cmpuint (get_uint (nth_object (s, 0), "w"), ==, 40);
  gst_buffer_unref (out);

  /* the same boxes on smaller frames: clipped to the new size */
  gst_harness_set_src_caps_str (h, "video/x-raw,format=GRAY8,width=32,height=24,"
      "framerate=30/1");
  in = gray_frame (32, 24, 7);
  add_roi (in, "person", 20, 10, 40, 30)->id = 1;
  add_roi (in, "person", 40, 30, 10, 10)->id = 2;
  out = gst_harness_push_and_pull (h, in);
  s = frame_meta (out);
  g_assert_cmpuint (get_uint (nth_object (s, 0), "w"), ==, 12);
  g_assert_cmpuint (get_uint (nth_object (s, 0), "h"), ==, 14);
  g_assert_true (get_boolean (nth_object (s, 1), "degenerate"));
  assert_params_match_objects (out, s);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

static void
test_roi_no_regions (void)
{
  GstHarness *h = harness_new ("inference-region=roi-list", 64, 48);
  GstBuffer *out = gst_harness_push_and_pull (h, gray_frame (64, 48, 8));
  const GstStructure *s = frame_meta (out);

  g_assert_cmpuint (get_uint (s, "regions"), ==, 0);
  g_assert_cmpuint (get_uint (s, "classified"), ==, 0);
  g_assert_cmpuint (get_uint (s, "skipped"), ==, 0);
  g_assert_cmpuint (get_uint (s, "degenerate"), ==, 0);
  g_assert_cmpuint (get_uint64 (s, "macs"), ==, 0);
  g_assert_cmpuint (n_objects (s), ==, 0);
  g_assert_cmpuint (stats_uint64 (classifier (h), "frames"), ==, 1);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

static void
test_roi_message (void)
{
  GstHarness *h = harness_new ("inference-region=roi-list threshold-mode=fixed "
      "post-messages=true", 64, 48);
  g_autoptr (GstBus) bus = gst_bus_new ();
  GstBuffer *in = gray_frame (64, 48, 9);
  const GstStructure *s, *m;
  GstMessage *msg;
  GstBuffer *out;

  gst_element_set_bus (classifier (h), bus);
  add_roi (in, "person", 0, 0, 30, 30);
  out = gst_harness_push_and_pull (h, in);
  s = frame_meta (out);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT);
  g_assert_nonnull (msg);
  m = gst_message_get_structure (msg);
  g_assert_cmpstr (gst_structure_get_name (m), ==, "ranet");
  for (gint f = 0; f < gst_structure_n_fields (s); f++) {
    const char *field = gst_structure_nth_field_name (s, f);

    g_assert_true (gst_structure_has_field (m, field));
    g_assert_cmpint (gst_value_compare (gst_structure_get_value (m, field),
            gst_structure_get_value (s, field)), ==, GST_VALUE_EQUAL);
  }
  g_assert_true (gst_structure_has_field (m, "timestamp"));
  /* fixed thresholds: no operating point, no budget */
  g_assert_cmpint (get_int (m, "operating-point"), ==, -1);
  g_assert_cmpuint (get_uint64 (m, "budget"), ==, 0);
  gst_message_unref (msg);
  gst_element_set_bus (classifier (h), NULL);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

/* Adaptive with a latency budget: the frame's metadata says the budget and a
 * calibrated operating point. */
static void
test_roi_budget (void)
{
  GstHarness *h = harness_new ("inference-region=roi-list latency-budget=50000000", 64, 48);
  GstBuffer *in = gray_frame (64, 48, 4);
  const GstStructure *s;
  GstBuffer *out;

  add_roi (in, "person", 0, 0, 30, 30);
  out = gst_harness_push_and_pull (h, in);
  s = frame_meta (out);
  g_assert_cmpuint (get_uint64 (s, "budget"), ==, 50 * GST_MSECOND);
  g_assert_cmpint (get_int (s, "operating-point"), >=, 0);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  gst_init (NULL, NULL);
  device = ranet_vk_device_get_shared (NULL, &error);
  g_assert_no_error (error);
  g_test_add_func ("/element-roi/properties/defaults", test_property_defaults);
  g_test_add_func ("/element-roi/properties/round-trip", test_property_round_trip);
  g_test_add_func ("/element-roi/object-class/parse", test_object_class_parse);
  g_test_add_func ("/element-roi/object-class/choice", test_object_class_choice);
  g_test_add_func ("/element-roi/clip", test_clip);
  g_test_add_func ("/element-roi/collect", test_collect);
  g_test_add_func ("/element-roi/structure/param-classified", test_param_classified);
  g_test_add_func ("/element-roi/structure/param-skipped", test_param_skipped);
  g_test_add_func ("/element-roi/structure/param-without-labels", test_param_without_labels);
  g_test_add_func ("/element-roi/structure/frame", test_frame_structure);
  g_test_add_func ("/element-roi/structure/frame-empty", test_frame_structure_empty);
  g_test_add_func ("/element-roi/structure/stats", test_stats_structure);
  g_test_add_func ("/element-roi/full-frame/unchanged", test_full_frame_unchanged);
  g_test_add_func ("/element-roi/full-frame/shared-frame-not-copied",
      test_shared_frame_not_copied);
  g_test_add_func ("/element-roi/roi-list/params-match-frame-meta",
      test_roi_params_match_frame_meta);
  g_test_add_func ("/element-roi/roi-list/object-class-decoys", test_roi_object_class_decoys);
  g_test_add_func ("/element-roi/roi-list/degenerate", test_roi_degenerate);
  g_test_add_func ("/element-roi/roi-list/caps-change", test_roi_caps_change);
  g_test_add_func ("/element-roi/roi-list/no-regions", test_roi_no_regions);
  g_test_add_func ("/element-roi/roi-list/message", test_roi_message);
  g_test_add_func ("/element-roi/roi-list/budget", test_roi_budget);
  ret = g_test_run ();

  if (ranet_vk_device_get_validation_error_count (device) > 0) {
    g_printerr ("%u Vulkan validation errors\n", ranet_vk_device_get_validation_error_count (device));
    ret = 1;
  }
  g_clear_pointer (&device, ranet_vk_device_unref);
  gst_deinit ();
  return ret;
}
