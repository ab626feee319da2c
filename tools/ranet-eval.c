/* ranet-eval: a model's accuracy on an IDX data set, as the engine runs it.
 *
 *   ranet-eval --model FILE --images IDX --labels IDX
 *              [--threshold T | --operating-point N] [--limit N] [--device SEL]
 *              [--per-image]
 *
 * Every image goes into the net as a GRAY8 frame, through the same GPU
 * preprocess as the element's frames, and every exit is computed. The
 * per-exit accuracies come from that one run, and so does the early-exit
 * policy, applied afterwards: a frame leaves at the first exit whose maximum
 * softmax probability is >= its threshold, and the last exit takes the rest.
 * With a policy, every image then goes through a session as the element's
 * frames do (fixed or operating-point mode), which must agree.
 * Definitions and output follow python/evaluate.py (the PyTorch evaluator), so
 * the two can be compared line by line; the last line is machine-readable:
 * accuracy=<percent> mean_exit=<0-based exit> mean_macs=<multiply-adds>.
 * --per-image adds a line for every image before it:
 * image=<index> class=<class> exit=<0-based exit> confidence=<top probability>
 * (tests/check_eval.py compares them with PyTorch's).
 */
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "session/ranet-session.h"

#include "idx-file.h"

typedef struct {
  char *model;
  char *images;
  char *labels;
  char *threshold;
  char *operating_point;
  char *device;
  gint limit;
  gboolean per_image;
} Options;

static void
options_clear (Options *o)
{
  g_free (o->model);
  g_free (o->images);
  g_free (o->labels);
  g_free (o->threshold);
  g_free (o->operating_point);
  g_free (o->device);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Options, options_clear)

/* What the net said for every image at every exit: [exit][image]. */
typedef struct {
  guint n_exits, n_images;
  float *conf;
  guint *pred;
} ExitOutputs;

static void
exit_outputs_clear (ExitOutputs *e)
{
  g_free (e->conf);
  g_free (e->pred);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ExitOutputs, exit_outputs_clear)

static gboolean
fail (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
fail (GError **error, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, message);
  return FALSE;
}

/* The early-exit policy the options ask for: its thresholds as float (the
 * confidences are float, and evaluate.py compares them with float32
 * thresholds too), NULL for none (every frame to the last exit), and the
 * session's settings that run it. */
typedef struct {
  float *thresholds;
  char *name;
  RanetThresholdMode mode;
  double threshold;     /* fixed mode */
  guint point;          /* operating-point mode */
} Policy;

static void
policy_clear (Policy *p)
{
  g_free (p->thresholds);
  g_free (p->name);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Policy, policy_clear)

static gboolean
choose_policy (const Options *o, RanetModel *model, guint n_exits, Policy *p,
    GError **error)
{
  const RanetCalibration *cal = ranet_model_get_calibration (model);
  g_autofree float *t = g_new (float, n_exits);
  char *end = NULL;

  if (o->threshold != NULL && o->operating_point != NULL)
    return fail (error, "--threshold and --operating-point exclude each other");
  if (o->threshold != NULL) {
    double v = g_ascii_strtod (o->threshold, &end);

    if (end == o->threshold || *end != '\0' || !isfinite (v))
      return fail (error, "--threshold %s: not a number", o->threshold);
    for (guint k = 0; k < n_exits; k++)
      t[k] = k + 1 < n_exits ? (float) v : -1.0f;
    p->name = g_strdup_printf ("fixed threshold %g", v);
    p->mode = RANET_THRESHOLD_FIXED;
    /* the session takes the confidences that reach the threshold it is
     * given: the float one, as here */
    p->threshold = (float) v;
  } else if (o->operating_point != NULL) {
    guint64 n;
    g_autoptr (GString) s = g_string_new (NULL);
    g_autoptr (GError) parse_error = NULL;

    if (!g_ascii_string_to_unsigned (o->operating_point, 10, 0, G_MAXUINT, &n, &parse_error)
        || n >= cal->n_operating_points)
      return fail (error, "--operating-point %s: the model's operating points are 0..%u",
          o->operating_point, cal->n_operating_points - 1);
    for (guint k = 0; k < n_exits; k++) {
      t[k] = (float) cal->operating_points[n].thresholds[k];
      g_string_append_printf (s, k ? " %.4f" : "%.4f", cal->operating_points[n].thresholds[k]);
    }
    p->name = g_strdup_printf ("operating point %u (thresholds %s)", (guint) n, s->str);
    p->mode = RANET_THRESHOLD_OPERATING_POINT;
    p->point = (guint) n;
  } else {
    p->name = g_strdup ("every frame to the last exit");
    return TRUE;
  }
  p->thresholds = g_steal_pointer (&t);
  return TRUE;
}

static gboolean
check_data (const IdxFile *images, const IdxFile *labels, guint n_classes, gint limit,
    guint *n_images, GError **error)
{
  if (images->dims[0] != labels->dims[0])
    return fail (error, "%u images but %u labels", images->dims[0], labels->dims[0]);
  *n_images = limit > 0 ? MIN ((guint) limit, images->dims[0]) : images->dims[0];
  for (guint i = 0; i < *n_images; i++)
    if (labels->data[i] >= n_classes)
      return fail (error, "label %u is %u; the model has %u classes", i,
          labels->data[i], n_classes);
  return TRUE;
}

/* The images as GRAY8 frames. */
static RanetFrameLayout
image_layout (const IdxFile *images)
{
  RanetFrameLayout layout = {
    .format = RANET_PIXEL_GRAY8,
    .width = images->dims[2],
    .height = images->dims[1],
    .stride = { images->dims[2] },
    .kr = 0.299, .kb = 0.114,
  };

  return layout;
}

/* Runs every image through every exit, as a GRAY8 frame of the images' size,
 * on the session's net: each exit's output is read, which is the net's to
 * give, not the session's (a frame there leaves at one exit). */
static gboolean
run_all_exits (RanetNet *net, const IdxFile *images, ExitOutputs *out, double *seconds,
    GError **error)
{
  RanetFrameLayout layout = image_layout (images);
  gsize frame_bytes = (gsize) images->dims[1] * images->dims[2], size = 0;
  gint64 t0;
  guint8 *frame;

  if (!ranet_net_set_frame_layout (net, &layout, RANET_RESIZE_STRETCH, error))
    return FALSE;
  frame = ranet_net_get_frame_memory (net, &size);
  g_assert (size == frame_bytes);

  t0 = g_get_monotonic_time ();
  for (guint i = 0; i < out->n_images; i++) {
    memcpy (frame, images->data + i * frame_bytes, frame_bytes);
    for (guint k = 0; k < out->n_exits; k++) {
      RanetExitResult r;

      if (!ranet_net_run_stage (net, k, &r, error)) {
        g_prefix_error (error, "image %u, exit %u: ", i, k);
        return FALSE;
      }
      out->conf[(gsize) k * out->n_images + i] = r.confidence;
      out->pred[(gsize) k * out->n_images + i] = r.class_id;
    }
  }
  *seconds = (g_get_monotonic_time () - t0) / 1e6;
  return TRUE;
}

/* The exit the policy takes for image @i: the first whose confidence reaches
 * its threshold, else the last. */
static guint
policy_exit (const ExitOutputs *out, const float *thresholds, guint i)
{
  guint k, last = out->n_exits - 1;

  for (k = 0; k < last; k++)
    if (out->conf[(gsize) k * out->n_images + i] >= thresholds[k])
      break;
  return k;
}

/* Runs every image again through @session, as the element runs its frames
 * (fixed or operating-point thresholds: one submission with the exit decided
 * on the device where it can skip dispatches), and checks that it leaves at
 * the exit, with the class, that the policy gives from the every-exit run. */
static gboolean
run_early_exit (RanetSession *session, const IdxFile *images, const ExitOutputs *out,
    const float *thresholds, double *seconds, GError **error)
{
  RanetFrameLayout layout = image_layout (images);
  gsize frame_bytes = (gsize) images->dims[1] * images->dims[2];
  gint64 t0 = g_get_monotonic_time ();

  for (guint i = 0; i < out->n_images; i++) {
    const guint8 *planes[] = { images->data + i * frame_bytes };
    RanetSessionResult r;
    guint k = policy_exit (out, thresholds, i);
    gboolean agree;

    if (!ranet_session_classify_frame (session, &layout, planes, &r, error)) {
      g_prefix_error (error, "image %u: ", i);
      return FALSE;
    }
    agree = r.exit_index == k && r.class_id == out->pred[(gsize) k * out->n_images + i]
        && r.confidence == out->conf[(gsize) k * out->n_images + i];
    if (!agree)
      fail (error, "image %u: the early-exit run left at exit %u with class %u "
          "(confidence %.9g); the every-exit run says exit %u, class %u (%.9g)", i,
          r.exit_index, r.class_id, r.confidence, k, out->pred[(gsize) k * out->n_images + i],
          out->conf[(gsize) k * out->n_images + i]);
    ranet_session_result_clear (&r);
    if (!agree)
      return FALSE;
  }
  *seconds = (g_get_monotonic_time () - t0) / 1e6;
  return TRUE;
}

/* The session's settings for @p. */
static gboolean
apply_policy (RanetSession *session, const Policy *p, GError **error)
{
  if (p->mode == RANET_THRESHOLD_FIXED)
    ranet_session_set_threshold (session, p->threshold);
  else if (!ranet_session_set_operating_point (session, p->point, error))
    return FALSE;
  ranet_session_set_threshold_mode (session, p->mode);
  return TRUE;
}

static void
report (const ExitOutputs *out, const guint8 *labels, const RanetGraph *graph,
    const float *thresholds, const char *policy, gboolean per_image)
{
  guint n = out->n_images, last = out->n_exits - 1;
  g_autofree guint *taken = g_new0 (guint, out->n_exits);
  guint64 correct = 0, exit_sum = 0;
  double macs_sum = 0.0;

  g_print ("exit  cumulative MACs  test accuracy %%\n");
  for (guint k = 0; k < out->n_exits; k++) {
    guint64 right = 0;

    for (guint i = 0; i < n; i++)
      right += out->pred[(gsize) k * n + i] == labels[i];
    g_print ("%4u  %15" G_GUINT64_FORMAT "  %15.2f\n", k,
        ranet_graph_get_exit_macs (graph, k), 100.0 * right / n);
  }

  for (guint i = 0; i < n; i++) {
    guint k = thresholds != NULL ? policy_exit (out, thresholds, i) : last;

    taken[k]++;
    correct += out->pred[(gsize) k * n + i] == labels[i];
    exit_sum += k;
    /* integers well below 2^53: the sum is exact, as numpy's is */
    macs_sum += (double) ranet_graph_get_exit_macs (graph, k);
  }
  g_print ("policy: %s\n", policy);
  g_print ("exit fractions:");
  for (guint k = 0; k < out->n_exits; k++)
    g_print (" %.4f", (double) taken[k] / n);
  g_print ("\n");
  /* %.9g: enough digits to give the float back; make_eval_golden.py prints
   * PyTorch's float32 confidences the same way */
  for (guint i = 0; per_image && i < n; i++) {
    guint k = thresholds != NULL ? policy_exit (out, thresholds, i) : last;

    g_print ("image=%u class=%u exit=%u confidence=%.9g\n", i, out->pred[(gsize) k * n + i], k,
        (double) out->conf[(gsize) k * n + i]);
  }
  g_print ("accuracy=%.2f mean_exit=%.4f mean_macs=%.1f\n", 100.0 * correct / n,
      (double) exit_sum / n, macs_sum / n);
}

static gboolean
evaluate (const Options *o, GError **error)
{
  g_autoptr (RanetModel) model = NULL;
  g_autoptr (IdxFile) images = NULL, labels = NULL;
  g_autoptr (RanetVkDevice) dev = NULL;
  g_autoptr (RanetSession) session = NULL;
  g_auto (ExitOutputs) out = { 0 };
  g_auto (Policy) policy = { 0 };
  const RanetConfig *cfg;
  RanetNet *net;
  double seconds = 0.0;

  if (o->model == NULL || o->images == NULL || o->labels == NULL)
    return fail (error, "--model, --images and --labels are required");
  if (o->limit < 0)
    return fail (error, "--limit %d: not a number of images", o->limit);

  model = ranet_model_load_file (o->model, error);
  if (model == NULL)
    return FALSE;
  cfg = ranet_model_get_config (model);
  if (!choose_policy (o, model, ranet_model_get_n_exits (model), &policy, error))
    return FALSE;
  images = idx_file_load (o->images, 3, error);
  if (images == NULL)
    return FALSE;
  labels = idx_file_load (o->labels, 1, error);
  if (labels == NULL)
    return FALSE;
  out.n_exits = ranet_model_get_n_exits (model);
  if (!check_data (images, labels, cfg->num_classes, o->limit, &out.n_images, error))
    return FALSE;

  dev = ranet_vk_device_new (o->device, error);
  if (dev == NULL)
    return FALSE;
  session = ranet_session_new (dev, model, error);
  if (session == NULL)
    return FALSE;
  net = ranet_session_get_net (session);
  g_print ("model %s, %u exits, on %s\n", ranet_model_get_display_name (model),
      out.n_exits, ranet_vk_device_get_name (dev));
  g_print ("%u images of %ux%u from %s\n", out.n_images, images->dims[2], images->dims[1],
      o->images);

  out.conf = g_new (float, (gsize) out.n_exits * out.n_images);
  out.pred = g_new (guint, (gsize) out.n_exits * out.n_images);
  if (!run_all_exits (net, images, &out, &seconds, error))
    return FALSE;
  g_print ("%.1f images/s (every exit computed, %.2f s)\n",
      seconds > 0 ? out.n_images / seconds : 0.0, seconds);
  if (policy.thresholds != NULL) {
    if (!apply_policy (session, &policy, error)
        || !run_early_exit (session, images, &out, policy.thresholds, &seconds, error))
      return FALSE;
    g_print ("%.1f images/s early exit (%s, %.2f s); every image left at the exit and with "
        "the class above\n", seconds > 0 ? out.n_images / seconds : 0.0,
        ranet_net_decides_exit_on_device (net)
        ? "one submission per image, the exit decided on the device"
        : "a submission per stage", seconds);
  }
  report (&out, labels->data, ranet_net_get_graph (net), policy.thresholds, policy.name,
      o->per_image);
  return TRUE;
}

int
main (int argc, char **argv)
{
  g_auto (Options) o = { 0 };
  const GOptionEntry entries[] = {
    { "model", 0, 0, G_OPTION_ARG_FILENAME, &o.model, "Model file (.safetensors)", "FILE" },
    { "images", 0, 0, G_OPTION_ARG_FILENAME, &o.images,
      "Images: IDX, unsigned bytes, N x H x W, plain or gzip", "IDX" },
    { "labels", 0, 0, G_OPTION_ARG_FILENAME, &o.labels,
      "Labels: IDX, unsigned bytes, N, plain or gzip", "IDX" },
    { "threshold", 0, 0, G_OPTION_ARG_STRING, &o.threshold,
      "One confidence threshold for every exit but the last", "T" },
    { "operating-point", 0, 0, G_OPTION_ARG_STRING, &o.operating_point,
      "The thresholds of the model's calibrated operating point N (0-based)", "N" },
    { "limit", 0, 0, G_OPTION_ARG_INT, &o.limit, "Only the first N images (0: all)", "N" },
    { "device", 0, 0, G_OPTION_ARG_STRING, &o.device,
      "Vulkan device: an index or part of its name", "SEL" },
    { "per-image", 0, 0, G_OPTION_ARG_NONE, &o.per_image,
      "A line for every image: index, class, exit and confidence", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) context =
      g_option_context_new ("- a model's accuracy on an IDX data set");
  g_autoptr (GError) error = NULL;

  setlocale (LC_ALL, "");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context,
      "Without --threshold or --operating-point every frame goes to the last exit.\n"
      "The last line reads: accuracy=<percent> mean_exit=<0-based> mean_macs=<n>\n");
  if (g_option_context_parse (context, &argc, &argv, &error) && argc > 1)
    fail (&error, "unexpected argument \"%s\"", argv[1]);
  if (error != NULL || !evaluate (&o, &error)) {
    g_printerr ("ranet-eval: %s\n", error->message);
    return EXIT_FAILURE;
  }
  return EXIT_SUCCESS;
}
