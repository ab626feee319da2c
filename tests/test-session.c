/* test-session.c: the session on the built-in model: its settings and what
 * they give (budget, latency figure, operating point), its statistics, the
 * last exit taking every frame, max-exit, the inference interval, operating-
 * point mode, deadlines under a simulated clock, online calibration's probe
 * frames, and bad arguments (a GError
 * for values from outside, a critical for programming errors, such as a
 * frame run while another is running).
 *
 * meson runs it with frames as one submission (the exit decided on the
 * device) and again as a submission per stage (test-session-per-stage). */
#include "session/ranet-session-backend.h"
#include "test-device.h"

#include <math.h>

#define MODEL_PATH RANET_SOURCE_ROOT "/models/fashion-mnist-ranet.safetensors"
#define MS G_GUINT64_CONSTANT (1000000)

static RanetVkDevice *device;

static RanetSession *
new_session (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RanetModel) model = ranet_model_load_file (MODEL_PATH, &error);
  RanetSession *s;

  g_assert_no_error (error);
  s = ranet_session_new (device, model, &error);
  g_assert_no_error (error);
  return s;
}

/* A 28x28 grey frame with a pattern that varies with @i, and its layout. */
static const RanetFrameLayout gray_layout = {
  .format = RANET_PIXEL_GRAY8, .width = 28, .height = 28, .stride = { 28 },
  .kr = 0.299, .kb = 0.114,
};

static void
classify (RanetSession *s, guint i, RanetSessionResult *r)
{
  guint8 pixels[28 * 28];
  const guint8 *planes[] = { pixels };
  g_autoptr (GError) error = NULL;

  for (guint p = 0; p < sizeof pixels; p++)
    pixels[p] = (guint8) ((p * (i + 3) * 2654435761u) >> 24);
  g_assert_true (ranet_session_classify_frame (s, &gray_layout, planes, r, &error));
  g_assert_no_error (error);
}

static void
test_settings (void)
{
  g_autoptr (RanetSession) s = new_session ();
  g_autoptr (GError) error = NULL;
  double thresholds[5];
  guint64 budget, full_frame;

  g_assert_cmpuint (ranet_session_get_n_exits (s), ==, 5);
  g_assert_nonnull (ranet_session_get_net (s));
  g_assert_true (ranet_session_get_device (s) == device);
  g_assert_cmpstr (ranet_model_get_labels (ranet_session_get_model (s))[0], ==, "T-shirt/top");
  /* adaptive without a budget: the policy's most accurate point, no budget,
   * and no latency figure until a warm-up has measured a frame */
  g_assert_cmpint (ranet_session_get_operating_point (s), >=, 0);
  g_assert_cmpuint (ranet_session_get_budget (s), ==, 0);
  g_assert_cmpuint (ranet_session_get_latency (s), ==, 0);
  ranet_session_get_thresholds (s, thresholds);
  for (guint k = 0; k < 5; k++)
    g_assert_cmpfloat (thresholds[k], ==, 0.0);
  g_assert_true (ranet_session_warm_up (s, &error));
  g_assert_no_error (error);
  full_frame = ranet_session_get_latency (s);
  g_assert_cmpuint (full_frame, >, 0);

  /* a frame period gives period x fraction; a latency budget overrides it */
  ranet_session_set_frame_period (s, 40 * MS);
  g_assert_cmpuint (ranet_session_get_budget (s), ==, 20 * MS);
  ranet_session_set_budget_fraction (s, 0.25);
  g_assert_cmpuint (ranet_session_get_budget (s), ==, 10 * MS);
  g_assert_cmpuint (ranet_session_get_latency (s), ==, 10 * MS);
  ranet_session_set_latency_budget (s, 7 * MS);
  g_assert_cmpuint (ranet_session_get_budget (s), ==, 7 * MS);
  /* QoS shrinks the budget, not the latency figure (the nominal budget) */
  ranet_session_handle_qos (s, 2.0, 1000);
  budget = ranet_session_get_budget (s);
  g_assert_cmpuint (budget, <, 7 * MS);
  g_assert_cmpuint (ranet_session_get_latency (s), ==, 7 * MS);
  /* fixed mode: no budget, no operating point, the warm-up's latency figure */
  ranet_session_set_threshold_mode (s, RANET_THRESHOLD_FIXED);
  g_assert_cmpuint (ranet_session_get_budget (s), ==, 0);
  g_assert_cmpint (ranet_session_get_operating_point (s), ==, -1);
  g_assert_cmpuint (ranet_session_get_latency (s), ==, full_frame);
  ranet_session_set_threshold_mode (s, RANET_THRESHOLD_ADAPTIVE);
  g_assert_cmpuint (ranet_session_get_budget (s), ==, budget);
}

/* The network's last exit takes every frame that reaches it: its threshold
 * is 0 whatever the mode, so no frame is forced there; max-exit stops frames
 * earlier, below their threshold: forced. */
static void
test_last_exit_takes_every_frame (void)
{
  g_autoptr (RanetSession) s = new_session ();
  g_autoptr (RanetSessionStats) stats = NULL;
  RanetSessionResult r;
  double used[5];

  ranet_session_set_threshold_mode (s, RANET_THRESHOLD_FIXED);
  /* no confidence reaches 2: every frame to the last exit, none forced */
  ranet_session_set_threshold (s, 2.0);
  for (guint i = 0; i < 4; i++) {
    classify (s, i, &r);
    g_assert_cmpuint (r.exit_index, ==, 4);
    g_assert_cmpuint (r.n_exits, ==, 5);
    g_assert_cmpfloat (r.threshold, ==, 0.0);
    g_assert_false (r.forced);
    g_assert_false (r.reused);
    g_assert_cmpint (r.operating_point, ==, -1);
    g_assert_cmpfloat (r.thresholds[0], ==, 2.0);
    g_assert_cmpfloat (r.thresholds[4], ==, 0.0);
    g_assert_cmpstr (r.label, ==,
        ranet_model_get_labels (ranet_session_get_model (s))[r.class_id]);
    g_assert_cmpuint (r.n_classes, ==, 10);
    g_assert_cmpfloat (r.probs[r.class_id], ==, r.confidence);
    g_assert_cmpuint (r.macs, ==, ranet_graph_get_exit_macs (
            ranet_net_get_graph (ranet_session_get_net (s)), 4));
    ranet_session_result_clear (&r);
  }
  ranet_session_get_thresholds (s, used);
  g_assert_cmpfloat (used[3], ==, 2.0);
  g_assert_cmpfloat (used[4], ==, 0.0);

  /* max-exit 1: stopped there, below the threshold */
  ranet_session_set_max_exit (s, 1);
  classify (s, 9, &r);
  g_assert_cmpuint (r.exit_index, ==, 1);
  g_assert_cmpfloat (r.threshold, ==, 2.0);
  g_assert_true (r.forced);
  ranet_session_result_clear (&r);
  /* past the last exit: every exit */
  ranet_session_set_max_exit (s, 99);
  classify (s, 10, &r);
  g_assert_cmpuint (r.exit_index, ==, 4);
  g_assert_false (r.forced);
  ranet_session_result_clear (&r);

  /* a threshold of 0: every frame leaves at exit 0, reaching it */
  ranet_session_set_threshold (s, 0.0);
  classify (s, 11, &r);
  g_assert_cmpuint (r.exit_index, ==, 0);
  g_assert_false (r.forced);
  ranet_session_result_clear (&r);

  stats = ranet_session_get_stats (s);
  g_assert_cmpuint (stats->classified, ==, 7);
  g_assert_cmpuint (stats->exit_counts[0], ==, 1);
  g_assert_cmpuint (stats->exit_counts[1], ==, 1);
  g_assert_cmpuint (stats->exit_counts[4], ==, 5);
  g_assert_cmpuint (stats->forced_exits, ==, 1);
}

static void
test_operating_point_mode (void)
{
  g_autoptr (RanetSession) s = new_session ();
  g_autoptr (GError) error = NULL;
  const RanetCalibration *cal = ranet_model_get_calibration (ranet_session_get_model (s));
  RanetSessionResult r;

  g_assert_true (ranet_session_set_operating_point (s, 20, &error));
  g_assert_no_error (error);
  ranet_session_set_threshold_mode (s, RANET_THRESHOLD_OPERATING_POINT);
  g_assert_cmpint (ranet_session_get_operating_point (s), ==, 20);
  classify (s, 1, &r);
  g_assert_cmpint (r.operating_point, ==, 20);
  for (guint k = 0; k + 1 < 5; k++)
    g_assert_cmpfloat (r.thresholds[k], ==, cal->operating_points[20].thresholds[k]);
  g_assert_cmpfloat (r.thresholds[4], ==, 0.0);
  g_assert_cmpfloat (r.threshold, ==, r.thresholds[r.exit_index]);
  g_assert_true (r.forced == (r.confidence < r.threshold));
  ranet_session_result_clear (&r);

  /* a point the model does not have: an error, the point in use kept */
  g_assert_false (ranet_session_set_operating_point (s, cal->n_operating_points, &error));
  g_assert_error (error, RANET_SESSION_ERROR, RANET_SESSION_ERROR_INVALID_ARGUMENT);
  g_assert_cmpint (ranet_session_get_operating_point (s), ==, 20);
}

static void
test_inference_interval_and_stats (void)
{
  g_autoptr (RanetSession) s = new_session ();
  g_autoptr (RanetSessionStats) stats = NULL;
  RanetSessionResult first = { 0 }, r;
  guint64 latency_sum = 0, latency_max = 0;

  ranet_session_set_threshold_mode (s, RANET_THRESHOLD_FIXED);
  ranet_session_set_inference_interval (s, 3);
  for (guint i = 0; i < 7; i++) {
    classify (s, i, &r);
    g_assert_true (r.reused == (i % 3 != 0));
    if (r.reused) {
      /* the last classified frame's result, at no cost */
      g_assert_cmpuint (r.class_id, ==, first.class_id);
      g_assert_cmpuint (r.exit_index, ==, first.exit_index);
      g_assert_cmpfloat (r.confidence, ==, first.confidence);
      g_assert_cmpuint (r.macs, ==, 0);
      g_assert_cmpuint (r.wall_ns, ==, 0);
      g_assert_cmpuint (r.gpu_ns, ==, 0);
    } else {
      g_assert_cmpuint (r.wall_ns, >, 0);
      latency_sum += r.wall_ns;
      latency_max = MAX (latency_max, r.wall_ns);
      ranet_session_result_copy (&first, &r);
    }
    ranet_session_result_clear (&r);
  }
  /* a frame the caller could not read counts as a frame */
  ranet_session_pass_frame (s);

  stats = ranet_session_get_stats (s);
  g_assert_cmpuint (stats->frames, ==, 8);
  g_assert_cmpuint (stats->classified, ==, 3);
  g_assert_cmpuint (stats->n_exits, ==, 5);
  g_assert_cmpuint (stats->exit_counts[0] + stats->exit_counts[1] + stats->exit_counts[2]
      + stats->exit_counts[3] + stats->exit_counts[4], ==, 3);
  g_assert_cmpuint (stats->mean_latency_ns, ==, latency_sum / 3);
  g_assert_cmpuint (stats->max_latency_ns, ==, latency_max);
  g_assert_cmpuint (stats->deadline_misses, ==, 0);
  g_assert_cmpuint (stats->budget_ns, ==, 0);
  ranet_session_result_clear (&first);
}

/* Online calibration on the real net: a probe frame runs every exit (its
 * multiply-adds are the whole network's) yet gives the result its
 * thresholds pick, the same as the frame without probing; a full window
 * recomputes the thresholds, which then realise the point's plan on the
 * window's frames. */
static void
test_online_calibration (void)
{
  enum { WINDOW = 8 };
  g_autoptr (RanetSession) s = new_session ();
  g_autoptr (RanetSession) plain = new_session ();
  g_autoptr (RanetSessionStats) stats = NULL;
  g_autoptr (GError) error = NULL;
  const RanetCalibration *cal = ranet_model_get_calibration (ranet_session_get_model (s));
  RanetPolicy *policy = ranet_session_get_policy (s);
  RanetSessionResult r, q;

  ranet_session_set_online_calibration (s, TRUE, 1, WINDOW);
  ranet_session_set_threshold_mode (plain, RANET_THRESHOLD_OPERATING_POINT);
  for (guint i = 0; i < WINDOW; i++) {
    classify (s, i, &r);
    g_assert_cmpuint (r.macs, ==, (guint64) cal->exit_macs[cal->n_exits - 1]);
    g_assert_true (ranet_session_set_operating_point (plain, (guint) r.operating_point, &error));
    g_assert_no_error (error);
    classify (plain, i, &q);
    g_assert_cmpuint (r.exit_index, ==, q.exit_index);
    g_assert_cmpuint (r.class_id, ==, q.class_id);
    g_assert_cmpfloat (r.confidence, ==, q.confidence);
    g_assert_true (r.forced == q.forced);
    g_assert_cmpmem (r.probs, r.n_classes * sizeof (float), q.probs, q.n_classes * sizeof (float));
    ranet_session_result_clear (&r);
    ranet_session_result_clear (&q);
  }
  stats = ranet_session_get_stats (s);
  g_assert_cmpuint (stats->probes, ==, WINDOW);
  g_assert_cmpuint (stats->recalibrations, ==, 0);
  g_assert_false (stats->calibrated_online);
  g_clear_pointer (&stats, ranet_session_stats_free);

  /* the next frame starts from recomputed thresholds */
  classify (s, WINDOW, &r);
  stats = ranet_session_get_stats (s);
  g_assert_cmpuint (stats->recalibrations, ==, 1);
  g_assert_true (stats->calibrated_online);
  g_assert_cmpuint (stats->share_frames, ==, 1);
  for (guint p = 0; p < ranet_policy_get_n_points (policy); p++) {
    const double *t = ranet_policy_get_thresholds (policy, p);
    for (guint k = 0; k + 1 < cal->n_exits; k++)
      g_assert_true (t[k] >= 0.0 && t[k] <= 1.0);
  }
  for (guint k = 0; k + 1 < cal->n_exits; k++)
    g_assert_cmpfloat (r.thresholds[k], ==,
        ranet_policy_get_thresholds (policy, (guint) r.operating_point)[k]);
  ranet_session_result_clear (&r);
}

/* A model whose file has only the placeholder calibration (one point, every
 * frame to the last exit) becomes adaptive: once the window is full its one
 * point becomes points with the calibration's geometric shares, and the
 * policy then chooses among them. */
static void
test_placeholder_becomes_adaptive (void)
{
  enum { WINDOW = 12 };
  g_autoptr (GError) error = NULL;
  g_autoptr (RanetModel) model = ranet_model_load_file (RANET_SOURCE_ROOT
      "/tests/golden/cifar-lg.safetensors", &error);
  g_autoptr (RanetSession) s = NULL;
  g_autoptr (RanetSessionStats) stats = NULL;
  g_autofree float *input = NULL;
  RanetTensorView view;
  RanetPolicy *policy;
  GRand *rand = g_rand_new_with_seed (16);
  gsize n;

  g_assert_no_error (error);
  g_assert_cmpuint (ranet_model_get_calibration (model)->n_operating_points, ==, 1);
  s = ranet_session_new (device, model, &error);
  g_assert_no_error (error);
  policy = ranet_session_get_policy (s);
  view = ranet_graph_get_input_view (ranet_net_get_graph (ranet_session_get_net (s)));
  n = (gsize) view.c * view.h * view.w;
  input = g_new (float, n);
  /* the interval does not apply: every frame runs every exit anyway */
  ranet_session_set_online_calibration (s, TRUE, 30, WINDOW);
  for (guint i = 0; i <= WINDOW; i++) {
    RanetSessionResult r;

    for (gsize j = 0; j < n; j++)
      input[j] = (float) g_rand_double_range (rand, -2.0, 2.0);
    g_assert_true (ranet_session_classify_tensor (s, input, &r, &error));
    g_assert_no_error (error);
    ranet_session_result_clear (&r);
  }
  stats = ranet_session_get_stats (s);
  /* the frame after the window filled began on the new points: the
   * interval applies from there */
  g_assert_cmpuint (stats->probes, ==, WINDOW);
  g_assert_true (stats->calibrated_online);
  g_assert_cmpuint (ranet_policy_get_n_points (policy), >, 1);
  /* the deepest point, with no budget; a cheaper one lets frames out early */
  g_assert_cmpfloat (ranet_policy_get_thresholds (policy, 0)[0], <, 1.0);
  g_rand_free (rand);
}

/* A clock that moves a second each time it is read. */
static guint64
step_clock (gpointer user_data)
{
  guint64 *now = user_data;

  *now += 1000 * MS;
  return *now;
}

/* Every stage seems to take a second: a 10 ms budget leaves no frame time
 * for more than stage 0, every frame misses its deadline, and its time is
 * the simulated second. Without a budget nothing is stopped. */
static void
test_simulated_clock_deadline (void)
{
  g_autoptr (RanetSession) s = new_session ();
  g_autoptr (RanetSessionStats) stats = NULL;
  guint64 now = 0;
  guint forced = 0, deep = 0;
  RanetSessionResult r;

  ranet_session_set_clock (s, step_clock, &now);
  ranet_session_set_latency_budget (s, 10 * MS);
  for (guint i = 0; i < 6; i++) {
    classify (s, i, &r);
    g_assert_cmpuint (r.exit_index, ==, 0);
    g_assert_cmpuint (r.wall_ns, ==, 1000 * MS);
    g_assert_true (r.forced == (r.confidence < r.threshold));
    forced += r.forced;
    ranet_session_result_clear (&r);
  }
  stats = ranet_session_get_stats (s);
  g_assert_cmpuint (stats->deadline_misses, ==, 6);
  g_assert_cmpuint (stats->forced_exits, ==, forced);
  g_assert_cmpuint (stats->max_latency_ns, ==, 1000 * MS);
  g_assert_cmpuint (stats->budget_ns, ==, 10 * MS);
  g_clear_pointer (&stats, ranet_session_stats_free);

  /* the largest budget is a deadline past the clock's end: none */
  ranet_session_set_latency_budget (s, G_MAXUINT64);
  for (guint i = 0; i < 6; i++) {
    classify (s, 100 + i, &r);
    g_assert_false (r.forced);
    deep += r.exit_index > 0;
    ranet_session_result_clear (&r);
  }
  stats = ranet_session_get_stats (s);
  g_assert_cmpuint (stats->deadline_misses, ==, 6);
  g_assert_cmpuint (stats->forced_exits, ==, forced);
  g_test_message ("%u of 6 frames forced at exit 0; %u of 6 went deeper without a "
      "deadline", forced, deep);
  /* the frames are such that both happen */
  g_assert_cmpuint (forced, >, 0);
  g_assert_cmpuint (deep, >, 0);

  /* back to the monotonic clock */
  ranet_session_set_clock (s, NULL, NULL);
  ranet_session_set_latency_budget (s, 0);
  classify (s, 200, &r);
  g_assert_cmpuint (r.wall_ns, <, 1000 * MS);
  ranet_session_result_clear (&r);
}

/* ---- bad arguments ---- */

typedef struct {
  RanetSession *session;
  gboolean reenter;
} TensorNet;

static gboolean
tensor_net_set_input (gpointer network, const float *input, GError **error)
{
  return TRUE;
}

static gboolean
tensor_net_run_stage (gpointer network, guint stage, RanetExitResult *result,
    GError **error)
{
  static const float probs[2] = { 0.25f, 0.75f };
  TensorNet *net = network;

  if (net->reenter) {
    RanetSessionResult inner;
    float input = 0.0f;

    /* a second frame while this one runs: refused */
    g_test_expect_message ("ranet", G_LOG_LEVEL_CRITICAL, "*!busy*");
    g_assert_false (ranet_session_classify_tensor (net->session, &input, &inner, NULL));
    g_test_assert_expected_messages ();
  }
  *result = (RanetExitResult) { .exit_index = stage, .class_id = 1, .confidence = 0.75f,
    .probs = probs, .n_classes = 2, .macs = 1 };
  return TRUE;
}

static gboolean
tensor_net_run (gpointer network, const float *thresholds, guint last,
    RanetExitResult *result, GError **error)
{
  return tensor_net_run_stage (network, 0, result, error);
}

static guint64
tensor_net_stage_ns (gpointer network, guint stage)
{
  return 0;
}

static void
test_bad_arguments (void)
{
  g_autoptr (RanetSession) s = new_session ();
  g_autoptr (GError) error = NULL;
  g_autoptr (RanetSessionStats) stats = NULL;
  RanetFrameLayout empty = gray_layout;
  const guint8 pixels[28 * 28] = { 0 };
  const guint8 *planes[] = { pixels };
  RanetSessionResult r;

  /* programming errors: a critical, nothing changed */
  g_test_expect_message ("ranet", G_LOG_LEVEL_CRITICAL, "*input != NULL*");
  g_assert_false (ranet_session_classify_tensor (s, NULL, &r, &error));
  g_test_assert_expected_messages ();
  g_test_expect_message ("ranet", G_LOG_LEVEL_CRITICAL, "*interval >= 1*");
  ranet_session_set_inference_interval (s, 0);
  g_test_assert_expected_messages ();
  g_test_expect_message ("ranet", G_LOG_LEVEL_CRITICAL, "*max_exit >= -1*");
  ranet_session_set_max_exit (s, -2);
  g_test_assert_expected_messages ();
  g_test_expect_message ("ranet", G_LOG_LEVEL_CRITICAL, "*isnan*");
  ranet_session_set_threshold (s, NAN);
  g_test_assert_expected_messages ();

  /* a frame the net cannot read: an error, and the session goes on */
  empty.width = 0;
  g_assert_false (ranet_session_classify_frame (s, &empty, planes, &r, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  classify (s, 1, &r);
  ranet_session_result_clear (&r);
  stats = ranet_session_get_stats (s);
  g_assert_cmpuint (stats->frames, ==, 2);
  g_assert_cmpuint (stats->classified, ==, 1);
}

/* A network that takes tensors only refuses frames; one frame at a time. */
static void
test_backend_misuse (void)
{
  static const double thresholds[1] = { -1.0 }, fractions[1] = { 1.0 }, macs[1] = { 1.0 };
  const RanetPolicyPoint point = { thresholds, fractions, 90.0 };
  const RanetSessionBackend backend = {
    .n_exits = 1,
    .input_size = 1,
    .set_input_tensor = tensor_net_set_input,
    .run = tensor_net_run,
    .run_stage = tensor_net_run_stage,
    .get_stage_device_ns = tensor_net_stage_ns,
  };
  TensorNet net = { NULL, FALSE };
  g_autoptr (RanetSession) s = ranet_session_new_for_backend (&backend, &net,
      ranet_policy_new (1, macs, &point, 1, NULL));
  g_autoptr (GError) error = NULL;
  const guint8 pixels[28 * 28] = { 0 };
  const guint8 *planes[] = { pixels };
  float input = 0.0f;
  RanetSessionResult r;

  g_assert_null (ranet_session_get_net (s));
  g_assert_null (ranet_session_get_model (s));
  g_assert_false (ranet_session_classify_frame (s, &gray_layout, planes, &r, &error));
  g_assert_error (error, RANET_SESSION_ERROR, RANET_SESSION_ERROR_INVALID_ARGUMENT);

  net.session = s;
  net.reenter = TRUE;
  g_assert_true (ranet_session_classify_tensor (s, &input, &r, NULL));
  g_assert_cmpuint (r.class_id, ==, 1);
  g_assert_null (r.label);
  ranet_session_result_clear (&r);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int ret;

  device = test_device_new_from_args (&argc, argv, &error);
  g_test_init (&argc, &argv, NULL);
  g_assert_no_error (error);

  g_test_add_func ("/session/settings", test_settings);
  g_test_add_func ("/session/last-exit-takes-every-frame", test_last_exit_takes_every_frame);
  g_test_add_func ("/session/operating-point-mode", test_operating_point_mode);
  g_test_add_func ("/session/inference-interval-and-stats", test_inference_interval_and_stats);
  g_test_add_func ("/session/simulated-clock-deadline", test_simulated_clock_deadline);
  g_test_add_func ("/session/online-calibration", test_online_calibration);
  g_test_add_func ("/session/placeholder-becomes-adaptive", test_placeholder_becomes_adaptive);
  g_test_add_func ("/session/bad-arguments", test_bad_arguments);
  g_test_add_func ("/session/backend-misuse", test_backend_misuse);
  ret = g_test_run ();

  g_assert_cmpuint (ranet_vk_device_get_validation_error_count (device), ==, 0);
  g_clear_pointer (&device, ranet_vk_device_unref);
  return ret;
}
