/* test-net.c: the Vulkan net against PyTorch, and its ways of running.
 *
 * For every golden vector (tests/golden-io.h), the net must reproduce every
 * exit's logits and argmax. On the same models: early exit on thresholds
 * (including an exact tie, which leaves: ">="), max_exit, stages out of order,
 * switching between tensor and frame input, a frame preprocessed on the GPU
 * against the same frame preprocessed by the C reference, and repeated runs
 * of the same recordings.
 *
 * Tolerance: logits may differ from PyTorch's by TOL_REL times the range of
 * that exit's reference logits. Both sides compute in float32 and differ only
 * in summation order and in BatchNorm being folded into the convolutions, so
 * the error is a few ulps of the largest partial sums, grown with depth: on
 * lavapipe it stays under 1e-6 of the range. TOL_REL leaves a hundredfold
 * margin for other devices' summation orders, and is still far below what a
 * wrong weight, offset or missing barrier does (errors of the order of the
 * range itself). Classes must agree unless the reference's top two logits are
 * within twice the tolerance of each other.
 */
#include <math.h>
#include <string.h>

#include "net/ranet-net.h"
#include "preprocess/ranet-preprocess.h"

#include "golden-io.h"
#include "test-device.h"

#define TOL_REL 1e-4

static RanetVkDevice *device;

/* One golden vector, its model on the device, and what the first full run of
 * each input gave. Made once per vector, on first use. */
typedef struct {
  char *name;
  RanetModel *model;
  RanetNet *net;
  StFile *io;
  const StTensor *input;
  guint n_inputs;
  guint n_exits;
  guint n_classes;
  gsize input_floats;
  float *conf;          /* [n_inputs][n_exits] confidences of the full runs */
  float *logits;        /* [n_inputs][n_exits][n_classes] the net's logits */
} Golden;

static GHashTable *goldens;   /* name -> Golden; a NULL value: not there */

static void
golden_free (gpointer p)
{
  Golden *g = p;

  if (g == NULL)
    return;
  g_clear_pointer (&g->net, ranet_net_free);
  g_clear_pointer (&g->model, ranet_model_unref);
  g_clear_pointer (&g->io, st_file_free);
  g_free (g->conf);
  g_free (g->logits);
  g_free (g->name);
  g_free (g);
}

static void
assert_no_validation_errors (void)
{
  g_assert_cmpuint (ranet_vk_device_get_validation_error_count (device), ==, 0);
}

/* The softmax's largest probability and its class (the first on ties), in
 * double so that the reference side adds no error of its own. */
static double
ref_confidence (const float *logits, guint n, guint *best)
{
  double top = logits[0], sum = 0.0;

  *best = 0;
  for (guint c = 1; c < n; c++)
    if (logits[c] > top) {
      top = logits[c];
      *best = c;
    }
  for (guint c = 0; c < n; c++)
    sum += exp ((double) logits[c] - top);
  return 1.0 / sum;
}

/* The gap between the largest and second largest value. */
static double
top_gap (const float *v, guint n)
{
  double top = -INFINITY, second = -INFINITY;

  for (guint c = 0; c < n; c++) {
    if (v[c] > top) {
      second = top;
      top = v[c];
    } else if (v[c] > second) {
      second = v[c];
    }
  }
  return top - second;
}

static double
range_of (const float *v, guint n)
{
  float lo = INFINITY, hi = -INFINITY;

  for (guint c = 0; c < n; c++) {
    lo = MIN (lo, v[c]);
    hi = MAX (hi, v[c]);
  }
  return MAX (hi - lo, 1e-3f);
}

/* Checks one exit's logits, class and confidence against reference logits
 * @ref; returns the largest error relative to @ref's range. */
static double
check_exit (const char *what, const float *got, guint class_id, float confidence,
    const float *ref, guint n)
{
  double range = range_of (ref, n), tol = TOL_REL * range, err = 0.0, conf;
  guint best;

  for (guint c = 0; c < n; c++)
    err = MAX (err, fabs ((double) got[c] - ref[c]));
  if (err > tol)
    g_error ("%s: logits differ by %g, more than %g (%g of their range %g)",
        what, err, tol, TOL_REL, range);
  conf = ref_confidence (ref, n, &best);
  /* a near tie may flip within the tolerance; anything else must agree */
  if (top_gap (ref, n) > 2 * tol && class_id != best)
    g_error ("%s: class %u, the reference says %u", what, class_id, best);
  /* softmax moves a probability p by at most about 2 p d for logits moved by d */
  if (fabs (confidence - conf) > 2 * tol + 1e-6)
    g_error ("%s: confidence %.7f, the reference says %.7f", what, confidence, conf);
  return err / range;
}

/* Runs every stage of the current input, keeping each exit's result and
 * logits (n_exits x n_classes). */
static void
run_all (Golden *g, RanetExitResult *results, float *logits)
{
  g_autoptr (GError) error = NULL;

  for (guint k = 0; k < g->n_exits; k++) {
    g_assert_true (ranet_net_run_stage (g->net, k, &results[k], &error));
    g_assert_no_error (error);
    g_assert_cmpuint (results[k].exit_index, ==, k);
    g_assert_cmpuint (results[k].n_classes, ==, g->n_classes);
    g_assert_cmpuint (results[k].macs, ==,
        ranet_graph_get_exit_macs (ranet_net_get_graph (g->net), k));
    /* probs is only valid until the next stage runs: check it now */
    for (guint c = 0; c < g->n_classes; c++) {
      float p = results[k].probs[c];

      g_assert_true (p >= 0.0f && p <= 1.0f);
      if (c < results[k].class_id)
        g_assert_cmpfloat (p, <, results[k].confidence);
      else
        g_assert_cmpfloat (p, <=, results[k].confidence);
    }
    g_assert_cmpfloat (results[k].probs[results[k].class_id], ==, results[k].confidence);
    results[k].probs = NULL;
  }
  for (guint k = 0; k < g->n_exits; k++) {
    g_assert_true (ranet_net_read_logits (g->net, k, logits + (gsize) k * g->n_classes,
            &error));
    g_assert_no_error (error);
  }
}

static void
set_input (Golden *g, guint n)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (ranet_net_set_input_tensor (g->net, g->input->data + n * g->input_floats,
          &error));
  g_assert_no_error (error);
}

static Golden *
golden_get (const char *name)
{
  g_autofree char *dir = NULL, *model_file = NULL, *io_file = NULL;
  g_autoptr (GError) error = NULL;
  const RanetConfig *cfg;
  double worst = 0.0;
  Golden *g;

  if (g_hash_table_contains (goldens, name))
    return g_hash_table_lookup (goldens, name);

  dir = golden_dir ();
  model_file = g_strdup_printf ("%s/%s.safetensors", dir, name);
  io_file = g_strdup_printf ("%s/%s-io.safetensors", dir, name);
  if (!g_file_test (model_file, G_FILE_TEST_EXISTS)
      || !g_file_test (io_file, G_FILE_TEST_EXISTS)) {
    g_hash_table_insert (goldens, g_strdup (name), NULL);
    return NULL;
  }

  g = g_new0 (Golden, 1);
  g->name = g_strdup (name);
  g->model = ranet_model_load_file (model_file, &error);
  g_assert_no_error (error);
  g->net = ranet_net_new (device, g->model, &error);
  g_assert_no_error (error);
  g->io = st_load (io_file);
  cfg = ranet_model_get_config (g->model);
  g->n_exits = ranet_net_get_n_exits (g->net);
  g->n_classes = cfg->num_classes;
  g->input = g_hash_table_lookup (g->io->tensors, "input");
  g_assert_nonnull (g->input);
  g_assert_cmpuint (g->input->n_dims, ==, 4);
  g_assert_cmpuint (g->input->dims[1], ==, cfg->in_channels);
  g_assert_cmpuint (g->input->dims[2], ==, cfg->input_h);
  g_assert_cmpuint (g->input->dims[3], ==, cfg->input_w);
  g->n_inputs = g->input->dims[0];
  g->input_floats = (gsize) cfg->in_channels * cfg->input_h * cfg->input_w;
  g->conf = g_new (float, (gsize) g->n_inputs * g->n_exits);
  g->logits = g_new (float, (gsize) g->n_inputs * g->n_exits * g->n_classes);
  g_hash_table_insert (goldens, g_strdup (name), g);

  /* the first run of every input is the one checked against PyTorch; the
   * other tests compare against what it gave */
  for (guint n = 0; n < g->n_inputs; n++) {
    g_autofree RanetExitResult *results = g_new0 (RanetExitResult, g->n_exits);
    float *logits = g->logits + (gsize) n * g->n_exits * g->n_classes;

    set_input (g, n);
    run_all (g, results, logits);
    for (guint k = 0; k < g->n_exits; k++) {
      g_autofree char *lname = g_strdup_printf ("logits.%u", k);
      g_autofree char *what = g_strdup_printf ("%s input %u exit %u", name, n, k);
      const StTensor *want = g_hash_table_lookup (g->io->tensors, lname);
      double err;

      g_assert_nonnull (want);
      g_assert_cmpuint (want->n_dims, ==, 2);
      g_assert_cmpuint (want->dims[0], ==, g->n_inputs);
      g_assert_cmpuint (want->dims[1], ==, g->n_classes);
      err = check_exit (what, logits + (gsize) k * g->n_classes, results[k].class_id,
          results[k].confidence, want->data + (gsize) n * g->n_classes, g->n_classes);
      g_test_message ("%s: max |error| %.3g of the logits' range", what, err);
      worst = MAX (worst, err);
      g->conf[n * g->n_exits + k] = results[k].confidence;
    }
  }
  g_test_message ("%s: largest logit error %.3g of the range (tolerance %g)",
      name, worst, TOL_REL);
  if (g_test_verbose ())
    g_printerr ("%s: largest logit error %.3g of the range (tolerance %g)\n",
        name, worst, TOL_REL);
  assert_no_validation_errors ();
  return g;
}

/* Looks the vector up for a test; a missing one skips the test. */
static Golden *
golden_for_test (gconstpointer data)
{
  Golden *g = golden_get (data);

  if (g == NULL) {
    g_autofree char *dir = golden_dir ();
    g_autofree char *msg = g_strdup_printf ("no golden vector %s in %s "
        "(python/make_golden.py makes it)", (const char *) data, dir);
    g_test_skip (msg);
  }
  return g;
}

/* ---- tests ---- */

static void
test_logits (gconstpointer data)
{
  /* golden_get() checks every exit of every input on first use */
  golden_for_test (data);
}

static void
test_repeat (gconstpointer data)
{
  Golden *g = golden_for_test (data);

  if (g == NULL)
    return;
  g_autofree RanetExitResult *results = g_new0 (RanetExitResult, g->n_exits);
  g_autofree float *logits = g_new (float, (gsize) g->n_exits * g->n_classes);
  gsize bytes = (gsize) g->n_exits * g->n_classes * sizeof (float);

  /* every input again, twice, in turn: the recordings are reusable and a run
   * leaves nothing behind that changes the next */
  for (guint rep = 0; rep < 2; rep++)
    for (guint n = 0; n < g->n_inputs; n++) {
      set_input (g, n);
      run_all (g, results, logits);
      g_assert_cmpmem (logits, bytes,
          g->logits + (gsize) n * g->n_exits * g->n_classes, bytes);
      for (guint k = 0; k < g->n_exits; k++)
        g_assert_cmpfloat (results[k].confidence, ==, g->conf[n * g->n_exits + k]);
    }
  assert_no_validation_errors ();
}

static void
expect_exit (Golden *g, const float *thresholds, guint max_exit, guint expected)
{
  g_autoptr (GError) error = NULL;
  RanetExitResult r;

  g_assert_true (ranet_net_run (g->net, thresholds, max_exit, &r, &error));
  g_assert_no_error (error);
  if (r.exit_index != expected)
    g_error ("%s: left at exit %u, expected %u", g->name, r.exit_index, expected);
  g_assert_cmpfloat (r.confidence, ==, g->conf[expected]);

  /* each stage run has its GPU time, within the frame's; the others none */
  guint64 sum = 0;
  for (guint k = 0; k < g->n_exits; k++) {
    guint64 ns = ranet_net_get_stage_gpu_ns (g->net, k);
    if (k > expected)
      g_assert_cmpuint (ns, ==, 0);
    else if (r.gpu_ns > 0)
      g_assert_cmpuint (ns, >, 0);
    sum += ns;
  }
  g_assert_cmpuint (sum, <=, r.gpu_ns);
}

static void
test_early_exit (gconstpointer data)
{
  Golden *g = golden_for_test (data);

  if (g == NULL)
    return;
  g_autofree float *t = g_new (float, g->n_exits);
  const float *conf = g->conf;   /* input 0's */
  guint last = g->n_exits - 1;
  float running_max = -1.0f;

  set_input (g, 0);
  for (guint k = 0; k < g->n_exits; k++)
    t[k] = 0.0f;
  expect_exit (g, t, G_MAXUINT, 0);
  for (guint k = 0; k < g->n_exits; k++)
    t[k] = 1.5f;
  expect_exit (g, t, G_MAXUINT, last);
  expect_exit (g, NULL, G_MAXUINT, last);

  /* per-exit thresholds just above each confidence before exit j, and exactly
   * its confidence at j: a tie leaves */
  for (guint j = 0; j < g->n_exits; j++) {
    for (guint k = 0; k < g->n_exits; k++)
      t[k] = k < j ? nextafterf (conf[k], INFINITY) : conf[k];
    expect_exit (g, t, G_MAXUINT, j);
  }

  /* one threshold for every exit, halfway between the best confidence so far
   * and a better one: the frame leaves where confidence first passes it */
  for (guint j = 0; j < g->n_exits; j++) {
    float mid = (running_max + conf[j]) / 2;

    g_test_message ("%s input 0 exit %u: confidence %.7f", g->name, j, conf[j]);
    if (j > 0 && mid > running_max && mid < conf[j]) {
      for (guint k = 0; k < g->n_exits; k++)
        t[k] = mid;
      expect_exit (g, t, G_MAXUINT, j);
      g_test_message ("threshold %.7f left at exit %u", mid, j);
    }
    running_max = MAX (running_max, conf[j]);
  }
  assert_no_validation_errors ();
}

static void
test_max_exit (gconstpointer data)
{
  Golden *g = golden_for_test (data);

  if (g == NULL)
    return;
  g_autofree float *t = g_new (float, g->n_exits);

  set_input (g, 0);
  for (guint k = 0; k < g->n_exits; k++)
    t[k] = 1.5f;
  for (guint m = 0; m < g->n_exits; m++) {
    expect_exit (g, NULL, m, m);
    expect_exit (g, t, m, m);
  }
  /* beyond the last exit: clamped */
  expect_exit (g, NULL, g->n_exits + 3, g->n_exits - 1);
  assert_no_validation_errors ();
}

static void
expect_order_error (Golden *g, guint stage)
{
  g_autoptr (GError) error = NULL;
  RanetExitResult r;

  g_assert_false (ranet_net_run_stage (g->net, stage, &r, &error));
  g_assert_nonnull (error);
  g_test_message ("stage %u: %s", stage, error->message);
}

static void
expect_stage (Golden *g, guint stage)
{
  g_autoptr (GError) error = NULL;
  RanetExitResult r;

  g_assert_true (ranet_net_run_stage (g->net, stage, &r, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (r.exit_index, ==, stage);
  g_assert_cmpfloat (r.confidence, ==, g->conf[stage]);
}

static void
test_order (gconstpointer data)
{
  Golden *g = golden_for_test (data);

  if (g == NULL)
    return;
  g_autoptr (GError) error = NULL;
  g_autofree float *logits = g_new (float, g->n_classes);
  guint last = g->n_exits - 1;

  set_input (g, 0);
  expect_stage (g, 0);
  expect_order_error (g, 2);
  expect_order_error (g, g->n_exits);
  expect_order_error (g, G_MAXUINT);
  /* only what this frame computed can be read */
  g_assert_false (ranet_net_read_logits (g->net, 1, logits, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  /* a refused stage changes nothing: the frame goes on where it was */
  for (guint k = 1; k <= last; k++)
    expect_stage (g, k);
  expect_order_error (g, last + 1);
  expect_order_error (g, 1);
  expect_order_error (g, last);
  /* stage 0 always starts a new frame */
  expect_stage (g, 0);
  expect_stage (g, 1);
  expect_stage (g, 0);
  g_assert_true (ranet_net_read_logits (g->net, 0, logits, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (logits, g->n_classes * sizeof (float), g->logits, g->n_classes * sizeof (float));
  assert_no_validation_errors ();
}

/* ---- frame input ---- */

typedef struct {
  RanetPixelFormat format;
  guint width, height;
  guint pad;            /* bytes after each row */
  guint gap;            /* bytes before the frame */
} FrameCase;

static RanetFrameLayout
make_layout (const FrameCase *fc)
{
  RanetFrameLayout l = { .format = fc->format, .width = fc->width, .height = fc->height,
    .kr = 0.299, .kb = 0.114, .yuv_full_range = FALSE };

  l.offset[0] = fc->gap;
  l.stride[0] = ranet_frame_layout_plane_row_bytes (&l, 0) + fc->pad;
  return l;
}

/* Feeds a frame of @fc through the GPU preprocess, and the same frame through
 * ranet_ref_preprocess() as a tensor: the two runs must agree. Leaves the net
 * on tensor input; @frame_logits receives the frame run's logits. */
static void
check_frame (Golden *g, const FrameCase *fc, guint32 seed, float *frame_logits)
{
  g_autoptr (GError) error = NULL;
  RanetFrameLayout layout = make_layout (fc);
  RanetPreprocessParams p;
  gsize size = ranet_frame_layout_get_size (&layout), got_size = 0;
  g_autofree guint8 *frame = g_malloc (size);
  g_autofree float *input = g_new (float, g->input_floats);
  g_autofree RanetExitResult *tr = g_new0 (RanetExitResult, g->n_exits);
  g_autofree RanetExitResult *fr = g_new0 (RanetExitResult, g->n_exits);
  g_autofree float *tensor_logits = g_new (float, (gsize) g->n_exits * g->n_classes);
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  double worst = 0.0;

  /* a smooth picture with noise, so that resizing has something to do */
  for (gsize i = 0; i < size; i++)
    frame[i] = (guint8) ((i * 7 / 5 + g_rand_int_range (rand, 0, 64)) & 0xff);
  /* the reference preprocess writes the input alone into its own tensor */
  ranet_preprocess_params_for_model (g->model, &layout, RANET_RESIZE_STRETCH, &p);
  p.out.base = 0;
  p.out.c_offset = 0;
  p.out.c_total = p.out.c;
  /* the frame first, so that a frame run that used the tensor of the run
   * before could not pass */
  g_assert_true (ranet_net_set_frame_layout (g->net, &p.frame, p.mode, &error));
  g_assert_no_error (error);
  memcpy (ranet_net_get_frame_memory (g->net, &got_size), frame, size);
  g_assert_cmpuint (got_size, ==, size);
  run_all (g, fr, frame_logits);

  ranet_ref_preprocess (&p, frame, input);
  g_assert_true (ranet_net_set_input_tensor (g->net, input, &error));
  g_assert_no_error (error);
  run_all (g, tr, tensor_logits);

  for (guint k = 0; k < g->n_exits; k++) {
    g_autofree char *what = g_strdup_printf ("%s: %ux%u frame (format %d), exit %u",
        g->name, fc->width, fc->height, fc->format, k);

    worst = MAX (worst, check_exit (what, frame_logits + (gsize) k * g->n_classes,
            fr[k].class_id, fr[k].confidence, tensor_logits + (gsize) k * g->n_classes,
            g->n_classes));
  }
  g_test_message ("%s: %ux%u frame (format %d): largest logit error %.3g of the range",
      g->name, fc->width, fc->height, fc->format, worst);
}

static void
test_frame (gconstpointer data)
{
  Golden *g = golden_for_test (data);

  if (g == NULL)
    return;
  const RanetConfig *cfg = ranet_model_get_config (g->model);
  const FrameCase cases[] = {
    /* the network's own size, tight rows: no resampling at all */
    { RANET_PIXEL_GRAY8, cfg->input_w, cfg->input_h, 0, 0 },
    /* other sizes, padded rows, an offset: resampled */
    { RANET_PIXEL_GRAY8, cfg->input_w * 3 / 2 + 1, cfg->input_h + 5, 3, 8 },
    { RANET_PIXEL_RGB, cfg->input_w + 7, cfg->input_h * 2 - 3, 5, 4 },
    { RANET_PIXEL_RGB, cfg->input_w, cfg->input_h, 0, 0 },
  };
  gsize per_input = (gsize) g->n_exits * g->n_classes;
  gsize bytes = per_input * sizeof (float);
  g_autofree float *first = g_new (float, per_input);
  g_autofree float *again = g_new (float, per_input);
  g_autofree RanetExitResult *results = g_new0 (RanetExitResult, g->n_exits);
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    check_frame (g, &cases[i], 100 + i, i == 0 ? first : again);

  /* tensor, frame, tensor, frame: each switch gives what that input gave */
  set_input (g, 0);
  run_all (g, results, again);
  g_assert_cmpmem (again, bytes, g->logits, bytes);
  check_frame (g, &cases[0], 100, again);
  g_assert_cmpmem (again, bytes, first, bytes);
  set_input (g, 0);
  run_all (g, results, again);
  g_assert_cmpmem (again, bytes, g->logits, bytes);

  /* back on the first frame's layout: the frame's bytes are what count */
  RanetFrameLayout same = make_layout (&cases[0]), invalid = { 0 };
  gsize size = 0;
  guint8 *mem;
  g_assert_true (ranet_net_set_frame_layout (g->net, &same, RANET_RESIZE_STRETCH, &error));
  g_assert_no_error (error);
  mem = ranet_net_get_frame_memory (g->net, &size);
  memset (mem, 0, size);
  run_all (g, results, again);
  g_assert_true (memcmp (again, first, bytes) != 0);
  check_frame (g, &cases[0], 100, again);
  g_assert_cmpmem (again, bytes, first, bytes);

  /* back to frames (the frame memory still holds the first frame); the same
   * layout again keeps the recording; an invalid one is refused and changes
   * nothing */
  g_assert_true (ranet_net_set_frame_layout (g->net, &same, RANET_RESIZE_STRETCH, &error));
  g_assert_no_error (error);
  g_assert_true (ranet_net_set_frame_layout (g->net, &same, RANET_RESIZE_STRETCH, &error));
  g_assert_no_error (error);
  g_assert_false (ranet_net_set_frame_layout (g->net, &invalid, RANET_RESIZE_STRETCH, &error));
  g_assert_nonnull (error);
  g_test_message ("invalid layout: %s", error->message);
  g_clear_error (&error);
  run_all (g, results, again);
  g_assert_cmpmem (again, bytes, first, bytes);

  set_input (g, g->n_inputs - 1);
  run_all (g, results, again);
  g_assert_cmpmem (again, bytes, g->logits + (g->n_inputs - 1) * per_input, bytes);
  assert_no_validation_errors ();
}

/* Where the device can skip dispatches a frame is one submission unless the
 * device's options say otherwise (conditional_stages, RANET_CONDITIONAL_STAGES=0;
 * the tests set the variable, so that no result depends on the default: here
 * the default itself, on devices of their own). */
static void
test_frame_default (void)
{
  g_autofree char *dir = golden_dir ();
  g_autofree char *model_file = g_strdup_printf ("%s/default.safetensors", dir);
  g_autoptr (GError) error = NULL;
  g_autoptr (RanetModel) model = ranet_model_load_file (model_file, &error);
  gboolean can_skip = FALSE;

  g_assert_no_error (error);
  for (guint i = 0; i < 2; i++) {
    g_autoptr (RanetVkDevice) dev = NULL;
    g_autoptr (RanetNet) net = NULL;
    RanetVkOptions options;

    ranet_vk_options_from_environment (&options);
    options.conditional_stages = i == 0;
    dev = ranet_vk_device_new_full (NULL, &options, &error);
    g_assert_no_error (error);
    if (i == 0)
      can_skip = ranet_vk_device_has_conditional_dispatch (dev);
    else
      g_assert_false (ranet_vk_device_has_conditional_dispatch (dev));
    net = ranet_net_new (dev, model, &error);
    g_assert_no_error (error);
    g_assert_cmpint (ranet_net_decides_exit_on_device (net), ==, i == 0 && can_skip);
    g_assert_cmpuint (ranet_vk_device_get_validation_error_count (dev), ==, 0);
  }
}

/* The dispatches each stage records with fused runs and without: the end
 * of every classifier of the default model is one dispatch instead of three,
 * each ConvBN pair one instead of two (three where it ends with a
 * resize); on a CPU implementation fusing the smaller runs is the default
 * (fused_layers), on other devices none. */
static void
test_fused_dispatches (void)
{
  g_autofree char *dir = golden_dir ();
  g_autofree char *model_file = g_strdup_printf ("%s/default.safetensors", dir);
  g_autoptr (GError) error = NULL;
  g_autoptr (RanetModel) model = ranet_model_load_file (model_file, &error);
  static const RanetVkFusion modes[] = {
    RANET_VK_FUSION_OFF, RANET_VK_FUSION_ON, RANET_VK_FUSION_AUTO,
  };
  guint dispatches[G_N_ELEMENTS (modes)][8] = { { 0 } };
  guint n_exits = 0;
  gboolean cpu = FALSE;

  g_assert_no_error (error);
  for (guint m = 0; m < G_N_ELEMENTS (modes); m++) {
    g_autoptr (RanetVkDevice) dev = NULL;
    g_autoptr (RanetNet) net = NULL;
    RanetVkOptions options;

    ranet_vk_options_from_environment (&options);
    options.fused_layers = modes[m];
    dev = ranet_vk_device_new_full (NULL, &options, &error);
    g_assert_no_error (error);
    cpu = ranet_vk_device_is_cpu (dev);
    net = ranet_net_new (dev, model, &error);
    g_assert_no_error (error);
    n_exits = ranet_net_get_n_exits (net);
    g_assert_cmpuint (n_exits, <=, G_N_ELEMENTS (dispatches[m]));
    for (guint k = 0; k < n_exits; k++)
      dispatches[m][k] = ranet_net_get_stage_dispatches (net, k);
    g_assert_cmpuint (ranet_vk_device_get_validation_error_count (dev), ==, 0);
  }
  guint saved = 0, saved_default = 0;
  for (guint k = 0; k < n_exits; k++) {
    g_test_message ("stage %u: %u dispatches, %u fused, %u by default", k, dispatches[0][k],
        dispatches[1][k], dispatches[2][k]);
    g_assert_cmpuint (dispatches[1][k] + 2, <=, dispatches[0][k]);
    g_assert_cmpuint (dispatches[1][k], <=, dispatches[2][k]);
    g_assert_cmpuint (dispatches[2][k], <=, dispatches[0][k]);
    if (!cpu)
      g_assert_cmpuint (dispatches[2][k], ==, dispatches[0][k]);
    saved += dispatches[0][k] - dispatches[1][k];
    saved_default += dispatches[0][k] - dispatches[2][k];
  }
  /* 2 per classifier, 1 per ConvBN pair: the model has 39, of which 5 are
   * above the size fused by default (net-fuse.c); and 1 more for each of
   * the 9 pairs whose small result a bilinear resize upsamples into a
   * larger scale's tensor, all below that size */
  g_assert_cmpuint (saved, ==, 2 * n_exits + 39 + 9);
  if (cpu)
    g_assert_cmpuint (saved_default, ==, 2 * n_exits + 34 + 9);
}

static void
register_tests (const char *name)
{
  static const struct {
    const char *what;
    GTestDataFunc func;
  } tests[] = {
    { "logits", test_logits },
    { "repeat", test_repeat },
    { "early-exit", test_early_exit },
    { "max-exit", test_max_exit },
    { "order", test_order },
    { "frame", test_frame },
  };

  for (guint i = 0; i < G_N_ELEMENTS (tests); i++) {
    g_autofree char *path = g_strdup_printf ("/net/%s/%s", name, tests[i].what);

    g_test_add_data_func (path, name, tests[i].func);
  }
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int ret;

  device = test_device_new_from_args (&argc, argv, &error);
  g_test_init (&argc, &argv, NULL);
  g_assert_no_error (error);
  if (!ranet_vk_device_has_validation (device))
    g_test_message ("the Vulkan validation layer is off");
  goldens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, golden_free);

  for (guint i = 0; golden_names[i]; i++)
    register_tests (golden_names[i]);
  g_test_add_func ("/net/frame-default", test_frame_default);
  g_test_add_func ("/net/fused-dispatches", test_fused_dispatches);
  ret = g_test_run ();

  g_hash_table_unref (goldens);
  assert_no_validation_errors ();
  ranet_vk_device_unref (device);
  return ret;
}
