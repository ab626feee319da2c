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
 * ## Example launch line
 * |[
 * gst-launch-1.0 -m videotestsrc num-buffers=30 ! ranetclassify post-messages=true ! fakesink
 * ]|
 */
#include "gstranetclassify.h"

#include "ranet-classification-meta.h"
#include "ranet-result.h"
#include "ranet-video-layout.h"

#include "policy/ranet-policy.h"

#include <gio/gio.h>
#include <math.h>

GST_DEBUG_CATEGORY_STATIC (gst_ranet_classify_debug);
#define GST_CAT_DEFAULT gst_ranet_classify_debug

#define DEFAULT_MODEL NULL
#define DEFAULT_DEVICE NULL
#define DEFAULT_THRESHOLD 0.9
#define DEFAULT_MAX_EXIT -1
#define DEFAULT_TOP_K 3
#define DEFAULT_INFERENCE_INTERVAL 1
#define DEFAULT_POST_MESSAGES FALSE
#define DEFAULT_RESIZE_MODE RANET_RESIZE_STRETCH
#define DEFAULT_THRESHOLD_MODE GST_RANET_THRESHOLD_ADAPTIVE
#define DEFAULT_TARGET_FPS 0.0
#define DEFAULT_BUDGET_FRACTION 0.5
#define DEFAULT_LATENCY_BUDGET 0
#define DEFAULT_REPORT_LATENCY TRUE

typedef enum {
  GST_RANET_THRESHOLD_ADAPTIVE,
  GST_RANET_THRESHOLD_FIXED,
} GstRanetThresholdMode;

#define BUILTIN_MODEL_RESOURCE "/org/ranet/models/fashion-mnist-ranet.safetensors"
#define BUILTIN_MODEL_NAME "built-in Fashion-MNIST model"
/* the metadata's model field: the file it was built from, and that it is
 * the built-in copy */
#define BUILTIN_MODEL_META_NAME "fashion-mnist-ranet.safetensors (built-in)"

enum {
  PROP_0,
  PROP_MODEL,
  PROP_DEVICE,
  PROP_THRESHOLD,
  PROP_MAX_EXIT,
  PROP_TOP_K,
  PROP_INFERENCE_INTERVAL,
  PROP_POST_MESSAGES,
  PROP_RESIZE_MODE,
  PROP_THRESHOLD_MODE,
  PROP_TARGET_FPS,
  PROP_BUDGET_FRACTION,
  PROP_LATENCY_BUDGET,
  PROP_REPORT_LATENCY,
  PROP_CURRENT_THRESHOLD,
  PROP_OPERATING_POINT,
  PROP_DEVICE_NAME,
  PROP_LABELS,
  PROP_NUM_EXITS,
  PROP_STATS,
  PROP_QOS,
};

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
  GstRanetThresholdMode threshold_mode;
  gdouble target_fps;
  gdouble budget_fraction;
  guint64 latency_budget;
  gboolean report_latency;

  /* the frame-rate policy, from start() to stop(); used by the streaming
   * thread and by QoS events from downstream, so under the object lock */
  RanetPolicy *policy;
  guint64 caps_period_ns;     /* from the negotiated framerate; 0 when none */
  guint64 blank_frame_ns;     /* a frame through every exit, at start */
  gdouble *current_thresholds;  /* what the last classified frame used */

  /* from start() to stop(); the streaming thread's, except as noted */
  RanetVkDevice *device;
  RanetModel *model;      /* also read by property getters, under the object lock */
  RanetNet *net;
  gchar *model_name;      /* the metadata's model field */
  RanetFrameResult last;  /* the last classified frame's result */
  gboolean have_last;
  guint64 since_classified;

  /* statistics, under the object lock */
  guint64 n_frames;
  guint64 n_classified;
  guint64 *exit_counts;
  guint64 latency_sum_ns;
  guint64 latency_max_ns;
  guint64 forced_exits;
};

G_DEFINE_TYPE (GstRanetClassify, gst_ranet_classify, GST_TYPE_VIDEO_FILTER);

GType
gst_ranet_resize_mode_get_type (void)
{
  static gsize type = 0;
  static const GEnumValue values[] = {
    { RANET_RESIZE_STRETCH, "Scale the whole frame to the network input, ignoring aspect ratio",
        "stretch" },
    { RANET_RESIZE_CENTER_CROP, "Scale the largest centred region with the input's aspect ratio",
        "center-crop" },
    { RANET_RESIZE_LETTERBOX, "Scale the whole frame keeping its aspect ratio, on black bars",
        "letterbox" },
    { 0, NULL, NULL },
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("GstRanetResizeMode", values));
  return type;
}

#define GST_TYPE_RANET_THRESHOLD_MODE (gst_ranet_threshold_mode_get_type ())
static GType
gst_ranet_threshold_mode_get_type (void)
{
  static gsize type = 0;
  static const GEnumValue values[] = {
    { GST_RANET_THRESHOLD_ADAPTIVE, "Choose per-exit thresholds from the model's "
          "calibration so that classification fits the frame budget", "adaptive" },
    { GST_RANET_THRESHOLD_FIXED, "Use the threshold property at every exit, "
          "with no budget", "fixed" },
    { 0, NULL, NULL },
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("GstRanetThresholdMode", values));
  return type;
}

/* ---- model and device ---- */

static RanetModel *
load_model (GstRanetClassify *self, const gchar *path, GError **error)
{
  if (path != NULL && *path != '\0')
    return ranet_model_load_file (path, error);

  g_autoptr (GBytes) bytes = g_resources_lookup_data (BUILTIN_MODEL_RESOURCE,
      G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (bytes == NULL)
    return NULL;
  return ranet_model_load_bytes (bytes, BUILTIN_MODEL_NAME, error);
}

/* The policy's view of the model: stage costs and operating points. */
static RanetPolicy *
create_policy (RanetModel *model)
{
  const RanetCalibration *cal = ranet_model_get_calibration (model);
  g_autofree double *stage_macs = g_new (double, cal->n_exits);
  g_autofree RanetPolicyPoint *points = g_new (RanetPolicyPoint, cal->n_operating_points);

  for (guint k = 0; k < cal->n_exits; k++)
    stage_macs[k] = cal->exit_macs[k] - (k > 0 ? cal->exit_macs[k - 1] : 0.0);
  for (guint i = 0; i < cal->n_operating_points; i++) {
    points[i].thresholds = cal->operating_points[i].thresholds;
    points[i].exit_fractions = cal->operating_points[i].exit_fractions;
    points[i].accuracy = cal->operating_points[i].val_accuracy;
  }
  return ranet_policy_new (cal->n_exits, stage_macs, points,
      cal->n_operating_points, NULL);
}

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

/* Hands the budget properties and the stream's framerate to the policy.
 * Called with the object lock held. */
static void
update_budget_locked (GstRanetClassify *self)
{
  if (self->policy == NULL)
    return;
  ranet_policy_set_frame_period (self->policy, self->target_fps > 0.0
      ? period_from_fps (self->target_fps) : self->caps_period_ns);
  ranet_policy_set_budget_fraction (self->policy, self->budget_fraction);
  ranet_policy_set_latency_budget (self->policy, self->latency_budget);
}

/* One frame of zeros through every exit, run the way frames will run (one
 * submission where the device decides the exit, else stage by stage), its
 * cost handed to @policy as a frame's would be; @frame_ns: its whole time.
 *
 * Before anything is measured the policy lets a one-submission frame run
 * stage 0 only (it cannot stop between stages to look at the clock), so the
 * first frame of every stream used to leave at exit 0, forced, whatever the
 * budget. Running the first frame stage by stage instead would teach the
 * policy from a real frame, but only once that frame is under way, at a
 * submission per stage; this run at start (about one frame's time, after
 * the net's own warm-up has paid for compiling pipelines and faulting in
 * memory) gives every stage an estimate before the first frame, in both
 * ways of running, and the time of a frame through every exit: what the
 * element reports as its latency where there is no budget. */
static gboolean
measure_blank_frame (RanetNet *net, RanetPolicy *policy, guint64 *frame_ns,
    GError **error)
{
  RanetTensorView v = ranet_graph_get_input_view (ranet_net_get_graph (net));
  g_autofree float *zeros = g_new0 (float, (gsize) v.c * v.h * v.w);
  guint n_exits = ranet_net_get_n_exits (net);
  RanetExitResult exit;
  guint64 t0, t;

  if (!ranet_net_set_input_tensor (net, zeros, error))
    return FALSE;
  t0 = t = (guint64) g_get_monotonic_time () * 1000;
  if (ranet_net_decides_exit_on_device (net)) {
    g_autofree guint64 *gpu_ns = g_new0 (guint64, n_exits);

    if (!ranet_net_run (net, NULL, n_exits - 1, &exit, error))
      return FALSE;
    t = (guint64) g_get_monotonic_time () * 1000;
    for (guint k = 1; k < n_exits; k++)
      gpu_ns[k] = ranet_net_get_stage_gpu_ns (net, k);
    ranet_policy_frame_stages_done (policy, n_exits - 1, t - t0, gpu_ns);
  } else {
    for (guint k = 0; k < n_exits; k++) {
      guint64 now;

      if (!ranet_net_run_stage (net, k, &exit, error))
        return FALSE;
      now = (guint64) g_get_monotonic_time () * 1000;
      ranet_policy_stage_done (policy, k, now - t);
      t = now;
    }
  }
  *frame_ns = t - t0;
  return TRUE;
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

/* What chose the device, for the messages that name it. */
static gchar *
describe_device_choice (const gchar * selector)
{
  const char *effective = NULL;

  switch (ranet_vk_device_selector_source (selector, &effective)) {
    case RANET_VK_SELECTOR_ARGUMENT:
      return g_strdup_printf ("the device property, \"%s\"", effective);
    case RANET_VK_SELECTOR_ENVIRONMENT:
      return g_strdup_printf ("RANET_VULKAN_DEVICE=\"%s\" (the device property is unset)",
          effective);
    case RANET_VK_SELECTOR_AUTOMATIC:
    default:
      return g_strdup ("the automatic choice (the device property and "
          "RANET_VULKAN_DEVICE are unset)");
  }
}

static gboolean
gst_ranet_classify_start (GstBaseTransform * trans)
{
  GstRanetClassify *self = GST_RANET_CLASSIFY (trans);
  g_autofree gchar *path = NULL;
  g_autofree gchar *selector = NULL;
  g_autofree gchar *chosen_by = NULL;
  g_autoptr (GError) error = NULL;
  RanetModel *model;
  RanetVkDevice *device;
  RanetNet *net;
  RanetPolicy *policy;
  guint64 blank_frame_ns = 0;
  gint max_exit;

  GST_OBJECT_LOCK (self);
  path = g_strdup (self->model_path);
  selector = g_strdup (self->device_selector);
  GST_OBJECT_UNLOCK (self);

  model = load_model (self, path, &error);
  if (model == NULL) {
    g_autofree gchar *text = g_strdup_printf ("Could not load the RANet model "
        "\"%s\": %s", path ? path : BUILTIN_MODEL_NAME, error->message);

    /* applications tell a missing file from a bad one by the code */
    if (g_error_matches (error, RANET_MODEL_ERROR, RANET_MODEL_ERROR_NOT_FOUND))
      GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND, ("%s", text),
          ("set the model property to an existing .safetensors model file"));
    else
      GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ, ("%s", text),
          ("set the model property to a valid .safetensors model file"));
    return FALSE;
  }

  chosen_by = describe_device_choice (selector);
  device = ranet_vk_device_get_shared (selector, &error);
  if (device == NULL) {
    ranet_model_unref (model);
    GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND,
        ("No usable Vulkan device: %s", error->message), ("device chosen by %s", chosen_by));
    return FALSE;
  }
  GST_INFO_OBJECT (self, "using Vulkan device \"%s\", chosen by %s",
      ranet_vk_device_get_name (device), chosen_by);
  /* lavapipe wakes its worker threads for every dispatch: for a small
   * network most of the frame (README, docs/PERFORMANCE.md) */
  if (ranet_vk_device_is_cpu (device) && g_getenv ("LP_NUM_THREADS") == NULL)
    GST_INFO_OBJECT (self, "the Vulkan device is a CPU implementation: small models "
        "(the default one: 14 MMACs a frame) run about 3x faster with LP_NUM_THREADS=0 "
        "in the environment, large ones faster without it");

  net = ranet_net_new (device, model, &error);
  policy = net != NULL ? create_policy (model) : NULL;
  if (net == NULL || !measure_blank_frame (net, policy, &blank_frame_ns, &error)) {
    g_clear_pointer (&policy, ranet_policy_free);
    g_clear_pointer (&net, ranet_net_free);
    ranet_model_unref (model);
    ranet_vk_device_unref (device);
    GST_ELEMENT_ERROR (self, RESOURCE, FAILED,
        ("Could not set up the network on the Vulkan device: %s", error->message),
        (NULL));
    return FALSE;
  }
  GST_INFO_OBJECT (self, "a frame through every exit took %.3f ms at start",
      blank_frame_ns / 1e6);

  /* the property getters read the device, net and model under the lock */
  GST_OBJECT_LOCK (self);
  g_free (self->model_name);
  self->model_name = path != NULL && *path != '\0' ? g_path_get_basename (path)
      : g_strdup (BUILTIN_MODEL_META_NAME);
  self->device = device;
  self->net = net;
  self->model = model;
  self->policy = policy;
  self->blank_frame_ns = blank_frame_ns;
  g_free (self->current_thresholds);
  self->current_thresholds = g_new0 (gdouble, ranet_model_get_n_exits (model));
  update_budget_locked (self);
  self->n_frames = self->n_classified = 0;
  self->latency_sum_ns = self->latency_max_ns = 0;
  self->forced_exits = 0;
  g_free (self->exit_counts);
  self->exit_counts = g_new0 (guint64, ranet_net_get_n_exits (self->net));
  max_exit = self->max_exit;
  GST_OBJECT_UNLOCK (self);
  self->have_last = FALSE;
  self->since_classified = 0;
  warn_max_exit_beyond_model (self, max_exit, ranet_net_get_n_exits (net));
  return TRUE;
}

static gboolean
gst_ranet_classify_stop (GstBaseTransform * trans)
{
  GstRanetClassify *self = GST_RANET_CLASSIFY (trans);
  RanetNet *net;
  RanetVkDevice *device;

  ranet_frame_result_clear (&self->last);
  self->have_last = FALSE;
  /* the property getters (device-name, stats) read these under the lock:
   * unhook them there, free them after */
  GST_OBJECT_LOCK (self);
  net = g_steal_pointer (&self->net);
  device = g_steal_pointer (&self->device);
  g_clear_pointer (&self->model, ranet_model_unref);
  g_clear_pointer (&self->policy, ranet_policy_free);
  GST_OBJECT_UNLOCK (self);
  g_clear_pointer (&net, ranet_net_free);
  g_clear_pointer (&device, ranet_vk_device_unref);
  return TRUE;
}

/* ---- latency ---- */

/* What the element adds to the pipeline's latency, in ns. In adaptive mode
 * the budget (frame period x budget-fraction, or latency-budget): each frame
 * is done by then, at the exit its deadline leaves it. The nominal budget,
 * not the one QoS has shrunk for a while: a figure that moved with every QoS
 * event would have the pipeline re-query its latency all the time. Without
 * a budget (fixed mode, or no framerate to compute one from) nothing bounds
 * a frame; the time a frame through every exit took at start is the most a
 * frame costs whatever its content, on the device as it was then (the
 * worst case measured while playing is not known when the pipeline asks,
 * before the first frame). Called with the object lock held. */
static GstClockTime
reported_latency_locked (GstRanetClassify *self)
{
  guint64 ns;

  if (!self->report_latency || self->policy == NULL)
    return 0;
  if (self->threshold_mode == GST_RANET_THRESHOLD_ADAPTIVE
      && ranet_policy_has_budget (self->policy))
    ns = ranet_policy_get_nominal_budget (self->policy);
  else
    ns = self->blank_frame_ns;
  /* GST_CLOCK_TIME_NONE (G_MAXUINT64) is no latency */
  return MIN (ns, GST_CLOCK_TIME_NONE - 1);
}

/* @a + @b as a latency: short of GST_CLOCK_TIME_NONE however large. */
static GstClockTime
add_latency (GstClockTime a, GstClockTime b)
{
  return a >= GST_CLOCK_TIME_NONE - 1 - b ? GST_CLOCK_TIME_NONE - 1 : a + b;
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
  GstClockTime min, max, ours;
  gboolean live;

  if (!GST_BASE_TRANSFORM_CLASS (gst_ranet_classify_parent_class)->query (trans,
          direction, query))
    return FALSE;
  if (direction != GST_PAD_SRC || GST_QUERY_TYPE (query) != GST_QUERY_LATENCY)
    return TRUE;

  gst_query_parse_latency (query, &live, &min, &max);
  GST_OBJECT_LOCK (self);
  ours = reported_latency_locked (self);
  GST_OBJECT_UNLOCK (self);
  if (GST_CLOCK_TIME_IS_VALID (min))
    min = add_latency (min, ours);
  /* none stays none: unlimited */
  if (GST_CLOCK_TIME_IS_VALID (max))
    max = add_latency (max, ours);
  GST_DEBUG_OBJECT (self, "latency: ours %" GST_TIME_FORMAT ", live %d, min %"
      GST_TIME_FORMAT ", max %" GST_TIME_FORMAT, GST_TIME_ARGS (ours), live,
      GST_TIME_ARGS (min), GST_TIME_ARGS (max));
  gst_query_set_latency (query, live, min, max);
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
  update_budget_locked (self);
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
    if (self->policy != NULL)
      ranet_policy_handle_qos (self->policy, proportion, diff);
    GST_OBJECT_UNLOCK (self);
  }
  /* upstream still hears about it */
  return GST_BASE_TRANSFORM_CLASS (gst_ranet_classify_parent_class)->src_event (trans, event);
}

/* ---- frames ---- */

static void
update_stats (GstRanetClassify *self, const RanetFrameResult *r)
{
  GST_OBJECT_LOCK (self);
  if (!r->reused) {
    self->n_classified++;
    self->exit_counts[r->exit_index]++;
    self->latency_sum_ns += r->latency_ns;
    self->latency_max_ns = MAX (self->latency_max_ns, r->latency_ns);
    self->forced_exits += r->forced ? 1 : 0;
  }
  GST_OBJECT_UNLOCK (self);
}

/* The thresholds and deadline of one frame: from the policy in adaptive mode,
 * else the threshold property at every exit and no deadline. */
typedef struct {
  gboolean adaptive;
  RanetPolicyFrame plan;
  gdouble fixed;
} FramePlan;

static gdouble
plan_threshold (const FramePlan *plan, guint k, guint n_exits)
{
  /* the network's last exit takes every frame that reaches it */
  if (k == n_exits - 1)
    return 0.0;
  return plan->adaptive ? plan->plan.thresholds[k] : plan->fixed;
}

/* The float threshold that takes exactly the confidences (floats) that
 * reach @threshold: rounded up, never down. */
static float
float_threshold (gdouble threshold)
{
  float f = (float) threshold;

  return (gdouble) f < threshold ? nextafterf (f, INFINITY) : f;
}

/* The plan's thresholds as the net compares them (floats). */
static float *
plan_float_thresholds (const FramePlan *plan, guint n_exits)
{
  float *thresholds = g_new (float, n_exits);

  for (guint k = 0; k < n_exits; k++)
    thresholds[k] = float_threshold (plan_threshold (plan, k, n_exits));
  return thresholds;
}

/* Fixed thresholds: the net runs the frame, in one submission where the
 * device can decide the exit itself. */
static gboolean
classify_fixed (GstRanetClassify *self, const FramePlan *plan, guint last,
    RanetExitResult *exit, GError **error)
{
  g_autofree float *thresholds = plan_float_thresholds (plan,
      ranet_net_get_n_exits (self->net));

  return ranet_net_run (self->net, thresholds, last, exit, error);
}

/* Adaptive thresholds where the device decides the exit: the policy picks
 * the last stage the deadline leaves time for before the frame starts, the
 * frame runs as one submission, and afterwards the policy learns each stage's
 * cost from the frame's time since @t (updated) and the stages' GPU times. */
static gboolean
classify_adaptive_on_device (GstRanetClassify *self, FramePlan *plan, guint last,
    guint64 *t, RanetExitResult *exit, GError **error)
{
  guint n_exits = ranet_net_get_n_exits (self->net);
  g_autofree float *thresholds = plan_float_thresholds (plan, n_exits);
  g_autofree guint64 *gpu_ns = g_new0 (guint64, n_exits);
  guint64 now;

  GST_OBJECT_LOCK (self);
  last = ranet_policy_get_last_stage (self->policy, &plan->plan, last, *t);
  GST_OBJECT_UNLOCK (self);
  if (!ranet_net_run (self->net, thresholds, last, exit, error))
    return FALSE;
  now = (guint64) g_get_monotonic_time () * 1000;

  for (guint k = 1; k <= exit->exit_index; k++)
    gpu_ns[k] = ranet_net_get_stage_gpu_ns (self->net, k);
  GST_OBJECT_LOCK (self);
  ranet_policy_frame_stages_done (self->policy, exit->exit_index, now - *t, gpu_ns);
  GST_OBJECT_UNLOCK (self);
  *t = now;
  return TRUE;
}

/* Adaptive thresholds: stage by stage, each only if the deadline leaves time
 * for it; every stage's cost (from @t, updated) goes to the policy. */
static gboolean
classify_adaptive (GstRanetClassify *self, FramePlan *plan, guint last, guint64 *t,
    RanetExitResult *exit, GError **error)
{
  guint n_exits = ranet_net_get_n_exits (self->net);

  if (ranet_net_decides_exit_on_device (self->net))
    return classify_adaptive_on_device (self, plan, last, t, exit, error);
  for (guint k = 0; k <= last; k++) {
    guint64 now;

    if (k > 0) {
      gboolean out_of_time;

      GST_OBJECT_LOCK (self);
      out_of_time = !ranet_policy_can_run_stage (self->policy, &plan->plan, k, *t);
      GST_OBJECT_UNLOCK (self);
      if (out_of_time) {
        GST_LOG_OBJECT (self, "no time for stage %u: %.2f ms left, it takes "
            "%.2f ms", k, ((gdouble) plan->plan.deadline_ns - (gdouble) *t) / 1e6,
            ranet_policy_get_stage_latency (self->policy, k) / 1e6);
        break;
      }
    }
    if (!ranet_net_run_stage (self->net, k, exit, error))
      return FALSE;
    now = (guint64) g_get_monotonic_time () * 1000;
    /* stage 0's cost includes getting the frame to the device */
    GST_OBJECT_LOCK (self);
    ranet_policy_stage_done (self->policy, k, now - *t);
    GST_OBJECT_UNLOCK (self);
    *t = now;
    if (exit->confidence >= plan_threshold (plan, k, n_exits))
      break;
  }
  return TRUE;
}

static gboolean
classify (GstRanetClassify *self, GstVideoFrame *frame, FramePlan *plan,
    gint max_exit, RanetResizeMode mode, RanetFrameResult *r, GError **error)
{
  RanetFrameLayout layout;
  RanetExitResult exit;
  guint n_exits = ranet_net_get_n_exits (self->net);
  guint last = max_exit < 0 ? n_exits - 1 : MIN ((guint) max_exit, n_exits - 1);
  guint64 t0 = (guint64) g_get_monotonic_time () * 1000, t = t0;

  if (!ranet_video_layout_from_frame (frame, &layout)) {
    g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_FORMAT,
        "unsupported video format %s",
        gst_video_format_to_string (GST_VIDEO_FRAME_FORMAT (frame)));
    return FALSE;
  }
  if (plan->adaptive) {
    GST_OBJECT_LOCK (self);
    ranet_policy_begin_frame (self->policy, t0, &plan->plan);
    GST_OBJECT_UNLOCK (self);
  }
  if (!ranet_net_set_frame_layout (self->net, &layout, mode, error))
    return FALSE;
  /* only the rows the resize reads: a 1080p frame for a 28x28 network is
   * 56 rows, not 1080 */
  for (guint i = 0; i < GST_VIDEO_FRAME_N_PLANES (frame) && i < RANET_MAX_PLANES; i++)
    ranet_net_write_frame_plane (self->net, i, GST_VIDEO_FRAME_PLANE_DATA (frame, i),
        layout.stride[i]);

  if (plan->adaptive) {
    if (!classify_adaptive (self, plan, last, &t, &exit, error))
      return FALSE;
  } else {
    if (!classify_fixed (self, plan, last, &exit, error))
      return FALSE;
    t = (guint64) g_get_monotonic_time () * 1000;
  }
  r->threshold = plan_threshold (plan, exit.exit_index, n_exits);
  r->forced = exit.confidence < r->threshold;
  r->class_id = exit.class_id;
  r->confidence = exit.confidence;
  r->exit_index = exit.exit_index;
  r->num_exits = n_exits;
  r->reused = FALSE;
  r->macs = exit.macs;
  r->latency_ns = t - t0;
  r->n_classes = exit.n_classes;
  g_free (r->probs);
  r->probs = g_memdup2 (exit.probs, exit.n_classes * sizeof (gfloat));

  GST_OBJECT_LOCK (self);
  if (plan->adaptive) {
    ranet_policy_end_frame (self->policy, &plan->plan, exit.exit_index, t, r->forced);
  }
  for (guint k = 0; k < n_exits; k++)
    self->current_thresholds[k] = plan_threshold (plan, k, n_exits);
  GST_OBJECT_UNLOCK (self);
  return TRUE;
}

static void
post_result_message (GstRanetClassify *self, GstBuffer *buf, GstStructure *s)
{
  GstSegment *segment = &GST_BASE_TRANSFORM (self)->segment;
  GstClockTime ts = GST_BUFFER_PTS (buf);
  GstClockTime stream_time = GST_CLOCK_TIME_NONE, running_time = GST_CLOCK_TIME_NONE;

  /* a segment in another format (appsrc's default is bytes) gives no times */
  if (segment->format == GST_FORMAT_TIME) {
    stream_time = gst_segment_to_stream_time (segment, GST_FORMAT_TIME, ts);
    running_time = gst_segment_to_running_time (segment, GST_FORMAT_TIME, ts);
  }
  gst_structure_set (s,
      "timestamp", G_TYPE_UINT64, ts,
      "stream-time", G_TYPE_UINT64, stream_time,
      "running-time", G_TYPE_UINT64, running_time, NULL);
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self), s));
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
gst_ranet_classify_transform_frame_ip (GstVideoFilter * filter, GstVideoFrame * frame)
{
  GstRanetClassify *self = GST_RANET_CLASSIFY (filter);
  g_autoptr (GError) error = NULL;
  gdouble threshold;
  gint max_exit;
  guint top_k, interval;
  gboolean post;
  RanetResizeMode mode;
  FramePlan plan = { 0 };
  RanetFrameResult r = { 0 };
  g_autofree gchar *element_name = NULL;

  GST_OBJECT_LOCK (self);
  /* an element that has no parent may be renamed at any time */
  element_name = g_strdup (GST_OBJECT_NAME (self));
  threshold = self->threshold;
  max_exit = self->max_exit;
  top_k = self->top_k;
  interval = self->inference_interval;
  post = self->post_messages;
  mode = self->resize_mode;
  plan.adaptive = self->threshold_mode == GST_RANET_THRESHOLD_ADAPTIVE;
  plan.fixed = threshold;
  GST_OBJECT_UNLOCK (self);

  /* Like a buffer too small for its caps, which GstVideoFilter cannot map
   * and passes on with a warning: a damaged frame is not classified, and the
   * stream goes on. */
  if (!frame_fits_buffer (self, frame))
    return GST_FLOW_OK;

  if (self->have_last && self->since_classified + 1 < interval) {
    self->since_classified++;
    ranet_frame_result_copy (&r, &self->last);
    r.reused = TRUE;
    r.latency_ns = 0;
    r.macs = 0;
  } else {
    if (!classify (self, frame, &plan, max_exit, mode, &r, &error)) {
      ranet_frame_result_clear (&r);
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
    ranet_frame_result_copy (&self->last, &r);
    self->have_last = TRUE;
    self->since_classified = 0;
  }

  const char *const *labels = ranet_model_get_labels (ranet_net_get_model (self->net));
  GstCustomMeta *meta = gst_buffer_add_custom_meta (frame->buffer,
      RANET_CLASSIFICATION_META_NAME);
  ranet_frame_result_fill_structure (&r, gst_custom_meta_get_structure (meta),
      element_name, self->model_name, labels, top_k);

  GST_LOG_OBJECT (self, "class %d (%s) confidence %.3f exit %d%s", r.class_id,
      labels[r.class_id], r.confidence, r.exit_index, r.reused ? " (reused)" : "");
  if (post && !r.reused) {
    GstStructure *s = gst_structure_new_empty ("ranet");
    ranet_frame_result_fill_structure (&r, s, element_name, self->model_name, labels,
        top_k);
    post_result_message (self, frame->buffer, s);
  }
  update_stats (self, &r);
  ranet_frame_result_clear (&r);
  return GST_FLOW_OK;
}

/* Every buffer that enters counts as a frame, classified or not: one that
 * GstVideoFilter cannot map (it passes it on with a warning, without calling
 * transform_frame_ip) and one whose planes do not fit its memory as well. */
static GstFlowReturn
gst_ranet_classify_transform_ip (GstBaseTransform * trans, GstBuffer * buf)
{
  GstRanetClassify *self = GST_RANET_CLASSIFY (trans);

  GST_OBJECT_LOCK (self);
  self->n_frames++;
  GST_OBJECT_UNLOCK (self);
  return GST_BASE_TRANSFORM_CLASS (gst_ranet_classify_parent_class)->transform_ip (trans,
      buf);
}

/* ---- properties ---- */

static GstStructure *
build_stats (GstRanetClassify *self)
{
  GValue counts = G_VALUE_INIT;
  guint n_exits = self->net != NULL ? ranet_net_get_n_exits (self->net) : 0;
  GstStructure *s;

  gst_value_array_init (&counts, n_exits);
  for (guint k = 0; k < n_exits && self->exit_counts != NULL; k++) {
    GValue v = G_VALUE_INIT;
    g_value_init (&v, G_TYPE_UINT64);
    g_value_set_uint64 (&v, self->exit_counts[k]);
    gst_value_array_append_and_take_value (&counts, &v);
  }
  RanetPolicyStats policy_stats = { 0 };
  guint64 budget = 0;

  if (self->policy != NULL) {
    ranet_policy_get_stats (self->policy, &policy_stats);
    /* a latency-budget of G_MAXUINT64 ns is a budget, reported as such */
    if (self->threshold_mode == GST_RANET_THRESHOLD_ADAPTIVE
        && ranet_policy_has_budget (self->policy))
      budget = ranet_policy_get_budget (self->policy);
  }
  s = gst_structure_new ("ranet-stats",
      "frames", G_TYPE_UINT64, self->n_frames,
      "forced-exits", G_TYPE_UINT64, self->forced_exits,
      "deadline-misses", G_TYPE_UINT64, policy_stats.deadline_misses,
      "operating-point-changes", G_TYPE_UINT64, policy_stats.point_changes,
      "budget", G_TYPE_UINT64, budget,
      "classified", G_TYPE_UINT64, self->n_classified,
      "mean-latency", G_TYPE_UINT64,
      self->n_classified ? self->latency_sum_ns / self->n_classified : (guint64) 0,
      "max-latency", G_TYPE_UINT64, self->latency_max_ns, NULL);
  gst_structure_take_value (s, "exit-counts", &counts);
  return s;
}

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
      if (self->model != NULL)
        n_exits = ranet_model_get_n_exits (self->model);
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
      update_budget_locked (self);
      break;
    case PROP_BUDGET_FRACTION:
      self->budget_fraction = g_value_get_double (value);
      update_budget_locked (self);
      break;
    case PROP_LATENCY_BUDGET:
      self->latency_budget = g_value_get_uint64 (value);
      update_budget_locked (self);
      break;
    case PROP_REPORT_LATENCY:
      self->report_latency = g_value_get_boolean (value);
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
  latency_after = reported_latency_locked (self);
  GST_OBJECT_UNLOCK (self);
  if (n_exits > 0)
    warn_max_exit_beyond_model (self, g_value_get_int (value), n_exits);
  /* the budget properties, threshold-mode and report-latency */
  post_latency_if_changed (self, latency_before, latency_after);
}

static void
gst_ranet_classify_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  GstRanetClassify *self = GST_RANET_CLASSIFY (object);

  GST_OBJECT_LOCK (self);
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
    case PROP_CURRENT_THRESHOLD:{
      GValue list = G_VALUE_INIT;
      guint n = self->model ? ranet_model_get_n_exits (self->model) : 0;

      gst_value_array_init (&list, n);
      for (guint k = 0; k < n && self->current_thresholds != NULL; k++) {
        GValue v = G_VALUE_INIT;
        g_value_init (&v, G_TYPE_DOUBLE);
        g_value_set_double (&v, self->current_thresholds[k]);
        gst_value_array_append_and_take_value (&list, &v);
      }
      g_value_copy (&list, value);
      g_value_unset (&list);
      break;
    }
    case PROP_OPERATING_POINT:
      g_value_set_int (value, self->policy != NULL
          && self->threshold_mode == GST_RANET_THRESHOLD_ADAPTIVE
          ? (gint) ranet_policy_get_point (self->policy) : -1);
      break;
    case PROP_DEVICE_NAME:
      g_value_set_string (value,
          self->device ? ranet_vk_device_get_name (self->device) : NULL);
      break;
    case PROP_LABELS:
      g_value_set_boxed (value,
          self->model ? ranet_model_get_labels (self->model) : NULL);
      break;
    case PROP_NUM_EXITS:
      g_value_set_int (value, self->model ? (gint) ranet_model_get_n_exits (self->model) : 0);
      break;
    case PROP_STATS:
      g_value_take_boxed (value, build_stats (self));
      break;
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
  g_free (self->exit_counts);
  g_free (self->current_thresholds);
  g_free (self->model_name);
  ranet_frame_result_clear (&self->last);
  G_OBJECT_CLASS (gst_ranet_classify_parent_class)->finalize (object);
}

static void
gst_ranet_classify_class_init (GstRanetClassifyClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstVideoFilterClass *filter_class = GST_VIDEO_FILTER_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;
  GstCaps *caps;

  gobject_class->set_property = gst_ranet_classify_set_property;
  gobject_class->get_property = gst_ranet_classify_get_property;
  gobject_class->finalize = gst_ranet_classify_finalize;

  g_object_class_install_property (gobject_class, PROP_MODEL,
      g_param_spec_string ("model", "Model",
          "Path of a RANet model file (.safetensors with ranet.* metadata); "
          "unset (the default) uses the built-in Fashion-MNIST model. "
          "Read when the element starts", DEFAULT_MODEL,
          rw | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_DEVICE,
      g_param_spec_string ("device", "Vulkan device",
          "Vulkan device index or a case-insensitive part of its name; unset "
          "(the default) uses RANET_VULKAN_DEVICE if set, else picks a GPU "
          "before a CPU implementation", DEFAULT_DEVICE,
          rw | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_THRESHOLD,
      g_param_spec_double ("threshold", "Confidence threshold",
          "With threshold-mode=fixed, a frame leaves at the first exit whose top "
          "softmax probability reaches this value (0 = always the first exit, "
          "1 = nearly always the last); applies from the next frame. Adaptive "
          "mode ignores it (see current-threshold)", 0.0, 1.0, DEFAULT_THRESHOLD,
          rw | GST_PARAM_MUTABLE_PLAYING | GST_PARAM_CONTROLLABLE));
  g_object_class_install_property (gobject_class, PROP_MAX_EXIT,
      g_param_spec_int ("max-exit", "Maximum exit",
          "The last exit any frame may reach, 0-based; -1 (the default) allows "
          "every exit, and so does a value past the model's last exit (with a "
          "warning). A frame stopped here without reaching the threshold is "
          "marked forced", -1, G_MAXINT, DEFAULT_MAX_EXIT,
          rw | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_TOP_K,
      g_param_spec_uint ("top-k", "Top k",
          "Number of most probable classes listed in the metadata's top-k field",
          1, 1000, DEFAULT_TOP_K, rw | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_INFERENCE_INTERVAL,
      g_param_spec_uint ("inference-interval", "Inference interval",
          "Classify every Nth frame; the frames between carry the last result, "
          "marked reused (1, the default, classifies every frame)",
          1, G_MAXUINT, DEFAULT_INFERENCE_INTERVAL, rw | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_POST_MESSAGES,
      g_param_spec_boolean ("post-messages", "Post messages",
          "Post an element message named \"ranet\" for every classified frame, "
          "with the metadata's fields plus timestamp, stream-time and running-time",
          DEFAULT_POST_MESSAGES, rw | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_RESIZE_MODE,
      g_param_spec_enum ("resize-mode", "Resize mode",
          "How a frame is mapped onto the network's input size",
          GST_TYPE_RANET_RESIZE_MODE, DEFAULT_RESIZE_MODE,
          rw | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_THRESHOLD_MODE,
      g_param_spec_enum ("threshold-mode", "Threshold mode",
          "adaptive: per-exit thresholds chosen from the model's calibration so "
          "that classification fits the frame budget, stopping a frame early at "
          "its deadline; fixed: the threshold property at every exit, no budget",
          GST_TYPE_RANET_THRESHOLD_MODE, DEFAULT_THRESHOLD_MODE,
          rw | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_TARGET_FPS,
      g_param_spec_double ("target-fps", "Target frame rate",
          "Frame rate the budget is computed for, in frames per second; 0 (the "
          "default) uses the negotiated framerate", 0.0, 1000.0,
          DEFAULT_TARGET_FPS, rw | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_BUDGET_FRACTION,
      g_param_spec_double ("budget-fraction", "Budget fraction",
          "Share of the frame period classification may take (adaptive mode); "
          "the default 0.5 leaves the other half to the rest of the pipeline "
          "and to jitter", 0.01, 1.0, DEFAULT_BUDGET_FRACTION,
          rw | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_LATENCY_BUDGET,
      g_param_spec_uint64 ("latency-budget", "Latency budget",
          "Per-frame classification budget in nanoseconds, overriding frame "
          "period x budget-fraction (adaptive mode); 0 (the default) for none. "
          "Every other value is a budget, the largest included",
          0, G_MAXUINT64, DEFAULT_LATENCY_BUDGET, rw | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_REPORT_LATENCY,
      g_param_spec_boolean ("report-latency", "Report latency",
          "Add the element's latency to the pipeline's (the latency query): the "
          "per-frame budget in adaptive mode, else the time a frame through "
          "every exit took at start; a latency message follows a change while "
          "running",
          DEFAULT_REPORT_LATENCY, rw | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_CURRENT_THRESHOLD,
      gst_param_spec_array ("current-threshold", "Current thresholds",
          "Per-exit thresholds the last classified frame used (the last exit's "
          "is 0: it takes every frame)",
          g_param_spec_double ("threshold", "Threshold", "An exit's threshold",
              0.0, 1.0, 0.0, ro), ro));
  g_object_class_install_property (gobject_class, PROP_OPERATING_POINT,
      g_param_spec_int ("operating-point", "Operating point",
          "Index of the calibration operating point in use (adaptive mode), "
          "-1 in fixed mode or before the element starts", -1, G_MAXINT, -1, ro));
  g_object_class_install_property (gobject_class, PROP_DEVICE_NAME,
      g_param_spec_string ("device-name", "Device name",
          "Name of the Vulkan device in use (NULL until the element starts)",
          NULL, ro));
  g_object_class_install_property (gobject_class, PROP_LABELS,
      g_param_spec_boxed ("labels", "Labels",
          "The model's class labels, by class id (NULL until the element starts)",
          G_TYPE_STRV, ro));
  g_object_class_install_property (gobject_class, PROP_NUM_EXITS,
      g_param_spec_int ("num-exits", "Number of exits",
          "The model's number of exits (0 until the element starts)",
          0, G_MAXINT, 0, ro));
  g_object_class_install_property (gobject_class, PROP_STATS,
      g_param_spec_boxed ("stats", "Statistics",
          "ranet-stats structure: frames (guint64, every buffer in, classified or "
          "not), classified (guint64), "
          "exit-counts (array of guint64, frames per exit), mean-latency and "
          "max-latency (guint64, ns, classified frames only), forced-exits, "
          "deadline-misses and operating-point-changes (guint64), budget "
          "(guint64, ns per frame; 0 when none applies)",
          GST_TYPE_STRUCTURE, ro));

  /* GstBaseTransform's qos property, when true, makes the base class drop
   * every buffer that arrives later than downstream's last QoS event says it
   * can show: a frame gone without a result or a count. This element answers
   * QoS by classifying more cheaply (src_event shrinks the budget), so the
   * property is taken over here and the base class's QoS handling stays off
   * (set_qos_enabled (FALSE) in init) whatever is written: it reads false. */
  g_object_class_override_property (gobject_class, PROP_QOS, "qos");

  gst_element_class_set_static_metadata (element_class,
      "RANet classifier", "Filter/Analyzer/Video",
      "Classifies video frames with a Resolution Adaptive Network on Vulkan, "
      "exiting early on easy frames, and attaches the class as metadata",
      "ranet-gst");
  /* gst-inspect-1.0 lists every metadata key: this one documents the result */
  gst_element_class_add_static_metadata (element_class, "metadata",
      "Every buffer gets a GstCustomMeta \"" RANET_CLASSIFICATION_META_NAME "\" "
      "whose structure holds element (gchararray, the name of the element that "
      "wrote it), model (gchararray, the model file's name), class-id (gint), "
      "label (gchararray), confidence "
      "(gdouble, softmax probability), exit (gint, 0-based), num-exits (gint), "
      "threshold (gdouble, applied at that exit), forced (gboolean, ended below "
      "its threshold by max-exit or a deadline), reused (gboolean, carried over "
      "by inference-interval), macs (guint64), latency (guint64, ns) and top-k "
      "(GstValueArray of \"ranet-class\" structures: class-id, label, score). "
      "C: ranet-classification-meta.h; Python: "
      "buf.get_custom_meta(\"" RANET_CLASSIFICATION_META_NAME "\").get_structure()");
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
  /* late frames are classified more cheaply, never dropped: QoS events feed
   * the policy (src_event) instead of the base class's dropping */
  gst_base_transform_set_qos_enabled (GST_BASE_TRANSFORM (self), FALSE);
  /* the video is never modified: only metadata is added */
  gst_base_transform_set_in_place (GST_BASE_TRANSFORM (self), TRUE);
}

GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (ranetclassify, "ranetclassify",
    GST_RANK_NONE, GST_TYPE_RANET_CLASSIFY, ranet_classification_meta_register ());
