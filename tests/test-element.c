/* test-element.c: ranetclassify as GStreamer applications see it.
 *
 * The metadata of every frame is checked against the engine itself: the same
 * frame, converted to the network input by the C reference of the preprocess
 * shader (ranet_ref_preprocess) and run through a RanetNet of the same model
 * with the same threshold, must give the same class, confidence (1e-4) and
 * exit. Frames come in every accepted format, at odd sizes, with padded
 * strides and plane offsets (GstVideoMeta), through GstHarness and through
 * real pipelines: caps changes, state cycles, two elements in one pipeline,
 * two pipelines at once, properties changed while playing, element messages,
 * statistics, start-up errors, and 1,000 Fashion-MNIST test images played as
 * video (skipped when the dataset is not installed).
 *
 * The element runs on the process's shared Vulkan device, which this program
 * holds too, so the validation layer's error count at the end covers both.
 */
#include <math.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gst/app/gstappsink.h>
#include <gst/check/gstharness.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include "net/ranet-net.h"
#include "preprocess/ranet-preprocess.h"
#include "ranet-classification-meta.h"

#define BUILTIN_MODEL_PATH RANET_SOURCE_ROOT "/models/fashion-mnist-ranet.safetensors"
#define RANET_EVAL_PATH RANET_BUILD_ROOT "/tools/ranet-eval"
#define FMNIST_DIR "/usr/share/datasets/fashion-mnist"
#define MAX_CLASSES 64
/* the threshold property applies as set, with no frame-rate policy */
#define CLASSIFY "ranetclassify threshold-mode=fixed"
/* the first pipeline on a cold shader cache compiles every shader */
#define PULL_TIMEOUT (120 * GST_SECOND)

/* ---- the reference: the engine fed by the C preprocessing ---- */

static struct {
  RanetVkDevice *device;
  RanetModel *model;
  RanetNet *net;
} ref;

/* Created on first use, so that a subprocess test that hides the Vulkan driver
 * touches no device before it does. */
static void
reference_init (void)
{
  GError *error = NULL;

  if (ref.net != NULL)
    return;
  ref.model = ranet_model_load_file (BUILTIN_MODEL_PATH, &error);
  g_assert_no_error (error);
  ref.device = ranet_vk_device_get_shared (NULL, &error);
  g_assert_no_error (error);
  ref.net = ranet_net_new (ref.device, ref.model, &error);
  g_assert_no_error (error);
}

typedef struct {
  gint class_id;
  gdouble confidence;
  gint exit_index;
  gdouble threshold;
  gboolean forced;
  guint n_classes;
  gfloat probs[MAX_CLASSES];
} Expected;

static void
reference_run_tensor (const float *input, gdouble threshold, gint max_exit, Expected *e)
{
  GError *error = NULL;
  guint n = ranet_net_get_n_exits (ref.net);
  g_autofree float *thresholds = g_new (float, n);
  RanetExitResult r;

  for (guint k = 0; k < n; k++)
    thresholds[k] = k + 1 == n ? -1.0f : (float) threshold;
  g_assert_true (ranet_net_set_input_tensor (ref.net, input, &error));
  g_assert_no_error (error);
  g_assert_true (ranet_net_run (ref.net, thresholds,
          max_exit < 0 ? n - 1 : MIN ((guint) max_exit, n - 1), &r, &error));
  g_assert_no_error (error);

  e->class_id = (gint) r.class_id;
  e->confidence = r.confidence;
  e->exit_index = (gint) r.exit_index;
  /* the network's last exit takes every frame that reaches it */
  e->threshold = r.exit_index + 1 == n ? 0.0 : threshold;
  e->forced = r.confidence < e->threshold;
  g_assert_cmpuint (r.n_classes, <=, MAX_CLASSES);
  e->n_classes = r.n_classes;
  memcpy (e->probs, r.probs, r.n_classes * sizeof (float));
}

/* GStreamer's formats by libranet's, from the format table: the element's
 * mapping is its own code, checked against GstVideoFormatInfo in
 * test-element-formats. */
static const struct {
  GstVideoFormat gst;
  RanetPixelFormat ranet;
} formats[] = {
#define RANET_PIXEL_FORMAT(name, id, gst_name, ...) \
  { GST_VIDEO_FORMAT_##gst_name, RANET_PIXEL_##name },
#include "preprocess/ranet-pixel-formats.def"
#undef RANET_PIXEL_FORMAT
};

static RanetPixelFormat
pixel_format (GstVideoFormat format)
{
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    if (formats[i].gst == format)
      return formats[i].ranet;
  g_assert_not_reached ();
}

/* Classifies @buf (described by @info, and by its GstVideoMeta when it has
 * one) the reference way: its planes copied to a tight layout of the test's
 * own, rather than through the element's layout code. */
static void
reference_run_frame (const GstVideoInfo *info, GstBuffer *buf, gdouble threshold,
    gint max_exit, Expected *e)
{
  const RanetPreprocess *pre;
  GstVideoFrame frame;
  RanetFrameLayout l = { 0 };
  gdouble kr = 0.299, kb = 0.114;
  gsize at = 0;

  reference_init ();
  pre = ranet_model_get_preprocess (ref.model);
  g_assert_true (gst_video_frame_map (&frame, (GstVideoInfo *) info, buf, GST_MAP_READ));
  l.format = pixel_format (GST_VIDEO_INFO_FORMAT (info));
  l.width = GST_VIDEO_INFO_WIDTH (info);
  l.height = GST_VIDEO_INFO_HEIGHT (info);
  if (gst_video_color_matrix_get_Kr_Kb (info->colorimetry.matrix, &kr, &kb)) {
    l.kr = kr;
    l.kb = kb;
  } else {
    l.kr = 0.299;
    l.kb = 0.114;
  }
  l.yuv_full_range = info->colorimetry.range == GST_VIDEO_COLOR_RANGE_0_255;
  for (guint i = 0; i < RANET_MAX_PLANES && ranet_frame_layout_plane_rows (&l, i) > 0; i++) {
    l.offset[i] = at;
    l.stride[i] = ranet_frame_layout_plane_row_bytes (&l, i);
    at += l.stride[i] * ranet_frame_layout_plane_rows (&l, i);
  }
  g_autofree guint8 *bytes = g_malloc (at);
  for (guint i = 0; i < RANET_MAX_PLANES && ranet_frame_layout_plane_rows (&l, i) > 0; i++) {
    const guint8 *src = GST_VIDEO_FRAME_PLANE_DATA (&frame, i);
    for (guint y = 0; y < ranet_frame_layout_plane_rows (&l, i); y++)
      memcpy (bytes + l.offset[i] + y * l.stride[i],
          src + (gsize) y * GST_VIDEO_FRAME_PLANE_STRIDE (&frame, i), l.stride[i]);
  }
  gst_video_frame_unmap (&frame);

  RanetPreprocessParams p = {
    .frame = l,
    .mode = RANET_RESIZE_STRETCH,
    .out = { .c = pre->channels, .h = pre->input_h, .w = pre->input_w,
      .c_offset = 0, .c_total = pre->channels, .base = 0 },
  };
  memcpy (p.mean, pre->mean, sizeof p.mean);
  memcpy (p.std, pre->std, sizeof p.std);
  g_autofree float *tensor = g_new (float, pre->channels * pre->input_h * pre->input_w);
  ranet_ref_preprocess (&p, bytes, tensor);
  reference_run_tensor (tensor, threshold, max_exit, e);
}

/* ---- reading and checking the metadata ---- */

static void
assert_meta_matches (GstBuffer *buf, const Expected *e, const char *what)
{
  RanetClassification c;

  if (!ranet_classification_meta_read (buf, &c))
    g_error ("%s: no complete RanetClassificationMeta", what);
  g_assert_true (gst_structure_has_name (ranet_classification_meta_get_structure (buf),
          RANET_CLASSIFICATION_STRUCTURE_NAME));
  if (c.class_id != e->class_id || fabs (c.confidence - e->confidence) > 1e-4
      || c.exit_index != e->exit_index)
    g_error ("%s: element says class %d confidence %.6f exit %d; reference class %d "
        "confidence %.6f exit %d", what, c.class_id, c.confidence, c.exit_index,
        e->class_id, e->confidence, e->exit_index);
  g_assert_cmpint (c.num_exits, ==, ranet_net_get_n_exits (ref.net));
  g_assert_cmpfloat_with_epsilon (c.threshold, e->threshold, 1e-9);
  g_assert_cmpint (c.forced, ==, e->forced);
  g_assert_false (c.reused);
  g_assert_cmpstr (c.label, ==, ranet_model_get_labels (ref.model)[e->class_id]);
  g_assert_cmpuint (c.macs, ==,
      (guint64) ranet_model_get_calibration (ref.model)->exit_macs[e->exit_index]);
  g_assert_cmpuint (c.latency_ns, >, 0);
}

static RanetClassification
read_meta (GstBuffer *buf)
{
  RanetClassification c;

  g_assert_true (ranet_classification_meta_read (buf, &c));
  return c;
}

static guint
count_metas (GstBuffer *buf)
{
  gpointer state = NULL;
  GstMeta *meta;
  guint n = 0;

  while ((meta = gst_buffer_iterate_meta (buf, &state)))
    n += gst_meta_info_is_custom (meta->info)
        && gst_custom_meta_has_name ((GstCustomMeta *) meta, RANET_CLASSIFICATION_META_NAME);
  return n;
}

/* ---- frames ---- */

static void
fill_random (GstBuffer *buf, GRand *rand)
{
  GstMapInfo map;

  g_assert_true (gst_buffer_map (buf, &map, GST_MAP_WRITE));
  for (gsize i = 0; i < map.size; i++)
    map.data[i] = (guint8) g_rand_int_range (rand, 0, 256);
  gst_buffer_unmap (buf, &map);
}

/* A frame of random bytes. @padded: every row @pad bytes longer than GStreamer's
 * default stride and every plane @gap bytes after the previous one, described
 * by a GstVideoMeta as an upstream allocator would. */
static GstBuffer *
make_frame (const GstVideoInfo *info, gboolean padded, GRand *rand)
{
  const guint pad = 7, gap = 13;
  gsize offset[GST_VIDEO_MAX_PLANES] = { 0 };
  gint stride[GST_VIDEO_MAX_PLANES] = { 0 };
  gsize at = gap;
  GstBuffer *buf;

  if (!padded) {
    buf = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (info), NULL);
    fill_random (buf, rand);
    return buf;
  }
  for (guint i = 0; i < GST_VIDEO_INFO_N_PLANES (info); i++) {
    gint comp[GST_VIDEO_MAX_COMPONENTS];
    gst_video_format_info_component (info->finfo, i, comp);
    offset[i] = at;
    stride[i] = GST_VIDEO_INFO_PLANE_STRIDE (info, i) + pad;
    at += (gsize) stride[i] * GST_VIDEO_INFO_COMP_HEIGHT (info, comp[0]) + gap;
  }
  buf = gst_buffer_new_allocate (NULL, at, NULL);
  fill_random (buf, rand);
  gst_buffer_add_video_meta_full (buf, GST_VIDEO_FRAME_FLAG_NONE,
      GST_VIDEO_INFO_FORMAT (info), GST_VIDEO_INFO_WIDTH (info),
      GST_VIDEO_INFO_HEIGHT (info), GST_VIDEO_INFO_N_PLANES (info), offset, stride);
  return buf;
}

static GstCaps *
video_caps (const char *format, gint width, gint height)
{
  return gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING, format,
      "width", G_TYPE_INT, width, "height", G_TYPE_INT, height,
      "framerate", GST_TYPE_FRACTION, 30, 1, NULL);
}

/* Pushes one random frame of @info through @h and checks its metadata. */
static void
push_and_check (GstHarness *h, const GstVideoInfo *info, gboolean padded,
    gdouble threshold, gint max_exit, GRand *rand, const char *what)
{
  Expected e;
  GstBuffer *in = make_frame (info, padded, rand);
  GstBuffer *out;

  reference_run_frame (info, in, threshold, max_exit, &e);
  out = gst_harness_push_and_pull (h, in);
  g_assert_nonnull (out);
  assert_meta_matches (out, &e, what);
  gst_buffer_unref (out);
}

static GstHarness *
harness_with_caps (const char *launch, const char *format, gint w, gint h,
    GstVideoInfo *info)
{
  GstHarness *harness = gst_harness_new_parse (launch);
  GstCaps *caps = video_caps (format, w, h);

  g_assert_true (gst_video_info_from_caps (info, caps));
  gst_harness_set_src_caps (harness, caps);
  return harness;
}

static GstElement *
harness_classifier (GstHarness *h)
{
  GstElement *e = gst_harness_find_element (h, "ranetclassify");

  g_assert_nonnull (e);
  g_object_unref (e);   /* the harness keeps it alive */
  return e;
}

/* ---- harness tests ---- */

/* Every format of the table at every size, tight and padded, one after the other in one
 * stream: each step is also a mid-stream caps change of format or size. */
static void
test_formats_sizes_strides (void)
{
  static const gint sizes[][2] = { {28, 28}, {1, 1}, {33, 17}, {320, 241} };
  GRand *rand = g_rand_new_with_seed (7);
  GstVideoInfo info;
  GstHarness *h;

  reference_init ();
  h = gst_harness_new_parse (CLASSIFY " threshold=0.5");
  for (guint f = 0; f < G_N_ELEMENTS (formats); f++) {
    for (guint s = 0; s < G_N_ELEMENTS (sizes); s++) {
      const char *name = gst_video_format_to_string (formats[f].gst);
      GstCaps *caps = video_caps (name, sizes[s][0], sizes[s][1]);
      g_assert_true (gst_video_info_from_caps (&info, caps));
      gst_harness_set_src_caps (h, caps);
      for (guint padded = 0; padded <= 1; padded++) {
        g_autofree char *what = g_strdup_printf ("%s %dx%d%s", name,
            sizes[s][0], sizes[s][1], padded ? " padded" : "");
        push_and_check (h, &info, padded, 0.5, -1, rand, what);
      }
    }
  }
  /* YUV with another matrix (BT.709) and full range (JPEG's) */
  for (guint i = 0; i < 4; i++) {
    g_autofree char *desc = g_strdup_printf ("video/x-raw,format=%s,width=45,height=31,"
        "framerate=30/1,colorimetry=%s", i % 2 ? "NV12" : "I420", i < 2 ? "bt709" : "jpeg");
    GstCaps *caps = gst_caps_from_string (desc);
    g_assert_true (gst_video_info_from_caps (&info, caps));
    gst_harness_set_src_caps (h, caps);
    push_and_check (h, &info, i % 2, 0.5, -1, rand, desc);
  }
  gst_harness_teardown (h);
  g_rand_free (rand);
}

static void
test_threshold_while_playing (void)
{
  GRand *rand = g_rand_new_with_seed (11);
  GstVideoInfo info;
  GstHarness *h = harness_with_caps (CLASSIFY " threshold=0", "RGB", 64, 48, &info);
  GstElement *classify = harness_classifier (h);
  gint last;

  reference_init ();
  last = (gint) ranet_net_get_n_exits (ref.net) - 1;

  for (guint round = 0; round < 2; round++) {
    g_object_set (classify, "threshold", 0.0, NULL);
    for (guint i = 0; i < 3; i++) {
      GstBuffer *out = gst_harness_push_and_pull (h, make_frame (&info, FALSE, rand));
      g_assert_cmpint (read_meta (out).exit_index, ==, 0);
      gst_buffer_unref (out);
    }
    g_object_set (classify, "threshold", 1.0, NULL);
    for (guint i = 0; i < 3; i++) {
      GstBuffer *out = gst_harness_push_and_pull (h, make_frame (&info, FALSE, rand));
      RanetClassification c = read_meta (out);
      /* only a softmax of exactly 1 could leave earlier: noise never gets one */
      g_assert_cmpint (c.exit_index, ==, last);
      g_assert_false (c.forced);
      gst_buffer_unref (out);
    }
  }
  /* and in between, a threshold that lets the reference decide */
  g_object_set (classify, "threshold", 0.35, NULL);
  for (guint i = 0; i < 4; i++)
    push_and_check (h, &info, FALSE, 0.35, -1, rand, "threshold 0.35");
  gst_harness_teardown (h);
  g_rand_free (rand);
}

static void
test_max_exit (void)
{
  static const struct {
    gdouble threshold;
    gint max_exit;
  } cases[] = { {1.0, 0}, {1.0, 2}, {1.0, 100}, {0.0, 0}, {0.6, 1}, {1.0, -1} };
  GRand *rand = g_rand_new_with_seed (13);
  GstVideoInfo info;
  GstHarness *h = harness_with_caps (CLASSIFY, "GRAY8", 28, 28, &info);
  GstElement *classify = harness_classifier (h);

  reference_init ();
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *what = g_strdup_printf ("threshold %.2f max-exit %d",
        cases[i].threshold, cases[i].max_exit);
    Expected e;
    GstBuffer *in = make_frame (&info, FALSE, rand), *out;

    g_object_set (classify, "threshold", cases[i].threshold, "max-exit",
        cases[i].max_exit, NULL);
    reference_run_frame (&info, in, cases[i].threshold, cases[i].max_exit, &e);
    out = gst_harness_push_and_pull (h, in);
    assert_meta_matches (out, &e, what);
    /* stopped by max-exit below a threshold of 1: forced */
    if (cases[i].threshold == 1.0 && cases[i].max_exit >= 0 && cases[i].max_exit < 4) {
      g_assert_cmpint (read_meta (out).exit_index, ==, cases[i].max_exit);
      g_assert_true (read_meta (out).forced);
    } else {
      g_assert_false (read_meta (out).forced);
    }
    gst_buffer_unref (out);
  }
  gst_harness_teardown (h);
  g_rand_free (rand);
}

static void
test_inference_interval (void)
{
  GRand *rand = g_rand_new_with_seed (17);
  GstVideoInfo info;
  GstHarness *h = harness_with_caps (CLASSIFY " inference-interval=3 threshold=0.5",
      "BGRx", 40, 30, &info);
  GstElement *classify = harness_classifier (h);
  RanetClassification last = { 0 };
  g_autoptr (GstStructure) stats = NULL;
  guint64 frames, classified;

  for (guint i = 0; i < 10; i++) {
    Expected e;
    GstBuffer *in = make_frame (&info, FALSE, rand), *out;

    reference_run_frame (&info, in, 0.5, -1, &e);
    out = gst_harness_push_and_pull (h, in);
    RanetClassification c = read_meta (out);
    if (i % 3 == 0) {
      assert_meta_matches (out, &e, "classified frame");
      last = c;
    } else {
      /* the frames between carry the last classified frame's result */
      g_assert_true (c.reused);
      g_assert_cmpint (c.class_id, ==, last.class_id);
      g_assert_cmpfloat (c.confidence, ==, last.confidence);
      g_assert_cmpint (c.exit_index, ==, last.exit_index);
      g_assert_cmpint (c.forced, ==, last.forced);
      g_assert_cmpuint (c.macs, ==, 0);
      g_assert_cmpuint (c.latency_ns, ==, 0);
    }
    gst_buffer_unref (out);
  }

  g_object_get (classify, "stats", &stats, NULL);
  g_assert_true (gst_structure_get_uint64 (stats, "frames", &frames));
  g_assert_true (gst_structure_get_uint64 (stats, "classified", &classified));
  g_assert_cmpuint (frames, ==, 10);
  g_assert_cmpuint (classified, ==, 4);

  /* back to every frame: the very next one is classified */
  g_object_set (classify, "inference-interval", 1, NULL);
  for (guint i = 0; i < 2; i++)
    push_and_check (h, &info, FALSE, 0.5, -1, rand, "interval back to 1");
  gst_harness_teardown (h);
  g_rand_free (rand);
}

static void
test_top_k (void)
{
  static const guint ks[] = { 1, 3, 10, 50 };
  GRand *rand = g_rand_new_with_seed (19);
  GstVideoInfo info;
  GstHarness *h = harness_with_caps (CLASSIFY " threshold=0.7", "I420", 33, 17, &info);
  GstElement *classify = harness_classifier (h);
  g_auto (GStrv) labels = NULL;

  reference_init ();
  g_object_get (classify, "labels", &labels, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (ks); i++) {
    Expected e;
    GstBuffer *in = make_frame (&info, TRUE, rand), *out;
    const GValue *list;
    gdouble previous = 2.0;

    g_object_set (classify, "top-k", ks[i], NULL);
    reference_run_frame (&info, in, 0.7, -1, &e);
    out = gst_harness_push_and_pull (h, in);
    assert_meta_matches (out, &e, "top-k");

    list = gst_structure_get_value (ranet_classification_meta_get_structure (out), "top-k");
    g_assert_true (GST_VALUE_HOLDS_ARRAY (list));
    g_assert_cmpuint (gst_value_array_get_size (list), ==, MIN (ks[i], e.n_classes));
    for (guint j = 0; j < gst_value_array_get_size (list); j++) {
      const GstStructure *entry =
          gst_value_get_structure (gst_value_array_get_value (list, j));
      gint class_id;
      gdouble score;

      g_assert_true (gst_structure_has_name (entry, "ranet-class"));
      g_assert_true (gst_structure_get_int (entry, "class-id", &class_id));
      g_assert_true (gst_structure_get_double (entry, "score", &score));
      g_assert_cmpint (class_id, >=, 0);
      g_assert_cmpint (class_id, <, (gint) e.n_classes);
      g_assert_cmpstr (gst_structure_get_string (entry, "label"), ==, labels[class_id]);
      g_assert_cmpfloat_with_epsilon (score, e.probs[class_id], 1e-4);
      g_assert_cmpfloat (score, <=, previous);
      previous = score;
      if (j == 0) {
        g_assert_cmpint (class_id, ==, e.class_id);
        g_assert_cmpfloat_with_epsilon (score, read_meta (out).confidence, 1e-12);
      }
    }
    gst_buffer_unref (out);
  }
  gst_harness_teardown (h);
  g_rand_free (rand);
}

static void
test_read_only_properties (void)
{
  GstElement *e = gst_element_factory_make ("ranetclassify", NULL);
  g_autofree char *name = NULL;
  g_auto (GStrv) labels = NULL;
  gint n_exits = -1;
  GstVideoInfo info;
  GstHarness *h;

  g_assert_nonnull (e);
  g_object_get (e, "device-name", &name, "labels", &labels, "num-exits", &n_exits, NULL);
  g_assert_null (name);
  g_assert_null (labels);
  g_assert_cmpint (n_exits, ==, 0);
  gst_object_unref (e);

  reference_init ();
  h = harness_with_caps ("ranetclassify", "RGB", 8, 8, &info);
  g_object_get (harness_classifier (h), "device-name", &name, "labels", &labels,
      "num-exits", &n_exits, NULL);
  g_assert_cmpstr (name, ==, ranet_vk_device_get_name (ref.device));
  g_assert_cmpint (n_exits, ==, ranet_model_get_n_exits (ref.model));
  g_assert_cmpuint (g_strv_length (labels), ==, 10);
  for (guint i = 0; i < 10; i++)
    g_assert_cmpstr (labels[i], ==, ranet_model_get_labels (ref.model)[i]);
  gst_harness_teardown (h);
}

/* ---- pipelines ---- */

typedef struct {
  GstElement *pipeline;
  GstAppSink *sink;
} Pipeline;

static Pipeline
pipeline_new (const char *launch)
{
  GError *error = NULL;
  Pipeline p;

  p.pipeline = gst_parse_launch (launch, &error);
  g_assert_no_error (error);
  p.sink = GST_APP_SINK (gst_bin_get_by_name (GST_BIN (p.pipeline), "sink"));
  g_assert_nonnull (p.sink);
  return p;
}

static void
pipeline_free (Pipeline *p)
{
  g_assert_cmpint (gst_element_set_state (p->pipeline, GST_STATE_NULL), ==,
      GST_STATE_CHANGE_SUCCESS);
  gst_object_unref (p->sink);
  gst_object_unref (p->pipeline);
}

static GstElement *
pipeline_element (Pipeline *p, const char *name)
{
  GstElement *e = gst_bin_get_by_name (GST_BIN (p->pipeline), name);

  g_assert_nonnull (e);
  gst_object_unref (e);   /* the pipeline keeps it alive */
  return e;
}

/* Fails the test with the bus's error, if there is one. */
static void
assert_no_bus_error (GstElement *pipeline)
{
  g_autoptr (GstBus) bus = gst_element_get_bus (pipeline);
  g_autoptr (GstMessage) msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);

  if (msg != NULL) {
    g_autoptr (GError) error = NULL;
    g_autofree char *debug = NULL;
    gst_message_parse_error (msg, &error, &debug);
    g_error ("error from %s: %s (%s)", GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)),
        error->message, debug);
  }
}

/* The next sample, or NULL at EOS; fails on an error or a stall. */
static GstSample *
pull (Pipeline *p)
{
  GstSample *s = gst_app_sink_try_pull_sample (p->sink, PULL_TIMEOUT);

  if (s == NULL) {
    assert_no_bus_error (p->pipeline);
    g_assert_true (gst_app_sink_is_eos (p->sink));
  }
  return s;
}

static void
play (Pipeline *p)
{
  g_assert_cmpint (gst_element_set_state (p->pipeline, GST_STATE_PLAYING), !=,
      GST_STATE_CHANGE_FAILURE);
}

static GstStructure *
get_stats (GstElement *classify)
{
  GstStructure *stats = NULL;

  g_object_get (classify, "stats", &stats, NULL);
  g_assert_nonnull (stats);
  return stats;
}

static guint64
stats_uint64 (const GstStructure *stats, const char *field)
{
  guint64 v = 0;

  g_assert_true (gst_structure_get_uint64 (stats, field, &v));
  return v;
}

static void
test_caps_change_in_pipeline (void)
{
  /* max-buffers=1 keeps the source at most a few frames ahead of the test, so
   * each caps change takes effect well before the next one (6 frames later),
   * however slow the build (an unbounded queue let two changes merge under
   * AddressSanitizer) */
  Pipeline p = pipeline_new ("videotestsrc num-buffers=24 pattern=ball "
      "! capsfilter name=cf caps=video/x-raw,format=RGB,width=64,height=48 "
      "! " CLASSIFY " threshold=0.5 ! appsink name=sink sync=false max-buffers=1");
  static const char *const steps[] = {
    "video/x-raw,format=NV12,width=33,height=17",
    "video/x-raw,format=GRAY8,width=320,height=241",
    "video/x-raw,format=xBGR,width=1,height=1",
  };
  GstSample *s;
  guint n = 0, changes = 0;
  GstCaps *previous = NULL;

  reference_init ();
  play (&p);
  while ((s = pull (&p)) != NULL) {
    GstVideoInfo info;
    Expected e;
    GstCaps *caps = gst_sample_get_caps (s);

    g_assert_true (gst_video_info_from_caps (&info, caps));
    if (previous != NULL && !gst_caps_is_equal (previous, caps))
      changes++;
    gst_caps_replace (&previous, caps);
    reference_run_frame (&info, gst_sample_get_buffer (s), 0.5, -1, &e);
    assert_meta_matches (gst_sample_get_buffer (s), &e, "after caps change");
    gst_sample_unref (s);
    if (++n % 6 == 0 && n / 6 - 1 < G_N_ELEMENTS (steps)) {
      g_autoptr (GstCaps) next = gst_caps_from_string (steps[n / 6 - 1]);
      g_object_set (pipeline_element (&p, "cf"), "caps", next, NULL);
    }
  }
  gst_caps_replace (&previous, NULL);
  g_assert_cmpuint (n, ==, 24);
  g_assert_cmpuint (changes, ==, G_N_ELEMENTS (steps));
  pipeline_free (&p);
}

typedef struct {
  GstElement *classify;
  gint stop;
} PropertyReader;

/* Reads the properties that describe the running element, as a monitoring
 * application would, while another thread starts and stops it. */
static gpointer
read_properties (gpointer data)
{
  PropertyReader *reader = data;

  while (!g_atomic_int_get (&reader->stop)) {
    g_autofree char *name = NULL;
    g_auto (GStrv) labels = NULL;
    g_autoptr (GstStructure) stats = NULL;
    GValue thresholds = G_VALUE_INIT;
    gint n_exits, point;

    g_object_get (reader->classify, "device-name", &name, "labels", &labels, "stats", &stats,
        "num-exits", &n_exits, "operating-point", &point, NULL);
    g_object_get_property (G_OBJECT (reader->classify), "current-threshold", &thresholds);
    g_value_unset (&thresholds);
    g_usleep (100);
  }
  return NULL;
}

/* Five times NULL -> PLAYING -> EOS -> NULL on one pipeline, with another
 * thread reading the element's properties all along. */
static void
test_state_cycles (void)
{
  Pipeline p = pipeline_new ("videotestsrc num-buffers=4 ! video/x-raw,width=48,height=36 "
      "! ranetclassify name=c ! appsink name=sink sync=false");
  PropertyReader reader = { pipeline_element (&p, "c"), 0 };
  GThread *thread = g_thread_new ("property-reader", read_properties, &reader);

  for (guint cycle = 0; cycle < 5; cycle++) {
    GstSample *s;
    guint n = 0;

    play (&p);
    while ((s = pull (&p)) != NULL) {
      g_assert_cmpuint (count_metas (gst_sample_get_buffer (s)), ==, 1);
      n++;
      gst_sample_unref (s);
    }
    g_assert_cmpuint (n, ==, 4);
    g_autoptr (GstStructure) stats = get_stats (pipeline_element (&p, "c"));
    g_assert_cmpuint (stats_uint64 (stats, "frames"), ==, 4);
    g_assert_cmpint (gst_element_set_state (p.pipeline, GST_STATE_NULL), ==,
        GST_STATE_CHANGE_SUCCESS);
  }
  g_atomic_int_set (&reader.stop, 1);
  g_thread_join (thread);
  pipeline_free (&p);
}

/* Keeps the classifier's element messages as they are posted: the bus's
 * queue is no place to wait for them, pull() empties it at EOS. */
static GstBusSyncReply
keep_ranet_message (GstBus *bus, GstMessage *msg, gpointer user_data)
{
  GAsyncQueue *queue = user_data;
  const GstStructure *s = gst_message_get_structure (msg);

  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ELEMENT && gst_structure_has_name (s, "ranet"))
    g_async_queue_push (queue, gst_message_ref (msg));
  return GST_BUS_PASS;
}

/* Two classifiers in a row: each adds its own metadata, in pipeline order,
 * saying which element and which model wrote it. */
static void
test_two_in_one_pipeline (void)
{
  Pipeline p = pipeline_new ("videotestsrc num-buffers=5 pattern=snow "
      "! " CLASSIFY " name=a threshold=0 post-messages=true "
      "! " CLASSIFY " name=b threshold=1 post-messages=true model=" BUILTIN_MODEL_PATH " "
      "! appsink name=sink sync=false");
  static const char *const names[] = { "a", "b" };
  static const char *const models[] = {
    "fashion-mnist-ranet.safetensors (built-in)", "fashion-mnist-ranet.safetensors",
  };
  static const gint exits[] = { 0, 4 };    /* thresholds 0 and 1 */
  g_autoptr (GstBus) bus = gst_element_get_bus (p.pipeline);
  g_autoptr (GAsyncQueue) messages = g_async_queue_new_full ((GDestroyNotify) gst_message_unref);
  g_autofree char *name_a = NULL, *name_b = NULL;
  GstMessage *msg;
  GstSample *s;
  guint n = 0, n_messages[2] = { 0, 0 };

  gst_bus_set_sync_handler (bus, keep_ranet_message, messages, NULL);
  play (&p);
  while ((s = pull (&p)) != NULL) {
    GstBuffer *buf = gst_sample_get_buffer (s);
    gpointer state = NULL;
    GstMeta *meta;
    guint i = 0;

    g_assert_cmpuint (count_metas (buf), ==, 2);
    while ((meta = gst_buffer_iterate_meta (buf, &state))) {
      RanetClassification c;

      if (!gst_meta_info_is_custom (meta->info))
        continue;
      g_assert_cmpuint (i, <, 2);
      g_assert_true (ranet_classification_read_structure (
              gst_custom_meta_get_structure ((GstCustomMeta *) meta), &c));
      g_assert_cmpstr (c.element, ==, names[i]);
      g_assert_cmpstr (c.model, ==, models[i]);
      g_assert_cmpint (c.exit_index, ==, exits[i]);
      i++;
    }
    /* looked up by the element's name */
    for (i = 0; i < 2; i++) {
      RanetClassification c;

      g_assert_true (ranet_classification_meta_read_from (buf, names[i], &c));
      g_assert_cmpstr (c.element, ==, names[i]);
      g_assert_cmpstr (c.model, ==, models[i]);
      g_assert_cmpint (c.exit_index, ==, exits[i]);
    }
    g_assert_cmpstr (read_meta (buf).element, ==, "a");
    n++;
    gst_sample_unref (s);
  }
  /* and each one's messages say so too */
  while ((msg = g_async_queue_try_pop (messages)) != NULL) {
    const GstStructure *m = gst_message_get_structure (msg);
    guint i = g_str_equal (GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)), "a") ? 0 : 1;

    g_assert_cmpstr (GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)), ==, names[i]);
    g_assert_cmpstr (gst_structure_get_string (m, "element"), ==, names[i]);
    g_assert_cmpstr (gst_structure_get_string (m, "model"), ==, models[i]);
    n_messages[i]++;
    gst_message_unref (msg);
  }
  g_assert_cmpuint (n_messages[0], ==, 5);
  g_assert_cmpuint (n_messages[1], ==, 5);
  gst_bus_set_sync_handler (bus, NULL, NULL, NULL);
  g_assert_cmpuint (n, ==, 5);
  g_object_get (pipeline_element (&p, "a"), "device-name", &name_a, NULL);
  g_object_get (pipeline_element (&p, "b"), "device-name", &name_b, NULL);
  g_assert_cmpstr (name_a, ==, name_b);
  pipeline_free (&p);
}

/* Two pipelines streaming at the same time, each in its own thread, on the
 * process's one device. */
static void
test_two_pipelines (void)
{
  Pipeline p[2] = {
    pipeline_new ("videotestsrc num-buffers=20 pattern=ball ! video/x-raw,format=RGBA "
        "! " CLASSIFY " threshold=0.5 ! appsink name=sink sync=false"),
    pipeline_new ("videotestsrc num-buffers=20 pattern=snow ! video/x-raw,format=I420 "
        "! " CLASSIFY " threshold=0.5 ! appsink name=sink sync=false"),
  };
  guint n[2] = { 0, 0 };
  gboolean done[2] = { FALSE, FALSE };

  reference_init ();
  play (&p[0]);
  play (&p[1]);
  while (!done[0] || !done[1]) {
    for (guint i = 0; i < 2; i++) {
      GstSample *s;
      GstVideoInfo info;
      Expected e;

      if (done[i] || (s = pull (&p[i])) == NULL) {
        done[i] = TRUE;
        continue;
      }
      g_assert_true (gst_video_info_from_caps (&info, gst_sample_get_caps (s)));
      reference_run_frame (&info, gst_sample_get_buffer (s), 0.5, -1, &e);
      assert_meta_matches (gst_sample_get_buffer (s), &e, "two pipelines");
      n[i]++;
      gst_sample_unref (s);
    }
  }
  g_assert_cmpuint (n[0], ==, 20);
  g_assert_cmpuint (n[1], ==, 20);
  pipeline_free (&p[0]);
  pipeline_free (&p[1]);
}

/* Element messages for classified frames only, carrying the metadata's fields
 * and the frame's times; and the statistics that count the same frames. */
static void
test_messages_and_stats (void)
{
  Pipeline p = pipeline_new ("videotestsrc num-buffers=9 pattern=ball "
      "! video/x-raw,format=RGB,width=56,height=56,framerate=30/1 "
      "! " CLASSIFY " name=c post-messages=true inference-interval=2 threshold=0.6 "
      "! appsink name=sink sync=false");
  g_autoptr (GstBus) bus = gst_element_get_bus (p.pipeline);
  g_autoptr (GAsyncQueue) messages = g_async_queue_new_full ((GDestroyNotify) gst_message_unref);
  g_autoptr (GPtrArray) classified = g_ptr_array_new_with_free_func (
      (GDestroyNotify) gst_structure_free);
  guint64 exit_counts[8] = { 0 };
  GstMessage *msg;
  GstSample *s;
  guint n = 0, n_messages = 0;

  gst_bus_set_sync_handler (bus, keep_ranet_message, messages, NULL);
  play (&p);
  while ((s = pull (&p)) != NULL) {
    GstBuffer *buf = gst_sample_get_buffer (s);
    RanetClassification c = read_meta (buf);

    if (!c.reused) {
      GstStructure *copy = gst_structure_copy (ranet_classification_meta_get_structure (buf));
      gst_structure_set (copy, "pts", G_TYPE_UINT64, GST_BUFFER_PTS (buf), NULL);
      g_ptr_array_add (classified, copy);
      exit_counts[c.exit_index]++;
    }
    n++;
    gst_sample_unref (s);
  }
  g_assert_cmpuint (n, ==, 9);
  g_assert_cmpuint (classified->len, ==, 5);

  while ((msg = g_async_queue_try_pop (messages)) != NULL) {
    const GstStructure *m = gst_message_get_structure (msg);
    const GstStructure *meta;
    guint64 ts, pts, stream_time, running_time;

    g_assert_cmpstr (GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)), ==, "c");
    g_assert_cmpuint (n_messages, <, classified->len);
    meta = g_ptr_array_index (classified, n_messages);
    g_assert_true (gst_structure_get_uint64 (m, "timestamp", &ts));
    g_assert_true (gst_structure_get_uint64 (m, "stream-time", &stream_time));
    g_assert_true (gst_structure_get_uint64 (m, "running-time", &running_time));
    g_assert_true (gst_structure_get_uint64 (meta, "pts", &pts));
    /* frames 0, 2, 4, ... of a stream starting at 0 */
    g_assert_cmpuint (ts, ==, pts);
    g_assert_cmpuint (ts, ==, gst_util_uint64_scale (2 * n_messages, GST_SECOND, 30));
    g_assert_cmpuint (stream_time, ==, ts);
    g_assert_cmpuint (running_time, ==, ts);
    /* every metadata field, with the same value */
    for (gint f = 0; f < gst_structure_n_fields (meta); f++) {
      const char *field = gst_structure_nth_field_name (meta, f);
      if (g_str_equal (field, "pts"))
        continue;
      g_assert_true (gst_structure_has_field (m, field));
      g_assert_cmpint (gst_value_compare (gst_structure_get_value (m, field),
              gst_structure_get_value (meta, field)), ==, GST_VALUE_EQUAL);
    }
    n_messages++;
    gst_message_unref (msg);
  }
  g_assert_cmpuint (n_messages, ==, classified->len);

  g_autoptr (GstStructure) stats = get_stats (pipeline_element (&p, "c"));
  const GValue *counts = gst_structure_get_value (stats, "exit-counts");
  g_assert_cmpstr (gst_structure_get_name (stats), ==, "ranet-stats");
  g_assert_cmpuint (stats_uint64 (stats, "frames"), ==, 9);
  g_assert_cmpuint (stats_uint64 (stats, "classified"), ==, 5);
  g_assert_true (GST_VALUE_HOLDS_ARRAY (counts));
  g_assert_cmpuint (gst_value_array_get_size (counts), ==, 5);
  for (guint k = 0; k < 5; k++)
    g_assert_cmpuint (g_value_get_uint64 (gst_value_array_get_value (counts, k)), ==,
        exit_counts[k]);
  g_assert_cmpuint (stats_uint64 (stats, "mean-latency"), >, 0);
  g_assert_cmpuint (stats_uint64 (stats, "max-latency"), >=,
      stats_uint64 (stats, "mean-latency"));
  gst_bus_set_sync_handler (bus, NULL, NULL, NULL);
  pipeline_free (&p);
}

/* Element messages on a stream whose segment is not in time (appsrc's default
 * format is bytes): the frame's stream and running times are unknown, which
 * must not be a critical. */
static void
test_messages_bytes_segment (void)
{
  GRand *rand = g_rand_new_with_seed (23);
  GstVideoInfo info;
  GstHarness *h = harness_with_caps (CLASSIFY " post-messages=true", "GRAY8", 28, 28, &info);
  g_autoptr (GstBus) bus = gst_bus_new ();
  GstSegment segment;
  GstBuffer *in, *out;
  GstClockTime stream_time, running_time;

  gst_element_set_bus (harness_classifier (h), bus);
  gst_segment_init (&segment, GST_FORMAT_BYTES);
  g_assert_true (gst_harness_push_event (h, gst_event_new_segment (&segment)));
  in = make_frame (&info, FALSE, rand);
  GST_BUFFER_PTS (in) = 5 * GST_SECOND;
  out = gst_harness_push_and_pull (h, in);
  gst_buffer_unref (out);

  g_autoptr (GstMessage) msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT);
  g_assert_nonnull (msg);
  g_assert_true (gst_structure_get_uint64 (gst_message_get_structure (msg), "stream-time",
          &stream_time));
  g_assert_true (gst_structure_get_uint64 (gst_message_get_structure (msg), "running-time",
          &running_time));
  g_assert_cmpuint (stream_time, ==, GST_CLOCK_TIME_NONE);
  g_assert_cmpuint (running_time, ==, GST_CLOCK_TIME_NONE);
  gst_element_set_bus (harness_classifier (h), NULL);
  gst_harness_teardown (h);
  g_rand_free (rand);
}

/* ---- errors ---- */

/* Starts a pipeline whose classifier has @props, expecting it to fail with an
 * error from the classifier in @domain with @code (any code when -1) whose
 * message holds every string in @expect. */
static void
expect_start_error (const char *props, GQuark domain, gint code, const char *const *expect)
{
  g_autofree char *launch = g_strdup_printf (
      "videotestsrc num-buffers=1 ! ranetclassify name=c %s ! fakesink", props);
  g_autoptr (GError) parse_error = NULL;
  GstElement *pipeline = gst_parse_launch (launch, &parse_error);
  g_autoptr (GstBus) bus = NULL;
  g_autoptr (GstMessage) msg = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *debug = NULL;

  g_assert_no_error (parse_error);
  bus = gst_element_get_bus (pipeline);
  g_assert_cmpint (gst_element_set_state (pipeline, GST_STATE_PLAYING), ==,
      GST_STATE_CHANGE_FAILURE);
  msg = gst_bus_timed_pop_filtered (bus, PULL_TIMEOUT, GST_MESSAGE_ERROR | GST_MESSAGE_EOS);
  g_assert_nonnull (msg);
  g_assert_cmpint (GST_MESSAGE_TYPE (msg), ==, GST_MESSAGE_ERROR);
  g_assert_cmpstr (GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)), ==, "c");
  gst_message_parse_error (msg, &error, &debug);
  g_test_message ("%s [%s]", error->message, debug);
  g_assert_true (error->domain == domain);
  if (code >= 0)
    g_assert_cmpint (error->code, ==, code);
  for (guint i = 0; expect[i] != NULL; i++)
    if (strstr (error->message, expect[i]) == NULL)
      g_error ("error message \"%s\" does not mention \"%s\"", error->message, expect[i]);
  g_assert_cmpint (gst_element_set_state (pipeline, GST_STATE_NULL), ==,
      GST_STATE_CHANGE_SUCCESS);
  gst_object_unref (pipeline);
}

static char *
write_temp_file (const char *name, const void *data, gsize size)
{
  GError *error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ranet-element-XXXXXX", &error);
  char *path;

  g_assert_no_error (error);
  path = g_build_filename (dir, name, NULL);
  g_assert_true (g_file_set_contents (path, data, (gssize) size, &error));
  g_assert_no_error (error);
  return path;
}

static void
remove_temp_file (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);

  g_unlink (path);
  g_rmdir (dir);
}

static void
test_error_missing_model (void)
{
  const char *path = "/nonexistent/ranet-model.safetensors";
  g_autofree char *props = g_strdup_printf ("model=%s", path);
  const char *expect[] = { path, NULL };

  expect_start_error (props, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND, expect);
}

static void
test_error_corrupt_model (void)
{
  static const char garbage[] = "\x13\x37not a model at all";
  g_autofree char *path = write_temp_file ("corrupt.safetensors", garbage, sizeof garbage);
  g_autofree char *props = g_strdup_printf ("model=%s", path);
  const char *expect[] = { path, "header", NULL };

  expect_start_error (props, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_READ, expect);
  remove_temp_file (path);
}

/* A well-formed file whose tensors belong to another network: the golden
 * CIFAR model with its config's nChannels changed from 4 to 8 in place, so the
 * header keeps its length. */
static void
test_error_mismatched_model (void)
{
  static const char from[] = "\\\"nChannels\\\": 4,", to[] = "\\\"nChannels\\\": 8,";
  GError *error = NULL;
  g_autofree char *contents = NULL;
  gsize size;
  char *at;

  g_assert_true (g_file_get_contents (RANET_SOURCE_ROOT "/tests/golden/cifar-lg.safetensors",
          &contents, &size, &error));
  g_assert_no_error (error);
  /* the file starts with a binary length: search bytes, not a string */
  at = memmem (contents, MIN (size, 65536), from, strlen (from));
  g_assert_nonnull (at);
  memcpy (at, to, strlen (to));
  g_autofree char *path = write_temp_file ("mismatched.safetensors", contents, size);
  g_autofree char *props = g_strdup_printf ("model=%s", path);
  const char *expect[] = { path, "FirstLayer.layers.0.net.0.weight", "expected", NULL };

  expect_start_error (props, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_READ, expect);
  remove_temp_file (path);
}

static void
test_error_no_such_device (void)
{
  const char *expect[] = { "Vulkan", "no-such-device", NULL };

  expect_start_error ("device=no-such-device", GST_RESOURCE_ERROR, -1, expect);
}

/* No Vulkan driver at all; in a subprocess, so the loader sees the empty
 * driver list before anything in the process has created an instance. */
static void
test_error_no_driver (void)
{
  if (g_test_subprocess ()) {
    const char *expect[] = { "Vulkan", NULL };
    g_setenv ("VK_ICD_FILENAMES", "/nonexistent.json", TRUE);
    g_setenv ("VK_DRIVER_FILES", "/nonexistent.json", TRUE);
    g_unsetenv ("RANET_VK_VALIDATION");
    expect_start_error ("", GST_RESOURCE_ERROR, -1, expect);
    return;
  }
  g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* After a failed start, the same element starts with a good model. */
static void
test_recovers_after_error (void)
{
  Pipeline p = pipeline_new ("videotestsrc num-buffers=2 "
      "! " CLASSIFY " name=c model=/nonexistent.safetensors ! appsink name=sink sync=false");
  g_autoptr (GstBus) bus = gst_element_get_bus (p.pipeline);
  GstSample *s;
  guint n = 0;

  g_assert_cmpint (gst_element_set_state (p.pipeline, GST_STATE_PLAYING), ==,
      GST_STATE_CHANGE_FAILURE);
  g_assert_cmpint (gst_element_set_state (p.pipeline, GST_STATE_NULL), ==,
      GST_STATE_CHANGE_SUCCESS);
  gst_bus_set_flushing (bus, TRUE);
  gst_bus_set_flushing (bus, FALSE);
  g_object_set (pipeline_element (&p, "c"), "model", BUILTIN_MODEL_PATH, NULL);
  play (&p);
  while ((s = pull (&p)) != NULL) {
    g_assert_cmpuint (count_metas (gst_sample_get_buffer (s)), ==, 1);
    n++;
    gst_sample_unref (s);
  }
  g_assert_cmpuint (n, ==, 2);
  pipeline_free (&p);
}

/* ---- Fashion-MNIST as a video stream ---- */

#define FMNIST_FRAMES 1000
#define FMNIST_THRESHOLD 0.8

static GBytes *
read_gzip (const char *path)
{
  GError *error = NULL;
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GFileInputStream) raw = g_file_read (file, NULL, &error);
  g_assert_no_error (error);
  g_autoptr (GZlibDecompressor) gunzip =
      g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  g_autoptr (GInputStream) in =
      g_converter_input_stream_new (G_INPUT_STREAM (raw), G_CONVERTER (gunzip));
  g_autoptr (GOutputStream) out = g_memory_output_stream_new_resizable ();

  g_output_stream_splice (out, in, G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE
      | G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error);
  g_assert_no_error (error);
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}

/* A number from ranet-eval's summary line ("accuracy=83.50 mean_exit=1.27 ..."). */
static gdouble
summary_value (const char *line, const char *key)
{
  g_autofree char *needle = g_strconcat (key, "=", NULL);
  const char *at = strstr (line, needle);

  g_assert_nonnull (at);
  return g_ascii_strtod (at + strlen (needle), NULL);
}

/* ranet-eval on the same frames with the same threshold: accuracy in percent
 * and mean exit; FALSE when the tool is not built. */
static gboolean
run_ranet_eval (const char *images, const char *labels, gdouble *accuracy,
    gdouble *mean_exit)
{
  GError *error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *threshold = g_strdup_printf ("%g", FMNIST_THRESHOLD);
  g_autofree char *limit = g_strdup_printf ("%d", FMNIST_FRAMES);
  const char *argv[] = { RANET_EVAL_PATH, "--model", BUILTIN_MODEL_PATH, "--images", images,
    "--labels", labels, "--threshold", threshold, "--limit", limit, NULL };
  gint status;
  const char *line;

  if (!g_file_test (RANET_EVAL_PATH, G_FILE_TEST_IS_EXECUTABLE))
    return FALSE;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
          &out, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, &error));
  g_assert_no_error (error);
  g_strchomp (out);
  line = strrchr (out, '\n');
  line = line ? line + 1 : out;
  g_test_message ("ranet-eval: %s", line);
  *accuracy = summary_value (line, "accuracy");
  *mean_exit = summary_value (line, "mean_exit");
  return TRUE;
}

static void
test_fashion_mnist_stream (void)
{
  const char *images_gz = FMNIST_DIR "/t10k-images-idx3-ubyte.gz";
  const char *labels_gz = FMNIST_DIR "/t10k-labels-idx1-ubyte.gz";
  GError *error = NULL;

  if (!g_file_test (images_gz, G_FILE_TEST_EXISTS)
      || !g_file_test (labels_gz, G_FILE_TEST_EXISTS)) {
    g_test_skip ("Fashion-MNIST is not installed (dataset-fashion-mnist)");
    return;
  }
  reference_init ();

  g_autoptr (GBytes) images = read_gzip (images_gz);
  g_autoptr (GBytes) labels = read_gzip (labels_gz);
  gsize images_size, labels_size;
  const guint8 *image_data = g_bytes_get_data (images, &images_size);
  const guint8 *label_data = g_bytes_get_data (labels, &labels_size);
  g_assert_cmpuint (images_size, >=, 16 + FMNIST_FRAMES * 784);
  g_assert_cmpuint (labels_size, >=, 8 + FMNIST_FRAMES);

  /* the images after their 16-byte header are raw GRAY8 28x28 frames */
  g_autofree char *dir = g_dir_make_tmp ("ranet-fmnist-XXXXXX", &error);
  g_assert_no_error (error);
  g_autofree char *raw = g_build_filename (dir, "frames.gray8", NULL);
  g_autofree char *images_idx = g_build_filename (dir, "images.idx", NULL);
  g_autofree char *labels_idx = g_build_filename (dir, "labels.idx", NULL);
  g_assert_true (g_file_set_contents (raw, (const char *) image_data + 16,
          FMNIST_FRAMES * 784, &error));
  g_assert_true (g_file_set_contents (images_idx, (const char *) image_data,
          (gssize) images_size, &error));
  g_assert_true (g_file_set_contents (labels_idx, (const char *) label_data,
          (gssize) labels_size, &error));
  g_assert_no_error (error);

  g_autofree char *launch = g_strdup_printf ("filesrc location=%s "
      "! rawvideoparse format=gray8 width=28 height=28 framerate=30/1 "
      "! videoconvert ! videoscale ! " CLASSIFY " threshold=%g "
      "! appsink name=sink sync=false", raw, FMNIST_THRESHOLD);
  Pipeline p = pipeline_new (launch);
  const RanetPreprocess *pre = ranet_model_get_preprocess (ref.model);
  float tensor[28 * 28];
  guint n = 0, correct = 0, expected_correct = 0, agree = 0, exit_sum = 0;
  GstSample *s;

  g_assert_cmpuint (pre->input_h * pre->input_w * pre->channels, ==, 28 * 28);
  play (&p);
  while ((s = pull (&p)) != NULL) {
    RanetClassification c = read_meta (gst_sample_get_buffer (s));
    const guint8 *pixels = image_data + 16 + (gsize) n * 784;
    guint label = label_data[8 + n];
    Expected e;

    g_assert_cmpuint (n, <, FMNIST_FRAMES);
    /* at the network's own size the preprocessing is the normalisation alone */
    for (guint i = 0; i < 784; i++)
      tensor[i] = (pixels[i] / 255.0f - pre->mean[0]) / pre->std[0];
    reference_run_tensor (tensor, FMNIST_THRESHOLD, -1, &e);
    correct += (guint) c.class_id == label;
    exit_sum += (guint) c.exit_index;
    expected_correct += (guint) e.class_id == label;
    agree += c.class_id == e.class_id && c.exit_index == e.exit_index
        && fabs (c.confidence - e.confidence) <= 1e-4;
    n++;
    gst_sample_unref (s);
  }
  pipeline_free (&p);

  gdouble accuracy = 100.0 * correct / n, mean_exit = (gdouble) exit_sum / n;
  gdouble eval_accuracy, eval_mean_exit;
  g_test_message ("%u frames: accuracy %.2f%% (engine on tensors %.2f%%), mean exit %.4f; "
      "%u agree with the engine", n, accuracy, 100.0 * expected_correct / n, mean_exit, agree);
  g_assert_cmpuint (n, ==, FMNIST_FRAMES);
  g_assert_cmpuint (agree, ==, n);
  g_assert_cmpuint (correct, ==, expected_correct);
  if (run_ranet_eval (images_idx, labels_idx, &eval_accuracy, &eval_mean_exit)) {
    /* ranet-eval prints two and four decimals */
    g_assert_cmpfloat_with_epsilon (accuracy, eval_accuracy, 0.006);
    g_assert_cmpfloat_with_epsilon (mean_exit, eval_mean_exit, 0.0001);
  } else {
    g_test_message ("ranet-eval is not built: compared with the engine alone");
  }

  g_unlink (raw);
  g_unlink (images_idx);
  g_unlink (labels_idx);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  gst_init (NULL, NULL);

  g_test_add_func ("/element/formats-sizes-strides", test_formats_sizes_strides);
  g_test_add_func ("/element/threshold-while-playing", test_threshold_while_playing);
  g_test_add_func ("/element/max-exit", test_max_exit);
  g_test_add_func ("/element/inference-interval", test_inference_interval);
  g_test_add_func ("/element/top-k", test_top_k);
  g_test_add_func ("/element/read-only-properties", test_read_only_properties);
  g_test_add_func ("/element/caps-change-in-pipeline", test_caps_change_in_pipeline);
  g_test_add_func ("/element/state-cycles", test_state_cycles);
  g_test_add_func ("/element/two-in-one-pipeline", test_two_in_one_pipeline);
  g_test_add_func ("/element/two-pipelines", test_two_pipelines);
  g_test_add_func ("/element/messages-and-stats", test_messages_and_stats);
  g_test_add_func ("/element/messages-bytes-segment", test_messages_bytes_segment);
  g_test_add_func ("/element/error/missing-model", test_error_missing_model);
  g_test_add_func ("/element/error/corrupt-model", test_error_corrupt_model);
  g_test_add_func ("/element/error/mismatched-model", test_error_mismatched_model);
  g_test_add_func ("/element/error/no-such-device", test_error_no_such_device);
  g_test_add_func ("/element/error/no-driver", test_error_no_driver);
  g_test_add_func ("/element/error/recovers", test_recovers_after_error);
  g_test_add_func ("/element/fashion-mnist-stream", test_fashion_mnist_stream);
  ret = g_test_run ();

  if (ref.net != NULL) {
    guint errors = ranet_vk_device_get_validation_error_count (ref.device);
    g_clear_pointer (&ref.net, ranet_net_free);
    g_clear_pointer (&ref.model, ranet_model_unref);
    g_clear_pointer (&ref.device, ranet_vk_device_unref);
    if (errors > 0) {
      g_printerr ("%u Vulkan validation errors\n", errors);
      ret = 1;
    }
  }
  gst_deinit ();
  return ret;
}
