/**
 * SECTION:element-ranetclassify
 * @title: ranetclassify
 *
 * Classifies every video frame with a Resolution Adaptive Network (RANet) on a
 * Vulkan device and attaches the result to the buffer as a
 * "RanetClassificationMeta" GstCustomMeta (see ranet-classification-meta.h).
 * Video passes through unchanged.
 *
 * A RANet has several exits: a cheap low-resolution sub-network answers first,
 * and only frames it is not confident about continue into the higher-resolution
 * sub-networks. The `threshold` property sets the confidence at which a frame
 * leaves; `max-exit` caps how far any frame goes.
 *
 * Without a `model`, the built-in Fashion-MNIST model (28x28 grey, 10 classes)
 * is used.
 *
 * With `inference-region=roi-list` it classifies the regions of interest an
 * upstream detector attached (GstVideoRegionOfInterestMeta) instead of the
 * whole frame, all of a frame's regions as one batch within the frame's
 * budget: each region's meta gets a "classification" parameter, and the
 * frame's metadata lists every region ("objects").
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 -m videotestsrc num-buffers=30 ! ranetclassify post-messages=true ! fakesink
 * ]|
 */
#include "gstranetclassify.h"

#include "gstranetclassify-properties.h"
#include "gstranetclassify-session.h"
#include "ranet-classification-meta.h"
#include "ranet-latency.h"
#include "ranet-region-result.h"
#include "ranet-regions.h"
#include "ranet-result.h"
#include "ranet-stats.h"
#include "ranet-video-layout.h"

GST_DEBUG_CATEGORY (gst_ranet_classify_debug);
#define GST_CAT_DEFAULT gst_ranet_classify_debug

struct _GstRanetClassify {
  GstVideoFilter parent;

  /* properties; read and written under the object lock */
  gchar *model_path;
  gchar *device_selector;
  gdouble threshold;
  gint max_exit;
  guint top_k;
  guint inference_interval;
  gboolean post_messages;
  RanetResizeMode resize_mode;
  RanetThresholdMode threshold_mode;
  gdouble target_fps;
  gdouble budget_fraction;
  guint64 latency_budget;
  gboolean report_latency;
  GstRanetInferenceRegion inference_region;
  gchar *object_class;
  gchar **object_classes;     /* object_class parsed; NULL chooses every type */
  guint max_batch;
  gboolean online_calibration;
  guint calibration_interval;
  guint calibration_window;
  guint64 caps_period_ns;     /* from the negotiated framerate; 0 when none */

  /* The classification: net, policy, statistics. From start() to stop(),
   * set and cleared under the object lock; the streaming thread uses it
   * without (it has a lock of its own), property getters and QoS events
   * under the object lock. */
  RanetSession *session;
  gchar *model_name;          /* the metadata's model field */
  gboolean frame_counted;     /* the streaming thread's: the session counted this buffer */
  guint64 regions_degenerate; /* since start, for the stats; under the object lock */
};

G_DEFINE_TYPE (GstRanetClassify, gst_ranet_classify, GST_TYPE_VIDEO_FILTER);

/* ---- the session ---- */

/* The frame period of @fps frames per second, in ns. target-fps may be as
 * small as the smallest positive double, whose period is past G_MAXUINT64 ns
 * (a cast from there is undefined): it saturates, as the policy's budget
 * arithmetic does. */
static guint64
period_from_fps (gdouble fps)
{
  gdouble ns = GST_SECOND / fps;

  return ns >= 18446744073709551616.0 ? G_MAXUINT64 : (guint64) ns;
}

/* Hands the run-time properties and the stream's framerate to the session;
 * each applies from its next frame. Called with the object lock held. */
static void
apply_settings_locked (GstRanetClassify *self)
{
  RanetSession *s = self->session;

  if (s == NULL)
    return;
  ranet_session_set_threshold_mode (s, self->threshold_mode);
  ranet_session_set_threshold (s, self->threshold);
  ranet_session_set_max_exit (s, self->max_exit);
  ranet_session_set_inference_interval (s, self->inference_interval);
  ranet_session_set_resize_mode (s, self->resize_mode);
  ranet_session_set_frame_period (s, self->target_fps > 0.0
      ? period_from_fps (self->target_fps) : self->caps_period_ns);
  ranet_session_set_budget_fraction (s, self->budget_fraction);
  ranet_session_set_latency_budget (s, self->latency_budget);
  ranet_session_set_max_batch (s, self->max_batch);
  ranet_session_set_online_calibration (s, self->online_calibration,
      self->calibration_interval, self->calibration_window);
}

/* max-exit past the model's last exit: frames may then reach every exit (the
 * value is kept as set, for a model with more exits after a restart), and
 * the bus says so, at start and whenever it is set while a model is loaded.
 * Called without the object lock: posting takes it. */
static void
warn_max_exit_beyond_model (GstRanetClassify *self, gint max_exit, guint n_exits)
{
  if (max_exit < 0 || (guint) max_exit < n_exits)
    return;
  GST_ELEMENT_WARNING (self, LIBRARY, SETTINGS,
      ("max-exit %d is beyond the model's last exit, %u: frames may reach every "
          "exit", max_exit, n_exits - 1),
      ("the model has %u exits, numbered from 0; max-exit is clamped to %u",
          n_exits, n_exits - 1));
}

static gboolean
gst_ranet_classify_start (GstBaseTransform * trans)
{
  GstRanetClassify *self = GST_RANET_CLASSIFY (trans);
  g_autofree gchar *path = NULL;
  g_autofree gchar *selector = NULL;
  g_autoptr (GError) error = NULL;
  RanetSession *session;
  gboolean roi_list;
  gint max_exit;

  GST_OBJECT_LOCK (self);
  path = g_strdup (self->model_path);
  selector = g_strdup (self->device_selector);
  GST_OBJECT_UNLOCK (self);

  session = gst_ranet_classify_open_session (GST_ELEMENT (self), path, selector);
  if (session == NULL)
    return FALSE;

  GST_OBJECT_LOCK (self);
  g_free (self->model_name);
  self->model_name = gst_ranet_classify_model_meta_name (path);
  self->session = session;
  self->regions_degenerate = 0;
  apply_settings_locked (self);
  max_exit = self->max_exit;
  roi_list = self->inference_region == GST_RANET_INFERENCE_REGION_ROI_LIST;
  GST_OBJECT_UNLOCK (self);
  warn_max_exit_beyond_model (self, max_exit, ranet_session_get_n_exits (session));
  /* the batch's net and its first costs now, not on the first frame */
  if (roi_list && !ranet_session_prepare_regions (session, &error)) {
    GST_ELEMENT_ERROR (self, RESOURCE, FAILED,
        ("Could not set up the network for batches of regions: %s", error->message),
        ("set max-batch lower to need less memory"));
    GST_OBJECT_LOCK (self);
    session = g_steal_pointer (&self->session);
    GST_OBJECT_UNLOCK (self);
    ranet_session_free (session);
    return FALSE;
  }
  return TRUE;
}

static gboolean
gst_ranet_classify_stop (GstBaseTransform * trans)
{
  GstRanetClassify *self = GST_RANET_CLASSIFY (trans);
  RanetSession *session;

  /* the property getters read it under the lock: unhook it there, free it after */
  GST_OBJECT_LOCK (self);
  session = g_steal_pointer (&self->session);
  GST_OBJECT_UNLOCK (self);
  ranet_session_free (session);
  return TRUE;
}

/* ---- latency ---- */

/* What the element adds to the pipeline's latency, in ns: the session's
 * figure (ranet_session_get_latency()): in adaptive mode the budget before
 * QoS, else the time a frame through every exit took at start (the worst
 * case measured while playing is not known when the pipeline asks, before
 * the first frame). Called with the object lock held. */
static GstClockTime
reported_latency_locked (GstRanetClassify *self)
{
  if (!self->report_latency || self->session == NULL)
    return 0;
  /* GST_CLOCK_TIME_NONE (G_MAXUINT64) is no latency */
  return MIN (ranet_session_get_latency (self->session), GST_CLOCK_TIME_NONE - 1);
}

/* A budget change while running: a latency message makes the pipeline (or
 * the application, gst-launch-1.0 does) query the latency again. */
static void
post_latency_if_changed (GstRanetClassify *self, GstClockTime before, GstClockTime after)
{
  if (before == after)
    return;
  GST_DEBUG_OBJECT (self, "latency %" GST_TIME_FORMAT " -> %" GST_TIME_FORMAT,
      GST_TIME_ARGS (before), GST_TIME_ARGS (after));
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_latency (GST_OBJECT (self)));
}

/* The latency query from downstream: upstream's answer, plus ours. */
static gboolean
gst_ranet_classify_query (GstBaseTransform * trans, GstPadDirection direction,
    GstQuery * query)
{
  GstRanetClassify *self = GST_RANET_CLASSIFY (trans);
  GstClockTime ours;

  if (!GST_BASE_TRANSFORM_CLASS (gst_ranet_classify_parent_class)->query (trans,
          direction, query))
    return FALSE;
  if (direction != GST_PAD_SRC || GST_QUERY_TYPE (query) != GST_QUERY_LATENCY)
    return TRUE;

  GST_OBJECT_LOCK (self);
  ours = reported_latency_locked (self);
  GST_OBJECT_UNLOCK (self);
  ranet_latency_query_add (query, ours);
  GST_DEBUG_OBJECT (self, "latency: ours %" GST_TIME_FORMAT ", with upstream's %"
      GST_PTR_FORMAT, GST_TIME_ARGS (ours), query);
  return TRUE;
}

/* ---- caps ---- */

static gboolean
gst_ranet_classify_set_info (GstVideoFilter * filter, GstCaps * incaps,
    GstVideoInfo * in_info, GstCaps * outcaps, GstVideoInfo * out_info)
{
  GstRanetClassify *self = GST_RANET_CLASSIFY (filter);
  GstClockTime latency_before, latency_after;

  GST_DEBUG_OBJECT (self, "caps %" GST_PTR_FORMAT, incaps);
  /* the frame layout (strides may differ per buffer through GstVideoMeta) is
   * taken from each mapped frame; nothing here depends on caps but the format */
  if (GST_VIDEO_INFO_WIDTH (in_info) == 0 || GST_VIDEO_INFO_HEIGHT (in_info) == 0) {
    GST_ELEMENT_ERROR (self, STREAM, FORMAT, ("Empty video frames (%dx%d)",
            GST_VIDEO_INFO_WIDTH (in_info), GST_VIDEO_INFO_HEIGHT (in_info)), (NULL));
    return FALSE;
  }
  GST_OBJECT_LOCK (self);
  latency_before = reported_latency_locked (self);
  /* a variable or unknown framerate (0/1) gives no period */
  self->caps_period_ns = GST_VIDEO_INFO_FPS_N (in_info) > 0
      ? gst_util_uint64_scale_int (GST_SECOND, GST_VIDEO_INFO_FPS_D (in_info),
          GST_VIDEO_INFO_FPS_N (in_info)) : 0;
  apply_settings_locked (self);
  latency_after = reported_latency_locked (self);
  GST_OBJECT_UNLOCK (self);
  /* a live source may negotiate after the pipeline's first latency query */
  post_latency_if_changed (self, latency_before, latency_after);
  return TRUE;
}

/* ---- QoS: tighten the budget, never drop ---- */

static gboolean
gst_ranet_classify_src_event (GstBaseTransform * trans, GstEvent * event)
{
  GstRanetClassify *self = GST_RANET_CLASSIFY (trans);

  if (GST_EVENT_TYPE (event) == GST_EVENT_QOS) {
    gdouble proportion;
    GstClockTimeDiff diff;

    gst_event_parse_qos (event, NULL, &proportion, &diff, NULL);
    GST_LOG_OBJECT (self, "QoS proportion %f jitter %" G_GINT64_FORMAT, proportion, diff);
    GST_OBJECT_LOCK (self);
    if (self->session != NULL)
      ranet_session_handle_qos (self->session, proportion, diff);
    GST_OBJECT_UNLOCK (self);
  }
  /* upstream still hears about it */
  return GST_BASE_TRANSFORM_CLASS (gst_ranet_classify_parent_class)->src_event (trans, event);
}

/* ---- frames ---- */

/* The frame as the session reads it: its layout and its planes. */
static gboolean
frame_input (GstVideoFrame *frame, RanetFrameLayout *layout,
    const guint8 *planes[RANET_MAX_PLANES], GError **error)
{
  if (!ranet_video_layout_from_frame (frame, layout)) {
    g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_FORMAT,
        "unsupported video format %s",
        gst_video_format_to_string (GST_VIDEO_FRAME_FORMAT (frame)));
    return FALSE;
  }
  for (guint i = 0; i < RANET_MAX_PLANES; i++)
    planes[i] = i < GST_VIDEO_FRAME_N_PLANES (frame)
        ? GST_VIDEO_FRAME_PLANE_DATA (frame, i) : NULL;
  return TRUE;
}

static gboolean
classify (GstRanetClassify *self, GstVideoFrame *frame, RanetSessionResult *r,
    GError **error)
{
  const guint8 *planes[RANET_MAX_PLANES];
  RanetFrameLayout layout;

  return frame_input (frame, &layout, planes, error)
      && ranet_session_classify_frame (self->session, &layout, planes, r, error);
}

static gboolean
classify_regions (GstRanetClassify *self, GstVideoFrame *frame,
    const RanetRegion *regions, guint n_regions, RanetSessionResult *results,
    RanetSessionBatchSummary *summary, GError **error)
{
  const guint8 *planes[RANET_MAX_PLANES];
  RanetFrameLayout layout;

  if (!frame_input (frame, &layout, planes, error))
    return FALSE;
  return ranet_session_classify_regions (self->session, &layout, planes, regions,
      n_regions, results, summary, error);
}

/* A GstVideoMeta's strides and offsets are not checked against the memory
 * when a frame is mapped; reading by them could run past the buffer. */
static gboolean
frame_fits_buffer (GstRanetClassify *self, GstVideoFrame *frame)
{
  RanetFrameLayout layout;

  if (!ranet_video_layout_from_frame (frame, &layout)
      || ranet_video_layout_fits_frame (frame, &layout))
    return TRUE;
  GST_ELEMENT_WARNING (self, STREAM, FORMAT,
      ("Frame not classified: its planes extend beyond its buffer"),
      ("%ux%u %s in %" G_GSIZE_FORMAT " bytes: the strides or offsets of its "
          "GstVideoMeta do not fit its memory", layout.width, layout.height,
          gst_video_format_to_string (GST_VIDEO_FRAME_FORMAT (frame)),
          gst_buffer_get_size (frame->buffer)));
  return FALSE;
}

static GstFlowReturn
classify_failed (GstRanetClassify *self, const GError *error)
{
  if (g_error_matches (error, RANET_VK_ERROR, RANET_VK_ERROR_DEVICE_LOST))
    GST_ELEMENT_ERROR (self, RESOURCE, FAILED,
        ("The Vulkan device was lost: %s", error->message),
        ("the device stays unusable; restarting the element (NULL or "
            "READY, then PLAYING) sets it up on a new device"));
  else
    GST_ELEMENT_ERROR (self, STREAM, FAILED,
        ("Could not classify the frame: %s", error->message), (NULL));
  return GST_FLOW_ERROR;
}

/* The element message of a classified frame: its metadata, and its times. */
static void
post_result (GstRanetClassify *self, const GstStructure *meta_structure, GstBuffer *buf)
{
  GstStructure *s = gst_structure_copy (meta_structure);

  gst_structure_set_name (s, "ranet");
  ranet_result_add_times (s, &GST_BASE_TRANSFORM (self)->segment, GST_BUFFER_PTS (buf));
  gst_element_post_message (GST_ELEMENT (self), gst_message_new_element (GST_OBJECT (self), s));
}

static GstFlowReturn
transform_full_frame (GstRanetClassify *self, GstVideoFrame *frame,
    const char *element_name, guint top_k, gboolean post)
{
  g_autoptr (GError) error = NULL;
  RanetSessionResult r;
  const char *const *labels;
  GstStructure *s;

  if (!classify (self, frame, &r, &error))
    return classify_failed (self, error);

  labels = ranet_model_get_labels (ranet_session_get_model (self->session));
  s = gst_custom_meta_get_structure (gst_buffer_add_custom_meta (frame->buffer,
          RANET_CLASSIFICATION_META_NAME));
  ranet_result_fill_structure (&r, s, element_name, self->model_name, labels, top_k,
      ranet_session_get_budget (self->session));

  GST_LOG_OBJECT (self, "class %u (%s) confidence %.3f exit %u%s", r.class_id,
      r.label, r.confidence, r.exit_index, r.reused ? " (reused)" : "");
  if (post && !r.reused)
    post_result (self, s, frame->buffer);
  ranet_session_result_clear (&r);
  return GST_FLOW_OK;
}

/* The boxes of the regions to classify, the degenerate ones left out (and
 * counted, in the stats too). */
static guint
regions_to_classify (GstRanetClassify *self, GstVideoFrame *frame,
    const GArray *regions, RanetRegion *boxes)
{
  guint n = 0;

  for (guint i = 0; i < regions->len; i++) {
    const RanetRegionInfo *region = &g_array_index (regions, RanetRegionInfo, i);

    if (!region->degenerate) {
      boxes[n++] = region->box;
      continue;
    }
    GST_DEBUG_OBJECT (self, "region %d (%s) %ux%u at %u,%u has no pixel in the "
        "%dx%d frame: not classified", region->id, region->roi_type,
        region->box.width, region->box.height, region->box.x, region->box.y,
        GST_VIDEO_FRAME_WIDTH (frame), GST_VIDEO_FRAME_HEIGHT (frame));
  }
  if (n < regions->len) {
    GST_OBJECT_LOCK (self);
    self->regions_degenerate += regions->len - n;
    GST_OBJECT_UNLOCK (self);
  }
  return n;
}

static void
clear_results (RanetSessionResult *results, guint n)
{
  for (guint i = 0; i < n; i++)
    ranet_session_result_clear (&results[i]);
}

/* inference-region=roi-list: the frame's regions of a chosen type, each
 * classified region's result on its meta, all of them in the frame's. */
static GstFlowReturn
transform_roi_list (GstRanetClassify *self, GstVideoFrame *frame,
    const gchar *const *classes, const char *element_name, gboolean post)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) regions = ranet_regions_collect (frame->buffer,
      GST_VIDEO_FRAME_WIDTH (frame), GST_VIDEO_FRAME_HEIGHT (frame), classes);
  g_autofree RanetRegion *boxes = g_new (RanetRegion, regions->len);
  g_autofree RanetSessionResult *results = g_new0 (RanetSessionResult, regions->len);
  RanetSessionBatchSummary summary = { 0 };
  guint n, next = 0;
  GstStructure *s;

  n = regions_to_classify (self, frame, regions, boxes);
  if (!classify_regions (self, frame, boxes, n, results, &summary, &error)) {
    clear_results (results, n);
    return classify_failed (self, error);
  }

  for (guint i = 0; i < regions->len; i++) {
    const RanetRegionInfo *region = &g_array_index (regions, RanetRegionInfo, i);

    if (!region->degenerate)
      gst_video_region_of_interest_meta_add_param (region->meta,
          ranet_region_result_param_new (&results[next++]));
  }
  s = gst_custom_meta_get_structure (gst_buffer_add_custom_meta (frame->buffer,
          RANET_CLASSIFICATION_META_NAME));
  ranet_region_result_fill_structure (s, element_name, self->model_name,
      (const RanetRegionInfo *) (gpointer) regions->data, regions->len, results, &summary,
      ranet_session_get_budget (self->session));

  GST_LOG_OBJECT (self, "%u regions: %u classified, %u skipped, %u degenerate",
      regions->len, summary.n_classified, summary.n_skipped, regions->len - n);
  if (post)
    post_result (self, s, frame->buffer);
  clear_results (results, n);
  return GST_FLOW_OK;
}

static GstFlowReturn
gst_ranet_classify_transform_frame_ip (GstVideoFilter * filter, GstVideoFrame * frame)
{
  GstRanetClassify *self = GST_RANET_CLASSIFY (filter);
  g_autofree gchar *element_name = NULL;
  g_auto (GStrv) classes = NULL;
  GstRanetInferenceRegion inference_region;
  guint top_k;
  gboolean post;

  /* the settings the session does not hold; the session takes its own at the
   * frame's start */
  GST_OBJECT_LOCK (self);
  /* an element that has no parent may be renamed at any time */
  element_name = g_strdup (GST_OBJECT_NAME (self));
  top_k = self->top_k;
  post = self->post_messages;
  inference_region = self->inference_region;
  classes = g_strdupv (self->object_classes);
  GST_OBJECT_UNLOCK (self);

  /* Like a buffer too small for its caps, which cannot be mapped and passes
   * on with a warning: a damaged frame is not classified, and the stream
   * goes on. */
  if (!frame_fits_buffer (self, frame))
    return GST_FLOW_OK;

  self->frame_counted = TRUE;
  if (inference_region == GST_RANET_INFERENCE_REGION_ROI_LIST)
    return transform_roi_list (self, frame, (const gchar * const *) classes,
        element_name, post);
  return transform_full_frame (self, frame, element_name, top_k, post);
}

/* GstVideoFilter's own transform_ip, but mapping the frame for reading only.
 * Its read-write mapping copies the frame's memory whenever another buffer
 * shares it (a tee, an application holding the buffer): the base class made
 * the buffer writable for the metadata by a shallow copy, and the video is
 * never written. Every buffer that enters counts as a frame, classified or
 * not: one that cannot be mapped (passed on with a warning, as GstVideoFilter
 * does) and one whose planes do not fit its memory as well. */
static GstFlowReturn
gst_ranet_classify_transform_ip (GstBaseTransform * trans, GstBuffer * buf)
{
  GstRanetClassify *self = GST_RANET_CLASSIFY (trans);
  GstVideoFilter *filter = GST_VIDEO_FILTER (trans);
  GstFlowReturn ret = GST_FLOW_OK;
  GstVideoFrame frame;

  if (!filter->negotiated) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, (NULL), ("unknown format"));
    return GST_FLOW_NOT_NEGOTIATED;
  }
  self->frame_counted = FALSE;
  /* no reference to the buffer: it stays writable for the metadata */
  if (gst_video_frame_map (&frame, &filter->in_info, buf,
          GST_MAP_READ | GST_VIDEO_FRAME_MAP_FLAG_NO_REF)) {
    ret = gst_ranet_classify_transform_frame_ip (filter, &frame);
    gst_video_frame_unmap (&frame);
  } else {
    GST_ELEMENT_WARNING (self, CORE, NOT_IMPLEMENTED, (NULL),
        ("invalid video buffer received"));
  }
  if (!self->frame_counted)
    ranet_session_pass_frame (self->session);
  return ret;
}

/* ---- properties ---- */

static void
gst_ranet_classify_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstRanetClassify *self = GST_RANET_CLASSIFY (object);
  guint n_exits = 0;    /* the loaded model's, for max-exit */
  GstClockTime latency_before, latency_after;

  /* the model and the device are taken at start (READY to PAUSED): a change
   * later would silently apply at some future restart, so it is refused, on
   * the bus where applications and gst-launch-1.0 see it */
  if (prop_id == PROP_MODEL || prop_id == PROP_DEVICE) {
    GstState state;

    GST_OBJECT_LOCK (self);
    state = GST_STATE (self);
    GST_OBJECT_UNLOCK (self);
    if (state > GST_STATE_READY) {
      GST_ELEMENT_WARNING (self, LIBRARY, SETTINGS,
          ("The \"%s\" property cannot change in the %s state; ignored",
              pspec->name, gst_element_state_get_name (state)),
          ("set the element to READY or NULL first"));
      return;
    }
  }

  GST_OBJECT_LOCK (self);
  latency_before = reported_latency_locked (self);
  switch (prop_id) {
    case PROP_MODEL:
      g_free (self->model_path);
      self->model_path = g_value_dup_string (value);
      break;
    case PROP_DEVICE:
      g_free (self->device_selector);
      self->device_selector = g_value_dup_string (value);
      break;
    case PROP_THRESHOLD:
      self->threshold = g_value_get_double (value);
      break;
    case PROP_MAX_EXIT:
      self->max_exit = g_value_get_int (value);
      if (self->session != NULL)
        n_exits = ranet_session_get_n_exits (self->session);
      break;
    case PROP_TOP_K:
      self->top_k = g_value_get_uint (value);
      break;
    case PROP_INFERENCE_INTERVAL:
      self->inference_interval = g_value_get_uint (value);
      break;
    case PROP_POST_MESSAGES:
      self->post_messages = g_value_get_boolean (value);
      break;
    case PROP_RESIZE_MODE:
      self->resize_mode = g_value_get_enum (value);
      break;
    case PROP_THRESHOLD_MODE:
      self->threshold_mode = g_value_get_enum (value);
      break;
    case PROP_TARGET_FPS:
      self->target_fps = g_value_get_double (value);
      break;
    case PROP_BUDGET_FRACTION:
      self->budget_fraction = g_value_get_double (value);
      break;
    case PROP_LATENCY_BUDGET:
      self->latency_budget = g_value_get_uint64 (value);
      break;
    case PROP_REPORT_LATENCY:
      self->report_latency = g_value_get_boolean (value);
      break;
    case PROP_INFERENCE_REGION:
      self->inference_region = g_value_get_enum (value);
      break;
    case PROP_OBJECT_CLASS:
      g_free (self->object_class);
      g_strfreev (self->object_classes);
      self->object_class = g_value_dup_string (value);
      self->object_classes = ranet_regions_parse_object_class (self->object_class);
      break;
    case PROP_MAX_BATCH:
      self->max_batch = g_value_get_uint (value);
      break;
    case PROP_ONLINE_CALIBRATION:
      self->online_calibration = g_value_get_boolean (value);
      break;
    case PROP_CALIBRATION_INTERVAL:
      self->calibration_interval = g_value_get_uint (value);
      break;
    case PROP_CALIBRATION_WINDOW:
      self->calibration_window = g_value_get_uint (value);
      break;
    case PROP_QOS:
      /* see class_init: the base class's dropping stays off */
      if (g_value_get_boolean (value))
        GST_INFO_OBJECT (self, "qos=true ignored: late frames are never dropped, "
            "QoS events shrink the classification budget instead");
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  apply_settings_locked (self);
  latency_after = reported_latency_locked (self);
  GST_OBJECT_UNLOCK (self);
  if (n_exits > 0)
    warn_max_exit_beyond_model (self, g_value_get_int (value), n_exits);
  /* the budget properties, threshold-mode and report-latency */
  post_latency_if_changed (self, latency_before, latency_after);
}

/* The current-threshold property: empty until the element starts. */
static void
get_current_thresholds (RanetSession *session, GValue *value)
{
  guint n = session != NULL ? ranet_session_get_n_exits (session) : 0;
  g_autofree gdouble *thresholds = g_new0 (gdouble, n);
  GValue list = G_VALUE_INIT;

  if (session != NULL)
    ranet_session_get_thresholds (session, thresholds);
  gst_value_array_init (&list, n);
  for (guint k = 0; k < n; k++) {
    GValue v = G_VALUE_INIT;
    g_value_init (&v, G_TYPE_DOUBLE);
    g_value_set_double (&v, thresholds[k]);
    gst_value_array_append_and_take_value (&list, &v);
  }
  g_value_copy (&list, value);
  g_value_unset (&list);
}

static void
gst_ranet_classify_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  GstRanetClassify *self = GST_RANET_CLASSIFY (object);
  RanetSession *session;

  GST_OBJECT_LOCK (self);
  session = self->session;
  switch (prop_id) {
    case PROP_MODEL:
      g_value_set_string (value, self->model_path);
      break;
    case PROP_DEVICE:
      g_value_set_string (value, self->device_selector);
      break;
    case PROP_THRESHOLD:
      g_value_set_double (value, self->threshold);
      break;
    case PROP_MAX_EXIT:
      g_value_set_int (value, self->max_exit);
      break;
    case PROP_TOP_K:
      g_value_set_uint (value, self->top_k);
      break;
    case PROP_INFERENCE_INTERVAL:
      g_value_set_uint (value, self->inference_interval);
      break;
    case PROP_POST_MESSAGES:
      g_value_set_boolean (value, self->post_messages);
      break;
    case PROP_RESIZE_MODE:
      g_value_set_enum (value, self->resize_mode);
      break;
    case PROP_THRESHOLD_MODE:
      g_value_set_enum (value, self->threshold_mode);
      break;
    case PROP_TARGET_FPS:
      g_value_set_double (value, self->target_fps);
      break;
    case PROP_BUDGET_FRACTION:
      g_value_set_double (value, self->budget_fraction);
      break;
    case PROP_LATENCY_BUDGET:
      g_value_set_uint64 (value, self->latency_budget);
      break;
    case PROP_REPORT_LATENCY:
      g_value_set_boolean (value, self->report_latency);
      break;
    case PROP_INFERENCE_REGION:
      g_value_set_enum (value, self->inference_region);
      break;
    case PROP_OBJECT_CLASS:
      g_value_set_string (value, self->object_class);
      break;
    case PROP_MAX_BATCH:
      g_value_set_uint (value, self->max_batch);
      break;
    case PROP_ONLINE_CALIBRATION:
      g_value_set_boolean (value, self->online_calibration);
      break;
    case PROP_CALIBRATION_INTERVAL:
      g_value_set_uint (value, self->calibration_interval);
      break;
    case PROP_CALIBRATION_WINDOW:
      g_value_set_uint (value, self->calibration_window);
      break;
    case PROP_CURRENT_THRESHOLD:
      get_current_thresholds (session, value);
      break;
    case PROP_OPERATING_POINT:
      g_value_set_int (value, session != NULL ? ranet_session_get_operating_point (session) : -1);
      break;
    case PROP_DEVICE_NAME:
      g_value_set_string (value, session != NULL
          ? ranet_vk_device_get_name (ranet_session_get_device (session)) : NULL);
      break;
    case PROP_LABELS:
      g_value_set_boxed (value, session != NULL
          ? ranet_model_get_labels (ranet_session_get_model (session)) : NULL);
      break;
    case PROP_NUM_EXITS:
      g_value_set_int (value, session != NULL ? (gint) ranet_session_get_n_exits (session) : 0);
      break;
    case PROP_STATS:{
      g_autoptr (RanetSessionStats) stats =
          session != NULL ? ranet_session_get_stats (session) : NULL;

      g_value_take_boxed (value, ranet_stats_structure_new (stats,
              self->regions_degenerate));
      break;
    }
    case PROP_QOS:
      g_value_set_boolean (value, FALSE);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_ranet_classify_finalize (GObject * object)
{
  GstRanetClassify *self = GST_RANET_CLASSIFY (object);

  g_free (self->model_path);
  g_free (self->device_selector);
  g_free (self->model_name);
  g_free (self->object_class);
  g_strfreev (self->object_classes);
  G_OBJECT_CLASS (gst_ranet_classify_parent_class)->finalize (object);
}

static void
gst_ranet_classify_class_init (GstRanetClassifyClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstVideoFilterClass *filter_class = GST_VIDEO_FILTER_CLASS (klass);
  GstCaps *caps;

  gobject_class->set_property = gst_ranet_classify_set_property;
  gobject_class->get_property = gst_ranet_classify_get_property;
  gobject_class->finalize = gst_ranet_classify_finalize;
  gst_ranet_classify_install_properties (gobject_class);
  gst_ranet_classify_set_metadata (element_class);

  /* the formats of ranet-pixel-formats.def */
  caps = ranet_video_layout_new_caps ();
  gst_element_class_add_pad_template (element_class,
      gst_pad_template_new ("sink", GST_PAD_SINK, GST_PAD_ALWAYS, caps));
  gst_element_class_add_pad_template (element_class,
      gst_pad_template_new ("src", GST_PAD_SRC, GST_PAD_ALWAYS, caps));
  gst_caps_unref (caps);

  trans_class->start = GST_DEBUG_FUNCPTR (gst_ranet_classify_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_ranet_classify_stop);
  trans_class->src_event = GST_DEBUG_FUNCPTR (gst_ranet_classify_src_event);
  trans_class->query = GST_DEBUG_FUNCPTR (gst_ranet_classify_query);
  trans_class->transform_ip = GST_DEBUG_FUNCPTR (gst_ranet_classify_transform_ip);
  filter_class->set_info = GST_DEBUG_FUNCPTR (gst_ranet_classify_set_info);
  filter_class->transform_frame_ip =
      GST_DEBUG_FUNCPTR (gst_ranet_classify_transform_frame_ip);

  gst_type_mark_as_plugin_api (GST_TYPE_RANET_INFERENCE_REGION, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_RANET_RESIZE_MODE, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_RANET_THRESHOLD_MODE, 0);
  GST_DEBUG_CATEGORY_INIT (gst_ranet_classify_debug, "ranetclassify", 0,
      "RANet video classifier");
}

static void
gst_ranet_classify_init (GstRanetClassify * self)
{
  self->threshold = DEFAULT_THRESHOLD;
  self->max_exit = DEFAULT_MAX_EXIT;
  self->top_k = DEFAULT_TOP_K;
  self->inference_interval = DEFAULT_INFERENCE_INTERVAL;
  self->post_messages = DEFAULT_POST_MESSAGES;
  self->resize_mode = DEFAULT_RESIZE_MODE;
  self->threshold_mode = DEFAULT_THRESHOLD_MODE;
  self->target_fps = DEFAULT_TARGET_FPS;
  self->budget_fraction = DEFAULT_BUDGET_FRACTION;
  self->latency_budget = DEFAULT_LATENCY_BUDGET;
  self->report_latency = DEFAULT_REPORT_LATENCY;
  self->inference_region = DEFAULT_INFERENCE_REGION;
  self->max_batch = DEFAULT_MAX_BATCH;
  self->online_calibration = DEFAULT_ONLINE_CALIBRATION;
  self->calibration_interval = DEFAULT_CALIBRATION_INTERVAL;
  self->calibration_window = DEFAULT_CALIBRATION_WINDOW;
  /* late frames are classified more cheaply, never dropped: QoS events feed
   * the session's budget (src_event) instead of the base class's dropping */
  gst_base_transform_set_qos_enabled (GST_BASE_TRANSFORM (self), FALSE);
  /* the video is never modified: only metadata is added */
  gst_base_transform_set_in_place (GST_BASE_TRANSFORM (self), TRUE);
}

GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (ranetclassify, "ranetclassify",
    GST_RANK_NONE, GST_TYPE_RANET_CLASSIFY, ranet_classification_meta_register ());
