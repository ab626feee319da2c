/* test-graph.c: the C graph against the PyTorch reference builder.
 *
 * - tests/data/graph-*.txt (python/make_graph_expected.py) give, for a few
 *   configs, every state_dict tensor with its shape and the per-exit MACs of
 *   python/ranet/model.py: the graph must expect exactly those tensors.
 * - tests/golden/NAME.safetensors + NAME-io.safetensors (python/make_golden.py)
 *   give weights, inputs and PyTorch's logits: the reference executor must
 *   reproduce every exit's logits. RANET_GOLDEN_DIR overrides the directory.
 * - invalid configs must give errors that name the field, never crash.
 *
 * The graph is built from the files as tests/golden-io.c reads them, not
 * through the model loader, so that it is checked on its own.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "graph/ranet-fold.h"
#include "graph/ranet-graph.h"

#include "golden-io.h"

/* ---- configs as the model file's ranet.config spells them ---- */

static void
config_from_json (const char *json, guint input_h, guint input_w, RanetConfig *cfg)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonObject *o;
  JsonArray *scales, *gr, *bn;
  const char *stem, *stepmode;

  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  o = json_node_get_object (json_parser_get_root (parser));
  memset (cfg, 0, sizeof *cfg);
  scales = json_object_get_array_member (o, "scale_list");
  gr = json_object_get_array_member (o, "grFactor");
  bn = json_object_get_array_member (o, "bnFactor");
  cfg->n_scales = json_array_get_length (scales);
  g_assert_cmpuint (cfg->n_scales, <=, RANET_MAX_SCALES);
  for (guint i = 0; i < cfg->n_scales; i++) {
    cfg->scale_list[i] = (guint) json_array_get_int_element (scales, i);
    cfg->grFactor[i] = (guint) json_array_get_int_element (gr, i);
    cfg->bnFactor[i] = (guint) json_array_get_int_element (bn, i);
  }
  cfg->nBlocks = (guint) json_object_get_int_member (o, "nBlocks");
  cfg->block_step = (guint) json_object_get_int_member (o, "block_step");
  cfg->step = (guint) json_object_get_int_member (o, "step");
  stepmode = json_object_get_string_member (o, "stepmode");
  cfg->stepmode = g_str_equal (stepmode, "lg") ? RANET_STEPMODE_LG : RANET_STEPMODE_EVEN;
  cfg->nChannels = (guint) json_object_get_int_member (o, "nChannels");
  cfg->growthRate = (guint) json_object_get_int_member (o, "growthRate");
  cfg->reduction = json_object_get_double_member (o, "reduction");
  cfg->compress_factor = json_object_get_double_member (o, "compress_factor");
  cfg->bnAfter = json_object_get_boolean_member (o, "bnAfter");
  stem = json_object_get_string_member (o, "stem");
  cfg->stem = g_str_equal (stem, "imagenet") ? RANET_STEM_IMAGENET : RANET_STEM_CIFAR;
  cfg->num_classes = (guint) json_object_get_int_member (o, "num_classes");
  cfg->in_channels = (guint) json_object_get_int_member (o, "in_channels");
  cfg->head_channels = (guint) json_object_get_int_member_with_default (o, "head_channels", 128);
  cfg->input_h = input_h;
  cfg->input_w = input_w;
}

/* ---- checks shared by both kinds of expectation ---- */

/* Every tensor the graph expects is in @names (name -> dims as "d0 d1 ..."),
 * and nothing else. */
static void
check_expected_tensors (const RanetGraph *g, GHashTable *names)
{
  guint n;
  const RanetExpectedTensor *e = ranet_graph_get_expected_tensors (g, &n);

  for (guint i = 0; i < n; i++) {
    const char *want = g_hash_table_lookup (names, e[i].name);
    g_autoptr (GString) got = g_string_new (NULL);

    for (guint d = 0; d < e[i].n_dims; d++)
      g_string_append_printf (got, d ? " %u" : "%u", e[i].dims[d]);
    if (!want)
      g_error ("graph expects %s, which the reference does not have", e[i].name);
    if (!g_str_equal (want, got->str))
      g_error ("%s: graph expects shape %s, the reference has %s", e[i].name, got->str, want);
  }
  if (n != g_hash_table_size (names)) {
    GHashTableIter it;
    gpointer key;

    g_hash_table_iter_init (&it, names);
    while (g_hash_table_iter_next (&it, &key, NULL))
      if (!ranet_graph_lookup_expected_tensor (g, key))
        g_error ("the reference has %s, which the graph does not expect", (char *) key);
  }
}

static void
mark (guint8 *written, const RanetTensorView *v, gsize size, gboolean check)
{
  for (guint c = 0; c < v->c; c++)
    for (guint y = 0; y < v->h; y++)
      for (guint x = 0; x < v->w; x++) {
        gsize i = v->base + (((gsize) v->c_offset + c) * v->h + y) * v->w + x;

        g_assert_cmpuint (v->c_offset + v->c, <=, v->c_total);
        g_assert_cmpuint (i, <, size);
        if (check)
          g_assert_true (written[i]);
        else
          written[i] = 1;
      }
}

/* Walks the layers as the executor would: every element a layer reads was
 * written before (by the input or an earlier layer), every view is in bounds,
 * and each stage ends with its linear layer and softmax. */
static void
check_dataflow (const RanetGraph *g)
{
  gsize size = ranet_graph_get_activation_size (g);
  g_autofree guint8 *written = g_malloc0 (size);
  RanetTensorView in = ranet_graph_get_input_view (g);
  guint n_exits = ranet_graph_get_n_exits (g), next = 0;
  guint64 macs = 0;

  mark (written, &in, size, FALSE);
  for (guint k = 0; k < n_exits; k++) {
    guint first, n;

    ranet_graph_get_stage_layers (g, k, &first, &n);
    g_assert_cmpuint (first, ==, next);
    g_assert_cmpuint (n, >=, 2);
    next = first + n;
    for (guint i = first; i < first + n; i++) {
      const RanetLayer *l = ranet_graph_get_layer (g, i);
      const RanetTensorView *iv, *ov;

      g_assert_cmpuint (l->stage, ==, k);
      macs += l->macs;
      ranet_layer_get_views (l, &iv, &ov);
      mark (written, iv, size, TRUE);
      if (ov)
        mark (written, ov, size, FALSE);
      if (i == first + n - 2) {
        RanetTensorView lv = ranet_graph_get_logits_view (g, k);

        g_assert_cmpint (l->kind, ==, RANET_LAYER_LINEAR);
        g_assert_cmpuint (lv.base, ==, ov->base);
        g_assert_cmpuint (lv.c, ==, ov->c);
        g_assert_cmpuint (lv.c_offset, ==, ov->c_offset);
        g_assert_cmpuint (lv.c_total, ==, ov->c_total);
      }
      if (i == first + n - 1) {
        g_assert_cmpint (l->kind, ==, RANET_LAYER_SOFTMAX);
        g_assert_cmpuint (l->p.softmax.out_base, ==, ranet_graph_get_result_offset (g, k));
      }
    }
    g_assert_cmpuint (macs, ==, ranet_graph_get_exit_macs (g, k));
  }
  g_assert_cmpuint (next, ==, ranet_graph_get_n_layers (g));
  g_assert_cmpuint (ranet_graph_get_results_size (g), ==,
      n_exits * RANET_SOFTMAX_OUT_SIZE (ranet_graph_get_config (g)->num_classes));
}

/* ---- tests/data/graph-*.txt ---- */

static void
test_expected (gconstpointer data)
{
  const char *path = data;
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (GArray) macs = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autoptr (RanetGraph) g = NULL;
  g_autofree char *dump = NULL;
  const char *config = NULL;
  guint h = 0, w = 0;
  RanetConfig cfg;

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i]; i++) {
    char *l = lines[i];

    if (g_str_has_prefix (l, "config "))
      config = l + 7;
    else if (g_str_has_prefix (l, "input_size "))
      g_assert_cmpint (sscanf (l + 11, "%u %u", &h, &w), ==, 2);
    else if (g_str_has_prefix (l, "exit_macs ")) {
      g_auto (GStrv) v = g_strsplit (l + 10, " ", -1);

      for (guint k = 0; v[k]; k++) {
        guint64 m = g_ascii_strtoull (v[k], NULL, 10);
        g_array_append_val (macs, m);
      }
    } else if (g_str_has_prefix (l, "tensor ")) {
      char *sp = strchr (l + 7, ' ');

      g_assert_nonnull (sp);
      g_hash_table_insert (names, g_strndup (l + 7, sp - (l + 7)), g_strdup (sp + 1));
    }
  }
  g_assert_nonnull (config);
  config_from_json (config, h, w, &cfg);

  g = ranet_graph_new (&cfg, &error);
  g_assert_no_error (error);
  check_expected_tensors (g, names);
  g_assert_cmpuint (ranet_graph_get_n_exits (g), ==, macs->len);
  for (guint k = 0; k < macs->len; k++)
    g_assert_cmpuint (ranet_graph_get_exit_macs (g, k), ==, g_array_index (macs, guint64, k));
  check_dataflow (g);
  dump = ranet_graph_dump (g);
  g_assert_nonnull (strstr (dump, "exit 0:"));
  if (g_test_verbose ())
    g_printerr ("%s", dump);
}

/* ---- golden vectors ---- */

static const float *
lookup_st (const char *name, gsize n_floats, gpointer user_data, GError **error)
{
  StTensor *t = g_hash_table_lookup (((StFile *) user_data)->tensors, name);

  if (!t || t->n != n_floats) {
    g_set_error (error, RANET_GRAPH_ERROR, RANET_GRAPH_ERROR_WEIGHTS,
        "tensor %s: %s", name, t ? "wrong size" : "missing");
    return NULL;
  }
  return t->data;
}

static const RanetLayerWeights *
get_folded (const RanetGraph *g, guint layer_index, gpointer user_data, GError **error)
{
  return g_ptr_array_index ((GPtrArray *) user_data, layer_index);
}

static void
test_golden (gconstpointer data)
{
  const char *name = data;
  g_autofree char *dir = golden_dir ();
  g_autofree char *model_file = g_strdup_printf ("%s/%s.safetensors", dir, name);
  g_autofree char *io_file = g_strdup_printf ("%s/%s-io.safetensors", dir, name);
  g_autoptr (StFile) model = NULL, io = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (RanetGraph) g = NULL;
  g_autoptr (GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (GPtrArray) weights =
      g_ptr_array_new_with_free_func ((GDestroyNotify) ranet_layer_weights_free);
  g_autofree float *act = NULL, *results = NULL;
  GHashTableIter it;
  gpointer key, value;
  JsonArray *size, *cal_macs;
  StTensor *input;
  RanetConfig cfg;
  guint n_exits, classes;
  gsize per_image;

  if (!g_file_test (model_file, G_FILE_TEST_EXISTS) || !g_file_test (io_file, G_FILE_TEST_EXISTS)) {
    g_autofree char *msg = g_strdup_printf ("%s or its -io file is not there", model_file);
    g_test_skip (msg);
    return;
  }
  model = st_load (model_file);
  io = st_load (io_file);

  g_assert_true (json_parser_load_from_data (parser,
          g_hash_table_lookup (model->meta, "ranet.preprocess"), -1, &error));
  size = json_object_get_array_member (
      json_node_get_object (json_parser_get_root (parser)), "input_size");
  config_from_json (g_hash_table_lookup (model->meta, "ranet.config"),
      (guint) json_array_get_int_element (size, 0),
      (guint) json_array_get_int_element (size, 1), &cfg);
  g = ranet_graph_new (&cfg, &error);
  g_assert_no_error (error);
  n_exits = ranet_graph_get_n_exits (g);
  classes = cfg.num_classes;

  /* the file holds exactly the expected tensors */
  g_hash_table_iter_init (&it, model->tensors);
  while (g_hash_table_iter_next (&it, &key, &value)) {
    StTensor *t = value;
    GString *dims = g_string_new (NULL);

    for (guint d = 0; d < t->n_dims; d++)
      g_string_append_printf (dims, d ? " %u" : "%u", t->dims[d]);
    g_hash_table_insert (names, g_strdup (key), g_string_free (dims, FALSE));
  }
  check_expected_tensors (g, names);
  check_dataflow (g);

  /* the calibration's exit_macs were counted by the reference's exit_macs() */
  g_assert_true (json_parser_load_from_data (parser,
          g_hash_table_lookup (model->meta, "ranet.calibration"), -1, &error));
  cal_macs = json_object_get_array_member (
      json_node_get_object (json_parser_get_root (parser)), "exit_macs");
  g_assert_cmpuint (json_array_get_length (cal_macs), ==, n_exits);
  for (guint k = 0; k < n_exits; k++)
    g_assert_cmpuint (ranet_graph_get_exit_macs (g, k), ==,
        (guint64) json_array_get_int_element (cal_macs, k));

  for (guint i = 0; i < ranet_graph_get_n_layers (g); i++) {
    RanetLayerWeights *w = ranet_layer_fold_weights (g, i, lookup_st, model, &error);

    g_assert_no_error (error);
    g_ptr_array_add (weights, w);
  }

  input = g_hash_table_lookup (io->tensors, "input");
  g_assert_nonnull (input);
  g_assert_cmpuint (input->n_dims, ==, 4);
  g_assert_cmpuint (input->dims[1], ==, cfg.in_channels);
  g_assert_cmpuint (input->dims[2], ==, cfg.input_h);
  g_assert_cmpuint (input->dims[3], ==, cfg.input_w);
  per_image = (gsize) cfg.in_channels * cfg.input_h * cfg.input_w;
  act = g_new0 (float, ranet_graph_get_activation_size (g));
  results = g_new0 (float, ranet_graph_get_results_size (g));

  for (guint n = 0; n < input->dims[0]; n++) {
    g_assert_true (ranet_graph_run_reference (g, input->data + n * per_image,
            get_folded, weights, act, results, &error));
    g_assert_no_error (error);
    for (guint k = 0; k < n_exits; k++) {
      g_autofree char *lname = g_strdup_printf ("logits.%u", k);
      StTensor *want = g_hash_table_lookup (io->tensors, lname);
      RanetTensorView lv = ranet_graph_get_logits_view (g, k);
      const float *got = act + lv.base;
      const float *ref;
      const float *probs = results + ranet_graph_get_result_offset (g, k);
      float lo = INFINITY, hi = -INFINITY, top = -INFINITY, second = -INFINITY;
      guint best = 0;
      double tol, max_err = 0.0;

      g_assert_nonnull (want);
      g_assert_cmpuint (want->dims[1], ==, classes);
      ref = want->data + (gsize) n * classes;
      for (guint c = 0; c < classes; c++) {
        lo = MIN (lo, ref[c]);
        hi = MAX (hi, ref[c]);
        if (ref[c] > top) {
          second = top;
          top = ref[c];
          best = c;
        } else if (ref[c] > second) {
          second = ref[c];
        }
      }
      /* the reference sums in double, PyTorch in float32 */
      tol = 1e-4 * MAX (hi - lo, 1e-3f);
      for (guint c = 0; c < classes; c++)
        max_err = MAX (max_err, fabs ((double) got[c] - ref[c]));
      if (g_test_verbose ())
        g_printerr ("%s image %u exit %u: max |err| %.3g (tolerance %.3g)\n",
            name, n, k, max_err, tol);
      if (max_err > tol)
        g_error ("%s image %u exit %u: logits differ by %g, more than %g",
            name, n, k, max_err, tol);
      /* a near tie may flip within the tolerance; anything else must agree */
      if (top - second > 2 * tol)
        g_assert_cmpuint ((guint) probs[classes + 1], ==, best);
    }
  }
}

/* ---- invalid configs ---- */

static RanetConfig
valid_config (void)
{
  RanetConfig cfg = {
    .n_scales = 3, .scale_list = { 1, 2, 3 }, .grFactor = { 4, 2, 1 }, .bnFactor = { 4, 2, 1 },
    .nBlocks = 2, .block_step = 2, .step = 4, .stepmode = RANET_STEPMODE_EVEN,
    .nChannels = 16, .growthRate = 6, .reduction = 0.5, .compress_factor = 0.25,
    .bnAfter = TRUE, .stem = RANET_STEM_CIFAR, .num_classes = 10, .in_channels = 3,
    .head_channels = 128, .input_h = 32, .input_w = 32,
  };
  return cfg;
}

typedef struct {
  const char *what;
  void (*mutate) (RanetConfig *cfg);
  gint code;
  const char *needle;
} InvalidCase;

static void m_scales0 (RanetConfig *c) { c->n_scales = 0; }
static void m_scales_many (RanetConfig *c) { c->n_scales = RANET_MAX_SCALES + 1; }
static void m_scale_list0 (RanetConfig *c) { c->scale_list[1] = 0; }
static void m_gr0 (RanetConfig *c) { c->grFactor[2] = 0; }
static void m_bn0 (RanetConfig *c) { c->bnFactor[0] = 0; }
static void m_nblocks0 (RanetConfig *c) { c->nBlocks = 0; }
static void m_block_step0 (RanetConfig *c) { c->block_step = 0; }
static void m_step0 (RanetConfig *c) { c->step = 0; }
static void m_stepmode (RanetConfig *c) { c->stepmode = (RanetStepMode) 7; }
static void m_stem (RanetConfig *c) { c->stem = (RanetStem) 9; }
static void m_channels0 (RanetConfig *c) { c->nChannels = 0; }
static void m_channels_huge (RanetConfig *c) { c->nChannels = 100000; }
static void m_growth_huge (RanetConfig *c) { c->growthRate = 60000; }
static void m_step_huge (RanetConfig *c) { c->step = 4000; c->stepmode = RANET_STEPMODE_LG; }
static void m_reduction (RanetConfig *c) { c->reduction = 0.0; }
static void m_reduction_nan (RanetConfig *c) { c->reduction = NAN; }
static void m_compress (RanetConfig *c) { c->compress_factor = 1.5; }
static void m_compress_small (RanetConfig *c) { c->compress_factor = 0.1; }
static void m_classes0 (RanetConfig *c) { c->num_classes = 0; }
static void m_in_ch (RanetConfig *c) { c->in_channels = 5; }
static void m_head0 (RanetConfig *c) { c->head_channels = 0; }
static void m_h0 (RanetConfig *c) { c->input_h = 0; }
static void m_small_input (RanetConfig *c) { c->input_h = 8; }
static void m_big_input (RanetConfig *c) { c->input_h = 4096; c->input_w = 4096; }
/* eight scales let the input be 1536 pixels wide and still end every exit at
 * 1x1, so only the activation size is wrong */
static void
m_activations (RanetConfig *c)
{
  c->n_scales = 8;
  for (guint i = 0; i < 8; i++) {
    c->scale_list[i] = i + 1;
    c->grFactor[i] = c->bnFactor[i] = 1;
  }
  c->nBlocks = c->block_step = 1;
  c->nChannels = 64;
  c->input_h = c->input_w = 1536;
}

static const InvalidCase invalid_cases[] = {
  { "0 scales", m_scales0, RANET_GRAPH_ERROR_INVALID_CONFIG, "n_scales" },
  { "too many scales", m_scales_many, RANET_GRAPH_ERROR_INVALID_CONFIG, "n_scales" },
  { "scale 0", m_scale_list0, RANET_GRAPH_ERROR_INVALID_CONFIG, "scale_list[1] is 0" },
  { "grFactor 0", m_gr0, RANET_GRAPH_ERROR_INVALID_CONFIG, "grFactor[2] is 0" },
  { "bnFactor 0", m_bn0, RANET_GRAPH_ERROR_INVALID_CONFIG, "bnFactor[0] is 0" },
  { "nBlocks 0", m_nblocks0, RANET_GRAPH_ERROR_INVALID_CONFIG, "nBlocks is 0" },
  { "block_step 0", m_block_step0, RANET_GRAPH_ERROR_INVALID_CONFIG, "block_step is 0" },
  { "step 0", m_step0, RANET_GRAPH_ERROR_INVALID_CONFIG, "step is 0" },
  { "stepmode", m_stepmode, RANET_GRAPH_ERROR_INVALID_CONFIG, "stepmode is 7" },
  { "stem", m_stem, RANET_GRAPH_ERROR_INVALID_CONFIG, "stem is 9" },
  { "nChannels 0", m_channels0, RANET_GRAPH_ERROR_INVALID_CONFIG, "nChannels is 0" },
  { "nChannels huge", m_channels_huge, RANET_GRAPH_ERROR_INVALID_CONFIG, "nChannels is 100000" },
  { "growth huge", m_growth_huge, RANET_GRAPH_ERROR_TOO_LARGE, "growthRate (60000)" },
  { "step huge", m_step_huge, RANET_GRAPH_ERROR_TOO_LARGE, "channels" },
  { "reduction 0", m_reduction, RANET_GRAPH_ERROR_INVALID_CONFIG, "reduction is 0" },
  { "reduction nan", m_reduction_nan, RANET_GRAPH_ERROR_INVALID_CONFIG, "reduction is nan" },
  { "compress_factor 1.5", m_compress, RANET_GRAPH_ERROR_INVALID_CONFIG, "compress_factor is 1.5" },
  { "compress_factor 0.1", m_compress_small, RANET_GRAPH_ERROR_INVALID_CONFIG,
    "compress_factor is 0.1" },
  { "num_classes 0", m_classes0, RANET_GRAPH_ERROR_INVALID_CONFIG, "num_classes is 0" },
  { "in_channels 5", m_in_ch, RANET_GRAPH_ERROR_INVALID_CONFIG, "in_channels is 5" },
  { "head_channels 0", m_head0, RANET_GRAPH_ERROR_INVALID_CONFIG, "head_channels is 0" },
  { "input_h 0", m_h0, RANET_GRAPH_ERROR_INVALID_CONFIG, "input_h is 0" },
  { "input too small for the heads", m_small_input, RANET_GRAPH_ERROR_INVALID_CONFIG,
    "input_h/input_w (8x32)" },
  { "input too large for the heads", m_big_input, RANET_GRAPH_ERROR_INVALID_CONFIG, "1x1" },
  { "activations too large", m_activations, RANET_GRAPH_ERROR_TOO_LARGE, "1 GiB" },
};

static void
test_invalid (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (invalid_cases); i++) {
    const InvalidCase *c = &invalid_cases[i];
    RanetConfig cfg = valid_config ();
    g_autoptr (GError) error = NULL;
    g_autoptr (RanetGraph) g = NULL;

    c->mutate (&cfg);
    g = ranet_graph_new (&cfg, &error);
    g_assert_null (g);
    if (g_test_verbose ())
      g_printerr ("%s: %s\n", c->what, error ? error->message : "(no error)");
    g_assert_error (error, RANET_GRAPH_ERROR, c->code);
    if (!strstr (error->message, c->needle))
      g_error ("%s: \"%s\" does not mention \"%s\"", c->what, error->message, c->needle);
  }
}

static void
test_valid (void)
{
  RanetConfig cfg = valid_config ();
  g_autoptr (GError) error = NULL;
  g_autoptr (RanetGraph) g = ranet_graph_new (&cfg, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (ranet_graph_get_n_exits (g), ==, 6);
  check_dataflow (g);
}

/* ---- folding ---- */

static void
test_fold (void)
{
  /* 2 output channels, 3 weights each */
  float w[6] = { 1, 2, 3, -1, -2, -3 };
  float b[2];
  const float conv_bias[2] = { 0.5f, -0.5f };
  const float gamma[2] = { 2, 0.5f }, beta[2] = { 0.1f, -0.1f };
  const float mean[2] = { 1, -1 }, var[2] = { 4 - 1e-5f, 0.25f - 1e-5f };
  float scale[2], shift[2];

  ranet_fold_bn_into_conv (w, b, conv_bias, 2, 3, gamma, beta, mean, var, RANET_BN_EPS);
  /* s = gamma / sqrt (var + eps): 1 and 1 */
  g_assert_cmpfloat_with_epsilon (w[0], 1.0f, 1e-5);
  g_assert_cmpfloat_with_epsilon (w[5], -3.0f, 1e-5);
  g_assert_cmpfloat_with_epsilon (b[0], 0.1 + (0.5 - 1) * 1.0, 1e-5);
  g_assert_cmpfloat_with_epsilon (b[1], -0.1 + (-0.5 + 1) * 1.0, 1e-5);

  ranet_fold_bn_preact (scale, shift, 2, gamma, beta, mean, var, RANET_BN_EPS);
  g_assert_cmpfloat_with_epsilon (scale[0], 1.0f, 1e-5);
  g_assert_cmpfloat_with_epsilon (shift[0], 0.1 - 1.0, 1e-5);
  g_assert_cmpfloat_with_epsilon (shift[1], -0.1 + 1.0, 1e-5);

  /* a 2x2 average pool folded into the linear layer after it, on a 2x2 map
   * (the whole map) and a 3x3 map (floor mode: its top-left 2x2 only): the
   * folded layer on the map equals the layer on the pooled map */
  for (guint side = 2; side <= 3; side++) {
    const guint in_c = 5, out_c = 3, hw = side * side;
    RanetTensorView in = { .c = in_c, .h = side, .w = side, .c_total = in_c };
    g_autoptr (GRand) rand = g_rand_new_with_seed (side);
    g_autofree float *lw = g_new (float, out_c * in_c);
    g_autofree float *x = g_new (float, in_c * hw);
    g_autofree float *spread = NULL;

    for (guint i = 0; i < out_c * in_c; i++)
      lw[i] = (float) g_rand_double_range (rand, -1, 1);
    for (guint i = 0; i < in_c * hw; i++)
      x[i] = (float) g_rand_double_range (rand, -1, 1);
    spread = ranet_fold_avgpool_into_linear (lw, out_c, &in, 2);
    for (guint o = 0; o < out_c; o++) {
      double pooled_first = 0.0, folded = 0.0;
      for (guint c = 0; c < in_c; c++) {
        const float *m = x + c * hw;
        double avg = (m[0] + m[1] + m[side] + m[side + 1]) / 4.0;
        pooled_first += lw[o * in_c + c] * avg;
        for (guint i = 0; i < hw; i++)
          folded += spread[(o * in_c + c) * hw + i] * m[i];
      }
      g_assert_cmpfloat_with_epsilon (folded, pooled_first, 1e-6);
    }
    /* outside the window nothing */
    if (side == 3)
      g_assert_cmpfloat (spread[2], ==, 0.0f);
  }
}

static int
compare_paths (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static void
test_no_data (gconstpointer data)
{
  g_autofree char *msg = g_strdup_printf ("no graph-*.txt under %s (set G_TEST_SRCDIR "
      "to the tests directory)", (const char *) data);

  g_test_message ("%s", msg);
  g_test_fail ();
}

int
main (int argc, char **argv)
{
  g_autofree char *data_dir = NULL;
  g_autoptr (GDir) dir = NULL;
  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  const char *entry;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/graph/valid", test_valid);
  g_test_add_func ("/graph/invalid", test_invalid);
  g_test_add_func ("/graph/fold", test_fold);

  data_dir = golden_source_path ("data");
  dir = g_dir_open (data_dir, 0, NULL);
  while (dir && (entry = g_dir_read_name (dir)))
    if (g_str_has_prefix (entry, "graph-") && g_str_has_suffix (entry, ".txt"))
      g_ptr_array_add (paths, g_build_filename (data_dir, entry, NULL));
  g_ptr_array_sort (paths, compare_paths);
  for (guint i = 0; i < paths->len; i++) {
    g_autofree char *base = g_path_get_basename (paths->pdata[i]);
    g_autofree char *test = NULL;

    base[strlen (base) - 4] = '\0';
    test = g_strdup_printf ("/graph/expected/%s", base + 6);
    g_test_add_data_func (test, paths->pdata[i], test_expected);
  }
  if (paths->len == 0)
    g_test_add_data_func ("/graph/expected/missing", data_dir, test_no_data);

  for (guint i = 0; golden_names[i]; i++) {
    g_autofree char *test = g_strdup_printf ("/graph/golden/%s", golden_names[i]);

    g_test_add_data_func (test, golden_names[i], test_golden);
  }
  return g_test_run ();
}
