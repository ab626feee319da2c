/* test-element-policy.c: the frame-rate policy's decisions reach the frames.
 *
 * With GstHarness and the built-in model: the metadata's threshold, exit and
 * forced fields agree with the thresholds the element reports in use, a budget
 * below the first stage's cost forces every frame out at exit 0, no budget
 * means the most accurate calibrated point, and a flood of QoS events
 * shrinks the budget without a single frame being dropped, even with the
 * base class's qos property set. */
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/gst.h>

#include "ranet-classification-meta.h"

#define N_FRAMES 40

/* A 28x28 grey frame with a deterministic pattern that varies per frame. */
static GstBuffer *
make_frame (guint i)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, 28 * 28, NULL);
  GstMapInfo map;

  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  for (guint p = 0; p < 28 * 28; p++)
    map.data[p] = (guint8) ((p * (i + 3) * 2654435761u) >> 24);
  gst_buffer_unmap (buf, &map);
  GST_BUFFER_PTS (buf) = i * GST_SECOND / 30;
  GST_BUFFER_DURATION (buf) = GST_SECOND / 30;
  return buf;
}

static GstHarness *
start_harness (const char *launch, gboolean with_framerate)
{
  GstHarness *h = gst_harness_new_parse (launch);

  gst_harness_set_src_caps_str (h, with_framerate
      ? "video/x-raw,format=GRAY8,width=28,height=28,framerate=30/1"
      : "video/x-raw,format=GRAY8,width=28,height=28,framerate=0/1");
  return h;
}

static GstElement *
classifier (GstHarness *h)
{
  GstElement *e = gst_bin_get_by_name (GST_BIN (h->element), "c");
  g_assert_nonnull (e);
  return e;
}

static GArray *
current_thresholds (GstElement *e)
{
  GValue v = G_VALUE_INIT;
  GArray *out = g_array_new (FALSE, FALSE, sizeof (gdouble));

  g_object_get_property (G_OBJECT (e), "current-threshold", &v);
  for (guint k = 0; k < gst_value_array_get_size (&v); k++) {
    gdouble t = g_value_get_double (gst_value_array_get_value (&v, k));
    g_array_append_val (out, t);
  }
  g_value_unset (&v);
  return out;
}

/* Pushes one frame, pulls it, and checks that its metadata is consistent with
 * the thresholds the element says it used. */
static RanetClassification
push_and_check (GstHarness *h, GstElement *e, guint i, GstBuffer **out)
{
  RanetClassification r;
  GstBuffer *buf;

  g_assert_cmpint (gst_harness_push (h, make_frame (i)), ==, GST_FLOW_OK);
  buf = gst_harness_pull (h);
  g_assert_nonnull (buf);
  g_assert_true (ranet_classification_meta_read (buf, &r));

  g_autoptr (GArray) used = current_thresholds (e);
  g_assert_cmpuint (used->len, ==, (guint) r.num_exits);
  g_assert_cmpfloat (r.threshold, ==, g_array_index (used, gdouble, r.exit_index));
  if (r.forced)
    g_assert_cmpfloat (r.confidence, <, r.threshold);
  else
    g_assert_cmpfloat (r.confidence, >=, r.threshold);
  /* an unforced frame left at the first exit whose threshold it reached, so
   * it reached none before: nothing to check without the earlier confidences,
   * but the last exit's threshold is always 0 */
  g_assert_cmpfloat (g_array_index (used, gdouble, r.num_exits - 1), ==, 0.0);
  *out = buf;
  return r;
}

static guint64
stats_uint64 (GstElement *e, const char *field)
{
  GstStructure *s = NULL;
  guint64 v = 0;

  g_object_get (e, "stats", &s, NULL);
  g_assert_true (gst_structure_get_uint64 (s, field, &v));
  gst_structure_free (s);
  return v;
}

static void
test_budget_below_first_stage (void)
{
  GstHarness *h = start_harness ("ranetclassify name=c latency-budget=1", TRUE);
  GstElement *e = classifier (h);

  for (guint i = 0; i < N_FRAMES; i++) {
    GstBuffer *buf;
    RanetClassification r = push_and_check (h, e, i, &buf);
    /* 1 ns: no stage after the first can start */
    g_assert_cmpint (r.exit_index, ==, 0);
    g_assert_true (r.forced || r.confidence >= r.threshold);
    gst_buffer_unref (buf);
  }
  g_assert_cmpuint (stats_uint64 (e, "budget"), ==, 1);
  g_assert_cmpuint (stats_uint64 (e, "deadline-misses"), ==, N_FRAMES);
  g_assert_cmpuint (stats_uint64 (e, "classified"), ==, N_FRAMES);
  gst_object_unref (e);
  gst_harness_teardown (h);
}

static void
test_no_budget_uses_most_accurate_point (void)
{
  /* no framerate, no target-fps, no latency-budget: nothing to hold */
  GstHarness *h = start_harness ("ranetclassify name=c", FALSE);
  GstElement *e = classifier (h);
  gint point;

  for (guint i = 0; i < N_FRAMES; i++) {
    GstBuffer *buf;
    RanetClassification r = push_and_check (h, e, i, &buf);
    g_assert_false (r.forced);
    gst_buffer_unref (buf);
  }
  g_object_get (e, "operating-point", &point, NULL);
  g_assert_cmpint (point, >=, 0);
  g_assert_cmpuint (stats_uint64 (e, "budget"), ==, 0);
  g_assert_cmpuint (stats_uint64 (e, "forced-exits"), ==, 0);
  gst_object_unref (e);
  gst_harness_teardown (h);
}

static void
test_fixed_mode (void)
{
  GstHarness *h = start_harness ("ranetclassify name=c threshold-mode=fixed threshold=0.5",
      TRUE);
  GstElement *e = classifier (h);
  gint point;

  for (guint i = 0; i < N_FRAMES; i++) {
    GstBuffer *buf;
    RanetClassification r = push_and_check (h, e, i, &buf);
    g_assert_false (r.forced);
    if (r.exit_index < r.num_exits - 1)
      g_assert_cmpfloat (r.threshold, ==, 0.5);
    gst_buffer_unref (buf);
  }
  g_object_get (e, "operating-point", &point, NULL);
  g_assert_cmpint (point, ==, -1);
  g_assert_cmpuint (stats_uint64 (e, "budget"), ==, 0);
  gst_object_unref (e);
  gst_harness_teardown (h);
}

static void
test_qos_flood_never_drops (void)
{
  GstHarness *h = start_harness ("ranetclassify name=c", TRUE);
  GstElement *e = classifier (h);
  guint64 before, after;

  for (guint i = 0; i < 5; i++) {
    GstBuffer *buf;
    push_and_check (h, e, i, &buf);
    gst_buffer_unref (buf);
  }
  before = stats_uint64 (e, "budget");
  g_assert_cmpuint (before, ==, GST_SECOND / 30 / 2);

  /* downstream twice too slow and very late, reported 200 times */
  for (guint i = 0; i < 200; i++)
    g_assert_true (gst_harness_push_upstream_event (h,
            gst_event_new_qos (GST_QOS_TYPE_UNDERFLOW, 2.0, 50 * GST_MSECOND,
                5 * GST_SECOND / 30)));
  for (guint i = 5; i < N_FRAMES; i++) {
    GstBuffer *buf;
    push_and_check (h, e, i, &buf);
    gst_buffer_unref (buf);
  }
  after = stats_uint64 (e, "budget");
  g_test_message ("budget %" G_GUINT64_FORMAT " ns -> %" G_GUINT64_FORMAT " ns", before, after);
  g_assert_cmpuint (after, <, before / 2);
  /* every frame went through, and was classified */
  g_assert_cmpuint (stats_uint64 (e, "frames"), ==, N_FRAMES);
  g_assert_cmpuint (stats_uint64 (e, "classified"), ==, N_FRAMES);
  gst_object_unref (e);
  gst_harness_teardown (h);
}

/* GstBaseTransform's qos=true would drop every buffer that arrives later than
 * downstream's last QoS event says it can show; the element keeps that off
 * whatever is set, and still takes the event's word to shrink its budget. */
static void
test_qos_property_never_drops (void)
{
  GstHarness *h = start_harness ("ranetclassify name=c qos=true", TRUE);
  GstElement *e = classifier (h);
  guint64 nominal = GST_SECOND / 30 / 2;
  gboolean qos = TRUE;

  /* downstream twice too slow, and nothing before 10 s worth showing: every
   * frame below (1.3 s of video) would be late */
  g_assert_true (gst_harness_push_upstream_event (h,
          gst_event_new_qos (GST_QOS_TYPE_UNDERFLOW, 2.0, 10 * GST_SECOND, 0)));
  /* the event reached the policy (the budget comes back over the frames) */
  g_assert_cmpuint (stats_uint64 (e, "budget"), <, nominal);
  for (guint i = 0; i < N_FRAMES; i++)
    g_assert_cmpint (gst_harness_push (h, make_frame (i)), ==, GST_FLOW_OK);
  g_assert_cmpuint (gst_harness_buffers_received (h), ==, N_FRAMES);
  for (guint i = 0; i < N_FRAMES; i++) {
    RanetClassification r;
    GstBuffer *buf = gst_harness_pull (h);

    g_assert_nonnull (buf);
    g_assert_cmpuint (GST_BUFFER_PTS (buf), ==, i * GST_SECOND / 30);
    g_assert_true (ranet_classification_meta_read (buf, &r));
    gst_buffer_unref (buf);
  }
  g_assert_cmpuint (stats_uint64 (e, "frames"), ==, N_FRAMES);
  g_assert_cmpuint (stats_uint64 (e, "classified"), ==, N_FRAMES);
  /* and says so: the base class's QoS handling is off */
  g_object_set (e, "qos", TRUE, NULL);
  g_object_get (e, "qos", &qos, NULL);
  g_assert_false (qos);
  gst_object_unref (e);
  gst_harness_teardown (h);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  gst_init (NULL, NULL);
  g_test_add_func ("/element-policy/budget-below-first-stage", test_budget_below_first_stage);
  g_test_add_func ("/element-policy/no-budget", test_no_budget_uses_most_accurate_point);
  g_test_add_func ("/element-policy/fixed-mode", test_fixed_mode);
  g_test_add_func ("/element-policy/qos-flood", test_qos_flood_never_drops);
  g_test_add_func ("/element-policy/qos-property", test_qos_property_never_drops);
  return g_test_run ();
}
