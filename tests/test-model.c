/* test-model.c: model file loading and validation.
 *
 * Most tests build a small valid model file in memory (tensors named and
 * shaped by the graph, filled with known values), damage one thing, and check
 * that loading fails with the right code and a message naming the file and
 * the tensor or key. The golden files written by python/make_golden.py are
 * loaded too when present.
 */
#include <math.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "graph/ranet-fold.h"
#include "graph/ranet-graph.h"
#include "model/ranet-model.h"

#define FILE_NAME "test.safetensors"

typedef struct {
  char *name;
  gboolean f16;
  guint n_dims;
  guint dims[4];
  gsize n;
  float *values;
} TestTensor;

typedef struct {
  RanetConfig cfg;
  JsonObject *config;
  JsonObject *preprocess;
  JsonArray *labels;
  JsonObject *calibration;
  JsonObject *card;     /* NULL: no ranet.card */
  GPtrArray *tensors;   /* TestTensor * */
  guint n_exits;
} Fixture;

typedef void (*HeaderFn) (JsonObject *header, gpointer user_data);

static void
test_tensor_free (gpointer p)
{
  TestTensor *t = p;

  g_free (t->name);
  g_free (t->values);
  g_free (t);
}

static void
fixture_free (Fixture *f)
{
  g_clear_pointer (&f->config, json_object_unref);
  g_clear_pointer (&f->preprocess, json_object_unref);
  g_clear_pointer (&f->labels, json_array_unref);
  g_clear_pointer (&f->calibration, json_object_unref);
  g_clear_pointer (&f->card, json_object_unref);
  g_clear_pointer (&f->tensors, g_ptr_array_unref);
  g_free (f);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Fixture, fixture_free)

/* Two scales, CIFAR heads, in_channels 1: a few dozen small tensors. */
static RanetConfig
tiny_config (void)
{
  RanetConfig cfg = {
    .n_scales = 2,
    .scale_list = { 1, 2 },
    .grFactor = { 2, 1 },
    .bnFactor = { 2, 1 },
    .nBlocks = 1,
    .block_step = 1,
    .step = 1,
    .stepmode = RANET_STEPMODE_EVEN,
    .nChannels = 4,
    .growthRate = 2,
    .reduction = 0.5,
    .compress_factor = 0.5,
    .bnAfter = TRUE,
    .stem = RANET_STEM_CIFAR,
    .num_classes = 3,
    .in_channels = 1,
    .head_channels = 4,
    .input_h = 16,
    .input_w = 16,
  };
  return cfg;
}

static JsonArray *
uint_array (const guint *v, guint n)
{
  JsonArray *a = json_array_new ();

  for (guint i = 0; i < n; i++)
    json_array_add_int_element (a, v[i]);
  return a;
}

static JsonArray *
double_array (const double *v, guint n)
{
  JsonArray *a = json_array_new ();

  for (guint i = 0; i < n; i++)
    json_array_add_double_element (a, v[i]);
  return a;
}

/* Values exactly representable in float16, so one fixture serves both dtypes:
 * multiples of 1/64 in (-2, 2), and BatchNorm variances in [0.5, 1.5]. */
static float
test_value (const char *name, gsize i)
{
  guint h = g_str_hash (name) + (guint) i * 2654435761u;
  float v = (float) ((int) (h % 255) - 127) / 64.0f;

  if (g_str_has_suffix (name, "running_var"))
    return 0.5f + (float) (h % 65) / 64.0f;
  return v;
}

static Fixture *
fixture_new (const RanetConfig *cfg)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RanetGraph) graph = ranet_graph_new (cfg, &error);
  Fixture *f = g_new0 (Fixture, 1);
  const RanetExpectedTensor *expected;
  guint n_expected = 0;
  double mean[3] = { 0.5, 0.4, 0.3 }, std[3] = { 0.25, 0.2, 0.3 };
  double *macs, *thresholds, *fractions;
  JsonObject *op;
  JsonArray *ops;

  g_assert_no_error (error);
  f->cfg = *cfg;
  f->n_exits = ranet_graph_get_n_exits (graph);

  f->config = json_object_new ();
  json_object_set_array_member (f->config, "scale_list", uint_array (cfg->scale_list, cfg->n_scales));
  json_object_set_array_member (f->config, "grFactor", uint_array (cfg->grFactor, cfg->n_scales));
  json_object_set_array_member (f->config, "bnFactor", uint_array (cfg->bnFactor, cfg->n_scales));
  json_object_set_int_member (f->config, "nBlocks", cfg->nBlocks);
  json_object_set_int_member (f->config, "block_step", cfg->block_step);
  json_object_set_int_member (f->config, "step", cfg->step);
  json_object_set_string_member (f->config, "stepmode", cfg->stepmode == RANET_STEPMODE_LG ? "lg" : "even");
  json_object_set_int_member (f->config, "nChannels", cfg->nChannels);
  json_object_set_int_member (f->config, "growthRate", cfg->growthRate);
  json_object_set_double_member (f->config, "reduction", cfg->reduction);
  json_object_set_double_member (f->config, "compress_factor", cfg->compress_factor);
  json_object_set_boolean_member (f->config, "bnAfter", cfg->bnAfter);
  json_object_set_string_member (f->config, "stem", cfg->stem == RANET_STEM_CIFAR ? "cifar" : "imagenet");
  json_object_set_int_member (f->config, "num_classes", cfg->num_classes);
  json_object_set_int_member (f->config, "in_channels", cfg->in_channels);
  json_object_set_int_member (f->config, "head_channels", cfg->head_channels);

  f->preprocess = json_object_new ();
  json_object_set_array_member (f->preprocess, "input_size", uint_array ((guint[]) { cfg->input_h, cfg->input_w }, 2));
  json_object_set_int_member (f->preprocess, "channels", cfg->in_channels);
  json_object_set_array_member (f->preprocess, "mean", double_array (mean, cfg->in_channels));
  json_object_set_array_member (f->preprocess, "std", double_array (std, cfg->in_channels));
  json_object_set_string_member (f->preprocess, "resize", "stretch");

  f->labels = json_array_new ();
  for (guint i = 0; i < cfg->num_classes; i++) {
    g_autofree char *label = g_strdup_printf ("class %u", i);
    json_array_add_string_element (f->labels, label);
  }

  macs = g_new (double, f->n_exits);
  thresholds = g_new (double, f->n_exits);
  fractions = g_new (double, f->n_exits);
  for (guint k = 0; k < f->n_exits; k++) {
    macs[k] = (double) ranet_graph_get_exit_macs (graph, k);
    thresholds[k] = k + 1 == f->n_exits ? -1.0 : 0.75;
    fractions[k] = 1.0 / f->n_exits;
  }
  f->calibration = json_object_new ();
  json_object_set_array_member (f->calibration, "exit_macs", double_array (macs, f->n_exits));
  ops = json_array_new ();
  op = json_object_new ();
  json_object_set_double_member (op, "ratio", 0.5);
  json_object_set_array_member (op, "thresholds", double_array (thresholds, f->n_exits));
  json_object_set_array_member (op, "exit_fractions", double_array (fractions, f->n_exits));
  json_object_set_double_member (op, "val_accuracy", 91.5);
  json_object_set_double_member (op, "test_accuracy", 90.25);
  json_object_set_double_member (op, "expected_macs", macs[0]);
  json_array_add_object_element (ops, op);
  json_object_set_array_member (f->calibration, "operating_points", ops);
  g_free (macs);
  g_free (thresholds);
  g_free (fractions);

  f->card = json_object_new ();
  json_object_set_string_member (f->card, "source", "test-model");

  f->tensors = g_ptr_array_new_with_free_func (test_tensor_free);
  expected = ranet_graph_get_expected_tensors (graph, &n_expected);
  for (guint i = 0; i < n_expected; i++) {
    TestTensor *t = g_new0 (TestTensor, 1);

    t->name = g_strdup (expected[i].name);
    t->n_dims = expected[i].n_dims;
    t->n = 1;
    for (guint d = 0; d < t->n_dims; d++) {
      t->dims[d] = expected[i].dims[d];
      t->n *= t->dims[d];
    }
    t->values = g_new (float, t->n);
    for (gsize k = 0; k < t->n; k++)
      t->values[k] = test_value (t->name, k);
    g_ptr_array_add (f->tensors, t);
  }
  return f;
}

static TestTensor *
fixture_tensor (Fixture *f, const char *name)
{
  for (guint i = 0; i < f->tensors->len; i++) {
    TestTensor *t = g_ptr_array_index (f->tensors, i);
    if (strcmp (t->name, name) == 0)
      return t;
  }
  g_error ("the fixture has no tensor %s", name);
  return NULL;
}

/* For values exactly representable in float16 (normal or subnormal). */
static guint16
float_to_half (float v)
{
  guint16 sign = signbit (v) ? 0x8000 : 0;
  double a = fabs ((double) v);
  int e;

  if (a == 0)
    return sign;
  if (isinf (v))
    return sign | 0x7c00;
  if (isnan (v))
    return 0x7e00;
  frexp (a, &e);   /* a = m * 2^e, m in [0.5, 1) */
  if (e - 1 < -14)
    return sign | (guint16) lrint (a * 16777216.0);   /* subnormal: a / 2^-24 */
  return sign | (guint16) ((e - 1 + 15) << 10) | (guint16) (lrint (ldexp (a, 11 - e)) & 0x3ff);
}

static char *
node_to_string (JsonNode *node)
{
  return json_to_string (node, FALSE);
}

static char *
object_to_string (JsonObject *obj)
{
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), obj);
  return node_to_string (node);
}

static gint
compare_tensor_names (gconstpointer a, gconstpointer b)
{
  return strcmp ((*(TestTensor *const *) a)->name, (*(TestTensor *const *) b)->name);
}

static void
set_meta_object (JsonObject *meta, const char *key, JsonObject *obj)
{
  g_autofree char *text = NULL;

  if (obj == NULL)
    return;
  text = object_to_string (obj);
  json_object_set_string_member (meta, key, text);
}

/* The safetensors layout, as python/ranet/safetensors_io.py writes it: tensors in
 * name order, back to back, the header padded with spaces to 8 bytes. @fn
 * may change the header before it is written. */
static GBytes *
fixture_encode_with (Fixture *f, HeaderFn fn, gpointer user_data)
{
  JsonObject *header = json_object_new ();
  JsonObject *meta = json_object_new ();
  g_autoptr (GByteArray) data = g_byte_array_new ();
  g_autoptr (GByteArray) out = g_byte_array_new ();
  g_autoptr (JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  g_autoptr (JsonNode) labels = json_node_init_array (json_node_alloc (), f->labels);
  g_autoptr (GPtrArray) sorted = g_ptr_array_sized_new (f->tensors->len);
  g_autofree char *labels_text = node_to_string (labels);
  g_autoptr (GString) text = NULL;
  g_autofree char *header_text = NULL;
  guint64 len;

  json_node_take_object (root, header);

  set_meta_object (meta, "ranet.config", f->config);
  set_meta_object (meta, "ranet.preprocess", f->preprocess);
  json_object_set_string_member (meta, "ranet.labels", labels_text);
  set_meta_object (meta, "ranet.calibration", f->calibration);
  set_meta_object (meta, "ranet.card", f->card);
  json_object_set_object_member (header, "__metadata__", meta);

  for (guint i = 0; i < f->tensors->len; i++)
    g_ptr_array_add (sorted, g_ptr_array_index (f->tensors, i));
  g_ptr_array_sort (sorted, compare_tensor_names);
  for (guint i = 0; i < sorted->len; i++) {
    TestTensor *t = g_ptr_array_index (sorted, i);
    JsonObject *entry = json_object_new ();
    JsonArray *offsets = json_array_new ();

    json_object_set_string_member (entry, "dtype", t->f16 ? "F16" : "F32");
    json_object_set_array_member (entry, "shape", uint_array (t->dims, t->n_dims));
    json_array_add_int_element (offsets, data->len);
    for (gsize k = 0; k < t->n; k++) {
      if (t->f16) {
        guint16 h = GUINT16_TO_LE (float_to_half (t->values[k]));
        g_byte_array_append (data, (const guint8 *) &h, 2);
      } else {
        guint32 bits;
        memcpy (&bits, &t->values[k], 4);
        bits = GUINT32_TO_LE (bits);
        g_byte_array_append (data, (const guint8 *) &bits, 4);
      }
    }
    json_array_add_int_element (offsets, data->len);
    json_object_set_array_member (entry, "data_offsets", offsets);
    json_object_set_object_member (header, t->name, entry);
  }

  if (fn != NULL)
    fn (header, user_data);

  header_text = node_to_string (root);
  text = g_string_new (header_text);
  while ((8 + text->len) % 8 != 0)
    g_string_append_c (text, ' ');
  len = GUINT64_TO_LE ((guint64) text->len);
  g_byte_array_append (out, (const guint8 *) &len, 8);
  g_byte_array_append (out, (const guint8 *) text->str, text->len);
  g_byte_array_append (out, data->data, data->len);
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static GBytes *
fixture_encode (Fixture *f)
{
  return fixture_encode_with (f, NULL, NULL);
}

static RanetModel *
load (GBytes *bytes, GError **error)
{
  return ranet_model_load_bytes (bytes, FILE_NAME, error);
}

/* Loading fails with @code and a message naming the file and every one of
 * the NULL-terminated words that follow. */
G_GNUC_NULL_TERMINATED
static void
assert_load_fails (GBytes *bytes, RanetModelError code, ...)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RanetModel) model = load (bytes, &error);
  va_list args;
  const char *word;

  g_assert_null (model);
  g_assert_nonnull (error);
  if (g_test_verbose ())
    g_test_message ("%s", error->message);
  g_assert_error (error, RANET_MODEL_ERROR, (gint) code);
  g_assert_true (g_str_has_prefix (error->message, FILE_NAME ": "));
  va_start (args, code);
  while ((word = va_arg (args, const char *)) != NULL) {
    if (strstr (error->message, word) == NULL)
      g_error ("message \"%s\" does not name \"%s\"", error->message, word);
  }
  va_end (args);
}

static RanetModel *
assert_loads (GBytes *bytes)
{
  g_autoptr (GError) error = NULL;
  RanetModel *model = load (bytes, &error);

  g_assert_no_error (error);
  g_assert_nonnull (model);
  return model;
}

/* ---- valid files ---- */

static void
assert_tensor_matches (RanetModel *model, const TestTensor *t)
{
  const float *data = NULL;
  const guint *dims = NULL;
  guint n_dims = 0;

  g_assert_true (ranet_model_get_tensor_f32 (model, t->name, &data, &dims, &n_dims));
  g_assert_cmpuint (n_dims, ==, t->n_dims);
  for (guint d = 0; d < n_dims; d++)
    g_assert_cmpuint (dims[d], ==, t->dims[d]);
  g_assert_cmpmem (data, t->n * sizeof (float), t->values, t->n * sizeof (float));
}

static void
test_valid (void)
{
  RanetConfig cfg = tiny_config ();
  g_autoptr (Fixture) f = fixture_new (&cfg);
  g_autoptr (GBytes) bytes = fixture_encode (f);
  g_autoptr (RanetModel) model = assert_loads (bytes);
  const RanetConfig *c = ranet_model_get_config (model);
  const RanetPreprocess *pp = ranet_model_get_preprocess (model);
  const RanetCalibration *cal = ranet_model_get_calibration (model);
  const char *const *labels = ranet_model_get_labels (model);

  g_assert_cmpstr (ranet_model_get_display_name (model), ==, FILE_NAME);
  g_assert_cmpmem (c, sizeof *c, &cfg, sizeof cfg);
  g_assert_cmpuint (pp->input_h, ==, 16);
  g_assert_cmpuint (pp->input_w, ==, 16);
  g_assert_cmpuint (pp->channels, ==, 1);
  g_assert_cmpfloat (pp->mean[0], ==, 0.5f);
  g_assert_cmpfloat (pp->std[0], ==, 0.25f);
  g_assert_cmpstr (pp->resize, ==, "stretch");
  g_assert_cmpuint (g_strv_length ((GStrv) labels), ==, 3);
  g_assert_cmpstr (labels[2], ==, "class 2");
  g_assert_cmpuint (ranet_model_get_n_exits (model), ==, f->n_exits);
  g_assert_cmpuint (ranet_model_get_n_exits (model), ==, ranet_graph_get_n_exits (ranet_model_get_graph (model)));
  g_assert_cmpuint (cal->n_exits, ==, f->n_exits);
  g_assert_cmpuint (cal->n_operating_points, ==, 1);
  g_assert_cmpfloat (cal->operating_points[0].ratio, ==, 0.5);
  g_assert_cmpfloat (cal->operating_points[0].thresholds[f->n_exits - 1], ==, -1.0);
  g_assert_cmpfloat (cal->operating_points[0].thresholds[0], ==, 0.75);
  g_assert_cmpfloat (cal->operating_points[0].val_accuracy, ==, 91.5);
  g_assert_cmpfloat (cal->operating_points[0].test_accuracy, ==, 90.25);
  for (guint k = 0; k < f->n_exits; k++) {
    g_assert_cmpfloat (cal->exit_macs[k], ==, (double) ranet_graph_get_exit_macs (ranet_model_get_graph (model), k));
    g_assert_cmpfloat_with_epsilon (cal->operating_points[0].exit_fractions[k], 1.0 / f->n_exits, 1e-12);
  }
  g_assert_cmpstr (ranet_model_get_card (model), ==, "{\"source\":\"test-model\"}");

  g_assert_cmpuint (ranet_model_get_n_tensors (model), ==, f->tensors->len);
  for (guint i = 0; i < f->tensors->len; i++)
    assert_tensor_matches (model, g_ptr_array_index (f->tensors, i));
  g_assert_false (ranet_model_get_tensor_f32 (model, "no.such.tensor", NULL, NULL, NULL));
}

static void
test_optional_fields (void)
{
  RanetConfig cfg = tiny_config ();
  g_autoptr (Fixture) f = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (RanetModel) model = NULL;

  /* head_channels may be left out: the reference's 128. */
  cfg.head_channels = 128;
  f = fixture_new (&cfg);
  json_object_remove_member (f->config, "head_channels");
  g_clear_pointer (&f->card, json_object_unref);
  bytes = fixture_encode (f);
  model = assert_loads (bytes);
  g_assert_cmpuint (ranet_model_get_config (model)->head_channels, ==, 128);
  g_assert_null (ranet_model_get_card (model));
}

/* The file from disk goes through GMappedFile; F32 data is used in place. */
static void
test_load_file (void)
{
  RanetConfig cfg = tiny_config ();
  g_autoptr (Fixture) f = fixture_new (&cfg);
  g_autoptr (GBytes) bytes = fixture_encode (f);
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-model-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree char *missing = NULL;
  g_autoptr (RanetModel) model = NULL;
  RanetModel *none;

  g_assert_no_error (error);
  path = g_build_filename (dir, "tiny.safetensors", NULL);
  missing = g_build_filename (dir, "missing.safetensors", NULL);
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (bytes, NULL), (gssize) g_bytes_get_size (bytes), &error));
  g_assert_no_error (error);

  model = ranet_model_load_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ranet_model_get_display_name (model), ==, path);
  assert_tensor_matches (model, g_ptr_array_index (f->tensors, 0));

  none = ranet_model_load_file (missing, &error);
  g_assert_null (none);
  g_assert_error (error, RANET_MODEL_ERROR, RANET_MODEL_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, missing));
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (missing, "", 0, &error));
  none = ranet_model_load_file (missing, &error);
  g_assert_null (none);
  g_assert_error (error, RANET_MODEL_ERROR, RANET_MODEL_ERROR_CORRUPT);
  g_clear_error (&error);
  g_unlink (missing);

  none = ranet_model_load_file (dir, &error);
  g_assert_null (none);
  g_assert_error (error, RANET_MODEL_ERROR, RANET_MODEL_ERROR_IO);
  g_clear_error (&error);

  g_unlink (path);
  g_rmdir (dir);
}

/* F16 tensors load equal to the F32 values they hold, subnormals and signs
 * included. */
static void
test_f16 (void)
{
  RanetConfig cfg = tiny_config ();
  g_autoptr (Fixture) f = fixture_new (&cfg);
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (RanetModel) model = NULL;
  TestTensor *special = fixture_tensor (f, "classifier.0.linear.weight");
  const float values[] = { 0.0f, -0.0f, 1.0f, -2.5f, 65504.0f, -65504.0f, 6.103515625e-05f /* 2^-14 */,
                           5.9604644775390625e-08f /* 2^-24, smallest subnormal */, -3.0517578125e-05f /* 2^-15 */,
                           0.333251953125f };

  g_assert_cmpuint (special->n, >=, G_N_ELEMENTS (values));
  memcpy (special->values, values, sizeof values);
  for (guint i = 0; i < f->tensors->len; i++)
    ((TestTensor *) g_ptr_array_index (f->tensors, i))->f16 = i % 2 == 0 || g_ptr_array_index (f->tensors, i) == special;
  bytes = fixture_encode (f);
  model = assert_loads (bytes);
  for (guint i = 0; i < f->tensors->len; i++)
    assert_tensor_matches (model, g_ptr_array_index (f->tensors, i));
}

static guint64 header_len (GBytes *bytes);

/* A header whose length is not a multiple of 4 leaves F32 data unaligned:
 * the loader copies it instead of pointing into the file. */
static void
test_unaligned (void)
{
  RanetConfig cfg = tiny_config ();
  g_autoptr (Fixture) f = fixture_new (&cfg);
  g_autoptr (GBytes) bytes = fixture_encode (f);
  gsize size;
  const guint8 *src = g_bytes_get_data (bytes, &size);
  guint64 hlen = header_len (bytes);
  guint64 new_len = GUINT64_TO_LE (hlen + 1);
  guint8 *copy = g_malloc (size + 1);
  g_autoptr (GBytes) b = NULL;
  g_autoptr (RanetModel) model = NULL;

  memcpy (copy, &new_len, 8);
  memcpy (copy + 8, src + 8, hlen);
  copy[8 + hlen] = ' ';
  memcpy (copy + 9 + hlen, src + 8 + hlen, size - 8 - hlen);
  b = g_bytes_new_take (copy, size + 1);
  model = assert_loads (b);
  for (guint i = 0; i < f->tensors->len; i++)
    assert_tensor_matches (model, g_ptr_array_index (f->tensors, i));
}

/* BatchNorm folding against a computation written out here. */
static void
check_folded_conv (RanetModel *model, const char *weight, const char *bias, const char *bn)
{
  g_autoptr (GError) error = NULL;
  g_autofree float *w_out = NULL;
  g_autofree float *b_out = NULL;
  g_autofree char *n_gamma = g_strconcat (bn, ".weight", NULL);
  g_autofree char *n_beta = g_strconcat (bn, ".bias", NULL);
  g_autofree char *n_mean = g_strconcat (bn, ".running_mean", NULL);
  g_autofree char *n_var = g_strconcat (bn, ".running_var", NULL);
  const float *w, *b = NULL, *gamma, *beta, *mean, *var;
  const guint *dims;
  guint n_dims;
  gsize per_out = 1;

  g_assert_true (ranet_model_get_tensor_f32 (model, weight, &w, &dims, &n_dims));
  if (bias != NULL)
    g_assert_true (ranet_model_get_tensor_f32 (model, bias, &b, NULL, NULL));
  g_assert_true (ranet_model_get_tensor_f32 (model, n_gamma, &gamma, NULL, NULL));
  g_assert_true (ranet_model_get_tensor_f32 (model, n_beta, &beta, NULL, NULL));
  g_assert_true (ranet_model_get_tensor_f32 (model, n_mean, &mean, NULL, NULL));
  g_assert_true (ranet_model_get_tensor_f32 (model, n_var, &var, NULL, NULL));
  for (guint d = 1; d < n_dims; d++)
    per_out *= dims[d];

  g_assert_true (ranet_model_get_folded_conv (model, weight, bias, bn, &w_out, &b_out, &error));
  g_assert_no_error (error);
  for (guint o = 0; o < dims[0]; o++) {
    double s = gamma[o] / sqrt ((double) var[o] + 1e-5);
    double expect_b = beta[o] + ((b != NULL ? b[o] : 0.0) - mean[o]) * s;

    g_assert_cmpfloat_with_epsilon (b_out[o], expect_b, 1e-5 * (1 + fabs (expect_b)));
    for (gsize k = 0; k < per_out; k++) {
      double expect_w = w[o * per_out + k] * s;
      g_assert_cmpfloat_with_epsilon (w_out[o * per_out + k], expect_w, 1e-5 * (1 + fabs (expect_w)));
    }
  }
}

static void
test_fold (void)
{
  RanetConfig cfg = tiny_config ();
  g_autoptr (Fixture) f = fixture_new (&cfg);
  g_autoptr (GBytes) bytes = fixture_encode (f);
  g_autoptr (RanetModel) model = assert_loads (bytes);
  g_autoptr (GError) error = NULL;
  g_autofree float *scale = NULL;
  g_autofree float *shift = NULL;
  g_autofree float *w = NULL;
  g_autofree float *b = NULL;
  const float *gamma, *beta, *mean, *var, *lin_w, *lin_b;
  guint n = 0;
  const RanetGraph *graph = ranet_model_get_graph (model);
  gboolean folded_a_layer = FALSE;

  check_folded_conv (model, "FirstLayer.layers.0.net.0.weight", NULL, "FirstLayer.layers.0.net.1");
  check_folded_conv (model, "FirstLayer.layers.1.net.0.weight", NULL, "FirstLayer.layers.1.net.1");

  g_assert_true (ranet_model_get_bn_affine (model, "FirstLayer.layers.0.net.1", &scale, &shift, &n, &error));
  g_assert_no_error (error);
  g_assert_true (ranet_model_get_tensor_f32 (model, "FirstLayer.layers.0.net.1.weight", &gamma, NULL, NULL));
  g_assert_true (ranet_model_get_tensor_f32 (model, "FirstLayer.layers.0.net.1.bias", &beta, NULL, NULL));
  g_assert_true (ranet_model_get_tensor_f32 (model, "FirstLayer.layers.0.net.1.running_mean", &mean, NULL, NULL));
  g_assert_true (ranet_model_get_tensor_f32 (model, "FirstLayer.layers.0.net.1.running_var", &var, NULL, NULL));
  g_assert_cmpuint (n, ==, cfg.nChannels * cfg.grFactor[cfg.n_scales - 1]);
  for (guint i = 0; i < n; i++) {
    double s = gamma[i] / sqrt ((double) var[i] + 1e-5);
    g_assert_cmpfloat_with_epsilon (scale[i], s, 1e-6 * (1 + fabs (s)));
    g_assert_cmpfloat_with_epsilon (shift[i], beta[i] - mean[i] * s, 1e-6 * (1 + fabs (beta[i] - mean[i] * s)));
  }

  /* A linear layer: weight and bias as stored. */
  g_assert_true (ranet_model_get_folded_conv (model, "classifier.0.linear.weight", "classifier.0.linear.bias", NULL, &w,
                                              &b, &error));
  g_assert_true (ranet_model_get_tensor_f32 (model, "classifier.0.linear.weight", &lin_w, NULL, NULL));
  g_assert_true (ranet_model_get_tensor_f32 (model, "classifier.0.linear.bias", &lin_b, NULL, NULL));
  g_assert_cmpmem (w, cfg.num_classes * cfg.head_channels * sizeof (float), lin_w,
                   cfg.num_classes * cfg.head_channels * sizeof (float));
  g_assert_cmpmem (b, cfg.num_classes * sizeof (float), lin_b, cfg.num_classes * sizeof (float));
  g_clear_pointer (&w, g_free);
  g_clear_pointer (&b, g_free);

  g_assert_false (ranet_model_get_folded_conv (model, "no.such.weight", NULL, NULL, &w, &b, &error));
  g_assert_error (error, RANET_MODEL_ERROR, RANET_MODEL_ERROR_MISMATCH);
  g_assert_nonnull (strstr (error->message, "no.such.weight"));
  g_clear_error (&error);
  g_assert_false (ranet_model_get_folded_conv (model, "FirstLayer.layers.0.net.0.weight", NULL, "no.such.bn", &w, &b,
                                               &error));
  g_assert_error (error, RANET_MODEL_ERROR, RANET_MODEL_ERROR_MISMATCH);
  g_clear_error (&error);

  /* Every layer of the graph folds from the model's tensors. */
  for (guint i = 0; i < ranet_graph_get_n_layers (graph); i++) {
    g_autoptr (RanetLayerWeights) lw = ranet_model_fold_layer_weights (model, i, &error);
    const RanetLayer *layer = ranet_graph_get_layer (graph, i);

    g_assert_no_error (error);
    g_assert_nonnull (lw);
    if (layer->kind == RANET_LAYER_CONV2D && layer->weight != NULL
        && strcmp (layer->weight, "FirstLayer.layers.0.net.0.weight") == 0) {
      g_autofree float *w2 = NULL;
      g_autofree float *b2 = NULL;
      g_assert_true (ranet_model_get_folded_conv (model, layer->weight, layer->bias, layer->bn_after, &w2, &b2, &error));
      g_assert_cmpmem (lw->weight, 4 * sizeof (float), w2, 4 * sizeof (float));
      folded_a_layer = TRUE;
    }
  }
  g_assert_true (folded_a_layer);
}

/* ---- damaged containers ---- */

static GBytes *
patched (GBytes *bytes, gsize offset, const void *data, gsize len)
{
  gsize size;
  const guint8 *src = g_bytes_get_data (bytes, &size);
  guint8 *copy = g_memdup2 (src, size);

  g_assert_cmpuint (offset + len, <=, size);
  memcpy (copy + offset, data, len);
  return g_bytes_new_take (copy, size);
}

static guint64
header_len (GBytes *bytes)
{
  guint64 len;

  memcpy (&len, g_bytes_get_data (bytes, NULL), 8);
  return GUINT64_FROM_LE (len);
}

static void
test_container (void)
{
  RanetConfig cfg = tiny_config ();
  g_autoptr (Fixture) f = fixture_new (&cfg);
  g_autoptr (GBytes) bytes = fixture_encode (f);
  gsize size = g_bytes_get_size (bytes);
  guint64 hlen = header_len (bytes);

  {
    g_autoptr (GBytes) b = g_bytes_new (NULL, 0);
    assert_load_fails (b, RANET_MODEL_ERROR_CORRUPT, "0 bytes", "at least 8", NULL);
  }
  {
    g_autoptr (GBytes) b = g_bytes_new_from_bytes (bytes, 0, 5);
    assert_load_fails (b, RANET_MODEL_ERROR_CORRUPT, "5 bytes", NULL);
  }
  {
    /* Truncated inside the header. */
    g_autoptr (GBytes) b = g_bytes_new_from_bytes (bytes, 0, 8 + hlen / 2);
    assert_load_fails (b, RANET_MODEL_ERROR_CORRUPT, "header length", "truncated", NULL);
  }
  {
    /* Truncated inside the data: the last tensor by offset reaches past it. */
    g_autoptr (GBytes) b = g_bytes_new_from_bytes (bytes, 0, size - 4);
    assert_load_fails (b, RANET_MODEL_ERROR_CORRUPT, "data_offsets", NULL);
  }
  {
    guint64 len = GUINT64_TO_LE ((guint64) size);
    g_autoptr (GBytes) b = patched (bytes, 0, &len, 8);
    assert_load_fails (b, RANET_MODEL_ERROR_CORRUPT, "header length", NULL);
  }
  {
    guint64 len = GUINT64_TO_LE (G_GUINT64_CONSTANT (1) << 62);
    g_autoptr (GBytes) b = patched (bytes, 0, &len, 8);
    assert_load_fails (b, RANET_MODEL_ERROR_CORRUPT, "header length", "at most", NULL);
  }
  {
    g_autoptr (GBytes) b = patched (bytes, 8, "{\"a\": nope", 10);
    assert_load_fails (b, RANET_MODEL_ERROR_CORRUPT, "header", "not valid JSON", NULL);
  }
  {
    g_autoptr (GBytes) b = patched (bytes, 8, "{\"a\":\0", 6);
    assert_load_fails (b, RANET_MODEL_ERROR_CORRUPT, "header", "nul", NULL);
  }
  {
    /* A header of only spaces and a list. */
    g_autofree char *blank = g_malloc (hlen);
    g_autoptr (GBytes) b = NULL;
    memset (blank, ' ', hlen);
    memcpy (blank, "[1, 2]", 6);
    b = patched (bytes, 8, blank, hlen);
    assert_load_fails (b, RANET_MODEL_ERROR_CORRUPT, "header", "a list", "expected a JSON object", NULL);
  }
  {
    /* A second value after the header's object: json-glib 1.6 would leak it. */
    g_autofree char *two = g_malloc (hlen);
    g_autoptr (GBytes) b = NULL;
    memset (two, ' ', hlen);
    memcpy (two, "{\"a\": 1} [1, 2]", 15);
    b = patched (bytes, 8, two, hlen);
    assert_load_fails (b, RANET_MODEL_ERROR_CORRUPT, "header", "more text follows", "byte 9", NULL);
  }
  {
    /* Deep nesting must not reach json-glib's recursive parser. */
    g_autofree char *deep = g_malloc (hlen);
    g_autoptr (GBytes) b = NULL;
    memset (deep, '[', hlen);
    b = patched (bytes, 8, deep, hlen);
    assert_load_fails (b, RANET_MODEL_ERROR_CORRUPT, "header", "nests", NULL);
  }
}

/* Replaces one field of a tensor entry with a JSON value. */
typedef struct {
  const char *tensor;
  const char *field;
  const char *json;     /* NULL: remove the field */
} EntryEdit;

static void
edit_entry (JsonObject *header, gpointer user_data)
{
  const EntryEdit *e = user_data;
  JsonObject *entry;

  g_assert_true (json_object_has_member (header, e->tensor));
  entry = json_object_get_object_member (header, e->tensor);
  if (e->json == NULL) {
    json_object_remove_member (entry, e->field);
  } else {
    g_autoptr (GError) error = NULL;
    JsonNode *value = json_from_string (e->json, &error);
    g_assert_no_error (error);
    json_object_set_member (entry, e->field, value);
  }
}

static void
assert_entry_edit_fails (Fixture *f, const char *tensor, const char *field, const char *json, RanetModelError code,
                         const char *word)
{
  EntryEdit e = { tensor, field, json };
  g_autoptr (GBytes) b = fixture_encode_with (f, edit_entry, &e);

  assert_load_fails (b, code, tensor, word, NULL);
}

static void
get_offsets (JsonObject *header, const char *name, gint64 *begin, gint64 *end)
{
  JsonArray *a = json_object_get_array_member (json_object_get_object_member (header, name), "data_offsets");

  *begin = json_array_get_int_element (a, 0);
  *end = json_array_get_int_element (a, 1);
}

/* The BatchNorm's weight takes its bias's bytes: same size, so only the
 * overlap (and the gap it leaves further on) is wrong. */
static void
make_overlap (JsonObject *header, gpointer user_data)
{
  gint64 begin, end;
  JsonArray *a = json_array_new ();

  get_offsets (header, "FirstLayer.layers.0.net.1.bias", &begin, &end);
  json_array_add_int_element (a, begin);
  json_array_add_int_element (a, end);
  json_object_set_array_member (json_object_get_object_member (header, "FirstLayer.layers.0.net.1.weight"),
                                "data_offsets", a);
}

static void
swap_ends (JsonObject *header, gpointer user_data)
{
  gint64 begin, end;
  JsonArray *a = json_array_new ();

  get_offsets (header, "FirstLayer.layers.0.net.0.weight", &begin, &end);
  json_array_add_int_element (a, end);
  json_array_add_int_element (a, begin);
  json_object_set_array_member (json_object_get_object_member (header, "FirstLayer.layers.0.net.0.weight"),
                                "data_offsets", a);
}

static void
test_tensor_entries (void)
{
  RanetConfig cfg = tiny_config ();
  g_autoptr (Fixture) f = fixture_new (&cfg);
  const char *w = "FirstLayer.layers.0.net.0.weight";

  assert_entry_edit_fails (f, w, "dtype", "\"I64\"", RANET_MODEL_ERROR_UNSUPPORTED, "I64");
  assert_entry_edit_fails (f, w, "dtype", "\"BF16\"", RANET_MODEL_ERROR_UNSUPPORTED, "F32 or F16");
  assert_entry_edit_fails (f, w, "dtype", "32", RANET_MODEL_ERROR_CORRUPT, "dtype");
  assert_entry_edit_fails (f, w, "dtype", NULL, RANET_MODEL_ERROR_CORRUPT, "dtype");
  assert_entry_edit_fails (f, w, "shape", NULL, RANET_MODEL_ERROR_CORRUPT, "shape");
  assert_entry_edit_fails (f, w, "data_offsets", NULL, RANET_MODEL_ERROR_CORRUPT, "data_offsets");
  assert_entry_edit_fails (f, w, "extra", "1", RANET_MODEL_ERROR_CORRUPT, "extra");
  assert_entry_edit_fails (f, w, "shape", "\"8,1,3,3\"", RANET_MODEL_ERROR_CORRUPT, "shape");
  assert_entry_edit_fails (f, w, "shape", "[8, -1, 3, 3]", RANET_MODEL_ERROR_CORRUPT, "shape[1]");
  assert_entry_edit_fails (f, w, "shape", "[8, 1.5, 3, 3]", RANET_MODEL_ERROR_CORRUPT, "shape[1]");
  assert_entry_edit_fails (f, w, "shape", "[8, 1, 3, 99999999999]", RANET_MODEL_ERROR_CORRUPT, "shape[3]");
  assert_entry_edit_fails (f, w, "shape", "[8, 1, 3, 99999999999999999999999]", RANET_MODEL_ERROR_CORRUPT,
                           "shape[3]");
  assert_entry_edit_fails (f, w, "shape", "[2147483647, 2147483647, 2147483647, 2147483647, 2147483647]",
                           RANET_MODEL_ERROR_CORRUPT, "overflow");
  assert_entry_edit_fails (f, w, "shape", "[65536, 65536, 65536]", RANET_MODEL_ERROR_CORRUPT, "elements");
  assert_entry_edit_fails (f, w, "shape", "[1,1,1,1,1,1,1,1,1]", RANET_MODEL_ERROR_UNSUPPORTED, "dimensions");
  assert_entry_edit_fails (f, w, "shape", "[9, 1, 3, 3]", RANET_MODEL_ERROR_CORRUPT, "expected 324");
  assert_entry_edit_fails (f, w, "data_offsets", "[0]", RANET_MODEL_ERROR_CORRUPT, "data_offsets");
  assert_entry_edit_fails (f, w, "data_offsets", "{}", RANET_MODEL_ERROR_CORRUPT, "data_offsets");
  assert_entry_edit_fails (f, w, "data_offsets", "[0, \"4\"]", RANET_MODEL_ERROR_CORRUPT, "data_offsets[1]");
  assert_entry_edit_fails (f, w, "data_offsets", "[-4, 0]", RANET_MODEL_ERROR_CORRUPT, "data_offsets[0]");
  assert_entry_edit_fails (f, w, "data_offsets", "[0, 1000000000]", RANET_MODEL_ERROR_CORRUPT, "data_offsets[1]");
  assert_entry_edit_fails (f, w, "data_offsets", "[0, 1e3]", RANET_MODEL_ERROR_CORRUPT, "data_offsets[1]");

  {
    g_autoptr (GBytes) b = fixture_encode_with (f, make_overlap, NULL);
    assert_load_fails (b, RANET_MODEL_ERROR_CORRUPT, "overlap", "FirstLayer.layers.0.net.1.", NULL);
  }
  {
    g_autoptr (GBytes) b = fixture_encode_with (f, swap_ends, NULL);
    assert_load_fails (b, RANET_MODEL_ERROR_CORRUPT, w, "end before begin", NULL);
  }
}

static void
test_tensor_set (void)
{
  RanetConfig cfg = tiny_config ();
  g_autoptr (Fixture) f = fixture_new (&cfg);
  const char *w = "FirstLayer.layers.0.net.0.weight";

  {
    /* Same bytes, dimensions swapped: only the architecture check sees it. */
    TestTensor *t = fixture_tensor (f, w);
    g_autoptr (GBytes) b = NULL;
    guint d0 = t->dims[0];

    t->dims[0] = t->dims[1];
    t->dims[1] = d0;
    b = fixture_encode (f);
    assert_load_fails (b, RANET_MODEL_ERROR_MISMATCH, w, "shape [1, 4, 3, 3]", "expected [4, 1, 3, 3]", NULL);
    t->dims[1] = t->dims[0];
    t->dims[0] = d0;
  }
  {
    guint i;
    TestTensor *t;
    g_autoptr (GBytes) b = NULL;

    for (i = 0; i < f->tensors->len && strcmp (((TestTensor *) g_ptr_array_index (f->tensors, i))->name, w) != 0; i++)
      ;
    t = g_ptr_array_steal_index (f->tensors, i);
    b = fixture_encode (f);
    assert_load_fails (b, RANET_MODEL_ERROR_MISMATCH, "1 missing", w, NULL);
    g_ptr_array_insert (f->tensors, (gint) i, t);
  }
  {
    TestTensor *t = g_new0 (TestTensor, 1);
    g_autoptr (GBytes) b = NULL;

    t->name = g_strdup ("FirstLayer.layers.0.net.1.num_batches_tracked");
    t->n = 1;
    t->values = g_new0 (float, 1);
    g_ptr_array_add (f->tensors, t);
    b = fixture_encode (f);
    assert_load_fails (b, RANET_MODEL_ERROR_MISMATCH, "1 not part of the network", t->name, NULL);
    g_ptr_array_remove (f->tensors, t);
  }
  {
    TestTensor *t = fixture_tensor (f, "classifier.1.linear.bias");
    g_autoptr (GBytes) b = NULL;

    t->values[1] = NAN;
    b = fixture_encode (f);
    assert_load_fails (b, RANET_MODEL_ERROR_NON_FINITE, "classifier.1.linear.bias", "element 1", "NaN", NULL);
    t->values[1] = -INFINITY;
    g_clear_pointer (&b, g_bytes_unref);
    b = fixture_encode (f);
    assert_load_fails (b, RANET_MODEL_ERROR_NON_FINITE, "classifier.1.linear.bias", "infinite", NULL);
    t->f16 = TRUE;
    g_clear_pointer (&b, g_bytes_unref);
    b = fixture_encode (f);
    assert_load_fails (b, RANET_MODEL_ERROR_NON_FINITE, "classifier.1.linear.bias", "infinite", NULL);
    t->values[1] = 0;
    t->f16 = FALSE;
  }
  {
    /* A config for another network: many missing and extra, a few named. */
    g_autoptr (GBytes) b = NULL;
    json_object_set_int_member (f->config, "nChannels", 6);
    b = fixture_encode (f);
    assert_load_fails (b, RANET_MODEL_ERROR_MISMATCH, "shape", "expected", NULL);
    json_object_set_int_member (f->config, "nChannels", cfg.nChannels);
  }
}

/* ---- metadata ---- */

typedef struct {
  const char *key;
  const char *value;   /* NULL: remove the key */
  gboolean raw_json;   /* value is a JSON value for the key, not a string */
} MetaEdit;

static void
edit_meta (JsonObject *header, gpointer user_data)
{
  const MetaEdit *e = user_data;
  JsonObject *meta = json_object_get_object_member (header, "__metadata__");

  if (e->key == NULL)
    json_object_remove_member (header, "__metadata__");
  else if (e->value == NULL)
    json_object_remove_member (meta, e->key);
  else if (e->raw_json)
    json_object_set_member (meta, e->key, json_from_string (e->value, NULL));
  else
    json_object_set_string_member (meta, e->key, e->value);
}

static void
assert_meta_fails (Fixture *f, const MetaEdit *e, RanetModelError code, const char *word1, const char *word2)
{
  g_autoptr (GBytes) b = fixture_encode_with (f, edit_meta, (gpointer) e);

  assert_load_fails (b, code, word1, word2, NULL);
}

/* Sets @key of @obj to the JSON @json (NULL: removes it), loads, expects a
 * METADATA error naming @word, and puts the old value back. */
static void
assert_member_fails (Fixture *f, JsonObject *obj, const char *key, const char *json, const char *what,
                     const char *word)
{
  JsonNode *old = json_object_dup_member (obj, key);
  g_autoptr (GBytes) b = NULL;

  if (json == NULL)
    json_object_remove_member (obj, key);
  else
    json_object_set_member (obj, key, json_from_string (json, NULL));
  b = fixture_encode (f);
  assert_load_fails (b, RANET_MODEL_ERROR_METADATA, what, word, NULL);
  if (old != NULL)
    json_object_set_member (obj, key, old);
  else
    json_object_remove_member (obj, key);
}

static void
test_metadata_container (void)
{
  RanetConfig cfg = tiny_config ();
  g_autoptr (Fixture) f = fixture_new (&cfg);

  assert_meta_fails (f, &(MetaEdit) { NULL, NULL, FALSE }, RANET_MODEL_ERROR_METADATA, "ranet.config",
                     "__metadata__");
  assert_meta_fails (f, &(MetaEdit) { "ranet.config", NULL, FALSE }, RANET_MODEL_ERROR_METADATA, "ranet.config",
                     "missing");
  assert_meta_fails (f, &(MetaEdit) { "ranet.preprocess", NULL, FALSE }, RANET_MODEL_ERROR_METADATA,
                     "ranet.preprocess", "missing");
  assert_meta_fails (f, &(MetaEdit) { "ranet.labels", NULL, FALSE }, RANET_MODEL_ERROR_METADATA, "ranet.labels",
                     "missing");
  assert_meta_fails (f, &(MetaEdit) { "ranet.calibration", NULL, FALSE }, RANET_MODEL_ERROR_METADATA,
                     "ranet.calibration", "missing");
  assert_meta_fails (f, &(MetaEdit) { "ranet.config", "{\"nBlocks\": 1", FALSE }, RANET_MODEL_ERROR_METADATA,
                     "ranet.config", "not valid JSON");
  assert_meta_fails (f, &(MetaEdit) { "ranet.labels", "[\"a\", \"b\"] {}", FALSE }, RANET_MODEL_ERROR_METADATA,
                     "ranet.labels", "more text follows");
  /* A number beyond double range is no finite mean. */
  assert_meta_fails (f, &(MetaEdit) { "ranet.preprocess", "{\"input_size\": [16, 16], \"channels\": 1, "
                                      "\"mean\": [1e999], \"std\": [0.25], \"resize\": \"stretch\"}", FALSE },
                     RANET_MODEL_ERROR_METADATA, "ranet.preprocess", "mean[0]");
  assert_meta_fails (f, &(MetaEdit) { "ranet.preprocess", "{\"input_size\": [16, 16], \"channels\": 1, "
                                      "\"mean\": [NaN], \"std\": [0.25], \"resize\": \"stretch\"}", FALSE },
                     RANET_MODEL_ERROR_METADATA, "ranet.preprocess", "JSON");
  assert_meta_fails (f, &(MetaEdit) { "ranet.config", "[1, 2]", FALSE }, RANET_MODEL_ERROR_METADATA,
                     "ranet.config", "expected a JSON object");
  assert_meta_fails (f, &(MetaEdit) { "ranet.labels", "{\"0\": \"a\"}", FALSE }, RANET_MODEL_ERROR_METADATA,
                     "ranet.labels", "expected a list");
  assert_meta_fails (f, &(MetaEdit) { "ranet.card", "\"text\"", FALSE }, RANET_MODEL_ERROR_METADATA, "ranet.card",
                     "expected a JSON object");
  assert_meta_fails (f, &(MetaEdit) { "ranet.config", "{}", TRUE }, RANET_MODEL_ERROR_CORRUPT, "ranet.config",
                     "expected a string");
  assert_meta_fails (f, &(MetaEdit) { "ranet.labels", "3", TRUE }, RANET_MODEL_ERROR_CORRUPT, "ranet.labels",
                     "expected a string");
  {
    /* Metadata keys of other tools are allowed. */
    g_autoptr (GBytes) b = fixture_encode_with (f, edit_meta, &(MetaEdit) { "format", "pt", FALSE });
    g_autoptr (RanetModel) model = assert_loads (b);
    g_assert_nonnull (model);
  }
}

static void
replace_metadata_with_list (JsonObject *header, gpointer user_data)
{
  json_object_set_member (header, "__metadata__", json_from_string ("[\"ranet.config\"]", NULL));
}

static void
test_config (void)
{
  RanetConfig cfg = tiny_config ();
  g_autoptr (Fixture) f = fixture_new (&cfg);
  JsonObject *c = f->config;
  const char *what = "ranet.config";

  {
    g_autoptr (GBytes) b = fixture_encode_with (f, replace_metadata_with_list, NULL);
    assert_load_fails (b, RANET_MODEL_ERROR_CORRUPT, "__metadata__", "a list", NULL);
  }
  assert_member_fails (f, c, "nChannels", "\"4\"", what, "\"nChannels\" is a string");
  assert_member_fails (f, c, "nChannels", "1000000000", what, "\"nChannels\" is 1000000000");
  assert_member_fails (f, c, "nChannels", "4.0", what, "nChannels");
  assert_member_fails (f, c, "nChannels", "0", what, "nChannels");
  assert_member_fails (f, c, "nChannels", NULL, what, "\"nChannels\" is missing");
  assert_member_fails (f, c, "growthRate", "-2", what, "growthRate");
  assert_member_fails (f, c, "scale_list", "[1, 2, 3]", what, "grFactor");
  assert_member_fails (f, c, "scale_list", "[]", what, "scale_list");
  assert_member_fails (f, c, "scale_list", "[1,2,3,4,5,6,7,8,9]", what, "scale_list");
  assert_member_fails (f, c, "scale_list", "[2, 1]", what, "scale_list");
  assert_member_fails (f, c, "scale_list", "[1, \"2\"]", what, "scale_list[1]");
  assert_member_fails (f, c, "grFactor", "[2]", what, "grFactor");
  assert_member_fails (f, c, "bnFactor", "[2, 0]", what, "bnFactor[1]");
  assert_member_fails (f, c, "stepmode", "\"log\"", what, "stepmode");
  assert_member_fails (f, c, "stepmode", "1", what, "stepmode");
  assert_member_fails (f, c, "stem", "\"resnet\"", what, "stem");
  assert_member_fails (f, c, "in_channels", "2", what, "in_channels");
  assert_member_fails (f, c, "in_channels", "4", what, "in_channels");
  assert_member_fails (f, c, "num_classes", "0", what, "num_classes");
  assert_member_fails (f, c, "num_classes", "100001", what, "num_classes");
  assert_member_fails (f, c, "reduction", "0", what, "reduction");
  assert_member_fails (f, c, "reduction", "1.5", what, "reduction");
  assert_member_fails (f, c, "compress_factor", "1", what, "compress_factor");
  assert_member_fails (f, c, "bnAfter", "1", what, "bnAfter");
  assert_member_fails (f, c, "head_channels", "0", what, "head_channels");
  assert_member_fails (f, c, "nBlocks", "1000000", what, "nBlocks");
  /* Every field in range, the whole far too large to build. */
  assert_meta_fails (f, &(MetaEdit) { "ranet.config", "{\"scale_list\": [1,2,3,4,5,6,7,8], "
                                      "\"grFactor\": [1,1,1,1,1,1,1,1], \"bnFactor\": [1,1,1,1,1,1,1,1], "
                                      "\"nBlocks\": 64, \"block_step\": 64, \"step\": 64, \"stepmode\": \"lg\", "
                                      "\"nChannels\": 4, \"growthRate\": 2, \"reduction\": 0.5, "
                                      "\"compress_factor\": 0.5, \"bnAfter\": true, \"stem\": \"cifar\", "
                                      "\"num_classes\": 3, \"in_channels\": 1}", FALSE },
                     RANET_MODEL_ERROR_METADATA, what, "dense layers");
  assert_meta_fails (f, &(MetaEdit) { "ranet.config", "{\"scale_list\": [1,2], \"grFactor\": [64,64], "
                                      "\"bnFactor\": [1,1], \"nBlocks\": 8, \"block_step\": 8, \"step\": 8, "
                                      "\"stepmode\": \"even\", \"nChannels\": 4096, \"growthRate\": 4096, "
                                      "\"reduction\": 0.5, \"compress_factor\": 0.5, \"bnAfter\": true, "
                                      "\"stem\": \"cifar\", \"num_classes\": 3, \"in_channels\": 1}", FALSE },
                     RANET_MODEL_ERROR_METADATA, what, "channels");
  assert_member_fails (f, c, "data", "\"cifar10\"", what, "unknown key \"data\"");
  /* Valid on its own, but the graph cannot build it: block_step 0 with 2 scales. */
  assert_member_fails (f, c, "block_step", "0", what, "block_step");
}

static void
test_preprocess (void)
{
  RanetConfig cfg = tiny_config ();
  g_autoptr (Fixture) f = fixture_new (&cfg);
  JsonObject *p = f->preprocess;
  const char *what = "ranet.preprocess";

  assert_member_fails (f, p, "input_size", "[16]", what, "input_size");
  assert_member_fails (f, p, "input_size", "[16, 0]", what, "input_size[1]");
  assert_member_fails (f, p, "input_size", "[16, 5000]", what, "input_size[1]");
  assert_member_fails (f, p, "input_size", "16", what, "input_size");
  /* The heads' pooling needs a larger input: the graph refuses it. */
  assert_member_fails (f, p, "input_size", "[4, 4]", what, "ranet.config");
  assert_member_fails (f, p, "channels", "3", what, "in_channels");
  assert_member_fails (f, p, "mean", "[0.5, 0.5, 0.5]", what, "mean");
  assert_member_fails (f, p, "mean", "[\"0.5\"]", what, "mean[0]");
  assert_member_fails (f, p, "std", "[0]", what, "std[0]");
  assert_member_fails (f, p, "std", "[-1]", what, "std[0]");
  assert_member_fails (f, p, "std", NULL, what, "std");
  assert_member_fails (f, p, "resize", "\"crop\"", what, "resize");
}

static void
test_labels (void)
{
  RanetConfig cfg = tiny_config ();
  g_autoptr (Fixture) f = fixture_new (&cfg);

  json_array_add_string_element (f->labels, "one too many");
  {
    g_autoptr (GBytes) b = fixture_encode (f);
    assert_load_fails (b, RANET_MODEL_ERROR_METADATA, "ranet.labels", "4 labels", "expected 3", NULL);
  }
  json_array_remove_element (f->labels, 3);
  json_array_remove_element (f->labels, 2);
  json_array_add_int_element (f->labels, 2);
  {
    g_autoptr (GBytes) b = fixture_encode (f);
    assert_load_fails (b, RANET_MODEL_ERROR_METADATA, "ranet.labels", "label 2", "an integer", NULL);
  }
}

static void
test_calibration (void)
{
  RanetConfig cfg = tiny_config ();
  g_autoptr (Fixture) f = fixture_new (&cfg);
  JsonObject *c = f->calibration;
  JsonObject *op = json_array_get_object_element (json_object_get_array_member (c, "operating_points"), 0);
  const char *what = "ranet.calibration";

  g_assert_cmpuint (f->n_exits, ==, 2);
  assert_member_fails (f, c, "exit_macs", "[1]", what, "exit_macs");
  assert_member_fails (f, c, "exit_macs", "[2, 1]", what, "exit_macs");
  assert_member_fails (f, c, "exit_macs", "[1, -1]", what, "exit_macs[1]");
  assert_member_fails (f, c, "exit_macs", "[1, 2]", what, "exit_macs[0]\" is 1; expected");
  assert_member_fails (f, c, "exit_macs", NULL, what, "exit_macs");
  assert_member_fails (f, c, "operating_points", "{}", what, "operating_points");
  assert_member_fails (f, c, "operating_points", "[1]", what, "operating_points[0]");
  assert_member_fails (f, c, "operating_points", "[]", what, "operating_points");
  assert_member_fails (f, op, "thresholds", "[0.5]", what, "operating_points[0].thresholds");
  assert_member_fails (f, op, "thresholds", "[2, -1]", what, "operating_points[0].thresholds[0]");
  assert_member_fails (f, op, "thresholds", "[0.5, \"x\"]", what, "operating_points[0].thresholds[1]");
  assert_member_fails (f, op, "thresholds", NULL, what, "operating_points[0].thresholds");
  assert_member_fails (f, op, "exit_fractions", "[0.5, 0.5, 0]", what, "operating_points[0].exit_fractions");
  assert_member_fails (f, op, "exit_fractions", "[1.5, 0]", what, "operating_points[0].exit_fractions[0]");
  assert_member_fails (f, op, "ratio", "\"half\"", what, "operating_points[0].ratio");
  assert_member_fails (f, op, "val_accuracy", "101", what, "operating_points[0].val_accuracy");
  assert_member_fails (f, op, "test_accuracy", NULL, what, "operating_points[0].test_accuracy");
  assert_member_fails (f, op, "expected_macs", "-1", what, "operating_points[0].expected_macs");
}

/* ---- arbitrary damage ---- */

/* Every prefix of the header and a few thousand random byte changes: each
 * load succeeds or fails cleanly (run under valgrind or ASan to see reads
 * out of bounds). */
static void
test_damage (void)
{
  RanetConfig cfg = tiny_config ();
  g_autoptr (Fixture) f = fixture_new (&cfg);
  g_autoptr (GBytes) bytes = fixture_encode (f);
  gsize size;
  const guint8 *src = g_bytes_get_data (bytes, &size);
  guint64 hlen = header_len (bytes);
  g_autoptr (GRand) rand = g_rand_new_with_seed (20200614);
  guint n_loaded = 0;

  for (gsize len = 0; len <= 8 + hlen; len += (len < 64 ? 1 : 7)) {
    g_autoptr (GBytes) b = g_bytes_new (src, len);
    g_autoptr (GError) error = NULL;
    g_autoptr (RanetModel) model = load (b, &error);
    g_assert_null (model);
    g_assert_nonnull (error);
  }
  guint n_iter = g_test_thorough () ? 200000 : 3000;

  for (guint iter = 0; iter < n_iter; iter++) {
    guint8 *copy = g_memdup2 (src, size);
    g_autoptr (GBytes) b = NULL;
    g_autoptr (GError) error = NULL;
    g_autoptr (RanetModel) model = NULL;
    guint n_changes = g_rand_int_range (rand, 1, 4);

    for (guint k = 0; k < n_changes; k++) {
      /* Mostly in the header, where the structure is. */
      gsize at = g_rand_boolean (rand) ? (gsize) g_rand_int_range (rand, 0, (gint32) (8 + hlen))
                                      : (gsize) g_rand_int_range (rand, 0, (gint32) size);
      static const char tokens[] = "{}[]\",:0123456789-e.ntf ";
      copy[at] = g_rand_boolean (rand) ? (guint8) g_rand_int_range (rand, 0, 256)
                                       : (guint8) tokens[g_rand_int_range (rand, 0, sizeof tokens - 1)];
    }
    b = g_bytes_new_take (copy, size);
    model = load (b, &error);
    g_assert_true ((model == NULL) != (error == NULL));
    if (error != NULL)
      g_assert_true (g_error_matches (error, RANET_MODEL_ERROR, error->code));
    n_loaded += model != NULL;
  }
  g_test_message ("%u damaged files still loaded (changes in weights or unused bytes)", n_loaded);
}

/* ---- golden files ---- */

static char *
golden_path (const char *name)
{
  /* meson runs tests in the build directory, where __FILE__ resolves. */
  g_autofree char *dir = g_getenv ("G_TEST_SRCDIR") != NULL ? g_strdup (g_getenv ("G_TEST_SRCDIR"))
                                                           : g_path_get_dirname (__FILE__);
  g_autofree char *file = g_strconcat (name, ".safetensors", NULL);

  return g_build_filename (dir, "golden", file, NULL);
}

static RanetModel *
load_golden (const char *name)
{
  g_autofree char *path = golden_path (name);
  g_autoptr (GError) error = NULL;
  RanetModel *model;

  if (!g_file_test (path, G_FILE_TEST_EXISTS)) {
    g_autofree char *msg = g_strdup_printf ("%s not there (written by python/make_golden.py)", path);
    g_test_skip (msg);
    return NULL;
  }
  model = ranet_model_load_file (path, &error);
  g_assert_no_error (error);
  return model;
}

static void
check_golden_common (RanetModel *model)
{
  const RanetCalibration *cal = ranet_model_get_calibration (model);
  const RanetGraph *graph = ranet_model_get_graph (model);
  const char *const *labels = ranet_model_get_labels (model);

  g_assert_cmpuint (g_strv_length ((GStrv) labels), ==, 10);
  for (guint i = 0; i < 10; i++) {
    g_autofree char *expect = g_strdup_printf ("%u", i);
    g_assert_cmpstr (labels[i], ==, expect);
  }
  g_assert_cmpuint (cal->n_exits, ==, ranet_model_get_n_exits (model));
  g_assert_cmpuint (cal->n_operating_points, >=, 1);
  /* Python's exit_macs() and the graph count the same multiply-adds. */
  for (guint k = 0; k < cal->n_exits; k++)
    g_assert_cmpfloat (cal->exit_macs[k], ==, (double) ranet_graph_get_exit_macs (graph, k));
  g_assert_nonnull (ranet_model_get_card (model));
}

static void
test_golden_cifar (void)
{
  g_autoptr (RanetModel) model = load_golden ("cifar-lg");
  const RanetConfig *c;
  const RanetPreprocess *pp;

  if (model == NULL)
    return;
  c = ranet_model_get_config (model);
  pp = ranet_model_get_preprocess (model);
  g_assert_cmpuint (c->n_scales, ==, 3);
  g_assert_cmpuint (c->scale_list[2], ==, 3);
  g_assert_cmpuint (c->grFactor[0], ==, 4);
  g_assert_cmpuint (c->bnFactor[1], ==, 2);
  g_assert_cmpuint (c->nBlocks, ==, 2);
  g_assert_cmpuint (c->block_step, ==, 1);
  g_assert_cmpuint (c->step, ==, 1);
  g_assert_cmpint (c->stepmode, ==, RANET_STEPMODE_LG);
  g_assert_cmpuint (c->nChannels, ==, 4);
  g_assert_cmpuint (c->growthRate, ==, 2);
  g_assert_cmpfloat (c->reduction, ==, 0.5);
  g_assert_cmpfloat (c->compress_factor, ==, 0.5);
  g_assert_false (c->bnAfter);
  g_assert_cmpint (c->stem, ==, RANET_STEM_CIFAR);
  g_assert_cmpuint (c->num_classes, ==, 10);
  g_assert_cmpuint (c->in_channels, ==, 3);
  g_assert_cmpuint (c->head_channels, ==, 8);
  g_assert_cmpuint (c->input_h, ==, 32);
  g_assert_cmpuint (c->input_w, ==, 32);
  g_assert_cmpuint (pp->channels, ==, 3);
  g_assert_cmpfloat (pp->mean[0], ==, 0.4914f);
  g_assert_cmpfloat (pp->std[2], ==, 0.2616f);
  check_golden_common (model);
  check_folded_conv (model, "FirstLayer.layers.0.net.0.weight", NULL, "FirstLayer.layers.0.net.1");
}

static void
test_golden_imagenet (void)
{
  g_autoptr (RanetModel) model = load_golden ("imagenet-small");
  const RanetConfig *c;

  if (model == NULL)
    return;
  c = ranet_model_get_config (model);
  g_assert_cmpuint (c->n_scales, ==, 4);
  g_assert_cmpint (c->stem, ==, RANET_STEM_IMAGENET);
  g_assert_cmpint (c->stepmode, ==, RANET_STEPMODE_EVEN);
  g_assert_true (c->bnAfter);
  g_assert_cmpuint (c->head_channels, ==, 128);
  g_assert_cmpuint (c->input_h, ==, 224);
  check_golden_common (model);
  /* The ImageNet stem's convolution has a bias of its own. */
  check_folded_conv (model, "FirstLayer.layers.0.0.weight", "FirstLayer.layers.0.0.bias", "FirstLayer.layers.0.1");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/model/valid", test_valid);
  g_test_add_func ("/model/optional-fields", test_optional_fields);
  g_test_add_func ("/model/load-file", test_load_file);
  g_test_add_func ("/model/f16", test_f16);
  g_test_add_func ("/model/unaligned", test_unaligned);
  g_test_add_func ("/model/fold", test_fold);
  g_test_add_func ("/model/container", test_container);
  g_test_add_func ("/model/tensor-entries", test_tensor_entries);
  g_test_add_func ("/model/tensor-set", test_tensor_set);
  g_test_add_func ("/model/metadata-container", test_metadata_container);
  g_test_add_func ("/model/config", test_config);
  g_test_add_func ("/model/preprocess", test_preprocess);
  g_test_add_func ("/model/labels", test_labels);
  g_test_add_func ("/model/calibration", test_calibration);
  g_test_add_func ("/model/damage", test_damage);
  g_test_add_func ("/model/golden/cifar-lg", test_golden_cifar);
  g_test_add_func ("/model/golden/imagenet-small", test_golden_imagenet);
  return g_test_run ();
}
