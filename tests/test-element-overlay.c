/* test-element-overlay.c: ranetoverlay draws a known result on a known frame.
 *
 * With GstHarness: a solid frame carrying a RanetClassificationMeta written
 * here. Where downstream draws compositions (the meta in its allocation answer,
 * or the caps feature) the frame leaves byte-identical with one rectangle
 * attached; elsewhere the box is blended in: bytes inside the rectangle the
 * attaching run reported change, bytes outside it do not. Every format of the
 * element's caps, which are ranetclassify's. A frame without the metadata
 * passes byte-identical; one already carrying a composition gets the box
 * added to it. The statistics' window, on a made-up clock, and the text of
 * the statistics box for given frames; with show-stats, blending still
 * changes pixels only inside the rectangles drawn. A frame's
 * regions (a hand-made roi-list result): each box's edges drawn in its
 * class's colour, a skipped box's dashed, a degenerate one not at all, and
 * nothing far from the boxes, whether attached or blended. Last,
 * ranetclassify upstream on the built-in model, whose results the overlay
 * draws. */
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>
#include <math.h>
#include <string.h>

#include "ranet-classification-meta.h"
#include "ranet-overlay-regions.h"
#include "ranet-overlay-stats.h"
#include "roi-list-meta.h"

#define WIDTH 320
#define HEIGHT 240
#define FILL 0x30   /* every byte: a solid frame in every format */

static GstCaps *
caps_for (const gchar *format)
{
  return gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING, format,
      "width", G_TYPE_INT, WIDTH, "height", G_TYPE_INT, HEIGHT,
      "framerate", GST_TYPE_FRACTION, 30, 1, NULL);
}

static GstBuffer *
solid_frame_marked (const GstVideoInfo *info, gboolean with_result, gboolean forced,
    gboolean reused)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (info), NULL);

  gst_buffer_memset (buf, 0, FILL, GST_VIDEO_INFO_SIZE (info));
  GST_BUFFER_PTS (buf) = 0;
  GST_BUFFER_DURATION (buf) = GST_SECOND / 30;
  if (with_result) {
    GstCustomMeta *meta = gst_buffer_add_custom_meta (buf, RANET_CLASSIFICATION_META_NAME);
    GstStructure *s;

    fail_unless (meta != NULL, "the metadata is registered with the plugin");
    s = gst_custom_meta_get_structure (meta);
    gst_structure_set (s,
        "element", G_TYPE_STRING, "ranetclassify0",
        "model", G_TYPE_STRING, "test",
        "class-id", G_TYPE_INT, 7,
        "label", G_TYPE_STRING, "Sneaker",
        "confidence", G_TYPE_DOUBLE, 0.87,
        "exit", G_TYPE_INT, 2,
        "num-exits", G_TYPE_INT, 5,
        "threshold", G_TYPE_DOUBLE, 0.8,
        "forced", G_TYPE_BOOLEAN, forced,
        "reused", G_TYPE_BOOLEAN, reused,
        "macs", G_TYPE_UINT64, (guint64) 123456,
        "latency", G_TYPE_UINT64, (guint64) (2 * GST_MSECOND), NULL);
  }
  return buf;
}

static GstBuffer *
solid_frame (const GstVideoInfo *info, gboolean with_result)
{
  return solid_frame_marked (info, with_result, TRUE, FALSE);
}

/* The width of the box drawn for a result with these marks. */
static gint
box_width (GstHarness *h, const GstVideoInfo *info, gboolean forced, gboolean reused)
{
  GstBuffer *out;
  GstVideoOverlayCompositionMeta *meta;
  gint x, y;
  guint w, hh;

  fail_unless_equals_int (gst_harness_push (h,
          solid_frame_marked (info, TRUE, forced, reused)), GST_FLOW_OK);
  out = gst_harness_pull (h);
  meta = gst_buffer_get_video_overlay_composition_meta (out);
  fail_unless (meta != NULL);
  gst_video_overlay_rectangle_get_render_rectangle (
      gst_video_overlay_composition_get_rectangle (meta->overlay, 0), &x, &y, &w, &hh);
  gst_buffer_unref (out);
  return (gint) w;
}

static gboolean
buffers_equal (GstBuffer *a, GstBuffer *b)
{
  GstMapInfo ma, mb;
  gboolean equal;

  gst_buffer_map (a, &ma, GST_MAP_READ);
  gst_buffer_map (b, &mb, GST_MAP_READ);
  equal = ma.size == mb.size && memcmp (ma.data, mb.data, ma.size) == 0;
  gst_buffer_unmap (a, &ma);
  gst_buffer_unmap (b, &mb);
  return equal;
}

static GstHarness *
overlay_harness (const gchar *format, const gchar *sink_caps, gboolean sink_draws)
{
  GstHarness *h = gst_harness_new ("ranetoverlay");

  gst_harness_set_src_caps (h, caps_for (format));
  if (sink_caps != NULL)
    gst_harness_set_sink_caps_str (h, sink_caps);
  if (sink_draws)
    gst_harness_add_propose_allocation_meta (h,
        GST_VIDEO_OVERLAY_COMPOSITION_META_API_TYPE, NULL);
  return h;
}

/* The meta path: the frame's bytes untouched, one rectangle inside the frame
 * with some visible pixels. Returns its place, for the blend path. */
static void
check_attached (GstHarness *h, const GstVideoInfo *info, GstVideoRectangle *place)
{
  GstBuffer *in = solid_frame (info, TRUE);
  GstBuffer *ref = gst_buffer_copy_deep (in);
  GstBuffer *out;
  GstVideoOverlayCompositionMeta *meta;
  GstVideoOverlayRectangle *rect;
  GstBuffer *pixels;
  GstMapInfo map;
  guint visible = 0;

  fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless (buffers_equal (out, ref), "the frame is untouched where the meta is attached");
  meta = gst_buffer_get_video_overlay_composition_meta (out);
  fail_unless (meta != NULL, "a composition is attached");
  fail_unless_equals_int (gst_video_overlay_composition_n_rectangles (meta->overlay), 1);
  rect = gst_video_overlay_composition_get_rectangle (meta->overlay, 0);
  gst_video_overlay_rectangle_get_render_rectangle (rect, &place->x, &place->y,
      (guint *) &place->w, (guint *) &place->h);
  fail_unless (place->x >= 0 && place->y >= 0 && place->w > 0 && place->h > 0
      && place->x + place->w <= WIDTH && place->y + place->h <= HEIGHT,
      "the box lies inside the frame");
  pixels = gst_video_overlay_rectangle_get_pixels_unscaled_argb (rect,
      GST_VIDEO_OVERLAY_FORMAT_FLAG_NONE);
  gst_buffer_map (pixels, &map, GST_MAP_READ);
  for (gsize i = 0; i < map.size; i += 4)
    visible += map.data[i + 3] != 0;   /* alpha: B, G, R, A in memory */
  gst_buffer_unmap (pixels, &map);
  fail_unless (visible > 0, "the box has visible pixels");
  gst_buffer_unref (out);
  gst_buffer_unref (ref);
}

/* Whether the plane pixel covering frame pixels [x, x + sx) x [y, y + sy)
 * may be touched by blending @places: it overlaps one of them, widened by a
 * pixel for the chroma subsampling. */
static gboolean
inside_any (const GstVideoRectangle *places, guint n_places, gint x, gint y, gint sx, gint sy)
{
  for (guint i = 0; i < n_places; i++) {
    const GstVideoRectangle *place = &places[i];

    if (x + sx + 1 > place->x && x - 1 < place->x + place->w
        && y + sy + 1 > place->y && y - 1 < place->y + place->h)
      return TRUE;
  }
  return FALSE;
}

/* The blend path, @in pushed (a solid frame with a result): every plane's
 * bytes outside @places (widened by the chroma subsampling) equal the solid
 * frame's, and plane 0 changed inside them. */
static void
check_blended_in (GstHarness *h, const GstVideoInfo *info, GstBuffer *in,
    const GstVideoRectangle *places, guint n_places)
{
  GstBuffer *out;
  GstVideoFrame frame;
  guint changed_inside = 0;

  fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless (gst_buffer_get_video_overlay_composition_meta (out) == NULL,
      "nothing attached where downstream does not draw compositions");
  fail_unless (gst_video_frame_map (&frame, info, out, GST_MAP_READ));
  for (guint p = 0; p < GST_VIDEO_FRAME_N_PLANES (&frame); p++) {
    guint c = 0;
    gint pw, ph, ps, sx, sy;
    const guint8 *data = GST_VIDEO_FRAME_PLANE_DATA (&frame, p);
    gint stride = GST_VIDEO_FRAME_PLANE_STRIDE (&frame, p);

    while (GST_VIDEO_FRAME_COMP_PLANE (&frame, c) != p)
      c++;
    pw = GST_VIDEO_FRAME_COMP_WIDTH (&frame, c);
    ph = GST_VIDEO_FRAME_COMP_HEIGHT (&frame, c);
    ps = GST_VIDEO_FRAME_COMP_PSTRIDE (&frame, c);
    sx = WIDTH / pw;
    sy = HEIGHT / ph;
    for (gint y = 0; y < ph; y++) {
      for (gint x = 0; x < pw; x++) {
        gboolean inside = inside_any (places, n_places, x * sx, y * sy, sx, sy);

        for (gint b = 0; b < ps; b++) {
          gboolean same = data[y * stride + x * ps + b] == FILL;

          if (!inside)
            fail_unless (same, "plane %u byte %d of pixel (%d, %d) outside the box "
                "changed", p, b, x, y);
          else if (p == 0 && !same)
            changed_inside++;
        }
      }
    }
  }
  fail_unless (changed_inside > 0, "the box is blended into the frame");
  gst_video_frame_unmap (&frame);
  gst_buffer_unref (out);
}

static void
check_blended (GstHarness *h, const GstVideoInfo *info, const GstVideoRectangle *place)
{
  check_blended_in (h, info, solid_frame (info, TRUE), place, 1);
}

static void
check_untouched_without_result (GstHarness *h, const GstVideoInfo *info)
{
  GstBuffer *in = solid_frame (info, FALSE);
  GstBuffer *ref = gst_buffer_copy_deep (in);
  GstBuffer *out;

  fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless (buffers_equal (out, ref), "a frame without a result passes untouched");
  fail_unless (gst_buffer_get_video_overlay_composition_meta (out) == NULL);
  gst_buffer_unref (out);
  gst_buffer_unref (ref);
}

/* The formats of a pad template's caps, in order. */
static GPtrArray *
template_formats (const gchar *factory, const gchar *pad)
{
  GstElement *e = gst_element_factory_make (factory, NULL);
  GstPadTemplate *templ;
  GstCaps *caps;
  const GValue *list;
  GPtrArray *formats = g_ptr_array_new_with_free_func (g_free);

  fail_unless (e != NULL, "%s is found", factory);
  templ = gst_element_class_get_pad_template (GST_ELEMENT_GET_CLASS (e), pad);
  caps = gst_pad_template_get_caps (templ);
  list = gst_structure_get_value (gst_caps_get_structure (caps, 0), "format");
  for (guint i = 0; i < gst_value_list_get_size (list); i++)
    g_ptr_array_add (formats, g_value_dup_string (gst_value_list_get_value (list, i)));
  gst_caps_unref (caps);
  gst_object_unref (e);
  return formats;
}

GST_START_TEST (test_same_formats_as_classify)
{
  g_autoptr (GPtrArray) overlay = template_formats ("ranetoverlay", "sink");
  g_autoptr (GPtrArray) classify = template_formats ("ranetclassify", "sink");

  fail_unless_equals_int (overlay->len, classify->len);
  for (guint i = 0; i < overlay->len; i++)
    fail_unless_equals_string (g_ptr_array_index (overlay, i), g_ptr_array_index (classify, i));
}
GST_END_TEST;

GST_START_TEST (test_every_format)
{
  g_autoptr (GPtrArray) formats = template_formats ("ranetoverlay", "sink");

  for (guint i = 0; i < formats->len; i++) {
    const gchar *format = g_ptr_array_index (formats, i);
    g_autoptr (GstCaps) caps = caps_for (format);
    GstVideoInfo info;
    GstVideoRectangle place;
    GstHarness *h;

    GST_INFO ("format %s", format);
    fail_unless (gst_video_info_from_caps (&info, caps));

    h = overlay_harness (format, NULL, TRUE);
    check_attached (h, &info, &place);
    check_untouched_without_result (h, &info);
    gst_harness_teardown (h);

    h = overlay_harness (format, NULL, FALSE);
    check_blended (h, &info, &place);
    check_untouched_without_result (h, &info);
    gst_harness_teardown (h);
  }
}
GST_END_TEST;

/* A sink whose caps ask for the feature gets the meta without an allocation
 * answer that names it. */
GST_START_TEST (test_caps_feature)
{
  GstVideoInfo info;
  GstVideoRectangle place;
  g_autoptr (GstCaps) caps = caps_for ("RGBA");
  GstHarness *h = overlay_harness ("RGBA",
      "video/x-raw(memory:SystemMemory, meta:GstVideoOverlayComposition), format=RGBA",
      FALSE);

  fail_unless (gst_video_info_from_caps (&info, caps));
  check_attached (h, &info, &place);
  gst_harness_teardown (h);
}
GST_END_TEST;

/* The box moves with the position property; what is shown changes its size. */
GST_START_TEST (test_properties)
{
  GstVideoInfo info;
  GstVideoRectangle full, corner, bar_only;
  g_autoptr (GstCaps) caps = caps_for ("BGRx");
  GstHarness *h = overlay_harness ("BGRx", NULL, TRUE);

  fail_unless (gst_video_info_from_caps (&info, caps));
  check_attached (h, &info, &full);
  g_object_set (h->element, "position", 3 /* bottom-right */, NULL);
  check_attached (h, &info, &corner);
  fail_unless (corner.x > full.x && corner.y > full.y, "bottom-right is below and right: "
      "(%d, %d) %dx%d, then (%d, %d) %dx%d", full.x, full.y, full.w, full.h,
      corner.x, corner.y, corner.w, corner.h);
  fail_unless_equals_int (corner.w, full.w);
  g_object_set (h->element, "show-label", FALSE, NULL);
  check_attached (h, &info, &bar_only);
  fail_unless (bar_only.h < full.h, "the bar alone is lower than label and bar");
  g_object_set (h->element, "show-stats", TRUE, NULL);
  check_attached (h, &info, &bar_only);
  g_object_set (h->element, "show-stats", FALSE, "show-exit-bar", FALSE, NULL);
  /* nothing left to show: no rectangle, the frame untouched */
  fail_unless_equals_int (gst_harness_push (h, solid_frame (&info, TRUE)), GST_FLOW_OK);
  {
    GstBuffer *out = gst_harness_pull (h);

    fail_unless (gst_buffer_get_video_overlay_composition_meta (out) == NULL);
    gst_buffer_unref (out);
  }
  gst_harness_teardown (h);
}
GST_END_TEST;

/* The marks are drawn: each widens the label's line. */
GST_START_TEST (test_marks)
{
  GstVideoInfo info;
  g_autoptr (GstCaps) caps = caps_for ("RGBA");
  GstHarness *h = overlay_harness ("RGBA", NULL, TRUE);
  gint plain, forced, reused;

  fail_unless (gst_video_info_from_caps (&info, caps));
  plain = box_width (h, &info, FALSE, FALSE);
  forced = box_width (h, &info, TRUE, FALSE);
  reused = box_width (h, &info, FALSE, TRUE);
  fail_unless (forced > plain && reused > plain, "widths %d, forced %d, reused %d",
      plain, forced, reused);
  gst_harness_teardown (h);
}
GST_END_TEST;

/* A composition from an overlay upstream keeps its rectangle; the box is
 * added beside it. */
GST_START_TEST (test_adds_to_composition)
{
  GstVideoInfo info;
  g_autoptr (GstCaps) caps = caps_for ("RGBA");
  GstHarness *h = overlay_harness ("RGBA", NULL, TRUE);
  GstBuffer *in, *out, *pixels;
  GstVideoOverlayRectangle *theirs;
  GstVideoOverlayComposition *comp;
  GstVideoOverlayCompositionMeta *meta;

  fail_unless (gst_video_info_from_caps (&info, caps));
  pixels = gst_buffer_new_allocate (NULL, 8 * 8 * 4, NULL);
  gst_buffer_memset (pixels, 0, 0xff, 8 * 8 * 4);
  gst_buffer_add_video_meta (pixels, GST_VIDEO_FRAME_FLAG_NONE,
      GST_VIDEO_OVERLAY_COMPOSITION_FORMAT_RGB, 8, 8);
  theirs = gst_video_overlay_rectangle_new_raw (pixels, 100, 100, 8, 8,
      GST_VIDEO_OVERLAY_FORMAT_FLAG_NONE);
  comp = gst_video_overlay_composition_new (theirs);
  in = solid_frame (&info, TRUE);
  gst_buffer_add_video_overlay_composition_meta (in, comp);
  fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
  out = gst_harness_pull (h);
  meta = gst_buffer_get_video_overlay_composition_meta (out);
  fail_unless (meta != NULL);
  fail_unless_equals_int (gst_video_overlay_composition_n_rectangles (meta->overlay), 2);
  fail_unless (gst_video_overlay_composition_get_rectangle (meta->overlay, 0) == theirs);
  gst_buffer_unref (out);
  gst_video_overlay_composition_unref (comp);
  gst_video_overlay_rectangle_unref (theirs);
  gst_buffer_unref (pixels);
  gst_harness_teardown (h);
}
GST_END_TEST;

/* The window holds the last second: its rate, and the mean of the exits of
 * the frames that had a result. */
/* A whole frame's result at @exit_index, or none for -1 */
static RanetOverlayFrame
whole_frame (gint exit_index)
{
  return (RanetOverlayFrame) {
    .exit_sum = (guint) MAX (exit_index, 0), .n_results = exit_index >= 0,
    .num_exits = 5, .operating_point = -1, .inferred = exit_index >= 0,
  };
}

GST_START_TEST (test_stats_window)
{
  static RanetOverlayStats stats;
  gdouble mean, max;

  ranet_overlay_stats_reset (&stats);
  fail_unless (ranet_overlay_stats_fps (&stats) == 0.0);
  fail_if (ranet_overlay_stats_mean_exit (&stats, &mean));
  /* 3 s at 25 frames/s: exit 4 for the first two seconds, then 0 and 2
   * alternating, every fifth frame without a result */
  for (guint i = 0; i < 75; i++) {
    RanetOverlayFrame f = whole_frame (i < 50 ? 4 : (i % 5 == 0 ? -1 : (gint) (i % 2) * 2));

    ranet_overlay_stats_add (&stats, 1000000 + i * 40000, &f);
  }
  fail_unless (fabs (ranet_overlay_stats_fps (&stats) - 25.0) < 1e-9,
      "%f frames/s", ranet_overlay_stats_fps (&stats));
  fail_unless (ranet_overlay_stats_mean_exit (&stats, &mean));
  /* the window: frames 49..74 (a second back from frame 74, ends included):
   * frame 49's exit 4, and of 50..74 the 20 with a result, exits 0 and 2 */
  {
    gint64 sum = 4;
    guint n = 1;

    for (guint i = 50; i < 75; i++)
      if (i % 5 != 0) {
        sum += (i % 2) * 2;
        n++;
      }
    fail_unless (fabs (mean - (gdouble) sum / n) < 1e-9, "mean %f, expected %f",
        mean, (gdouble) sum / n);
  }
  /* no frame had a budget */
  fail_if (ranet_overlay_stats_budget_use (&stats, &mean, &max));
  /* more frames in a second than slots: the newest are kept */
  ranet_overlay_stats_reset (&stats);
  for (guint i = 0; i < 3 * RANET_OVERLAY_STATS_SLOTS; i++) {
    RanetOverlayFrame f = whole_frame (1);

    ranet_overlay_stats_add (&stats, i * 100, &f);
  }
  fail_unless_equals_int (stats.count, RANET_OVERLAY_STATS_SLOTS);
  fail_unless (fabs (ranet_overlay_stats_fps (&stats) - 10000.0) < 1e-6);
}
GST_END_TEST;

/* Pushes @frames, 40 ms apart (25 frames/s); returns the text for the last. */
static gchar *
stats_text_after (const RanetOverlayFrame *frames, guint n)
{
  static RanetOverlayStats stats;

  ranet_overlay_stats_reset (&stats);
  for (guint i = 0; i < n; i++)
    ranet_overlay_stats_add (&stats, 5000000 + i * 40000, &frames[i]);
  return ranet_overlay_stats_text (&stats, &frames[n - 1]);
}

/* The statistics box's lines: rate and mean exit (from 1), the regions where
 * there are, then the operating point or "fixed", the frame's latency and
 * the budget use over the window (mean and max) or "no budget". */
GST_START_TEST (test_stats_text)
{
  const guint64 ms = 1000000;
  /* fixed thresholds, no budget */
  const RanetOverlayFrame fixed[] = {
    { 2, 1, 5, -1, 2 * ms, 0, TRUE },
    { 4, 1, 5, -1, 3 * ms, 0, TRUE },
  };
  /* adaptive, a 40 ms budget: 10, 20 and 12 ms used (25%, 50%, 30%); a
   * reused frame (latency 0) does not count */
  const RanetOverlayFrame adaptive[] = {
    { 0, 1, 5, 7, 10 * ms, 40 * ms, TRUE },
    { 1, 1, 5, 6, 20 * ms, 40 * ms, TRUE },
    { 1, 1, 5, 6, 0, 40 * ms, FALSE },
    { 2, 1, 5, 7, 12 * ms, 40 * ms, TRUE },
  };
  /* a budget, but no frame of the window ran under it */
  const RanetOverlayFrame only_reused[] = {
    { 1, 1, 5, 3, 0, 40 * ms, FALSE },
  };
  /* frames of regions: 3 and 2 classified (exits summing to 3 and 2); the
   * second at 3 ms of a 10 ms budget, the first at 5 ms */
  const RanetOverlayFrame regions_frames[] = {
    { 3, 3, 5, 2, 5 * ms, 10 * ms, TRUE, TRUE, 3, 3, 0 },
    { 2, 2, 5, 2, 3 * ms, 10 * ms, TRUE, TRUE, 4, 2, 1 },
  };
  /* no result yet */
  const RanetOverlayFrame nothing[] = { { .operating_point = -1 } };
  struct {
    const RanetOverlayFrame *frames;
    guint n;
    const gchar *text;
  } cases[] = {
    { fixed, G_N_ELEMENTS (fixed), "25.0 fps, mean exit 4.00/5\nfixed, 3.00 ms, no budget" },
    { adaptive, G_N_ELEMENTS (adaptive),
      "25.0 fps, mean exit 2.00/5\npoint 7, 12.00 ms, budget use 35% (max 50%)" },
    { only_reused, G_N_ELEMENTS (only_reused),
      "0.0 fps, mean exit 2.00/5\npoint 3, 0.00 ms, budget 40.00 ms" },
    { regions_frames, G_N_ELEMENTS (regions_frames),
      "25.0 fps, mean exit 2.00/5\n2/4 regions classified, 1 skipped\n"
      "point 2, 3.00 ms, budget use 40% (max 50%)" },
    { nothing, 1, "0.0 fps\nfixed, 0.00 ms, no budget" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree gchar *text = stats_text_after (cases[i].frames, cases[i].n);

    fail_unless_equals_string (text, cases[i].text);
  }
}
GST_END_TEST;

/* With show-stats, fresh elements (the text of a first frame is always the
 * same: no rate yet) attach, then blend: the frame changes only inside the
 * rectangles the attaching run reported. A whole frame's result written
 * before operating-point and budget existed, in several formats; a frame of
 * regions with its boxes and the statistics box. */
static GstBuffer *frame_with_regions (const GstVideoInfo *info);

GST_START_TEST (test_stats_box_blended)
{
  static const gchar *formats[] = { "RGBA", "I420", "NV12", "GRAY8" };
  GstVideoRectangle places[3];
  GstVideoOverlayCompositionMeta *meta;
  GstVideoInfo info;
  GstBuffer *out;
  GstHarness *h;

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++) {
    g_autoptr (GstCaps) caps = caps_for (formats[i]);

    fail_unless (gst_video_info_from_caps (&info, caps));
    h = overlay_harness (formats[i], NULL, TRUE);
    g_object_set (h->element, "show-stats", TRUE, NULL);
    check_attached (h, &info, &places[0]);
    gst_harness_teardown (h);
    h = overlay_harness (formats[i], NULL, FALSE);
    g_object_set (h->element, "show-stats", TRUE, NULL);
    check_blended (h, &info, &places[0]);
    gst_harness_teardown (h);
  }

  {
    g_autoptr (GstCaps) caps = caps_for ("RGBA");

    fail_unless (gst_video_info_from_caps (&info, caps));
  }
  h = overlay_harness ("RGBA", NULL, TRUE);
  g_object_set (h->element, "show-stats", TRUE, NULL);
  fail_unless_equals_int (gst_harness_push (h, frame_with_regions (&info)), GST_FLOW_OK);
  out = gst_harness_pull (h);
  meta = gst_buffer_get_video_overlay_composition_meta (out);
  fail_unless (meta != NULL);
  fail_unless_equals_int (gst_video_overlay_composition_n_rectangles (meta->overlay), 3);
  for (guint i = 0; i < 3; i++)
    gst_video_overlay_rectangle_get_render_rectangle (
        gst_video_overlay_composition_get_rectangle (meta->overlay, i), &places[i].x,
        &places[i].y, (guint *) &places[i].w, (guint *) &places[i].h);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
  h = overlay_harness ("RGBA", NULL, FALSE);
  g_object_set (h->element, "show-stats", TRUE, NULL);
  check_blended_in (h, &info, frame_with_regions (&info), places, 3);
  gst_harness_teardown (h);
}
GST_END_TEST;

/* ---- a frame's regions ---- */

/* classified, skipped, outside the frame, and marked degenerate though it has
 * a size: the overlay follows the mark */
static const TestRegion regions[] = {
  { "person", 20, 30, 120, 90, FALSE, FALSE, 3, "Dress", 0.94, 1, 5, FALSE, 1000 },
  { "car", 180, 120, 100, 80, TRUE, FALSE },
  { "face", 400, 300, 16, 16, FALSE, TRUE },
  { "bag", 150, 30, 20, 60, FALSE, TRUE },
};

static GstBuffer *
frame_with_regions (const GstVideoInfo *info)
{
  GstBuffer *buf = solid_frame (info, FALSE);

  test_roi_list_attach (buf, regions, G_N_ELEMENTS (regions));
  return buf;
}

/* RGBA: a pixel whose colour differs from the solid frame's */
static gboolean
changed (GstVideoFrame *frame, gint x, gint y)
{
  const guint8 *p = (const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (frame, 0)
      + y * GST_VIDEO_FRAME_PLANE_STRIDE (frame, 0) + x * 4;

  return p[0] != FILL || p[1] != FILL || p[2] != FILL;
}

static void
assert_colour (GstVideoFrame *frame, gint x, gint y, guint32 argb)
{
  const guint8 *p = (const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (frame, 0)
      + y * GST_VIDEO_FRAME_PLANE_STRIDE (frame, 0) + x * 4;
  gint want[3] = { (argb >> 16) & 0xff, (argb >> 8) & 0xff, argb & 0xff };

  for (guint c = 0; c < 3; c++)
    fail_unless (ABS (p[c] - want[c]) <= 3, "pixel (%d, %d) is %02x%02x%02x, not %06x",
        x, y, p[0], p[1], p[2], argb & 0xffffff);
}

/* The regions drawn on an RGBA frame, as regions[] places them. */
static void
check_regions_drawn (GstBuffer *buf, const GstVideoInfo *info)
{
  GstVideoFrame frame;
  guint on = 0, off = 0;

  fail_unless (gst_video_frame_map (&frame, info, buf, GST_MAP_READ));
  /* the classified box: every pixel of its left, right and bottom edges
   * below the tag, in the class's colour */
  for (gint y = 60; y < 118; y++) {
    fail_unless (changed (&frame, 20, y) && changed (&frame, 21, y), "left edge at y %d", y);
    fail_unless (changed (&frame, 139, y), "right edge at y %d", y);
  }
  for (gint x = 22; x < 138; x++)
    fail_unless (changed (&frame, x, 119), "bottom edge at x %d", x);
  assert_colour (&frame, 20, 80, ranet_overlay_class_argb (3));
  assert_colour (&frame, 80, 119, ranet_overlay_class_argb (3));
  /* inside it, below the tag, and just outside it: untouched */
  for (gint y = 65; y < 110; y++)
    for (gint x = 30; x < 130; x++)
      fail_if (changed (&frame, x, y), "(%d, %d) inside the box changed", x, y);
  for (gint y = 30; y < 120; y++)
    fail_if (changed (&frame, 19, y) || changed (&frame, 141, y), "outside the box at y %d", y);
  /* the skipped box: its bottom edge dashed, grey */
  for (gint x = 182; x < 278; x++) {
    if (changed (&frame, x, 199)) {
      assert_colour (&frame, x, 199, RANET_OVERLAY_SKIPPED_ARGB);
      on++;
    } else {
      off++;
    }
  }
  fail_unless (on > 20 && off > 10, "skipped box's bottom edge: %u pixels drawn, %u not", on, off);
  /* the degenerate region, and everything far from the boxes: untouched */
  for (gint y = 30; y < 90; y++)
    for (gint x = 150; x < 170; x++)
      fail_if (changed (&frame, x, y), "(%d, %d) in the degenerate region changed", x, y);
  for (gint y = 0; y < HEIGHT; y++)
    for (gint x = 0; x < WIDTH; x++)
      if (y >= 205 || x >= 285 || x < 15 || (x >= 145 && y < 115))
        fail_if (changed (&frame, x, y), "(%d, %d), far from every box, changed", x, y);
  gst_video_frame_unmap (&frame);
}

static GstVideoOverlayCompositionMeta *
pushed_with_regions (GstHarness *h, const GstVideoInfo *info, GstBuffer **out)
{
  fail_unless_equals_int (gst_harness_push (h, frame_with_regions (info)), GST_FLOW_OK);
  *out = gst_harness_pull (h);
  return gst_buffer_get_video_overlay_composition_meta (*out);
}

/* Attached: the frame untouched, a rectangle per region drawn; blended here
 * into a copy, the boxes are where they belong. */
GST_START_TEST (test_regions_attached)
{
  GstVideoInfo info;
  g_autoptr (GstCaps) caps = caps_for ("RGBA");
  GstHarness *h = overlay_harness ("RGBA", NULL, TRUE);
  GstBuffer *ref, *out, *copy;
  GstVideoOverlayCompositionMeta *meta;
  GstVideoFrame frame;

  fail_unless (gst_video_info_from_caps (&info, caps));
  ref = solid_frame (&info, FALSE);
  meta = pushed_with_regions (h, &info, &out);
  fail_unless (buffers_equal (out, ref), "the frame is untouched where the meta is attached");
  fail_unless (meta != NULL);
  fail_unless_equals_int (gst_video_overlay_composition_n_rectangles (meta->overlay), 2);
  for (guint i = 0; i < 2; i++) {
    gint x, y;
    guint w, hh;

    gst_video_overlay_rectangle_get_render_rectangle (
        gst_video_overlay_composition_get_rectangle (meta->overlay, i), &x, &y, &w, &hh);
    fail_unless (x == regions[i].x && y == regions[i].y, "rectangle %u at (%d, %d)", i, x, y);
    fail_unless (w >= regions[i].w && hh >= regions[i].h);
  }
  copy = gst_buffer_copy_deep (out);
  fail_unless (gst_video_frame_map (&frame, &info, copy, GST_MAP_READWRITE));
  fail_unless (gst_video_overlay_composition_blend (meta->overlay, &frame));
  gst_video_frame_unmap (&frame);
  check_regions_drawn (copy, &info);
  gst_buffer_unref (copy);
  gst_buffer_unref (out);
  gst_buffer_unref (ref);
  gst_harness_teardown (h);
}
GST_END_TEST;

GST_START_TEST (test_regions_blended)
{
  GstVideoInfo info;
  g_autoptr (GstCaps) caps = caps_for ("RGBA");
  GstHarness *h = overlay_harness ("RGBA", NULL, FALSE);
  GstBuffer *out;

  fail_unless (gst_video_info_from_caps (&info, caps));
  fail_unless (pushed_with_regions (h, &info, &out) == NULL);
  check_regions_drawn (out, &info);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}
GST_END_TEST;

/* What is drawn of a frame's regions follows the properties: tags, boxes,
 * the statistics box; the exit bar has nothing to show. */
GST_START_TEST (test_regions_properties)
{
  GstVideoInfo info;
  g_autoptr (GstCaps) caps = caps_for ("RGBA");
  GstHarness *h = overlay_harness ("RGBA", NULL, TRUE);
  GstVideoOverlayCompositionMeta *meta;
  GstBuffer *out;
  gint x, y;
  guint w, hh;

  fail_unless (gst_video_info_from_caps (&info, caps));
  /* without tags each rectangle is its box */
  g_object_set (h->element, "show-label", FALSE, NULL);
  meta = pushed_with_regions (h, &info, &out);
  fail_unless (meta != NULL);
  fail_unless_equals_int (gst_video_overlay_composition_n_rectangles (meta->overlay), 2);
  gst_video_overlay_rectangle_get_render_rectangle (
      gst_video_overlay_composition_get_rectangle (meta->overlay, 1), &x, &y, &w, &hh);
  fail_unless (w == 100 && hh == 80, "the skipped box's rectangle is %ux%u", w, hh);
  gst_buffer_unref (out);

  /* the statistics box comes with the regions, and alone without them */
  g_object_set (h->element, "show-label", TRUE, "show-stats", TRUE, NULL);
  meta = pushed_with_regions (h, &info, &out);
  fail_unless (meta != NULL);
  fail_unless_equals_int (gst_video_overlay_composition_n_rectangles (meta->overlay), 3);
  gst_buffer_unref (out);
  g_object_set (h->element, "show-regions", FALSE, NULL);
  meta = pushed_with_regions (h, &info, &out);
  fail_unless (meta != NULL);
  fail_unless_equals_int (gst_video_overlay_composition_n_rectangles (meta->overlay), 1);
  gst_video_overlay_rectangle_get_render_rectangle (
      gst_video_overlay_composition_get_rectangle (meta->overlay, 0), &x, &y, &w, &hh);
  fail_unless (x < 10 && y < 10, "the statistics box is in the top-left corner: (%d, %d)", x, y);
  gst_buffer_unref (out);

  /* nothing to show: the frame passes without a composition */
  g_object_set (h->element, "show-stats", FALSE, NULL);
  meta = pushed_with_regions (h, &info, &out);
  fail_unless (meta == NULL);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}
GST_END_TEST;

/* A tag that would cross the frame's right edge moves left to stay whole;
 * its box stays where the region is. */
GST_START_TEST (test_region_tag_stays_in_frame)
{
  static const TestRegion edge[] = {
    { "person", 300, 100, 20, 60, FALSE, FALSE, 0, "T-shirt/top", 0.5, 0, 5, FALSE, 10 },
  };
  GstVideoInfo info;
  g_autoptr (GstCaps) caps = caps_for ("RGBA");
  GstHarness *h = overlay_harness ("RGBA", NULL, TRUE);
  GstBuffer *in, *out;
  GstVideoOverlayCompositionMeta *meta;
  GstVideoFrame frame;
  gint x, y;
  guint w, hh;

  fail_unless (gst_video_info_from_caps (&info, caps));
  in = solid_frame (&info, FALSE);
  test_roi_list_attach (in, edge, G_N_ELEMENTS (edge));
  fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
  out = gst_buffer_make_writable (gst_harness_pull (h));
  meta = gst_buffer_get_video_overlay_composition_meta (out);
  fail_unless (meta != NULL);
  gst_video_overlay_rectangle_get_render_rectangle (
      gst_video_overlay_composition_get_rectangle (meta->overlay, 0), &x, &y, &w, &hh);
  fail_unless (x < 300 && x + (gint) w == WIDTH && y == 100 && w > 20,
      "the tag's rectangle: (%d, %d) %ux%u", x, y, w, hh);
  fail_unless (gst_video_frame_map (&frame, &info, out, GST_MAP_READWRITE));
  fail_unless (gst_video_overlay_composition_blend (meta->overlay, &frame));
  fail_unless (changed (&frame, 300, 150) && changed (&frame, 319, 150), "the box's edges");
  fail_if (changed (&frame, 299, 150) || changed (&frame, 310, 150), "left of and inside the box");
  gst_video_frame_unmap (&frame);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}
GST_END_TEST;

/* Each class its colour; classes apart by one differ. */
GST_START_TEST (test_class_palette)
{
  for (gint c = 0; c < 40; c++) {
    fail_unless ((ranet_overlay_class_argb (c) >> 24) == 0xff, "class %d is opaque", c);
    fail_unless (ranet_overlay_class_argb (c) != ranet_overlay_class_argb (c + 1));
    fail_unless (ranet_overlay_class_argb (c) != RANET_OVERLAY_SKIPPED_ARGB);
  }
}
GST_END_TEST;

/* ranetclassify's own results, on a 28x28 grey stream (the built-in model's
 * input), are drawn: the box is scaled down to fit such a small frame. */
GST_START_TEST (test_after_ranetclassify)
{
  GstHarness *h = gst_harness_new_parse ("ranetclassify ! ranetoverlay show-stats=true");

  gst_harness_set_src_caps_str (h,
      "video/x-raw,format=GRAY8,width=28,height=28,framerate=30/1");
  for (guint i = 0; i < 3; i++) {
    GstBuffer *in = gst_buffer_new_allocate (NULL, 28 * 28, NULL);
    GstBuffer *out;
    GstMapInfo map;
    guint changed = 0;

    gst_buffer_memset (in, 0, FILL, 28 * 28);
    GST_BUFFER_PTS (in) = i * GST_SECOND / 30;
    fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
    out = gst_harness_pull (h);
    fail_unless (ranet_classification_meta_get_structure (out) != NULL);
    gst_buffer_map (out, &map, GST_MAP_READ);
    for (gsize p = 0; p < map.size; p++)
      changed += map.data[p] != FILL;
    gst_buffer_unmap (out, &map);
    fail_unless (changed > 0, "frame %u: the result is drawn", i);
    gst_buffer_unref (out);
  }
  gst_harness_teardown (h);
}
GST_END_TEST;

static Suite *
overlay_suite (void)
{
  Suite *s = suite_create ("ranetoverlay");
  TCase *tc = tcase_create ("overlay");

  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_same_formats_as_classify);
  tcase_add_test (tc, test_every_format);
  tcase_add_test (tc, test_caps_feature);
  tcase_add_test (tc, test_properties);
  tcase_add_test (tc, test_marks);
  tcase_add_test (tc, test_adds_to_composition);
  tcase_add_test (tc, test_stats_window);
  tcase_add_test (tc, test_stats_text);
  tcase_add_test (tc, test_stats_box_blended);
  tcase_add_test (tc, test_regions_attached);
  tcase_add_test (tc, test_regions_blended);
  tcase_add_test (tc, test_regions_properties);
  tcase_add_test (tc, test_region_tag_stays_in_frame);
  tcase_add_test (tc, test_class_palette);
  tcase_add_test (tc, test_after_ranetclassify);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (overlay);
