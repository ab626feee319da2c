/* test-element-robustness.c: ranetclassify fed bad frames and hit by faults.
 *
 * What the element does with each (also in docs/RELIABILITY.md):
 * - a buffer smaller than its caps say: GstVideoFilter cannot map it, posts a
 *   warning ("invalid video buffer received") and passes it on unclassified,
 *   without metadata, counted in the stats' frames but not as classified;
 *   the next good frame is classified;
 * - a buffer whose GstVideoMeta strides or offsets reach past its memory:
 *   the same, a warning and the buffer passed on without metadata (GStreamer
 *   maps such a buffer; the element checks every plane before reading it);
 * - caps with a zero width or height: refused at negotiation (not-negotiated);
 * - 1x1 frames, odd sizes in I420 and NV12, padded strides and plane gaps,
 *   8192x8192 frames, caps without a framerate, buffers without timestamps:
 *   classified like any other frame;
 * - the model file deleted, replaced or truncated while playing: no effect
 *   until the element restarts (the file was read at start); the restart
 *   then loads what is there, or fails with an error naming the file;
 * - the model property set while playing: refused with a warning on the bus;
 * - a device memory allocation failing at start: an error message naming the
 *   allocation, start fails, nothing leaks; at a caps change: the same, as a
 *   flow error;
 * - the device lost during a frame: an error message saying so; restarting
 *   the element sets it up on a new device.
 *
 * Frames are allocated at their exact size (gst_buffer_new_wrapped), so
 * AddressSanitizer and valgrind see any read past their end.
 */
#include <string.h>

#include <glib/gstdio.h>
#include <gst/check/gstharness.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include "model/ranet-model.h"
#include "ranet-classification-meta.h"
#include "vk-private.h"

#define BUILTIN_MODEL_PATH RANET_SOURCE_ROOT "/models/fashion-mnist-ranet.safetensors"
#define OTHER_MODEL_PATH RANET_SOURCE_ROOT "/tests/golden/cifar-lg.safetensors"

/* Held for the whole program, so that the element's starts and stops reuse
 * one device instead of creating one each time. */
static RanetVkDevice *device;

/* ---- helpers ---- */

/* A frame of @size bytes of a fixed pattern, exactly @size bytes long. */
static GstBuffer *
exact_buffer (gsize size, guint seed)
{
  guint8 *data = g_malloc (MAX (size, 1));

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) ((i * 7 + seed * 31 + (i >> 8)) & 0xff);
  return gst_buffer_new_wrapped (data, size);
}

static GstBuffer *
frame_for (const GstVideoInfo *info, guint seed)
{
  return exact_buffer (GST_VIDEO_INFO_SIZE (info), seed);
}

static GstCaps *
caps_new (const char *format, gint width, gint height, gboolean framerate)
{
  GstCaps *caps = gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING, format,
      "width", G_TYPE_INT, width, "height", G_TYPE_INT, height, NULL);

  if (framerate)
    gst_caps_set_simple (caps, "framerate", GST_TYPE_FRACTION, 30, 1, NULL);
  return caps;
}

typedef struct {
  GstHarness *h;
  GstElement *element;
  GstBus *bus;
} Harness;

static Harness
harness_new (const char *props)
{
  g_autofree char *launch = g_strdup_printf ("ranetclassify threshold-mode=fixed %s", props ? props : "");
  Harness t;

  t.h = gst_harness_new_parse (launch);
  t.element = gst_harness_find_element (t.h, "ranetclassify");
  g_assert_nonnull (t.element);
  /* the element's warnings and errors land here */
  t.bus = gst_bus_new ();
  gst_element_set_bus (t.element, t.bus);
  return t;
}

static void
harness_free (Harness *t)
{
  gst_harness_teardown (t->h);
  gst_element_set_bus (t->element, NULL);
  gst_object_unref (t->element);
  gst_object_unref (t->bus);
}

/* The next message of @type on the bus, or NULL; others are dropped. */
static GstMessage *
pop_message (Harness *t, GstMessageType type)
{
  return gst_bus_pop_filtered (t->bus, type);
}

static void
assert_message (Harness *t, GstMessageType type, const char *text)
{
  GstMessage *msg = pop_message (t, type);
  g_autoptr (GError) error = NULL;
  g_autofree char *debug = NULL;

  g_assert_nonnull (msg);
  if (type == GST_MESSAGE_WARNING)
    gst_message_parse_warning (msg, &error, &debug);
  else
    gst_message_parse_error (msg, &error, &debug);
  g_test_message ("%s: %s (%s)", GST_MESSAGE_TYPE_NAME (msg), error->message, debug ? debug : "");
  if (strstr (error->message, text) == NULL && (debug == NULL || strstr (debug, text) == NULL))
    g_error ("expected \"%s\" in: %s (%s)", text, error->message, debug ? debug : "");
  gst_message_unref (msg);
}

static void
assert_no_message (Harness *t, GstMessageType type)
{
  GstMessage *msg = pop_message (t, type);

  if (msg != NULL) {
    g_autoptr (GError) error = NULL;
    if (type == GST_MESSAGE_WARNING)
      gst_message_parse_warning (msg, &error, NULL);
    else
      gst_message_parse_error (msg, &error, NULL);
    g_error ("unexpected %s: %s", GST_MESSAGE_TYPE_NAME (msg), error->message);
  }
}

static RanetClassification
classification (GstBuffer *buf)
{
  RanetClassification c;

  g_assert_true (ranet_classification_meta_read (buf, &c));
  g_assert_cmpint (c.class_id, >=, 0);
  g_assert_cmpint (c.class_id, <, 10);
  g_assert_cmpfloat (c.confidence, >=, 0.0);
  g_assert_cmpfloat (c.confidence, <=, 1.0);
  return c;
}

/* Pushes @buf, expects it back classified. */
static RanetClassification
push_classified (Harness *t, GstBuffer *buf)
{
  GstBuffer *out = gst_harness_push_and_pull (t->h, buf);
  RanetClassification c;

  g_assert_nonnull (out);
  c = classification (out);
  gst_buffer_unref (out);
  return c;
}

/* Pushes @buf, expects it back without metadata and a warning saying @text. */
static void
push_skipped (Harness *t, GstBuffer *buf, const char *text)
{
  GstBuffer *out = gst_harness_push_and_pull (t->h, buf);
  RanetClassification c;

  g_assert_nonnull (out);
  g_assert_false (ranet_classification_meta_read (out, &c));
  gst_buffer_unref (out);
  assert_message (t, GST_MESSAGE_WARNING, text);
}

/* Every frame that went in counts in the stats, classified or not. */
static void
assert_frames_counted (Harness *t, guint64 frames, guint64 classified)
{
  g_autoptr (GstStructure) stats = NULL;
  guint64 v;

  g_object_get (t->element, "stats", &stats, NULL);
  g_assert_true (gst_structure_get_uint64 (stats, "frames", &v));
  g_assert_cmpuint (v, ==, frames);
  g_assert_true (gst_structure_get_uint64 (stats, "classified", &v));
  g_assert_cmpuint (v, ==, classified);
}

/* ---- bad frames ---- */

static void
test_undersized_buffer (void)
{
  Harness t = harness_new (NULL);
  GstVideoInfo info;

  gst_harness_set_src_caps (t.h, caps_new ("RGB", 64, 48, TRUE));
  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_RGB, 64, 48);
  push_classified (&t, frame_for (&info, 1));
  /* half a frame, one byte short, nothing at all */
  push_skipped (&t, exact_buffer (GST_VIDEO_INFO_SIZE (&info) / 2, 2), "invalid video buffer");
  push_skipped (&t, exact_buffer (GST_VIDEO_INFO_SIZE (&info) - 1, 3), "invalid video buffer");
  push_skipped (&t, gst_buffer_new (), "invalid video buffer");
  /* and the stream goes on */
  push_classified (&t, frame_for (&info, 4));
  assert_no_message (&t, GST_MESSAGE_ERROR);
  assert_frames_counted (&t, 5, 2);
  harness_free (&t);
}

/* A GstVideoMeta describing more than the buffer holds. */
static void
test_meta_beyond_buffer (void)
{
  static const struct {
    const char *format;
    gint w, h;
  } cases[] = { { "RGB", 32, 24 }, { "GRAY8", 31, 17 }, { "I420", 33, 19 }, { "NV12", 35, 21 } };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++) {
    Harness t = harness_new (NULL);
    GstVideoInfo info;
    gsize offset[GST_VIDEO_MAX_PLANES] = { 0 };
    gint stride[GST_VIDEO_MAX_PLANES] = { 0 };
    GstBuffer *buf;

    gst_harness_set_src_caps (t.h, caps_new (cases[c].format, cases[c].w, cases[c].h, TRUE));
    g_assert_true (gst_video_info_set_format (&info, gst_video_format_from_string (cases[c].format),
            cases[c].w, cases[c].h));
    for (guint i = 0; i < GST_VIDEO_INFO_N_PLANES (&info); i++) {
      offset[i] = GST_VIDEO_INFO_PLANE_OFFSET (&info, i);
      stride[i] = GST_VIDEO_INFO_PLANE_STRIDE (&info, i);
    }

    /* strides twice what the buffer can hold */
    buf = frame_for (&info, 5);
    for (guint i = 0; i < GST_VIDEO_INFO_N_PLANES (&info); i++)
      stride[i] *= 2;
    gst_buffer_add_video_meta_full (buf, GST_VIDEO_FRAME_FLAG_NONE, GST_VIDEO_INFO_FORMAT (&info),
        cases[c].w, cases[c].h, GST_VIDEO_INFO_N_PLANES (&info), offset, stride);
    push_skipped (&t, buf, "extend beyond its buffer");

    /* the last plane starting near the end of the buffer */
    for (guint i = 0; i < GST_VIDEO_INFO_N_PLANES (&info); i++)
      stride[i] = GST_VIDEO_INFO_PLANE_STRIDE (&info, i);
    offset[GST_VIDEO_INFO_N_PLANES (&info) - 1] = GST_VIDEO_INFO_SIZE (&info) - 2;
    buf = frame_for (&info, 6);
    gst_buffer_add_video_meta_full (buf, GST_VIDEO_FRAME_FLAG_NONE, GST_VIDEO_INFO_FORMAT (&info),
        cases[c].w, cases[c].h, GST_VIDEO_INFO_N_PLANES (&info), offset, stride);
    push_skipped (&t, buf, "extend beyond its buffer");

    /* a negative stride (bottom-up rows) is not read either */
    for (guint i = 0; i < GST_VIDEO_INFO_N_PLANES (&info); i++) {
      offset[i] = GST_VIDEO_INFO_PLANE_OFFSET (&info, i);
      stride[i] = -GST_VIDEO_INFO_PLANE_STRIDE (&info, i);
    }
    buf = frame_for (&info, 7);
    gst_buffer_add_video_meta_full (buf, GST_VIDEO_FRAME_FLAG_NONE, GST_VIDEO_INFO_FORMAT (&info),
        cases[c].w, cases[c].h, GST_VIDEO_INFO_N_PLANES (&info), offset, stride);
    push_skipped (&t, buf, "extend beyond its buffer");

    push_classified (&t, frame_for (&info, 8));
    assert_no_message (&t, GST_MESSAGE_ERROR);
    assert_frames_counted (&t, 4, 1);
    harness_free (&t);
  }
}

static void
test_zero_size_caps (void)
{
  static const char *const sizes[][2] = { { "0", "48" }, { "64", "0" }, { "0", "0" } };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++) {
    Harness t = harness_new (NULL);
    g_autofree char *caps = g_strdup_printf ("video/x-raw,format=RGB,width=%s,height=%s,framerate=30/1",
        sizes[i][0], sizes[i][1]);

    gst_harness_set_src_caps_str (t.h, caps);
    g_assert_cmpint (gst_harness_push (t.h, exact_buffer (16, 9)), ==, GST_FLOW_NOT_NEGOTIATED);
    harness_free (&t);
  }
}

/* 1x1, odd sizes in the subsampled formats, and the same pixels behind padded
 * strides and plane gaps: the padding must change nothing. */
static void
test_tiny_odd_padded (void)
{
  static const char *const formats[] = { "RGB", "RGBA", "GRAY8", "I420", "NV12" };
  static const gint sizes[][2] = { { 1, 1 }, { 1, 3 }, { 3, 1 }, { 2, 2 }, { 33, 17 }, { 99, 7 } };

  for (guint f = 0; f < G_N_ELEMENTS (formats); f++) {
    Harness t = harness_new (NULL);

    for (guint s = 0; s < G_N_ELEMENTS (sizes); s++) {
      gint w = sizes[s][0], h = sizes[s][1];
      GstVideoInfo info;
      GstBuffer *tight, *padded;
      gsize offset[GST_VIDEO_MAX_PLANES] = { 0 }, at = 5;
      gint stride[GST_VIDEO_MAX_PLANES] = { 0 };
      GstMapInfo src, dst;
      RanetClassification a, b;

      gst_harness_set_src_caps (t.h, caps_new (formats[f], w, h, TRUE));
      g_assert_true (gst_video_info_set_format (&info, gst_video_format_from_string (formats[f]), w, h));
      tight = frame_for (&info, s);

      for (guint i = 0; i < GST_VIDEO_INFO_N_PLANES (&info); i++) {
        gint comp[GST_VIDEO_MAX_COMPONENTS];
        gst_video_format_info_component (info.finfo, i, comp);
        offset[i] = at;
        stride[i] = GST_VIDEO_INFO_PLANE_STRIDE (&info, i) + 61;
        at += (gsize) stride[i] * GST_VIDEO_INFO_COMP_HEIGHT (&info, comp[0]) + 3;
      }
      padded = exact_buffer (at, 99);
      g_assert_true (gst_buffer_map (tight, &src, GST_MAP_READ));
      g_assert_true (gst_buffer_map (padded, &dst, GST_MAP_WRITE));
      for (guint i = 0; i < GST_VIDEO_INFO_N_PLANES (&info); i++) {
        gint comp[GST_VIDEO_MAX_COMPONENTS];
        gst_video_format_info_component (info.finfo, i, comp);
        for (gint row = 0; row < GST_VIDEO_INFO_COMP_HEIGHT (&info, comp[0]); row++)
          memcpy (dst.data + offset[i] + (gsize) row * stride[i],
              src.data + GST_VIDEO_INFO_PLANE_OFFSET (&info, i) + (gsize) row * GST_VIDEO_INFO_PLANE_STRIDE (&info, i),
              GST_VIDEO_INFO_PLANE_STRIDE (&info, i));
      }
      gst_buffer_unmap (padded, &dst);
      gst_buffer_unmap (tight, &src);
      gst_buffer_add_video_meta_full (padded, GST_VIDEO_FRAME_FLAG_NONE, GST_VIDEO_INFO_FORMAT (&info), w, h,
          GST_VIDEO_INFO_N_PLANES (&info), offset, stride);

      a = push_classified (&t, tight);
      b = push_classified (&t, padded);
      g_assert_cmpint (a.class_id, ==, b.class_id);
      g_assert_cmpint (a.exit_index, ==, b.exit_index);
      g_assert_cmpfloat_with_epsilon (a.confidence, b.confidence, 1e-6);
    }
    assert_no_message (&t, GST_MESSAGE_ERROR);
    assert_no_message (&t, GST_MESSAGE_WARNING);
    harness_free (&t);
  }
}

static void
test_huge_frames (void)
{
  static const char *const formats[] = { "GRAY8", "I420" };

  for (guint f = 0; f < G_N_ELEMENTS (formats); f++) {
    Harness t = harness_new (NULL);
    GstVideoInfo info;

    gst_harness_set_src_caps (t.h, caps_new (formats[f], 8192, 8192, TRUE));
    g_assert_true (gst_video_info_set_format (&info, gst_video_format_from_string (formats[f]), 8192, 8192));
    push_classified (&t, frame_for (&info, 1));
    assert_no_message (&t, GST_MESSAGE_ERROR);
    harness_free (&t);
  }
}

/* No framerate in the caps, no timestamps on the buffers: the adaptive policy
 * has no frame period and classifies anyway; messages carry no timestamp. */
static void
test_no_framerate_no_timestamps (void)
{
  Harness t = harness_new ("post-messages=true");
  GstVideoInfo info;
  GstElement *el = t.element;
  GstMessage *msg;
  guint64 ts = 0;

  g_object_set (el, "threshold-mode", 0 /* adaptive */, NULL);
  gst_harness_set_src_caps (t.h, caps_new ("RGB", 40, 30, FALSE));
  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_RGB, 40, 30);
  for (guint i = 0; i < 3; i++) {
    GstBuffer *buf = frame_for (&info, i);

    GST_BUFFER_PTS (buf) = GST_BUFFER_DTS (buf) = GST_BUFFER_DURATION (buf) = GST_CLOCK_TIME_NONE;
    push_classified (&t, buf);
  }
  msg = pop_message (&t, GST_MESSAGE_ELEMENT);
  g_assert_nonnull (msg);
  g_assert_true (gst_structure_get_uint64 (gst_message_get_structure (msg), "timestamp", &ts));
  g_assert_cmpuint (ts, ==, GST_CLOCK_TIME_NONE);
  gst_message_unref (msg);
  assert_no_message (&t, GST_MESSAGE_ERROR);
  harness_free (&t);
}

/* ---- faults ---- */

static void
copy_file (const char *from, const char *to)
{
  g_autofree char *contents = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (from, &contents, &len, NULL));
  g_assert_true (g_file_set_contents (to, contents, len, NULL));
}

/* Deleted, replaced by rename, truncated in place while playing: frames go on;
 * the next start reads what is there. */
static void
test_model_file_changes (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ranet-robustness-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "model.safetensors", NULL);
  g_autofree char *tmp = g_build_filename (dir, "new.safetensors", NULL);
  g_autofree char *props = g_strdup_printf ("model=%s", path);
  GstVideoInfo info;
  Harness t;
  FILE *f;

  copy_file (BUILTIN_MODEL_PATH, path);
  t = harness_new (props);
  gst_harness_set_src_caps (t.h, caps_new ("GRAY8", 28, 28, TRUE));
  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_GRAY8, 28, 28);
  push_classified (&t, frame_for (&info, 1));

  /* deleted */
  g_assert_cmpint (g_unlink (path), ==, 0);
  push_classified (&t, frame_for (&info, 2));
  /* replaced by another file, renamed over it */
  copy_file (BUILTIN_MODEL_PATH, tmp);
  g_assert_cmpint (g_rename (tmp, path), ==, 0);
  push_classified (&t, frame_for (&info, 3));
  /* truncated in place, as `cp other path` does before writing */
  f = fopen (path, "r+");
  g_assert_nonnull (f);
  g_assert_cmpint (ftruncate (fileno (f), 100), ==, 0);
  fclose (f);
  push_classified (&t, frame_for (&info, 4));
  assert_no_message (&t, GST_MESSAGE_ERROR);

  /* a restart reads the truncated file and says what is wrong with it */
  gst_element_set_state (t.element, GST_STATE_NULL);
  g_assert_cmpint (gst_element_set_state (t.element, GST_STATE_PLAYING), ==, GST_STATE_CHANGE_FAILURE);
  assert_message (&t, GST_MESSAGE_ERROR, "model.safetensors");
  /* fixed file, restart works */
  gst_element_set_state (t.element, GST_STATE_NULL);
  copy_file (BUILTIN_MODEL_PATH, path);
  g_assert_cmpint (gst_element_set_state (t.element, GST_STATE_PLAYING), !=, GST_STATE_CHANGE_FAILURE);
  gst_harness_set_src_caps (t.h, caps_new ("GRAY8", 28, 28, TRUE));
  push_classified (&t, frame_for (&info, 5));
  /* deleted, then a restart: not found */
  g_assert_cmpint (g_unlink (path), ==, 0);
  gst_element_set_state (t.element, GST_STATE_NULL);
  g_assert_cmpint (gst_element_set_state (t.element, GST_STATE_PLAYING), ==, GST_STATE_CHANGE_FAILURE);
  assert_message (&t, GST_MESSAGE_ERROR, "model.safetensors");
  gst_element_set_state (t.element, GST_STATE_NULL);

  harness_free (&t);
  g_rmdir (dir);
}

static void
test_model_property_while_playing (void)
{
  g_autofree char *props = g_strdup_printf ("model=%s", BUILTIN_MODEL_PATH);
  Harness t = harness_new (props);
  g_autofree char *model = NULL;
  GstVideoInfo info;

  gst_harness_set_src_caps (t.h, caps_new ("GRAY8", 28, 28, TRUE));
  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_GRAY8, 28, 28);
  push_classified (&t, frame_for (&info, 1));

  g_object_set (t.element, "model", OTHER_MODEL_PATH, NULL);
  assert_message (&t, GST_MESSAGE_WARNING, "cannot change in the PLAYING state");
  g_object_set (t.element, "device", "0", NULL);
  assert_message (&t, GST_MESSAGE_WARNING, "cannot change in the PLAYING state");
  g_object_get (t.element, "model", &model, NULL);
  g_assert_cmpstr (model, ==, BUILTIN_MODEL_PATH);
  push_classified (&t, frame_for (&info, 2));

  /* in READY it is taken, and used at the next start */
  gst_element_set_state (t.element, GST_STATE_READY);
  g_object_set (t.element, "model", OTHER_MODEL_PATH, NULL);
  assert_no_message (&t, GST_MESSAGE_WARNING);
  g_clear_pointer (&model, g_free);
  g_object_get (t.element, "model", &model, NULL);
  g_assert_cmpstr (model, ==, OTHER_MODEL_PATH);
  gst_element_set_state (t.element, GST_STATE_PLAYING);
  gst_harness_set_src_caps (t.h, caps_new ("RGB", 32, 32, TRUE));
  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_RGB, 32, 32);
  push_classified (&t, frame_for (&info, 3));
  assert_no_message (&t, GST_MESSAGE_ERROR);
  harness_free (&t);
}

/* Every device allocation the element makes at start, failed in turn. */
static void
test_alloc_failure_at_start (void)
{
  GstVideoInfo info;
  guint n;

  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_GRAY8, 28, 28);
  for (n = 1; n < 100; n++) {
    Harness t = harness_new (NULL);
    GstStateChangeReturn ret;

    gst_element_set_state (t.element, GST_STATE_NULL);
    ranet_vk_debug_inject (RANET_VK_FAULT_ALLOC, n);
    ret = gst_element_set_state (t.element, GST_STATE_PLAYING);
    if (ret != GST_STATE_CHANGE_FAILURE) {
      /* past the last allocation of start: the first frame's input buffer */
      gst_harness_set_src_caps (t.h, caps_new ("GRAY8", 28, 28, TRUE));
      if (gst_harness_push (t.h, frame_for (&info, n)) == GST_FLOW_OK) {
        GstBuffer *out = gst_harness_pull (t.h);
        classification (out);
        gst_buffer_unref (out);
        ranet_vk_debug_inject (RANET_VK_FAULT_ALLOC, 0);
        harness_free (&t);
        break;
      }
    }
    assert_message (&t, GST_MESSAGE_ERROR, "VK_ERROR_OUT_OF_DEVICE_MEMORY");
    gst_element_set_state (t.element, GST_STATE_NULL);
    harness_free (&t);
  }
  g_test_message ("%u allocations failed in turn", n - 1);
  g_assert_cmpuint (n, >, 2);
  g_assert_cmpuint (n, <, 100);
}

/* A caps change to a bigger frame needs a bigger input buffer. */
static void
test_alloc_failure_at_caps_change (void)
{
  Harness t = harness_new (NULL);
  GstVideoInfo info;

  gst_harness_set_src_caps (t.h, caps_new ("GRAY8", 28, 28, TRUE));
  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_GRAY8, 28, 28);
  push_classified (&t, frame_for (&info, 1));

  gst_harness_set_src_caps (t.h, caps_new ("RGBA", 640, 480, TRUE));
  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_RGBA, 640, 480);
  ranet_vk_debug_inject (RANET_VK_FAULT_ALLOC, 1);
  g_assert_cmpint (gst_harness_push (t.h, frame_for (&info, 2)), ==, GST_FLOW_ERROR);
  assert_message (&t, GST_MESSAGE_ERROR, "VK_ERROR_OUT_OF_DEVICE_MEMORY");
  ranet_vk_debug_inject (RANET_VK_FAULT_ALLOC, 0);
  harness_free (&t);
}

/* @data: extra element properties. In fixed mode a frame is one submission
 * (the exit decided on the device, where it can), in adaptive mode one per
 * stage: a lost device must surface the same way from both. */
static void
test_device_lost (gconstpointer data)
{
  Harness t = harness_new (data);
  GstVideoInfo info;
  RanetVkDevice *fresh;
  g_autoptr (GError) error = NULL;

  gst_harness_set_src_caps (t.h, caps_new ("GRAY8", 28, 28, TRUE));
  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_GRAY8, 28, 28);
  push_classified (&t, frame_for (&info, 1));

  ranet_vk_debug_inject (RANET_VK_FAULT_SUBMIT, 1);
  g_assert_cmpint (gst_harness_push (t.h, frame_for (&info, 2)), ==, GST_FLOW_ERROR);
  assert_message (&t, GST_MESSAGE_ERROR, "Vulkan device was lost");
  /* lost stays lost */
  g_assert_cmpint (gst_harness_push (t.h, frame_for (&info, 3)), ==, GST_FLOW_ERROR);
  assert_message (&t, GST_MESSAGE_ERROR, "VK_ERROR_DEVICE_LOST");

  /* the program's own reference still points at the lost device; a restart
   * gets a new one */
  gst_element_set_state (t.element, GST_STATE_NULL);
  g_assert_cmpint (gst_element_set_state (t.element, GST_STATE_PLAYING), !=, GST_STATE_CHANGE_FAILURE);
  gst_harness_set_src_caps (t.h, caps_new ("GRAY8", 28, 28, TRUE));
  push_classified (&t, frame_for (&info, 4));
  assert_no_message (&t, GST_MESSAGE_ERROR);
  harness_free (&t);

  fresh = ranet_vk_device_get_shared (NULL, &error);
  g_assert_no_error (error);
  g_assert_true (fresh != device);
  ranet_vk_device_unref (device);
  device = fresh;
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

  g_test_add_func ("/robustness/frames/undersized-buffer", test_undersized_buffer);
  g_test_add_func ("/robustness/frames/meta-beyond-buffer", test_meta_beyond_buffer);
  g_test_add_func ("/robustness/frames/zero-size-caps", test_zero_size_caps);
  g_test_add_func ("/robustness/frames/tiny-odd-padded", test_tiny_odd_padded);
  g_test_add_func ("/robustness/frames/8192x8192", test_huge_frames);
  g_test_add_func ("/robustness/frames/no-framerate-no-timestamps", test_no_framerate_no_timestamps);
  g_test_add_func ("/robustness/faults/model-file-changes", test_model_file_changes);
  g_test_add_func ("/robustness/faults/model-property-while-playing", test_model_property_while_playing);
  g_test_add_func ("/robustness/faults/alloc-failure-at-start", test_alloc_failure_at_start);
  g_test_add_func ("/robustness/faults/alloc-failure-at-caps-change", test_alloc_failure_at_caps_change);
  g_test_add_data_func ("/robustness/faults/device-lost", NULL, test_device_lost);
  g_test_add_data_func ("/robustness/faults/device-lost-adaptive", "threshold-mode=adaptive",
      test_device_lost);
  ret = g_test_run ();

  if (ranet_vk_device_get_validation_error_count (device) > 0) {
    g_printerr ("%u Vulkan validation errors\n", ranet_vk_device_get_validation_error_count (device));
    ret = 1;
  }
  g_clear_pointer (&device, ranet_vk_device_unref);
  gst_deinit ();
  return ret;
}
