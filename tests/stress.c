/* stress.c: ranetclassify over long runs and from many threads.
 *
 *   ranet-stress soak [--frames N] [--caps-every N] [--cycle-every N] [--max-growth PERCENT]
 *     N frames (default 100000) through appsrc ! ranetclassify ! appsink, the
 *     caps (format and size) changing every --caps-every frames (1000) and the
 *     pipeline going NULL -> PLAYING every --cycle-every frames (10000). Prints
 *     the resident memory after the first --caps-every frames, once warm (after
 *     the first state cycle and a full round of formats after it) and at the
 *     end, and fails if the end exceeds the warm figure (the first one in runs
 *     too short to warm up) by more than --max-growth percent (5). The first
 *     restart costs a one-time step (new streaming threads get their malloc
 *     arenas); a leak shows as growth after it.
 *
 *   ranet-stress threads [--threads N] [--frames N] [--timeout S]
 *     N pipelines (default 8), each in its own thread, all on the process's
 *     one shared Vulkan device, classify --frames deterministic frames each
 *     (10000) with fixed thresholds. Every frame's class, exit and confidence
 *     must equal those of the same frame classified by one pipeline alone. A
 *     watchdog aborts the process when no frame completes for --timeout
 *     seconds (120): a deadlock shows as a crash with every thread's stack.
 *
 * Frames are generated, not read: frame i of a given size is the same in
 * every run, and its content (bars, blobs, gradients) varies enough that the
 * network's answers vary.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include "ranet-classification-meta.h"

typedef struct {
  const char *format;
  gint width, height;
} Variant;

/* The largest first: the soak's first measurement then already includes
 * the biggest input buffer the run needs. */
static const Variant variants[] = {
  { "BGRx", 640, 480 },
  { "I420", 321, 241 },
  { "GRAY8", 28, 28 },
  { "NV12", 96, 54 },
  { "RGB", 33, 17 },
};

/* ---- frames ---- */

static guint32
mix (guint32 x)
{
  x ^= x >> 16;
  x *= 0x7feb352d;
  x ^= x >> 15;
  x *= 0x846ca68b;
  x ^= x >> 16;
  return x;
}

static GstBuffer *
make_frame (const GstVideoInfo *info, guint64 index)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (info), NULL);
  guint32 seed = mix ((guint32) index + 1);
  GstVideoFrame frame;

  g_assert_true (gst_video_frame_map (&frame, info, buf, GST_MAP_WRITE));
  for (guint p = 0; p < GST_VIDEO_FRAME_N_PLANES (&frame); p++) {
    guint8 *data = GST_VIDEO_FRAME_PLANE_DATA (&frame, p);
    gint stride = GST_VIDEO_FRAME_PLANE_STRIDE (&frame, p);
    gint comp[GST_VIDEO_MAX_COMPONENTS];
    gint rows, cols;

    gst_video_format_info_component (info->finfo, p, comp);
    rows = GST_VIDEO_FRAME_COMP_HEIGHT (&frame, comp[0]);
    cols = stride;
    for (gint y = 0; y < rows; y++) {
      for (gint x = 0; x < cols; x++) {
        /* a blob, bars and a gradient, placed by the frame's seed */
        gint cx = (gint) (seed % 97) * cols / 97, cy = (gint) ((seed >> 8) % 89) * rows / 89;
        gint dx = x - cx, dy = y - cy;
        guint v = (guint) (dx * dx + dy * dy) < (seed % 11 + 2) * (guint) (rows * rows) / 64 ? 230 : 20;
        v += ((x * 8 / MAX (cols, 1)) & 1) * ((seed >> 16) % 80);
        v += (guint) y * ((seed >> 24) % 64) / MAX (rows, 1);
        data[(gsize) y * stride + x] = (guint8) MIN (v, 255u);
      }
    }
  }
  gst_video_frame_unmap (&frame);
  GST_BUFFER_PTS (buf) = index * GST_SECOND / 30;
  GST_BUFFER_DURATION (buf) = GST_SECOND / 30;
  return buf;
}

/* Sets @v's caps on @src (which takes a reference of its own). */
static void
set_variant_caps (GstAppSrc *src, const Variant *v, GstVideoInfo *info)
{
  GstCaps *caps = gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING, v->format,
      "width", G_TYPE_INT, v->width, "height", G_TYPE_INT, v->height,
      "framerate", GST_TYPE_FRACTION, 30, 1, NULL);

  g_assert_true (gst_video_info_from_caps (info, caps));
  gst_app_src_set_caps (src, caps);
  gst_caps_unref (caps);
}

/* ---- one pipeline ---- */

typedef struct {
  GstElement *pipeline;
  GstAppSrc *src;
  GstAppSink *sink;
} Pipeline;

static Pipeline
pipeline_new (void)
{
  GError *error = NULL;
  Pipeline p;

  p.pipeline = gst_parse_launch ("appsrc name=src format=time block=true max-bytes=4000000 "
      "! ranetclassify threshold-mode=fixed threshold=0.8 "
      "! appsink name=sink sync=false max-buffers=8", &error);
  g_assert_no_error (error);
  p.src = GST_APP_SRC (gst_bin_get_by_name (GST_BIN (p.pipeline), "src"));
  p.sink = GST_APP_SINK (gst_bin_get_by_name (GST_BIN (p.pipeline), "sink"));
  return p;
}

static void
pipeline_free (Pipeline *p)
{
  gst_element_set_state (p->pipeline, GST_STATE_NULL);
  gst_object_unref (p->src);
  gst_object_unref (p->sink);
  gst_object_unref (p->pipeline);
}

static void
check_bus (Pipeline *p)
{
  g_autoptr (GstBus) bus = gst_element_get_bus (p->pipeline);
  GstMessage *msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);

  if (msg != NULL) {
    g_autoptr (GError) error = NULL;
    g_autofree char *debug = NULL;

    gst_message_parse_error (msg, &error, &debug);
    g_error ("pipeline error: %s (%s)", error->message, debug ? debug : "");
  }
}

typedef struct {
  gint class_id, exit_index;
  gdouble confidence;
} Result;

/* Pushes one frame and pulls it back classified. One frame in flight at a
 * time keeps the comparison simple; the threads keep the device busy. */
static Result
classify_one (Pipeline *p, const GstVideoInfo *info, guint64 index)
{
  RanetClassification c;
  GstSample *sample;
  Result r;

  g_assert_cmpint (gst_app_src_push_buffer (p->src, make_frame (info, index)), ==, GST_FLOW_OK);
  sample = gst_app_sink_try_pull_sample (p->sink, 60 * GST_SECOND);
  if (sample == NULL)
    check_bus (p);
  g_assert_nonnull (sample);
  g_assert_true (ranet_classification_meta_read (gst_sample_get_buffer (sample), &c));
  r.class_id = c.class_id;
  r.exit_index = c.exit_index;
  r.confidence = c.confidence;
  gst_sample_unref (sample);
  return r;
}

static void
set_playing (Pipeline *p)
{
  g_assert_cmpint (gst_element_set_state (p->pipeline, GST_STATE_PLAYING), !=, GST_STATE_CHANGE_FAILURE);
}

/* ---- soak ---- */

static guint64
resident_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;
  line = strstr (status, "VmRSS:");
  return line != NULL ? g_ascii_strtoull (line + 6, NULL, 10) : 0;
}

static int
run_soak (guint64 frames, guint64 caps_every, guint64 cycle_every, gdouble max_growth)
{
  Pipeline p = pipeline_new ();
  GstVideoInfo info;
  guint64 rss_first = 0, rss_warm = 0, rss_end, rss_base;
  guint64 warm_at = cycle_every + caps_every * G_N_ELEMENTS (variants);
  guint v = 0;
  gint64 t0 = g_get_monotonic_time ();
  guint classes[64] = { 0 };

  set_variant_caps (p.src, &variants[0], &info);
  set_playing (&p);
  for (guint64 i = 0; i < frames; i++) {
    Result r;

    if (i > 0 && i % cycle_every == 0) {
      gst_element_set_state (p.pipeline, GST_STATE_NULL);
      set_playing (&p);
    }
    if (i > 0 && i % caps_every == 0) {
      v = (v + 1) % G_N_ELEMENTS (variants);
      set_variant_caps (p.src, &variants[v], &info);
    }
    r = classify_one (&p, &info, i);
    classes[CLAMP (r.class_id, 0, 63)]++;
    if (i + 1 == caps_every) {
      rss_first = resident_kib ();
      g_print ("resident memory after %" G_GUINT64_FORMAT " frames: %" G_GUINT64_FORMAT " KiB\n", i + 1,
          rss_first);
    }
    if (i + 1 == warm_at && warm_at < frames) {
      rss_warm = resident_kib ();
      g_print ("resident memory once warm, after %" G_GUINT64_FORMAT " frames: %" G_GUINT64_FORMAT " KiB\n",
          i + 1, rss_warm);
    }
    if ((i + 1) % 10000 == 0)
      g_print ("%" G_GUINT64_FORMAT " frames, %.0f s, resident %" G_GUINT64_FORMAT " KiB\n", i + 1,
          (g_get_monotonic_time () - t0) / 1e6, resident_kib ());
  }
  rss_end = resident_kib ();
  pipeline_free (&p);

  rss_base = rss_warm != 0 ? rss_warm : rss_first;
  g_print ("resident memory at the end (%" G_GUINT64_FORMAT " frames): %" G_GUINT64_FORMAT
      " KiB, %+.1f%% from the first figure, %+.1f%% from the %s one (limit %.1f%%); %.1f s, %.0f frames/s\n",
      frames, rss_end, 100.0 * ((gdouble) rss_end - (gdouble) rss_first) / (gdouble) MAX (rss_first, 1),
      100.0 * ((gdouble) rss_end - (gdouble) rss_base) / (gdouble) MAX (rss_base, 1),
      rss_warm != 0 ? "warm" : "first", max_growth,
      (g_get_monotonic_time () - t0) / 1e6, frames / ((g_get_monotonic_time () - t0) / 1e6));
  g_print ("classes:");
  for (guint k = 0; k < 10; k++)
    g_print (" %u", classes[k]);
  g_print ("\n");
#if defined(__SANITIZE_ADDRESS__)
  /* AddressSanitizer holds freed blocks in a quarantine of up to 256 MiB
   * before reusing them, so resident memory grows by design; leaks are
   * LeakSanitizer's and valgrind's to find in such a build. */
  g_print ("built with AddressSanitizer: resident memory is reported, not checked\n");
  return 0;
#endif
  if (rss_base == 0 || (gdouble) rss_end > rss_base * (1.0 + max_growth / 100.0)) {
    g_printerr ("resident memory grew by more than %.1f%%\n", max_growth);
    return 1;
  }
  return 0;
}

/* ---- threads ---- */

static gint progress;   /* atomic: frames completed by all threads */

typedef struct {
  guint index;
  guint64 frames;
  const Variant *variant;
  Result *results;
} Worker;

static gpointer
worker_run (gpointer data)
{
  Worker *w = data;
  Pipeline p = pipeline_new ();
  GstVideoInfo info;

  set_variant_caps (p.src, w->variant, &info);
  set_playing (&p);
  for (guint64 i = 0; i < w->frames; i++) {
    w->results[i] = classify_one (&p, &info, i);
    g_atomic_int_inc (&progress);
  }
  gst_app_src_end_of_stream (p.src);
  pipeline_free (&p);
  return NULL;
}

static guint watchdog_timeout_s;

static gpointer
watchdog_run (gpointer data)
{
  gint last = -1;
  gint64 since = g_get_monotonic_time ();
  gint *stop = data;

  while (!g_atomic_int_get (stop)) {
    gint now = g_atomic_int_get (&progress);

    if (now != last) {
      last = now;
      since = g_get_monotonic_time ();
    } else if (g_get_monotonic_time () - since > (gint64) watchdog_timeout_s * G_USEC_PER_SEC) {
      g_printerr ("no frame completed for %u s after %d frames: deadlock?\n", watchdog_timeout_s, now);
      abort ();
    }
    g_usleep (G_USEC_PER_SEC / 4);
  }
  return NULL;
}

static int
run_threads (guint n_threads, guint64 frames)
{
  guint n_variants = MIN (n_threads, G_N_ELEMENTS (variants));
  g_autofree Worker *workers = g_new0 (Worker, n_threads);
  g_autofree GThread **threads = g_new0 (GThread *, n_threads);
  g_autofree Result **expected = g_new0 (Result *, n_variants);
  GThread *watchdog;
  gint stop = 0;
  guint64 mismatches = 0;
  gint64 t0;

  watchdog = g_thread_new ("watchdog", watchdog_run, &stop);
  /* the reference: each variant alone, one after the other */
  t0 = g_get_monotonic_time ();
  for (guint v = 0; v < n_variants; v++) {
    Worker w = { v, frames, &variants[v], g_new (Result, frames) };
    worker_run (&w);
    expected[v] = w.results;
  }
  g_print ("single-threaded: %u x %" G_GUINT64_FORMAT " frames in %.1f s\n", n_variants, frames,
      (g_get_monotonic_time () - t0) / 1e6);

  t0 = g_get_monotonic_time ();
  for (guint t = 0; t < n_threads; t++) {
    workers[t] = (Worker) { t, frames, &variants[t % n_variants], g_new (Result, frames) };
    threads[t] = g_thread_new ("pipeline", worker_run, &workers[t]);
  }
  for (guint t = 0; t < n_threads; t++)
    g_thread_join (threads[t]);
  g_print ("%u threads: %u x %" G_GUINT64_FORMAT " frames in %.1f s\n", n_threads, n_threads, frames,
      (g_get_monotonic_time () - t0) / 1e6);
  g_atomic_int_set (&stop, 1);
  g_thread_join (watchdog);

  for (guint t = 0; t < n_threads; t++) {
    const Result *want = expected[t % n_variants];

    for (guint64 i = 0; i < frames; i++) {
      const Result *got = &workers[t].results[i];
      if (got->class_id != want[i].class_id || got->exit_index != want[i].exit_index
          || got->confidence != want[i].confidence) {
        if (mismatches++ < 10)
          g_printerr ("thread %u frame %" G_GUINT64_FORMAT ": class %d exit %d confidence %.9g; alone: "
              "class %d exit %d confidence %.9g\n", t, i, got->class_id, got->exit_index, got->confidence,
              want[i].class_id, want[i].exit_index, want[i].confidence);
      }
    }
    g_free (workers[t].results);
  }
  for (guint v = 0; v < n_variants; v++)
    g_free (expected[v]);
  g_print ("%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " frames differ from the single-threaded run\n",
      mismatches, (guint64) n_threads * frames);
  return mismatches == 0 ? 0 : 1;
}

int
main (int argc, char **argv)
{
  gint64 frames = -1, caps_every = 1000, cycle_every = 10000, threads = 8, timeout = 120;
  gdouble max_growth = 5.0;
  GOptionEntry entries[] = {
    { "frames", 0, 0, G_OPTION_ARG_INT64, &frames, "Frames (per pipeline)", "N" },
    { "caps-every", 0, 0, G_OPTION_ARG_INT64, &caps_every, "soak: frames between caps changes", "N" },
    { "cycle-every", 0, 0, G_OPTION_ARG_INT64, &cycle_every, "soak: frames between state cycles", "N" },
    { "max-growth", 0, 0, G_OPTION_ARG_DOUBLE, &max_growth, "soak: allowed growth of resident memory", "PCT" },
    { "threads", 0, 0, G_OPTION_ARG_INT64, &threads, "threads: number of pipelines", "N" },
    { "timeout", 0, 0, G_OPTION_ARG_INT64, &timeout, "threads: seconds without progress before abort", "S" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("soak|threads");
  g_autoptr (GError) error = NULL;
  int ret;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_group (context, gst_init_get_option_group ());
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 2
      || (strcmp (argv[1], "soak") != 0 && strcmp (argv[1], "threads") != 0)
      || caps_every < 1 || cycle_every < 1 || threads < 1 || timeout < 1) {
    g_printerr ("%s\n", error ? error->message : g_option_context_get_help (context, TRUE, NULL));
    return 2;
  }
  watchdog_timeout_s = (guint) timeout;
  if (strcmp (argv[1], "soak") == 0)
    ret = run_soak (frames < 0 ? 100000 : (guint64) frames, (guint64) caps_every, (guint64) cycle_every,
        max_growth);
  else
    ret = run_threads ((guint) threads, frames < 0 ? 10000 : (guint64) frames);
  gst_deinit ();
  return ret;
}
