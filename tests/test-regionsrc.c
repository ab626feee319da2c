/* test-regionsrc.c: ranetregionsrc's frames against the Fashion-MNIST files.
 *
 * Each run plays the last images of the test set (start-index near 10,000,
 * so that a run is a few frames) into an appsink and checks every frame:
 * the garment ROIs number `regions` but in the last frame, lie inside the
 * frame, overlap nothing, take the images in order with the labels file's
 * labels, and hold the images' bytes (exactly where unscaled, by the
 * documented nearest-neighbour rule where scaled) in every grey, R, G, B or
 * Y component, with neutral chroma; decoys carry no ground truth and sit on
 * a background that is not uniform; the set is covered once and the stream
 * ends. Then: the same seed gives the same frames, a crowded frame holds
 * fewer boxes without losing images, live timing, and the errors of bad
 * settings. Every test is skipped where dataset-fashion-mnist is missing. */
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <string.h>

#include "idx-file.h"

#define DATA_DIR "/usr/share/datasets/fashion-mnist"
#define IMAGES DATA_DIR "/t10k-images-idx3-ubyte.gz"
#define LABELS DATA_DIR "/t10k-labels-idx1-ubyte.gz"
#define SIDE 28
#define PULL_TIMEOUT (30 * GST_SECOND)

static const gchar *const class_names[] = {
  "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
  "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
};

static IdxFile *images, *labels;

static gboolean
have_dataset (void)
{
  if (images != NULL)
    return TRUE;
  g_test_skip ("dataset-fashion-mnist is not installed");
  return FALSE;
}

/* ---- running the source ---- */

typedef struct {
  GPtrArray *samples;         /* GstSample, in order */
  gboolean eos;
  gchar *error;               /* the first error message's text and debug */
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->samples, g_ptr_array_unref);
  g_clear_pointer (&run->error, g_free);
}

/* "ranetregionsrc @props ! @caps ! appsink", played to its end. */
static Run
run_source (const gchar *props, const gchar *caps)
{
  g_autofree gchar *desc = g_strdup_printf (
      "ranetregionsrc name=src %s ! %s ! appsink name=sink sync=false", props, caps);
  g_autoptr (GError) error = NULL;
  GstElement *pipeline = gst_parse_launch (desc, &error);
  GstElement *sink;
  GstBus *bus;
  GstMessage *msg;
  Run run = { g_ptr_array_new_with_free_func ((GDestroyNotify) gst_sample_unref), FALSE, NULL };

  g_assert_no_error (error);
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  bus = gst_element_get_bus (pipeline);
  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE) {
    GstSample *sample;

    while ((sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), PULL_TIMEOUT)) != NULL)
      g_ptr_array_add (run.samples, sample);
    run.eos = gst_app_sink_is_eos (GST_APP_SINK (sink));
  }
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  if (msg != NULL) {
    g_autoptr (GError) err = NULL;
    g_autofree gchar *debug = NULL;

    gst_message_parse_error (msg, &err, &debug);
    run.error = g_strdup_printf ("%s (%s)", err->message, debug ? debug : "");
    gst_message_unref (msg);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
  return run;
}

/* ---- what a frame must be ---- */

typedef struct {
  guint first;                /* start-index */
  guint regions;              /* garments per frame but the last */
  gboolean crowded;           /* frames may hold fewer (at least one) */
  guint decoys;
  guint min_size, max_size;
  guint n_scaled;             /* out: garment boxes of another side than 28 */
  gboolean live;              /* times start at the running time of the first frame */
} Expect;

static guint8
comp_at (const GstVideoFrame *frame, guint comp, guint x, guint y)
{
  const guint8 *data = GST_VIDEO_FRAME_COMP_DATA (frame, comp);

  return data[(gsize) y * GST_VIDEO_FRAME_COMP_STRIDE (frame, comp)
      + (gsize) x * GST_VIDEO_FRAME_COMP_PSTRIDE (frame, comp)];
}

/* The components that carry the grey level: R, G and B, or Y (or grey). */
static guint
n_grey_comps (const GstVideoFrame *frame)
{
  return GST_VIDEO_FORMAT_INFO_IS_RGB (frame->info.finfo) ? 3 : 1;
}

/* The image pixel that box pixel (x, y) shows: nearest, centre to centre. */
static guint8
image_pixel (guint index, guint side, guint x, guint y)
{
  guint sx = (2 * x + 1) * SIDE / (2 * side);
  guint sy = (2 * y + 1) * SIDE / (2 * side);

  return images->data[(gsize) index * SIDE * SIDE + sy * SIDE + sx];
}

static void
check_garment_pixels (const GstVideoFrame *frame, const GstVideoRegionOfInterestMeta *roi,
    guint index)
{
  for (guint c = 0; c < n_grey_comps (frame); c++)
    for (guint y = 0; y < roi->h; y++)
      for (guint x = 0; x < roi->w; x++) {
        guint8 want = image_pixel (index, roi->w, x, y);
        guint8 got = comp_at (frame, c, roi->x + x, roi->y + y);

        if (got != want)
          g_error ("image %u, component %u, box pixel (%u, %u): %u, expected %u",
              index, c, x, y, got, want);
      }
}

/* Decoys sit on the background: crops a classifier can tell from a plain
 * patch. */
static void
check_decoy_pixels (const GstVideoFrame *frame, const GstVideoRegionOfInterestMeta *roi)
{
  guint lo = 255, hi = 0;

  for (guint y = 0; y < roi->h; y++)
    for (guint x = 0; x < roi->w; x++) {
      guint v = comp_at (frame, 0, roi->x + x, roi->y + y);

      lo = MIN (lo, v);
      hi = MAX (hi, v);
    }
  g_assert_cmpuint (hi - lo, >=, 32);
}

static void
check_neutral_chroma (const GstVideoFrame *frame)
{
  if (!GST_VIDEO_FORMAT_INFO_IS_YUV (frame->info.finfo))
    return;
  for (guint c = 1; c < 3; c++)
    for (gint y = 0; y < GST_VIDEO_FRAME_COMP_HEIGHT (frame, c); y++)
      for (gint x = 0; x < GST_VIDEO_FRAME_COMP_WIDTH (frame, c); x++)
        g_assert_cmpuint (comp_at (frame, c, (guint) x, (guint) y), ==, 128);
}

/* The frame's garments and decoys, checked; returns the next image expected. */
static guint
check_frame (GstSample *sample, guint next, Expect *e, gboolean last)
{
  GstBuffer *buf = gst_sample_get_buffer (sample);
  GstVideoInfo info;
  GstVideoFrame frame;
  GPtrArray *rois = g_ptr_array_new ();
  gpointer state = NULL;
  GstMeta *meta;
  GQuark garment = g_quark_from_string ("garment"), decoy = g_quark_from_string ("decoy");
  guint garments = 0, decoys = 0, first = next;

  g_assert_true (gst_video_info_from_caps (&info, gst_sample_get_caps (sample)));
  g_assert_true (gst_video_frame_map (&frame, &info, buf, GST_MAP_READ));
  check_neutral_chroma (&frame);

  while ((meta = gst_buffer_iterate_meta_filtered (buf, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE)) != NULL) {
    GstVideoRegionOfInterestMeta *roi = (GstVideoRegionOfInterestMeta *) meta;

    /* inside the frame, square, of an allowed side, overlapping none before */
    g_assert_cmpuint (roi->x + roi->w, <=, (guint) info.width);
    g_assert_cmpuint (roi->y + roi->h, <=, (guint) info.height);
    g_assert_cmpuint (roi->w, ==, roi->h);
    g_assert_cmpuint (roi->w, >=, e->min_size);
    g_assert_cmpuint (roi->w, <=, e->max_size);
    for (guint i = 0; i < rois->len; i++) {
      const GstVideoRegionOfInterestMeta *o = g_ptr_array_index (rois, i);

      g_assert_false (roi->x < o->x + o->w && o->x < roi->x + roi->w
          && roi->y < o->y + o->h && o->y < roi->y + roi->h);
    }
    g_ptr_array_add (rois, roi);

    if (roi->roi_type == garment) {
      GstStructure *truth = gst_video_region_of_interest_meta_get_param (roi, "ground-truth");
      gint label_id = -1, index = -1;

      g_assert_nonnull (truth);
      g_assert_cmpuint (decoys, ==, 0);     /* garments first */
      g_assert_true (gst_structure_get_int (truth, "index", &index));
      g_assert_true (gst_structure_get_int (truth, "label_id", &label_id));
      g_assert_cmpint (index, ==, (gint) next);
      g_assert_cmpint (label_id, ==, labels->data[next]);
      g_assert_cmpstr (gst_structure_get_string (truth, "label"), ==, class_names[label_id]);
      check_garment_pixels (&frame, roi, next);
      e->n_scaled += roi->w != SIDE;
      next++;
      garments++;
    } else {
      g_assert_true (roi->roi_type == decoy);
      g_assert_null (roi->params);
      check_decoy_pixels (&frame, roi);
      decoys++;
    }
  }
  gst_video_frame_unmap (&frame);
  g_ptr_array_unref (rois);

  if (e->crowded) {
    g_assert_cmpuint (garments, >=, 1);
    g_assert_cmpuint (garments, <=, e->regions);
  } else if (last) {
    g_assert_cmpuint (garments, ==, images->dims[0] - first);
  } else {
    g_assert_cmpuint (garments, ==, e->regions);
  }
  if (!e->crowded)
    g_assert_cmpuint (decoys, ==, e->decoys);
  return next;
}

/* Every frame checked; the images from e->first to the last shown once, in
 * order, then EOS. Returns the frames' count. */
static guint
check_run (const Run *run, Expect *e)
{
  guint next = e->first;
  GstClockTime t0;

  g_assert_null (run->error);
  g_assert_cmpuint (run->samples->len, >, 0);
  t0 = GST_BUFFER_PTS (gst_sample_get_buffer (g_ptr_array_index (run->samples, 0)));
  g_assert_true (GST_CLOCK_TIME_IS_VALID (t0));
  if (!e->live)
    g_assert_cmpuint (t0, ==, 0);
  for (guint i = 0; i < run->samples->len; i++) {
    GstSample *sample = g_ptr_array_index (run->samples, i);
    GstBuffer *buf = gst_sample_get_buffer (sample);

    /* the framerate's times, 30/1 in every run */
    g_assert_cmpuint (GST_BUFFER_PTS (buf) - t0, ==, gst_util_uint64_scale (i, GST_SECOND, 30));
    next = check_frame (sample, next, e, i + 1 == run->samples->len);
  }
  g_assert_cmpuint (next, ==, images->dims[0]);
  g_assert_true (run->eos);
  return run->samples->len;
}

/* ---- tests ---- */

static void
check_format (const gchar *format, guint first, guint regions)
{
  g_autofree gchar *props = g_strdup_printf ("start-index=%u regions=%u", first, regions);
  g_autofree gchar *caps = g_strdup_printf (
      "video/x-raw,format=%s,width=640,height=480,framerate=30/1", format);
  Run run = run_source (props, caps);
  Expect e = { first, regions, FALSE, 4, SIDE, SIDE, 0 };
  guint n_images = images->dims[0] - first;

  g_test_message ("%s: %u frames", format, check_run (&run, &e));
  g_assert_cmpuint (run.samples->len, ==, (n_images + regions - 1) / regions);
  run_clear (&run);
}

static void
test_gray8 (void)
{
  if (!have_dataset ())
    return;
  /* 100 images: four frames of 24, then one of 4 */
  check_format ("GRAY8", images->dims[0] - 100, 24);
}

static void
test_i420 (void)
{
  if (!have_dataset ())
    return;
  check_format ("I420", images->dims[0] - 50, 24);
}

static void
test_other_formats (void)
{
  static const gchar *const formats[] = { "RGB", "BGRx", "RGBA", "xBGR", "NV12", "NV21", "Y444" };

  if (!have_dataset ())
    return;
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    check_format (formats[i], images->dims[0] - 20, 8);
}

static void
test_scaled (void)
{
  Run run;
  Expect e = { 0, 6, FALSE, 2, SIDE, 56, 0 };

  if (!have_dataset ())
    return;
  e.first = images->dims[0] - 40;
  run = run_source ("start-index=9960 regions=6 decoys=2 min-size=28 max-size=56 seed=3",
      "video/x-raw,format=GRAY8,width=640,height=480");
  check_run (&run, &e);
  g_assert_cmpuint (e.n_scaled, >, 20);
  run_clear (&run);
}

/* Frames of the same seed have the same bytes and ROIs; another seed moves
 * them. */
static gboolean
same_frames (const Run *a, const Run *b)
{
  if (a->samples->len != b->samples->len)
    return FALSE;
  for (guint i = 0; i < a->samples->len; i++) {
    GstBuffer *ba = gst_sample_get_buffer (g_ptr_array_index (a->samples, i));
    GstBuffer *bb = gst_sample_get_buffer (g_ptr_array_index (b->samples, i));
    gpointer sa = NULL, sb = NULL;
    GstVideoRegionOfInterestMeta *ra, *rb;

    {
      GstMapInfo ma, mb;
      gboolean equal;

      gst_buffer_map (ba, &ma, GST_MAP_READ);
      gst_buffer_map (bb, &mb, GST_MAP_READ);
      equal = ma.size == mb.size && memcmp (ma.data, mb.data, ma.size) == 0;
      gst_buffer_unmap (ba, &ma);
      gst_buffer_unmap (bb, &mb);
      if (!equal)
        return FALSE;
    }
    for (;;) {
      ra = (GstVideoRegionOfInterestMeta *) gst_buffer_iterate_meta_filtered (ba, &sa,
          GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE);
      rb = (GstVideoRegionOfInterestMeta *) gst_buffer_iterate_meta_filtered (bb, &sb,
          GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE);
      if (ra == NULL || rb == NULL)
        break;
      if (ra->roi_type != rb->roi_type || ra->x != rb->x || ra->y != rb->y || ra->w != rb->w)
        return FALSE;
    }
    if (ra != NULL || rb != NULL)
      return FALSE;
  }
  return TRUE;
}

static void
test_seed (void)
{
  const gchar *caps = "video/x-raw,format=GRAY8,width=640,height=480";
  Run a, b, c;

  if (!have_dataset ())
    return;
  a = run_source ("start-index=9970 regions=6 seed=7 max-size=40", caps);
  b = run_source ("start-index=9970 regions=6 seed=7 max-size=40", caps);
  c = run_source ("start-index=9970 regions=6 seed=8 max-size=40", caps);
  g_assert_null (a.error);
  g_assert_cmpuint (a.samples->len, ==, 5);
  g_assert_true (same_frames (&a, &b));
  g_assert_false (same_frames (&a, &c));
  run_clear (&a);
  run_clear (&b);
  run_clear (&c);
}

/* The element's warnings, counted while a test listens. */
static gint n_warnings;

static void
count_warnings (GstDebugCategory *category, GstDebugLevel level, const gchar *file,
    const gchar *function, gint line, GObject *object, GstDebugMessage *message,
    gpointer user_data)
{
  if (level == GST_LEVEL_WARNING
      && g_str_equal (gst_debug_category_get_name (category), "ranetregionsrc"))
    g_atomic_int_inc (&n_warnings);
}

static Run
run_counting_warnings (const gchar *props, const gchar *caps, gint *warnings)
{
  Run run;

  g_atomic_int_set (&n_warnings, 0);
  gst_debug_set_threshold_for_name ("ranetregionsrc", GST_LEVEL_WARNING);
  gst_debug_add_log_function (count_warnings, NULL, NULL);
  run = run_source (props, caps);
  gst_debug_remove_log_function (count_warnings);
  *warnings = g_atomic_int_get (&n_warnings);
  return run;
}

/* A 64x64 frame holds at most four boxes of 28: the frames hold what fits,
 * no image is lost, and the element says so once. The defaults in 640x480
 * fit without a word. */
static void
test_crowded (void)
{
  Run run;
  Expect e = { 0, 50, TRUE, 3, SIDE, SIDE, 0 };
  Expect roomy = { 0, 24, FALSE, 4, SIDE, SIDE, 0 };
  gint warnings = -1;

  if (!have_dataset ())
    return;
  e.first = images->dims[0] - 20;
  run = run_counting_warnings ("start-index=9980 regions=50 decoys=3",
      "video/x-raw,format=GRAY8,width=64,height=64", &warnings);
  check_run (&run, &e);
  g_assert_cmpuint (run.samples->len, >=, 5);
  g_assert_cmpint (warnings, ==, 1);
  run_clear (&run);

  roomy.first = images->dims[0] - 240;
  run = run_counting_warnings ("start-index=9760",
      "video/x-raw,format=GRAY8,width=640,height=480", &warnings);
  check_run (&run, &roomy);
  g_assert_cmpuint (run.samples->len, ==, 10);
  g_assert_cmpint (warnings, ==, 0);
  run_clear (&run);
}

/* Live at 30 frames/s, five frames take at least four frame times. */
static void
test_live (void)
{
  Run run;
  Expect e = { 0, 1, FALSE, 0, SIDE, SIDE, 0, TRUE };
  gint64 start = g_get_monotonic_time ();

  if (!have_dataset ())
    return;
  e.first = images->dims[0] - 5;
  run = run_source ("is-live=true start-index=9995 regions=1 decoys=0",
      "video/x-raw,format=GRAY8,width=64,height=64,framerate=30/1");
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 4 * G_USEC_PER_SEC / 30);
  check_run (&run, &e);
  run_clear (&run);
}

/* Without caps downstream: 640x480 at 30/1, and the documented defaults. */
static void
test_defaults (void)
{
  GstElement *src = gst_element_factory_make ("ranetregionsrc", NULL);
  guint regions, min_size, max_size, decoys, seed, start_index;
  gboolean is_live = TRUE;
  g_autofree gchar *images_location = NULL, *labels_location = NULL;
  Run run;
  GstCaps *caps;
  GstStructure *s;
  gint fps_n = 0, fps_d = 0, width = 0, height = 0;

  g_assert_nonnull (src);
  g_object_get (src, "regions", &regions, "min-size", &min_size, "max-size", &max_size,
      "decoys", &decoys, "seed", &seed, "start-index", &start_index,
      "images-location", &images_location, "labels-location", &labels_location,
      "is-live", &is_live, NULL);
  g_assert_cmpuint (regions, ==, 24);
  g_assert_cmpuint (min_size, ==, 28);
  g_assert_cmpuint (max_size, ==, 28);
  g_assert_cmpuint (decoys, ==, 4);
  g_assert_cmpuint (seed, ==, 0);
  g_assert_cmpuint (start_index, ==, 0);
  g_assert_false (is_live);
  g_assert_cmpstr (images_location, ==, IMAGES);
  g_assert_cmpstr (labels_location, ==, LABELS);
  gst_object_unref (src);

  if (!have_dataset ())
    return;
  run = run_source ("start-index=9990", "video/x-raw");
  g_assert_null (run.error);
  g_assert_cmpuint (run.samples->len, ==, 1);
  caps = gst_sample_get_caps (g_ptr_array_index (run.samples, 0));
  s = gst_caps_get_structure (caps, 0);
  g_assert_true (gst_structure_get_int (s, "width", &width));
  g_assert_true (gst_structure_get_int (s, "height", &height));
  g_assert_true (gst_structure_get_fraction (s, "framerate", &fps_n, &fps_d));
  g_assert_cmpint (width, ==, 640);
  g_assert_cmpint (height, ==, 480);
  g_assert_cmpint (fps_n, ==, 30);
  g_assert_cmpint (fps_d, ==, 1);
  run_clear (&run);
}

/* Bad settings stop the stream with an error that says which. */
static void
check_error (const gchar *props, const gchar *caps, const gchar *const *words)
{
  Run run = run_source (props, caps);

  g_test_message ("%s: %s", props, run.error);
  g_assert_nonnull (run.error);
  g_assert_cmpuint (run.samples->len, ==, 0);
  for (guint i = 0; words[i] != NULL; i++)
    g_assert_nonnull (strstr (run.error, words[i]));
  run_clear (&run);
}

static void
test_errors (void)
{
  const gchar *gray = "video/x-raw,format=GRAY8,width=64,height=64";
  g_autofree gchar *bad_labels = g_strdup_printf ("labels-location=%s", IMAGES);

  check_error ("images-location=/nonexistent/images.gz", gray,
      (const gchar *const[]) { "/nonexistent/images.gz", "dataset-fashion-mnist", NULL });
  check_error ("labels-location=/nonexistent/labels.gz", gray,
      (const gchar *const[]) { "/nonexistent/labels.gz", "dataset-fashion-mnist", NULL });
  if (!have_dataset ())
    return;
  check_error ("min-size=40 max-size=30", "video/x-raw,format=GRAY8,width=320,height=240",
      (const gchar *const[]) { "min-size", "max-size", NULL });
  check_error ("max-size=100", gray,
      (const gchar *const[]) { "max-size 100", "64x64", NULL });
  check_error ("start-index=10000", gray,
      (const gchar *const[]) { "start-index", NULL });
  check_error (bad_labels, gray, (const gchar *const[]) { "dimensions", NULL });
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  gst_init (NULL, NULL);
  if (g_file_test (IMAGES, G_FILE_TEST_EXISTS) && g_file_test (LABELS, G_FILE_TEST_EXISTS)) {
    images = idx_file_load (IMAGES, 3, &error);
    g_assert_no_error (error);
    labels = idx_file_load (LABELS, 1, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (images->dims[1], ==, SIDE);
    g_assert_cmpuint (images->dims[2], ==, SIDE);
    g_assert_cmpuint (labels->dims[0], ==, images->dims[0]);
    g_assert_cmpuint (images->dims[0], ==, 10000);
  }

  g_test_add_func ("/regionsrc/gray8", test_gray8);
  g_test_add_func ("/regionsrc/i420", test_i420);
  g_test_add_func ("/regionsrc/other-formats", test_other_formats);
  g_test_add_func ("/regionsrc/scaled", test_scaled);
  g_test_add_func ("/regionsrc/seed", test_seed);
  g_test_add_func ("/regionsrc/crowded", test_crowded);
  g_test_add_func ("/regionsrc/live", test_live);
  g_test_add_func ("/regionsrc/defaults", test_defaults);
  g_test_add_func ("/regionsrc/errors", test_errors);
  ret = g_test_run ();

  g_clear_pointer (&images, idx_file_free);
  g_clear_pointer (&labels, idx_file_free);
  gst_deinit ();
  return ret;
}
