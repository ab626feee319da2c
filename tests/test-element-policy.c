/* test-element-policy.c: the frame-rate policy's decisions reach the frames.
 *
 * With GstHarness and the built-in model: the metadata's threshold, exit and
 * forced fields agree with the thresholds the element reports in use, a budget
 * below the first stage's cost forces every frame out at exit 0, no budget
 * means the calibration's most accurate point, an ample one forces no frame
 * (the stream's first included), and a flood of QoS events shrinks the
 * budget without a single frame being dropped, even with the base class's
 * qos property set. In a live pipeline the element adds its budget to the
 * latency. Every numeric property, at the ends of its range, reads back as
 * set and gives the budget and frames it implies. Online calibration probes
 * and recomputes the thresholds as its properties say. */
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/gst.h>
#include <string.h>

#include "model/ranet-model.h"
#include "ranet-classification-meta.h"
#include "vk/ranet-vk.h"

#define BUILTIN_MODEL_PATH RANET_SOURCE_ROOT "/models/fashion-mnist-ranet.safetensors"

#define N_FRAMES 40

/* Held for the whole program, so that the element's many starts reuse one
 * device instead of creating one each time. */
static RanetVkDevice *device;

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

/* @point is the most accurate of the built-in model's calibrated operating
 * points (by validation accuracy, as the policy ranks them; any of several
 * equally accurate ones), and the thresholds in use are its own. */
static void
assert_most_accurate_point (GstElement *e, gint point)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RanetModel) model = ranet_model_load_file (BUILTIN_MODEL_PATH, &error);
  const RanetCalibration *cal;
  gdouble best = -G_MAXDOUBLE;

  g_assert_no_error (error);
  cal = ranet_model_get_calibration (model);
  for (guint i = 0; i < cal->n_operating_points; i++)
    best = MAX (best, cal->operating_points[i].val_accuracy);
  g_test_message ("operating point %d of %u: %.2f%%, the best %.2f%%", point,
      cal->n_operating_points, cal->operating_points[point].val_accuracy, best);
  g_assert_cmpint (point, >=, 0);
  g_assert_cmpint (point, <, (gint) cal->n_operating_points);
  g_assert_cmpfloat (cal->operating_points[point].val_accuracy, ==, best);

  g_autoptr (GArray) used = current_thresholds (e);
  g_assert_cmpuint (used->len, ==, cal->n_exits);
  for (guint k = 0; k + 1 < cal->n_exits; k++)
    g_assert_cmpfloat (g_array_index (used, gdouble, k), ==,
        cal->operating_points[point].thresholds[k]);
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
  assert_most_accurate_point (e, point);
  g_assert_cmpuint (stats_uint64 (e, "budget"), ==, 0);
  g_assert_cmpuint (stats_uint64 (e, "forced-exits"), ==, 0);
  gst_object_unref (e);
  gst_harness_teardown (h);
}

/* The sum of a stats array of doubles, after checking its length. */
static gdouble
stats_array_sum (GstElement *e, const char *field, guint n)
{
  GstStructure *s = NULL;
  const GValue *array;
  gdouble sum = 0.0;

  g_object_get (e, "stats", &s, NULL);
  array = gst_structure_get_value (s, field);
  g_assert_nonnull (array);
  g_assert_cmpuint (gst_value_array_get_size (array), ==, n);
  for (guint k = 0; k < n; k++)
    sum += g_value_get_double (gst_value_array_get_value (array, k));
  gst_structure_free (s);
  return sum;
}

static gchar *
stats_string (GstElement *e, const char *field)
{
  GstStructure *s = NULL;
  gchar *v;

  g_object_get (e, "stats", &s, NULL);
  v = g_strdup (gst_structure_get_string (s, field));
  gst_structure_free (s);
  return v;
}

/* Online calibration is off by default; on, one frame in calibration-interval
 * is a probe, a full window recomputes the thresholds (every frame's metadata
 * still agrees with the thresholds the element says it used), and stats say
 * so. */
static void
test_online_calibration (void)
{
  GstElement *fresh = gst_element_factory_make ("ranetclassify", NULL);
  GstHarness *h;
  GstElement *e;
  gboolean online;
  guint interval, window;

  g_object_get (fresh, "online-calibration", &online, "calibration-interval", &interval,
      "calibration-window", &window, NULL);
  g_assert_false (online);
  g_assert_cmpuint (interval, ==, 30);
  g_assert_cmpuint (window, ==, 500);
  gst_object_unref (fresh);

  h = start_harness ("ranetclassify name=c online-calibration=true calibration-interval=2 "
      "calibration-window=10", FALSE);
  e = classifier (h);
  {
    g_autofree gchar *source = stats_string (e, "calibration-source");
    g_assert_cmpstr (source, ==, "file");
  }
  for (guint i = 0; i < N_FRAMES; i++) {
    GstBuffer *buf;
    push_and_check (h, e, i, &buf);
    gst_buffer_unref (buf);
  }
  /* no budget: every second frame is a probe */
  g_assert_cmpuint (stats_uint64 (e, "probe-frames"), ==, N_FRAMES / 2);
  /* first when the window is full, then every tenth of it */
  g_assert_cmpuint (stats_uint64 (e, "recalibrations"), ==, N_FRAMES / 2 - 10);
  {
    g_autofree gchar *source = stats_string (e, "calibration-source");
    g_assert_cmpstr (source, ==, "online");
  }
  g_assert_cmpuint (stats_uint64 (e, "share-frames"), >, 0);
  g_assert_cmpfloat_with_epsilon (stats_array_sum (e, "realised-shares", 5), 1.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (stats_array_sum (e, "planned-shares", 5), 1.0, 1e-9);
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

/* A budget far above what a frame takes: no frame is forced, the stream's
 * first included (the policy has its first estimates from a run at start,
 * so even a frame run as one submission may go to the last exit). */
static void
test_ample_budget_first_frame (void)
{
  /* 10 s */
  GstHarness *h = start_harness ("ranetclassify name=c latency-budget=10000000000", TRUE);
  GstElement *e = classifier (h);

  for (guint i = 0; i < N_FRAMES; i++) {
    GstBuffer *buf;
    RanetClassification r = push_and_check (h, e, i, &buf);

    if (r.forced)
      g_error ("frame %u forced out at exit %d (confidence %.3f, threshold %.3f)",
          i, r.exit_index, r.confidence, r.threshold);
    gst_buffer_unref (buf);
  }
  g_assert_cmpuint (stats_uint64 (e, "forced-exits"), ==, 0);
  g_assert_cmpuint (stats_uint64 (e, "deadline-misses"), ==, 0);
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

/* ---- latency ---- */

/* The element named c's answer to the latency query, and upstream's. */
static void
element_latency (GstElement *pipeline, GstClockTime *min, GstClockTime *max,
    GstClockTime *up_min, GstClockTime *up_max)
{
  g_autoptr (GstElement) e = gst_bin_get_by_name (GST_BIN (pipeline), "c");
  g_autoptr (GstPad) src = gst_element_get_static_pad (e, "src");
  g_autoptr (GstPad) sink = gst_element_get_static_pad (e, "sink");
  g_autoptr (GstQuery) ours = gst_query_new_latency ();
  g_autoptr (GstQuery) upstream = gst_query_new_latency ();
  gboolean live, up_live;

  g_assert_true (gst_pad_query (src, ours));
  g_assert_true (gst_pad_peer_query (sink, upstream));
  gst_query_parse_latency (ours, &live, min, max);
  gst_query_parse_latency (upstream, &up_live, up_min, up_max);
  g_assert_true (live);
  g_assert_true (up_live);
}

/* The element adds @expect to upstream's latency (short of none, however
 * large; G_MAXUINT64: some positive figure under a second), to max as well
 * where that is not none. */
static void
assert_latency_added (GstElement *pipeline, GstClockTime expect)
{
  GstClockTime min, max, up_min, up_max;

  element_latency (pipeline, &min, &max, &up_min, &up_max);
  g_test_message ("latency %" GST_TIME_FORMAT " upstream %" GST_TIME_FORMAT,
      GST_TIME_ARGS (min), GST_TIME_ARGS (up_min));
  if (expect == G_MAXUINT64) {
    g_assert_cmpuint (min, >, up_min);
    g_assert_cmpuint (min - up_min, <, GST_SECOND);
    expect = min - up_min;
  } else if (expect > GST_CLOCK_TIME_NONE - 1 - up_min) {
    g_assert_cmpuint (min, ==, GST_CLOCK_TIME_NONE - 1);
  } else {
    g_assert_cmpuint (min, ==, up_min + expect);
  }
  if (!GST_CLOCK_TIME_IS_VALID (up_max))
    g_assert_cmpuint (max, ==, GST_CLOCK_TIME_NONE);
  else if (expect > GST_CLOCK_TIME_NONE - 1 - up_max)
    g_assert_cmpuint (max, ==, GST_CLOCK_TIME_NONE - 1);
  else
    g_assert_cmpuint (max, ==, up_max + expect);
}

/* Pops the bus down to the element's latency messages: how many there were. */
static guint
count_latency_messages (GstBus *bus)
{
  GstMessage *msg;
  guint n = 0;

  while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_LATENCY)) != NULL) {
    n += g_str_equal (GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)), "c");
    gst_message_unref (msg);
  }
  return n;
}

/* Sets @prop to @value (a string, as gst-launch-1.0 would) while playing:
 * the element posts one latency message, then adds @expect to the latency
 * (see assert_latency_added()). */
static void
change_and_expect_latency (GstElement *pipeline, GstBus *bus, const char *prop,
    const char *value, GstClockTime expect)
{
  g_autoptr (GstElement) e = gst_bin_get_by_name (GST_BIN (pipeline), "c");

  g_test_message ("%s=%s", prop, value);
  count_latency_messages (bus);
  gst_util_set_object_arg (G_OBJECT (e), prop, value);
  g_assert_cmpuint (count_latency_messages (bus), ==, 1);
  assert_latency_added (pipeline, expect);
}

/* A live source and a synchronised sink: the element adds its budget to the
 * pipeline's latency, says so when it changes, and adds nothing when told
 * not to. */
static void
test_latency_live (void)
{
  g_autoptr (GError) error = NULL;
  GstElement *pipeline = gst_parse_launch ("videotestsrc is-live=true "
      "! video/x-raw,format=GRAY8,width=28,height=28,framerate=30/1 "
      "! ranetclassify name=c ! fakesink name=sink sync=true", &error);
  g_autoptr (GstElement) e = gst_bin_get_by_name (GST_BIN (pipeline), "c");
  g_autoptr (GstElement) sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  g_autoptr (GstBus) bus = gst_element_get_bus (pipeline);
  g_autoptr (GstQuery) query = gst_query_new_latency ();
  GstClockTime min, max, sink_deadline;
  gboolean live;

  g_assert_no_error (error);
  g_assert_cmpint (gst_element_set_state (pipeline, GST_STATE_PLAYING), !=,
      GST_STATE_CHANGE_FAILURE);
  /* negotiated and streaming: the period is known */
  for (guint i = 0; i < 1200 && stats_uint64 (e, "frames") < 3; i++)
    g_usleep (50000);
  g_assert_cmpuint (stats_uint64 (e, "frames"), >=, 3);

  /* half the period, in the whole pipeline's latency too: videotestsrc's
   * one frame, that, and the sink's processing deadline */
  assert_latency_added (pipeline, GST_SECOND / 30 / 2);
  g_assert_true (gst_element_query (pipeline, query));
  gst_query_parse_latency (query, &live, &min, &max);
  g_object_get (sink, "processing-deadline", &sink_deadline, NULL);
  g_assert_true (live);
  g_assert_cmpuint (min, ==, GST_SECOND / 30 + GST_SECOND / 30 / 2 + sink_deadline);

  change_and_expect_latency (pipeline, bus, "latency-budget", "5000000", 5 * GST_MSECOND);
  change_and_expect_latency (pipeline, bus, "latency-budget", "18446744073709551615",
      G_MAXUINT64 - 1);
  change_and_expect_latency (pipeline, bus, "latency-budget", "0", GST_SECOND / 30 / 2);
  change_and_expect_latency (pipeline, bus, "budget-fraction", "0.25", GST_SECOND / 30 / 4);
  change_and_expect_latency (pipeline, bus, "target-fps", "100", GST_SECOND / 100 / 4);
  /* no budget: a frame through every exit as timed at start */
  change_and_expect_latency (pipeline, bus, "threshold-mode", "fixed", G_MAXUINT64);
  change_and_expect_latency (pipeline, bus, "report-latency", "false", 0);
  /* nothing changes what it reports now: no message */
  g_object_set (e, "threshold-mode", 0 /* adaptive */, "latency-budget", (guint64) 1, NULL);
  g_assert_cmpuint (count_latency_messages (bus), ==, 0);
  assert_latency_added (pipeline, 0);
  change_and_expect_latency (pipeline, bus, "report-latency", "true", 1);

  g_assert_cmpint (gst_element_set_state (pipeline, GST_STATE_NULL), ==,
      GST_STATE_CHANGE_SUCCESS);
  gst_object_unref (pipeline);
}

/* ---- every numeric property at the ends of its range ----
 * Each value is set while playing (every one of these properties may be) on
 * one element per property, and N_BOUND_FRAMES frames show what it does. */

#define N_BOUND_FRAMES 6
#define CAPS_PERIOD_NS (GST_SECOND / 30)   /* 33333333 */

/* What N_BOUND_FRAMES frames came out as. */
typedef struct {
  guint classified, forced, reused;
  guint exits[16];
  gint last_exit;   /* the network's */
  guint64 deadline_misses;
} Outcome;

/* An element with @props set before it starts, its warnings on @bus (NULL:
 * nobody listens), in a harness fed 28x28 grey frames at 30 frames/s. */
static GstHarness *
start_element (const char *props, GstBus *bus, GstElement **element)
{
  g_autofree char *desc = g_strdup_printf ("ranetclassify name=c %s", props);
  g_autoptr (GError) error = NULL;
  GstElement *e = gst_parse_launch (desc, &error);
  GstHarness *h;

  g_assert_no_error (error);
  g_assert_true (GST_IS_ELEMENT (e) && !GST_IS_BIN (e));
  if (bus != NULL)
    gst_element_set_bus (e, bus);
  h = gst_harness_new_with_element (e, "sink", "src");
  gst_harness_set_src_caps_str (h, "video/x-raw,format=GRAY8,width=28,height=28,framerate=30/1");
  *element = e;   /* the harness holds it */
  gst_object_unref (e);
  return h;
}

static Outcome
run_bound_frames (GstHarness *h, GstElement *e)
{
  Outcome o = { 0 };
  guint64 frames = stats_uint64 (e, "frames");
  guint64 classified = stats_uint64 (e, "classified");
  guint64 misses = stats_uint64 (e, "deadline-misses");

  for (guint i = 0; i < N_BOUND_FRAMES; i++) {
    GstBuffer *buf;
    RanetClassification r = push_and_check (h, e, i, &buf);

    g_assert_cmpint (r.exit_index, >=, 0);
    g_assert_cmpint (r.exit_index, <, r.num_exits);
    g_assert_cmpint (r.class_id, >=, 0);
    g_assert_cmpint (r.class_id, <, 10);
    o.classified += !r.reused;
    o.forced += r.forced;
    o.reused += r.reused;
    o.exits[r.exit_index]++;
    o.last_exit = r.num_exits - 1;
    gst_buffer_unref (buf);
  }
  g_assert_cmpuint (stats_uint64 (e, "frames") - frames, ==, N_BOUND_FRAMES);
  g_assert_cmpuint (stats_uint64 (e, "classified") - classified, ==, o.classified);
  o.deadline_misses = stats_uint64 (e, "deadline-misses") - misses;
  return o;
}

static void
test_bounds_latency_budget (void)
{
  static const struct {
    guint64 value;
    guint64 budget;
  } cases[] = {
    { G_MAXUINT64, G_MAXUINT64 },       /* not wrapped to 0 */
    { 1, 1 },
    { 2, 2 },
    { G_MAXINT64, G_MAXINT64 },         /* not rounded to 2^63 */
    { G_MAXUINT64 - 1, G_MAXUINT64 - 1 },
    { 0, CAPS_PERIOD_NS / 2 },          /* none: half the caps' period */
  };
  GstElement *e;
  /* set before the start too */
  GstHarness *h = start_element ("latency-budget=18446744073709551615", NULL, &e);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    guint64 value;
    Outcome o;

    g_test_message ("latency-budget=%" G_GUINT64_FORMAT, cases[i].value);
    g_object_set (e, "latency-budget", cases[i].value, NULL);
    g_object_get (e, "latency-budget", &value, NULL);
    g_assert_cmpuint (value, ==, cases[i].value);
    g_assert_cmpuint (stats_uint64 (e, "budget"), ==, cases[i].budget);
    o = run_bound_frames (h, e);
    g_assert_cmpuint (o.classified, ==, N_BOUND_FRAMES);
    g_assert_cmpuint (stats_uint64 (e, "budget"), ==, cases[i].budget);
    /* the latency it reports, short of none */
    g_assert_cmpuint (gst_harness_query_latency (h), ==,
        MIN (cases[i].budget, GST_CLOCK_TIME_NONE - 1));
    if (cases[i].value > 0 && cases[i].value <= 2) {
      /* nanoseconds: no stage after the first can start */
      g_assert_cmpuint (o.exits[0], ==, N_BOUND_FRAMES);
      g_assert_cmpuint (o.deadline_misses, ==, N_BOUND_FRAMES);
    } else if (cases[i].value >= G_MAXINT64) {
      /* centuries: no frame is late */
      g_assert_cmpuint (o.deadline_misses, ==, 0);
    }
  }
  gst_harness_teardown (h);
}

static void
test_bounds_target_fps (void)
{
  static const struct {
    gdouble value;
    guint64 budget;
  } cases[] = {
    /* the smallest positive double: a period past G_MAXUINT64 ns, saturated,
     * times 0.5 */
    { 4.9406564584124654e-324, (guint64) G_MAXINT64 + 1 },
    { 1e-9, G_GUINT64_CONSTANT (500000000000000000) },
    { 999.9999999999999, 500000 },
    { 1000.0, 500000 },
    { 0.0, CAPS_PERIOD_NS / 2 },        /* the caps' 30/1 */
  };
  GstElement *e;
  GstHarness *h = start_element ("target-fps=4.9406564584124654e-324", NULL, &e);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    gdouble value;
    Outcome o;

    g_test_message ("target-fps=%.17g", cases[i].value);
    g_object_set (e, "target-fps", cases[i].value, NULL);
    g_object_get (e, "target-fps", &value, NULL);
    g_assert_cmpfloat (value, ==, cases[i].value);
    o = run_bound_frames (h, e);
    g_assert_cmpuint (o.classified, ==, N_BOUND_FRAMES);
    /* 1e9 / 1e-9 in doubles is 1e18 within a few units in the last place */
    if (cases[i].value == 1e-9) {
      g_assert_cmpfloat_with_epsilon ((gdouble) stats_uint64 (e, "budget"),
          (gdouble) cases[i].budget, 1e3);
    } else {
      g_assert_cmpuint (stats_uint64 (e, "budget"), ==, cases[i].budget);
      g_assert_cmpuint (gst_harness_query_latency (h), ==, cases[i].budget);
    }
    if (cases[i].value > 0.0 && cases[i].value < 1.0)
      g_assert_cmpuint (o.deadline_misses, ==, 0);
  }
  gst_harness_teardown (h);
}

static void
test_bounds_budget_fraction (void)
{
  static const struct {
    gdouble value;
    guint64 budget;
  } cases[] = {
    { 0.01, CAPS_PERIOD_NS / 100 },
    { 0.010000000000000002, CAPS_PERIOD_NS / 100 },
    { 1.0, CAPS_PERIOD_NS },
    { 0.5, CAPS_PERIOD_NS / 2 },
  };
  GstElement *e;
  GstHarness *h = start_element ("budget-fraction=0.01", NULL, &e);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    gdouble value;
    Outcome o;

    g_test_message ("budget-fraction=%.17g", cases[i].value);
    g_object_set (e, "budget-fraction", cases[i].value, NULL);
    g_object_get (e, "budget-fraction", &value, NULL);
    g_assert_cmpfloat (value, ==, cases[i].value);
    o = run_bound_frames (h, e);
    g_assert_cmpuint (o.classified, ==, N_BOUND_FRAMES);
    g_assert_cmpuint (stats_uint64 (e, "budget"), ==, cases[i].budget);
    g_assert_cmpuint (gst_harness_query_latency (h), ==, cases[i].budget);
  }
  gst_harness_teardown (h);
}

static void
test_bounds_threshold (void)
{
  static const gdouble values[] = {
    0.0, 4.9406564584124654e-324, 0.9999999999999999, 1.0,
  };
  GstElement *e;
  GstHarness *h = start_element ("threshold-mode=fixed threshold=0", NULL, &e);

  for (guint i = 0; i < G_N_ELEMENTS (values); i++) {
    gdouble value;
    Outcome o;

    g_test_message ("threshold=%.17g", values[i]);
    g_object_set (e, "threshold", values[i], NULL);
    g_object_get (e, "threshold", &value, NULL);
    g_assert_cmpfloat (value, ==, values[i]);
    o = run_bound_frames (h, e);
    g_assert_cmpuint (o.classified, ==, N_BOUND_FRAMES);
    g_assert_cmpuint (o.forced, ==, 0);
    /* any confidence reaches a threshold of (nearly) 0: the first exit;
     * (nearly) 1 takes a softmax of exactly 1, which these frames never give */
    g_assert_cmpuint (o.exits[values[i] < 0.5 ? 0 : o.last_exit], ==, N_BOUND_FRAMES);
  }
  gst_harness_teardown (h);
}

/* The next warning on @bus, which must mention @text; NULL: there must be none. */
static void
expect_warning (GstBus *bus, const char *text)
{
  g_autoptr (GstMessage) msg = gst_bus_pop_filtered (bus, GST_MESSAGE_WARNING);
  g_autoptr (GError) error = NULL;
  g_autofree char *debug = NULL;

  if (text == NULL) {
    g_assert_null (msg);
    return;
  }
  g_assert_nonnull (msg);
  gst_message_parse_warning (msg, &error, &debug);
  g_test_message ("warning: %s (%s)", error->message, debug);
  g_assert_nonnull (strstr (error->message, text));
}

/* Past the model's last exit (4), max-exit lets frames reach every exit and
 * says so on the bus: at start, and when set while playing. */
static void
test_bounds_max_exit (void)
{
  static const struct {
    gint value;
    gint exit;        /* where a threshold of 1 leaves every frame */
    const char *warning;
  } cases[] = {
    { -1, 4, NULL }, { 0, 0, NULL }, { 3, 3, NULL }, { 4, 4, NULL },
    { 5, 4, "max-exit 5 is beyond the model's last exit, 4" },
    { G_MAXINT, 4, "max-exit 2147483647 is beyond the model's last exit, 4" },
  };
  g_autoptr (GstBus) bus = gst_bus_new ();
  GstElement *e;
  GstHarness *h = start_element ("threshold-mode=fixed threshold=1 max-exit=99", bus, &e);
  gint value;
  Outcome o;

  g_object_get (e, "max-exit", &value, NULL);
  g_assert_cmpint (value, ==, 99);
  expect_warning (bus, "max-exit 99 is beyond the model's last exit, 4");
  expect_warning (bus, NULL);
  o = run_bound_frames (h, e);
  g_assert_cmpuint (o.exits[4], ==, N_BOUND_FRAMES);
  g_assert_cmpuint (o.forced, ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_test_message ("max-exit=%d", cases[i].value);
    g_object_set (e, "max-exit", cases[i].value, NULL);
    g_object_get (e, "max-exit", &value, NULL);
    g_assert_cmpint (value, ==, cases[i].value);
    expect_warning (bus, cases[i].warning);
    expect_warning (bus, NULL);
    o = run_bound_frames (h, e);
    g_assert_cmpuint (o.exits[cases[i].exit], ==, N_BOUND_FRAMES);
    /* stopped below a threshold of 1 before the network's last exit */
    g_assert_cmpuint (o.forced, ==, cases[i].exit < o.last_exit ? N_BOUND_FRAMES : 0);
  }
  gst_element_set_bus (e, NULL);
  gst_harness_teardown (h);
}

static void
test_bounds_top_k (void)
{
  static const guint values[][2] = { { 1, 1 }, { 2, 2 }, { 999, 10 }, { 1000, 10 } };
  GstElement *e;
  GstHarness *h = start_element ("top-k=1000", NULL, &e);

  for (guint i = 0; i < G_N_ELEMENTS (values); i++) {
    GstBuffer *buf;
    guint value;

    g_object_set (e, "top-k", values[i][0], NULL);
    g_object_get (e, "top-k", &value, NULL);
    g_assert_cmpuint (value, ==, values[i][0]);
    push_and_check (h, e, i, &buf);
    /* as many as asked, at most every class */
    g_assert_cmpuint (gst_value_array_get_size (gst_structure_get_value (
                ranet_classification_meta_get_structure (buf), "top-k")), ==, values[i][1]);
    gst_buffer_unref (buf);
  }
  gst_harness_teardown (h);
}

static void
test_bounds_inference_interval (void)
{
  static const guint values[] = { G_MAXUINT, 1, 2, G_MAXUINT - 1 };
  GstElement *e;
  GstHarness *h = start_element ("inference-interval=4294967295", NULL, &e);

  for (guint i = 0; i < G_N_ELEMENTS (values); i++) {
    guint value;
    Outcome o;

    g_test_message ("inference-interval=%u", values[i]);
    g_object_set (e, "inference-interval", values[i], NULL);
    g_object_get (e, "inference-interval", &value, NULL);
    g_assert_cmpuint (value, ==, values[i]);
    o = run_bound_frames (h, e);
    if (i == 0) {
      /* the stream's first frame, and not one more */
      g_assert_cmpuint (o.classified, ==, 1);
    } else if (values[i] <= 2) {
      /* every Nth frame after the last classified one (the set before's last) */
      g_assert_cmpuint (o.classified, ==, N_BOUND_FRAMES / values[i]);
    } else {
      /* the count goes on from the last classified frame */
      g_assert_cmpuint (o.classified, ==, 0);
    }
    g_assert_cmpuint (o.reused, ==, N_BOUND_FRAMES - o.classified);
  }
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
  g_test_add_func ("/element-policy/budget-below-first-stage", test_budget_below_first_stage);
  g_test_add_func ("/element-policy/no-budget", test_no_budget_uses_most_accurate_point);
  g_test_add_func ("/element-policy/fixed-mode", test_fixed_mode);
  g_test_add_func ("/element-policy/online-calibration", test_online_calibration);
  g_test_add_func ("/element-policy/qos-flood", test_qos_flood_never_drops);
  g_test_add_func ("/element-policy/qos-property", test_qos_property_never_drops);
  g_test_add_func ("/element-policy/ample-budget", test_ample_budget_first_frame);
  g_test_add_func ("/element-policy/latency-live", test_latency_live);
  g_test_add_func ("/element-policy/bounds/latency-budget", test_bounds_latency_budget);
  g_test_add_func ("/element-policy/bounds/target-fps", test_bounds_target_fps);
  g_test_add_func ("/element-policy/bounds/budget-fraction", test_bounds_budget_fraction);
  g_test_add_func ("/element-policy/bounds/threshold", test_bounds_threshold);
  g_test_add_func ("/element-policy/bounds/max-exit", test_bounds_max_exit);
  g_test_add_func ("/element-policy/bounds/top-k", test_bounds_top_k);
  g_test_add_func ("/element-policy/bounds/inference-interval", test_bounds_inference_interval);
  ret = g_test_run ();

  if (ranet_vk_device_get_validation_error_count (device) > 0) {
    g_printerr ("%u Vulkan validation errors\n", ranet_vk_device_get_validation_error_count (device));
    ret = 1;
  }
  g_clear_pointer (&device, ranet_vk_device_unref);
  gst_deinit ();
  return ret;
}
