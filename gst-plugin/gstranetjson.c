/**
 * SECTION:element-ranetjson
 * @title: ranetjson
 *
 * Writes ranetclassify's results as JSON lines: one object per line for each
 * buffer carrying a "RanetClassificationMeta" (see
 * ranet-classification-meta.h), to a file or to standard output. Video passes
 * through untouched; buffers without a result write nothing.
 *
 * Each line holds the buffer's times in nanoseconds (`timestamp`, the stream
 * time; `pts`; `running-time`; null when unknown), the frame's `resolution`
 * from the caps, and a `classification` object with the metadata's fields. The
 * frame-level fields take the names and shapes DL Streamer's gvametaconvert
 * writes; docs/ranetjson.schema.json is the schema. Where several ranetclassify
 * elements classified a buffer, the line holds the first one's result.
 *
 * A result of ranetclassify's inference-region=roi-list, which classifies each
 * region of interest of the frame, has no frame-level class: its line holds
 * `totals`, the frame's counts, latency and multiply-adds, and `objects`, one
 * per region in the shape of gvametaconvert's objects (`x`, `y`, `w`, `h`,
 * `region_id`, `roi_type`, `detection.bounding_box` normalised to the frame,
 * and a `classification` with `label`, `label_id`, `confidence`), each marked
 * `skipped` (left out by the frame's budget) or `degenerate` (no pixels in the
 * frame), neither of which has a classification.
 *
 * Each line is flushed as it is written, so `tail -f` follows the file and a
 * reader sees every result up to EOS or a flushing seek while the pipeline
 * still runs.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 videotestsrc num-buffers=30 ! ranetclassify ! ranetjson location=results.jsonl ! fakesink
 * ]|
 */
#include "gstranetjson.h"

#include <errno.h>
#include <stdio.h>

#include <glib/gstdio.h>
#include <gst/video/video.h>

#include "ranet-classification-meta.h"
#include "ranet-json-writer.h"

GST_DEBUG_CATEGORY_STATIC (gst_ranet_json_debug);
#define GST_CAT_DEFAULT gst_ranet_json_debug

#define DEFAULT_LOCATION NULL
#define DEFAULT_APPEND FALSE
#define DEFAULT_EVERY 1

enum {
  PROP_0,
  PROP_LOCATION,
  PROP_APPEND,
  PROP_EVERY,
};

struct _GstRanetJson {
  GstBaseTransform parent;

  /* properties; read and written under the object lock */
  gchar *location;
  gboolean append;
  guint every;

  /* the streaming thread's, from start() to stop() */
  FILE *file;                 /* stdout, or a file we opened */
  gchar *file_name;           /* for messages: the path, or "standard output" */
  guint64 results;            /* buffers with a result seen since start */
  GstVideoInfo info;          /* from the caps; unset (width 0) before them */
};

G_DEFINE_TYPE (GstRanetJson, gst_ranet_json, GST_TYPE_BASE_TRANSFORM);

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS ("video/x-raw(ANY)"));
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS ("video/x-raw(ANY)"));

static gboolean
is_stdout (const gchar *location)
{
  return location == NULL || *location == '\0' || g_str_equal (location, "-");
}

/* ---- the file ---- */

static gboolean
gst_ranet_json_start (GstBaseTransform * trans)
{
  GstRanetJson *self = GST_RANET_JSON (trans);
  g_autofree gchar *location = NULL;
  gboolean append;

  GST_OBJECT_LOCK (self);
  location = g_strdup (self->location);
  append = self->append;
  GST_OBJECT_UNLOCK (self);

  self->results = 0;
  gst_video_info_init (&self->info);
  if (is_stdout (location)) {
    self->file = stdout;
    self->file_name = g_strdup ("standard output");
  } else {
    /* an unwritable location fails here, before the first frame, rather than
     * after the classifier has spent its time on it */
    self->file = g_fopen (location, append ? "ab" : "wb");
    if (self->file == NULL) {
      GST_ELEMENT_ERROR (self, RESOURCE, OPEN_WRITE,
          ("Could not open file \"%s\" for writing.", location), GST_ERROR_SYSTEM);
      return FALSE;
    }
    self->file_name = g_steal_pointer (&location);
  }
  GST_DEBUG_OBJECT (self, "writing to %s (%s)", self->file_name,
      append ? "appending" : "truncated");
  return TRUE;
}

/* Whatever the C library still holds goes to the file: every line already
 * has (write_line()); this is the guarantee at EOS and flushing seeks. */
static gboolean
flush_file (GstRanetJson *self)
{
  if (self->file == NULL || fflush (self->file) == 0)
    return TRUE;
  GST_ELEMENT_ERROR (self, RESOURCE, WRITE,
      ("Could not write to file \"%s\".", self->file_name), GST_ERROR_SYSTEM);
  return FALSE;
}

static gboolean
gst_ranet_json_stop (GstBaseTransform * trans)
{
  GstRanetJson *self = GST_RANET_JSON (trans);
  gboolean ok = TRUE;

  if (self->file == stdout) {
    ok = flush_file (self);
  } else if (self->file != NULL && fclose (self->file) != 0) {
    GST_ELEMENT_ERROR (self, RESOURCE, CLOSE,
        ("Could not close file \"%s\".", self->file_name), GST_ERROR_SYSTEM);
    ok = FALSE;
  }
  self->file = NULL;
  g_clear_pointer (&self->file_name, g_free);
  return ok;
}

static gboolean
gst_ranet_json_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  GstRanetJson *self = GST_RANET_JSON (trans);

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_EOS:
    case GST_EVENT_FLUSH_STOP:
      flush_file (self);
      break;
    default:
      break;
  }
  return GST_BASE_TRANSFORM_CLASS (gst_ranet_json_parent_class)->sink_event (trans, event);
}

static gboolean
gst_ranet_json_set_caps (GstBaseTransform * trans, GstCaps * incaps, GstCaps * outcaps)
{
  GstRanetJson *self = GST_RANET_JSON (trans);

  if (!gst_video_info_from_caps (&self->info, incaps)) {
    GST_WARNING_OBJECT (self, "caps %" GST_PTR_FORMAT " are not video: no resolution", incaps);
    gst_video_info_init (&self->info);
  }
  return TRUE;
}

/* ---- one line ---- */

static void
member_time (GString *out, const char *name, GstClockTime t)
{
  if (GST_CLOCK_TIME_IS_VALID (t))
    ranet_json_member_uint (out, name, t);
  else
    ranet_json_member_null (out, name);
}

/* The buffer's times, in the names gvametaconvert uses where it has one
 * (timestamp: the stream time). */
static void
add_times (GstRanetJson *self, GString *out, GstBuffer *buf)
{
  const GstSegment *segment = &GST_BASE_TRANSFORM (self)->segment;
  GstClockTime pts = GST_BUFFER_PTS (buf);
  gboolean timed = segment->format == GST_FORMAT_TIME && GST_CLOCK_TIME_IS_VALID (pts);

  member_time (out, "timestamp", timed
      ? gst_segment_to_stream_time (segment, GST_FORMAT_TIME, pts) : GST_CLOCK_TIME_NONE);
  member_time (out, "pts", pts);
  member_time (out, "running-time", timed
      ? gst_segment_to_running_time (segment, GST_FORMAT_TIME, pts) : GST_CLOCK_TIME_NONE);
}

static void
add_classification (GString *out, const GstStructure *s, const RanetClassification *c)
{
  ranet_json_member (out, "classification");
  g_string_append_c (out, '{');
  ranet_json_member_string (out, "element", c->element);
  ranet_json_member_string (out, "model", c->model);
  ranet_json_member_int (out, "class-id", c->class_id);
  ranet_json_member_string (out, "label", c->label);
  ranet_json_member_double (out, "confidence", c->confidence);
  ranet_json_member_int (out, "exit", c->exit_index);
  ranet_json_member_int (out, "num-exits", c->num_exits);
  ranet_json_member_double (out, "threshold", c->threshold);
  ranet_json_member_bool (out, "forced", c->forced);
  ranet_json_member_bool (out, "reused", c->reused);
  ranet_json_member_uint (out, "macs", c->macs);
  ranet_json_member_uint (out, "latency-ns", c->latency_ns);
  ranet_json_member_int (out, "operating-point", c->operating_point);
  ranet_json_member_uint (out, "budget-ns", c->budget_ns);
  ranet_json_member_top_k (out, s);
  g_string_append_c (out, '}');
}

/* One line, flushed at once: a reader following the file (tail -f) sees each
 * result as its frame passes, and a crash loses at most the line being
 * written. */
static gboolean
write_line (GstRanetJson *self, GString *line)
{
  g_string_append_c (line, '\n');
  if (fwrite (line->str, 1, line->len, self->file) == line->len && fflush (self->file) == 0)
    return TRUE;
  GST_ELEMENT_ERROR (self, RESOURCE, WRITE,
      ("Could not write to file \"%s\".", self->file_name), GST_ERROR_SYSTEM);
  return FALSE;
}

/* The line's result: the frame's classification, or its regions'. */
static gboolean
add_result (GstRanetJson *self, GString *line, const GstStructure *s)
{
  RanetClassification c;

  if (ranet_classification_is_roi_list (s))
    return ranet_json_add_regions (line, s, GST_VIDEO_INFO_WIDTH (&self->info),
        GST_VIDEO_INFO_HEIGHT (&self->info));
  if (!ranet_classification_read_structure (s, &c))
    return FALSE;
  add_classification (line, s, &c);
  return TRUE;
}

static GstFlowReturn
gst_ranet_json_transform_ip (GstBaseTransform * trans, GstBuffer * buf)
{
  GstRanetJson *self = GST_RANET_JSON (trans);
  const GstStructure *s = ranet_classification_meta_get_structure (buf);
  guint every;

  if (s == NULL)
    return GST_FLOW_OK;

  g_autoptr (GString) line = g_string_new ("{");
  add_times (self, line, buf);
  ranet_json_member (line, "resolution");
  if (GST_VIDEO_INFO_WIDTH (&self->info) > 0)
    g_string_append_printf (line, "{\"width\":%d,\"height\":%d}",
        GST_VIDEO_INFO_WIDTH (&self->info), GST_VIDEO_INFO_HEIGHT (&self->info));
  else
    g_string_append (line, "null");
  /* an incomplete result is not counted: every counts the lines that could
   * be written */
  if (!add_result (self, line, s)) {
    GST_WARNING_OBJECT (self, "incomplete result %" GST_PTR_FORMAT ": not written", s);
    return GST_FLOW_OK;
  }
  g_string_append_c (line, '}');

  GST_OBJECT_LOCK (self);
  every = self->every;
  GST_OBJECT_UNLOCK (self);
  if (self->results++ % every != 0)
    return GST_FLOW_OK;
  return write_line (self, line) ? GST_FLOW_OK : GST_FLOW_ERROR;
}

/* ---- properties ---- */

static void
gst_ranet_json_set_property (GObject * object, guint prop_id, const GValue * value,
    GParamSpec * pspec)
{
  GstRanetJson *self = GST_RANET_JSON (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_LOCATION:
      g_free (self->location);
      self->location = g_value_dup_string (value);
      break;
    case PROP_APPEND:
      self->append = g_value_get_boolean (value);
      break;
    case PROP_EVERY:
      self->every = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_ranet_json_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  GstRanetJson *self = GST_RANET_JSON (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_LOCATION:
      g_value_set_string (value, self->location);
      break;
    case PROP_APPEND:
      g_value_set_boolean (value, self->append);
      break;
    case PROP_EVERY:
      g_value_set_uint (value, self->every);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_ranet_json_finalize (GObject * object)
{
  GstRanetJson *self = GST_RANET_JSON (object);

  g_free (self->location);
  G_OBJECT_CLASS (gst_ranet_json_parent_class)->finalize (object);
}

static void
gst_ranet_json_class_init (GstRanetJsonClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;

  gobject_class->set_property = gst_ranet_json_set_property;
  gobject_class->get_property = gst_ranet_json_get_property;
  gobject_class->finalize = gst_ranet_json_finalize;

  g_object_class_install_property (gobject_class, PROP_LOCATION,
      g_param_spec_string ("location", "File location",
          "Path of the file to write the JSON lines to; unset (the default) or "
          "\"-\" writes them to standard output. Opened when the element starts",
          DEFAULT_LOCATION, rw | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_APPEND,
      g_param_spec_boolean ("append", "Append",
          "Append to an existing file instead of truncating it (default false: "
          "truncate). Read when the element starts",
          DEFAULT_APPEND, rw | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_EVERY,
      g_param_spec_uint ("every", "Every Nth result",
          "Write one line per N results: the 1st, the (N+1)th, and so on, counted "
          "from start over the buffers that carry a result (default 1: every one)",
          1, G_MAXUINT, DEFAULT_EVERY, rw | GST_PARAM_MUTABLE_PLAYING));

  gst_element_class_set_static_metadata (element_class,
      "RANet results as JSON lines", "Filter/Analyzer/Video",
      "Writes each buffer's RanetClassificationMeta as one JSON object per line, "
      "to a file or standard output; video passes through",
      "ranet-gst");
  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);

  trans_class->start = GST_DEBUG_FUNCPTR (gst_ranet_json_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_ranet_json_stop);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_ranet_json_sink_event);
  trans_class->set_caps = GST_DEBUG_FUNCPTR (gst_ranet_json_set_caps);
  trans_class->transform_ip = GST_DEBUG_FUNCPTR (gst_ranet_json_transform_ip);
  /* read-only: the buffer passes as it came, never copied to be made writable */
  trans_class->transform_ip_on_passthrough = TRUE;
  trans_class->passthrough_on_same_caps = TRUE;

  GST_DEBUG_CATEGORY_INIT (gst_ranet_json_debug, "ranetjson", 0,
      "RANet results as JSON lines");
}

static void
gst_ranet_json_init (GstRanetJson * self)
{
  self->location = g_strdup (DEFAULT_LOCATION);
  self->append = DEFAULT_APPEND;
  self->every = DEFAULT_EVERY;
  gst_base_transform_set_passthrough (GST_BASE_TRANSFORM (self), TRUE);
}

GST_ELEMENT_REGISTER_DEFINE (ranetjson, "ranetjson", GST_RANK_NONE, GST_TYPE_RANET_JSON);
