/* ranet-json: ranetclassify's results as JSON lines.
 *
 * Builds a pipeline from a gst-launch-1.0 description (by default a short
 * videotestsrc stream), watches the buffers leaving the first ranetclassify
 * with a pad probe, and prints one JSON object per frame on stdout: the
 * metadata read through ranet-classification-meta.h (this program needs that
 * header and GStreamer; it does not link the plugin, but compiles in its JSON
 * writer, gst-plugin/ranet-json-writer.c, so that numbers are printed as the
 * ranetjson element prints them: shortest-round-trip). A pipeline that needs
 * only the lines, without a summary or labels, can end in ranetjson instead. With
 * --labels, an IDX label file (Fashion-MNIST's t10k-labels-idx1-ubyte,
 * uncompressed) gives each frame its true class, and the summary an accuracy.
 * --every N prints every Nth frame only. A last line {"summary": ...} holds the
 * frame count, mean exit, frames per second and accuracy; Ctrl-C ends the
 * stream cleanly and still prints it. Where ranetclassify classifies the
 * frame's regions of interest (inference-region=roi-list), a frame's line
 * holds its "totals" and "objects" as ranetjson writes them, and the mean
 * exit is over the classified regions.
 *
 *   ranet-json
 *   ranet-json --every 30 "v4l2src ! videoconvert ! ranetclassify ! fakesink"
 */
#include <stdio.h>

#include <glib-unix.h>
#include <gst/gst.h>

#include "ranet-classification-meta.h"
#include "ranet-json-writer.h"

#define DEFAULT_LAUNCH "videotestsrc num-buffers=100 pattern=ball " \
  "! video/x-raw,width=320,height=240 ! videoconvert ! ranetclassify ! fakesink"

typedef struct {
  guint every;
  GBytes *labels;          /* one byte per frame, the true classes; or NULL */
  GMainLoop *loop;
  GstElement *pipeline;
  int status;

  /* the streaming thread's, read after the pipeline has stopped */
  guint64 frames;
  guint64 classified;
  guint64 exit_sum;
  guint64 exits;           /* the exits summed: frames', or regions' */
  guint64 correct;
  gint64 first_us, last_us;
} App;

/* An IDX1 file (magic 0x00000801, big-endian count, then one byte each). */
static GBytes *
load_idx_labels (const char *path, GError **error)
{
  g_autofree guint8 *data = NULL;
  gsize size;
  guint32 count;

  if (!g_file_get_contents (path, (gchar **) &data, &size, error))
    return NULL;
  if (size < 8 || GUINT32_FROM_BE (*(guint32 *) data) != 0x00000801) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
        "%s: not an uncompressed IDX label file (magic 0x00000801)", path);
    return NULL;
  }
  count = GUINT32_FROM_BE (*(guint32 *) (data + 4));
  if (size - 8 < count) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
        "%s: %u labels announced, %" G_GSIZE_FORMAT " present", path, count, size - 8);
    return NULL;
  }
  return g_bytes_new (data + 8, count);
}

/* ---- one JSON line, written into a GString (ranet-json-writer.h) ---- */

static void
print_json (GString *out)
{
  puts (out->str);
  fflush (stdout);
}

/* The frame's size from the pad's caps, for the regions' bounding boxes;
 * 0 where unknown. */
static void
frame_size (GstPad *pad, gint *width, gint *height)
{
  g_autoptr (GstCaps) caps = gst_pad_get_current_caps (pad);
  const GstStructure *s = caps != NULL && !gst_caps_is_empty (caps)
      ? gst_caps_get_structure (caps, 0) : NULL;

  *width = *height = 0;
  if (s == NULL || !gst_structure_get_int (s, "width", width)
      || !gst_structure_get_int (s, "height", height))
    *width = *height = 0;
}

/* A frame whose regions were classified: its totals and objects. */
static GstPadProbeReturn
on_regions (App *app, GstPad *pad, GstBuffer *buf, const GstStructure *s, guint64 n)
{
  g_autoptr (GString) out = g_string_new ("{");
  gint width, height;

  app->classified++;   /* its regions were classified, not carried over */
  for (guint i = 0; i < ranet_classification_get_n_objects (s); i++) {
    RanetRegionClassification r;

    if (ranet_classification_read_object (s, i, &r) && r.exit_index >= 0) {
      app->exit_sum += (guint64) r.exit_index;
      app->exits++;
    }
  }
  if (n % app->every != 0)
    return GST_PAD_PROBE_OK;
  ranet_json_member_int (out, "frame", (gint64) n);
  if (GST_BUFFER_PTS_IS_VALID (buf))
    ranet_json_member_uint (out, "pts", GST_BUFFER_PTS (buf));
  else
    ranet_json_member_string (out, "pts", NULL);
  frame_size (pad, &width, &height);
  if (!ranet_json_add_regions (out, s, width, height)) {
    g_printerr ("ranet-json: frame %" G_GUINT64_FORMAT ": incomplete result\n", n);
    return GST_PAD_PROBE_OK;
  }
  g_string_append_c (out, '}');
  print_json (out);
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
on_buffer (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  App *app = user_data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  const GstStructure *s = ranet_classification_meta_get_structure (buf);
  RanetClassification c;
  guint64 n = app->frames;
  gint truth = -1;
  gboolean regions = s != NULL && ranet_classification_is_roi_list (s);

  if (!regions && !ranet_classification_meta_read (buf, &c))
    return GST_PAD_PROBE_OK;
  app->last_us = g_get_monotonic_time ();
  if (n == 0)
    app->first_us = app->last_us;
  app->frames++;
  if (regions)
    return on_regions (app, pad, buf, s, n);
  app->exit_sum += (guint64) c.exit_index;
  app->exits++;
  app->classified += c.reused ? 0 : 1;
  if (app->labels != NULL && n < g_bytes_get_size (app->labels)) {
    truth = ((const guint8 *) g_bytes_get_data (app->labels, NULL))[n];
    app->correct += c.class_id == truth;
  }
  if (n % app->every != 0)
    return GST_PAD_PROBE_OK;

  g_autoptr (GString) out = g_string_new ("{");
  ranet_json_member_int (out, "frame", (gint64) n);
  if (GST_BUFFER_PTS_IS_VALID (buf))
    ranet_json_member_uint (out, "pts", GST_BUFFER_PTS (buf));
  else
    ranet_json_member_string (out, "pts", NULL);
  ranet_json_member_int (out, "class-id", c.class_id);
  ranet_json_member_string (out, "label", c.label);
  ranet_json_member_double (out, "confidence", c.confidence);
  ranet_json_member_int (out, "exit", c.exit_index);
  ranet_json_member_int (out, "num-exits", c.num_exits);
  ranet_json_member_double (out, "threshold", c.threshold);
  ranet_json_member_bool (out, "forced", c.forced);
  ranet_json_member_bool (out, "reused", c.reused);
  ranet_json_member_uint (out, "macs", c.macs);
  ranet_json_member_uint (out, "latency-ns", c.latency_ns);
  ranet_json_member_int (out, "operating-point", c.operating_point);
  ranet_json_member_uint (out, "budget-ns", c.budget_ns);
  ranet_json_member_top_k (out, ranet_classification_meta_get_structure (buf));
  if (truth >= 0) {
    ranet_json_member_int (out, "truth", truth);
    ranet_json_member_bool (out, "correct", c.class_id == truth);
  }
  g_string_append_c (out, '}');
  print_json (out);
  return GST_PAD_PROBE_OK;
}

static void
print_summary (App *app)
{
  gdouble seconds = (app->last_us - app->first_us) / 1e6;
  /* the first frame starts the clock: the rate is over the frames after it */
  gdouble fps = app->frames > 1 && seconds > 0 ? (app->frames - 1) / seconds : 0.0;
  gdouble mean_exit = app->exits ? (gdouble) app->exit_sum / app->exits : 0.0;
  g_autoptr (GString) out = g_string_new ("{");

  ranet_json_member (out, "summary");
  g_string_append_c (out, '{');
  ranet_json_member_int (out, "frames", (gint64) app->frames);
  ranet_json_member_int (out, "classified", (gint64) app->classified);
  ranet_json_member_double (out, "mean-exit", mean_exit);
  ranet_json_member_double (out, "fps", fps);
  if (app->labels != NULL && app->frames > 0)
    ranet_json_member_double (out, "accuracy", 100.0 * app->correct / app->frames);
  g_string_append (out, "}}");
  print_json (out);

  g_printerr ("%" G_GUINT64_FORMAT " frames, mean exit %.3f, %.1f frames/s", app->frames,
      mean_exit, fps);
  if (app->labels != NULL && app->frames > 0)
    g_printerr (", accuracy %.2f%%", 100.0 * app->correct / app->frames);
  g_printerr ("\n");
}

static gboolean
on_bus_message (GstBus *bus, GstMessage *msg, gpointer user_data)
{
  App *app = user_data;

  switch (GST_MESSAGE_TYPE (msg)) {
    case GST_MESSAGE_ERROR:{
      g_autoptr (GError) error = NULL;
      g_autofree char *debug = NULL;
      gst_message_parse_error (msg, &error, &debug);
      g_printerr ("ranet-json: %s\n(%s)\n", error->message, debug ? debug : "");
      app->status = 1;
      g_main_loop_quit (app->loop);
      break;
    }
    case GST_MESSAGE_EOS:
      g_main_loop_quit (app->loop);
      break;
    default:
      break;
  }
  return G_SOURCE_CONTINUE;
}

/* Ctrl-C: end the stream, so the summary covers what was seen. */
static gboolean
on_sigint (gpointer user_data)
{
  App *app = user_data;

  gst_element_send_event (app->pipeline, gst_event_new_eos ());
  return G_SOURCE_CONTINUE;
}

static GstElement *
find_classifier (GstElement *pipeline)
{
  GstElementFactory *want = gst_element_factory_find ("ranetclassify");
  g_autoptr (GstIterator) it = NULL;
  GValue item = G_VALUE_INIT;
  GstElement *found = NULL;

  if (want == NULL)
    return NULL;
  it = GST_IS_BIN (pipeline) ? gst_bin_iterate_recurse (GST_BIN (pipeline)) : NULL;
  while (it != NULL && found == NULL && gst_iterator_next (it, &item) == GST_ITERATOR_OK) {
    GstElement *e = g_value_get_object (&item);
    if (gst_element_get_factory (e) == want)
      found = gst_object_ref (e);
    g_value_reset (&item);
  }
  g_value_unset (&item);
  gst_object_unref (want);
  return found;
}

int
main (int argc, char **argv)
{
  App app = { .every = 1 };
  gint every = 1;
  const char *labels_path = NULL;
  g_auto (GStrv) rest = NULL;
  GOptionEntry entries[] = {
    { "every", 'e', 0, G_OPTION_ARG_INT, &every, "Print every Nth frame (default 1)", "N" },
    { "labels", 'l', 0, G_OPTION_ARG_FILENAME, &labels_path,
      "IDX label file with each frame's true class", "FILE" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, "[PIPELINE]" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("[PIPELINE] - ranetclassify's "
      "results as JSON lines");
  g_autoptr (GError) error = NULL;
  g_autofree char *launch = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_group (context, gst_init_get_option_group ());
  if (!g_option_context_parse (context, &argc, &argv, &error)) {
    g_printerr ("ranet-json: %s\n", error->message);
    return 2;
  }
  if (every < 1) {
    g_printerr ("ranet-json: --every takes a positive number\n");
    return 2;
  }
  app.every = (guint) every;
  if (labels_path != NULL && (app.labels = load_idx_labels (labels_path, &error)) == NULL) {
    g_printerr ("ranet-json: %s\n", error->message);
    return 2;
  }

  launch = rest != NULL ? g_strjoinv (" ", rest) : g_strdup (DEFAULT_LAUNCH);
  app.pipeline = gst_parse_launch (launch, &error);
  if (error != NULL) {
    /* even a pipeline that parsed with a warning is not what was asked for */
    g_printerr ("ranet-json: bad pipeline: %s\n", error->message);
    g_clear_object (&app.pipeline);
    return 2;
  }
  g_autoptr (GstElement) classifier = find_classifier (app.pipeline);
  if (classifier == NULL) {
    g_printerr ("ranet-json: the pipeline has no ranetclassify (is the plugin in "
        "GST_PLUGIN_PATH?)\n");
    gst_object_unref (app.pipeline);
    return 2;
  }
  g_autoptr (GstPad) src = gst_element_get_static_pad (classifier, "src");
  gst_pad_add_probe (src, GST_PAD_PROBE_TYPE_BUFFER, on_buffer, &app, NULL);

  app.loop = g_main_loop_new (NULL, FALSE);
  g_autoptr (GstBus) bus = gst_element_get_bus (app.pipeline);
  gst_bus_add_watch (bus, on_bus_message, &app);
  guint sigint = g_unix_signal_add (SIGINT, on_sigint, &app);

  if (gst_element_set_state (app.pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    /* the reason is on the bus */
    app.status = 1;
    g_autoptr (GstMessage) msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
    if (msg != NULL)
      on_bus_message (bus, msg, &app);
  } else {
    g_main_loop_run (app.loop);
  }
  gst_element_set_state (app.pipeline, GST_STATE_NULL);
  if (app.status == 0)
    print_summary (&app);

  g_source_remove (sigint);
  gst_bus_remove_watch (bus);
  g_main_loop_unref (app.loop);
  gst_object_unref (app.pipeline);
  g_clear_pointer (&app.labels, g_bytes_unref);
  gst_deinit ();
  return app.status;
}
