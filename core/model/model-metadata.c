/* model-metadata.c: the `ranet.*` metadata: config, preprocess, labels,
 * calibration and card, each a JSON document inside a metadata string.
 *
 * Every value is checked for its JSON type before it is read and for a range
 * that a real network could have, so that nothing downstream (graph builder,
 * buffer planning, shaders) sees a size it would overflow on.
 */
#include <math.h>
#include <string.h>

#include "model/model-private.h"

/* Limits far above any published RANet, low enough that channel and layer
 * arithmetic downstream stays well inside 32 bits. */
#define MAX_FACTOR 64
#define MAX_BLOCKS 64
#define MAX_STEP 64
#define MAX_CHANNELS 4096
#define MAX_CLASSES 100000
#define MAX_INPUT_SIZE 4096
#define MAX_TOTAL_LAYERS 10000
#define MAX_CHANNEL_BOUND 1e6
#define MAX_OPERATING_POINTS 10000
#define DEFAULT_HEAD_CHANNELS 128

typedef struct {
  const char *file;
  const char *what;   /* "ranet.config", ... */
  GError **error;
} Ctx;

G_GNUC_PRINTF (2, 3)
static gboolean
fail (Ctx *ctx, const char *format, ...)
{
  va_list args;
  g_autofree char *msg = NULL;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (ctx->error, RANET_MODEL_ERROR, RANET_MODEL_ERROR_METADATA, "%s: %s: %s", ctx->file, ctx->what, msg);
  return FALSE;
}

static JsonNode *
parse_entry (Ctx *ctx, GHashTable *metadata, gboolean required, gboolean *present)
{
  const char *text = metadata != NULL ? g_hash_table_lookup (metadata, ctx->what) : NULL;

  *present = text != NULL;
  if (text == NULL) {
    if (required) {
      if (metadata == NULL)
        fail (ctx, "missing: the header has no __metadata__; expected ranet.config, ranet.preprocess, "
              "ranet.labels and ranet.calibration");
      else
        fail (ctx, "missing from __metadata__; expected a JSON string");
    }
    return NULL;
  }
  return model_json_parse (text, strlen (text), ctx->file, ctx->what, RANET_MODEL_ERROR_METADATA, ctx->error);
}

static JsonObject *
as_object (Ctx *ctx, JsonNode *node)
{
  if (!JSON_NODE_HOLDS_OBJECT (node)) {
    fail (ctx, "the value is %s; expected a JSON object", model_json_type_name (node));
    return NULL;
  }
  return json_node_get_object (node);
}

static JsonNode *
member (Ctx *ctx, JsonObject *obj, const char *key)
{
  JsonNode *node = json_object_get_member (obj, key);

  if (node == NULL)
    fail (ctx, "key \"%s\" is missing", key);
  return node;
}

static gboolean
read_uint (Ctx *ctx, JsonNode *node, const char *key, guint min, guint max, guint *out)
{
  gint64 v;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return fail (ctx, "\"%s\" is %s; expected an integer in %u..%u", key, model_json_type_name (node), min, max);
  v = json_node_get_int (node);
  if (v < (gint64) min || v > (gint64) max)
    return fail (ctx, "\"%s\" is %" G_GINT64_FORMAT "; expected an integer in %u..%u", key, v, min, max);
  *out = (guint) v;
  return TRUE;
}

static gboolean
read_number (Ctx *ctx, JsonNode *node, const char *key, double min, double max, double *out)
{
  double v;

  if (!JSON_NODE_HOLDS_VALUE (node)
      || (json_node_get_value_type (node) != G_TYPE_INT64 && json_node_get_value_type (node) != G_TYPE_DOUBLE))
    return fail (ctx, "\"%s\" is %s; expected a number in [%g, %g]", key, model_json_type_name (node), min, max);
  /* json_node_get_double() converts integers too. */
  v = json_node_get_double (node);
  if (!isfinite (v) || v < min || v > max)
    return fail (ctx, "\"%s\" is %g; expected a number in [%g, %g]", key, v, min, max);
  *out = v;
  return TRUE;
}

static gboolean
read_bool (Ctx *ctx, JsonNode *node, const char *key, gboolean *out)
{
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return fail (ctx, "\"%s\" is %s; expected true or false", key, model_json_type_name (node));
  *out = json_node_get_boolean (node);
  return TRUE;
}

static const char *
read_string (Ctx *ctx, JsonNode *node, const char *key, const char *expected)
{
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING) {
    fail (ctx, "\"%s\" is %s; expected %s", key, model_json_type_name (node), expected);
    return NULL;
  }
  return json_node_get_string (node);
}

/* A list of exactly @len elements (any @len when @len is G_MAXUINT). */
static JsonArray *
read_list (Ctx *ctx, JsonNode *node, const char *key, guint min_len, guint max_len, const char *of_what)
{
  JsonArray *a;
  guint n;

  if (!JSON_NODE_HOLDS_ARRAY (node)) {
    fail (ctx, "\"%s\" is %s; expected a list of %s", key, model_json_type_name (node), of_what);
    return NULL;
  }
  a = json_node_get_array (node);
  n = json_array_get_length (a);
  if (n < min_len || n > max_len) {
    if (min_len == max_len)
      fail (ctx, "\"%s\" has %u elements; expected %u %s", key, n, min_len, of_what);
    else
      fail (ctx, "\"%s\" has %u elements; expected %u..%u %s", key, n, min_len, max_len, of_what);
    return NULL;
  }
  return a;
}

static gboolean
read_uint_list (Ctx *ctx, JsonObject *obj, const char *key, guint len, guint min, guint max, guint *out)
{
  JsonNode *node = member (ctx, obj, key);
  JsonArray *a;

  if (node == NULL)
    return FALSE;
  a = read_list (ctx, node, key, len, len, "integers");
  if (a == NULL)
    return FALSE;
  for (guint i = 0; i < len; i++) {
    g_autofree char *name = g_strdup_printf ("%s[%u]", key, i);
    if (!read_uint (ctx, json_array_get_element (a, i), name, min, max, &out[i]))
      return FALSE;
  }
  return TRUE;
}

static gboolean
read_number_list (Ctx *ctx, JsonNode *node, const char *key, guint len, double min, double max, double *out)
{
  JsonArray *a = read_list (ctx, node, key, len, len, "numbers");

  if (a == NULL)
    return FALSE;
  for (guint i = 0; i < len; i++) {
    g_autofree char *name = g_strdup_printf ("%s[%u]", key, i);
    if (!read_number (ctx, json_array_get_element (a, i), name, min, max, &out[i]))
      return FALSE;
  }
  return TRUE;
}

static gboolean
read_uint_member (Ctx *ctx, JsonObject *obj, const char *key, guint min, guint max, guint *out)
{
  JsonNode *node = member (ctx, obj, key);

  return node != NULL && read_uint (ctx, node, key, min, max, out);
}

/* A share of a channel count: above 0 so no layer ends with no channels. */
static gboolean
read_fraction (Ctx *ctx, JsonObject *obj, const char *key, gboolean one_allowed, double *out)
{
  JsonNode *node = member (ctx, obj, key);
  const char *range = one_allowed ? "(0, 1]" : "(0, 1)";
  double v;

  if (node == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_VALUE (node)
      || (json_node_get_value_type (node) != G_TYPE_INT64 && json_node_get_value_type (node) != G_TYPE_DOUBLE))
    return fail (ctx, "\"%s\" is %s; expected a number in %s", key, model_json_type_name (node), range);
  v = json_node_get_double (node);
  if (!(v > 0 && (v < 1 || (one_allowed && v == 1))))
    return fail (ctx, "\"%s\" is %g; expected a number in %s", key, v, range);
  *out = v;
  return TRUE;
}

static const char *const config_keys[] = {
  "scale_list", "grFactor", "bnFactor", "nBlocks", "block_step", "step", "stepmode", "nChannels", "growthRate",
  "reduction", "compress_factor", "bnAfter", "stem", "num_classes", "in_channels", "head_channels",
};

/* Bounds on the network's size computed from the config alone, before the
 * graph builder runs on it: the number of dense layers exactly as the
 * reference's block plan gives it, and an upper bound on any tensor's channel
 * count (transitions ignored, fusion growth compounded). */
static gboolean
check_config_size (Ctx *ctx, const RanetConfig *cfg)
{
  guint64 total_layers = 0;
  double max_channels = 0;

  for (guint i = 0; i < cfg->n_scales; i++) {
    guint blocks = cfg->nBlocks + i * cfg->block_step;
    double ch = (double) cfg->nChannels * cfg->grFactor[i];

    for (guint n = 0; n < blocks; n++) {
      guint64 layers = cfg->stepmode == RANET_STEPMODE_LG ? (guint64) (n + 1) * cfg->step : cfg->step;

      total_layers += layers;
      ch = (ch + (double) layers * cfg->growthRate * cfg->grFactor[i]) * (1.0 + cfg->compress_factor);
      max_channels = MAX (max_channels, ch);
      if (total_layers > MAX_TOTAL_LAYERS)
        return fail (ctx, "the network would have more than %u dense layers; expected a smaller nBlocks, "
                     "block_step, step or scale_list", MAX_TOTAL_LAYERS);
    }
  }
  if (max_channels > MAX_CHANNEL_BOUND)
    return fail (ctx, "the network could reach %.0f channels; expected at most %.0f (smaller nChannels, "
                 "growthRate or grFactor)", max_channels, MAX_CHANNEL_BOUND);
  if (cfg->stem == RANET_STEM_CIFAR && (double) cfg->head_channels * cfg->num_classes > 1e9)
    return fail (ctx, "head_channels x num_classes is %.0f; expected at most 1e9",
                 (double) cfg->head_channels * cfg->num_classes);
  return TRUE;
}

static gboolean
parse_config (ModelMetadata *md, GHashTable *metadata, const char *file, GError **error)
{
  Ctx ctx = { file, "ranet.config", error };
  RanetConfig *cfg = &md->config;
  g_autoptr (JsonNode) root = NULL;
  JsonObject *obj;
  JsonObjectIter iter;
  const char *key, *s;
  JsonNode *node;
  JsonArray *a;
  gboolean present;

  root = parse_entry (&ctx, metadata, TRUE, &present);
  if (root == NULL || (obj = as_object (&ctx, root)) == NULL)
    return FALSE;

  /* A key this loader does not know changes the architecture in a way it
   * would silently ignore; refuse it. */
  json_object_iter_init (&iter, obj);
  while (json_object_iter_next (&iter, &key, &node)) {
    gboolean known = FALSE;
    for (guint i = 0; i < G_N_ELEMENTS (config_keys); i++)
      known = known || strcmp (key, config_keys[i]) == 0;
    if (!known)
      return fail (&ctx, "unknown key \"%s\"", key);
  }

  if ((node = member (&ctx, obj, "scale_list")) == NULL)
    return FALSE;
  if ((a = read_list (&ctx, node, "scale_list", 1, RANET_MAX_SCALES, "integers")) == NULL)
    return FALSE;
  cfg->n_scales = json_array_get_length (a);
  if (!read_uint_list (&ctx, obj, "scale_list", cfg->n_scales, 1, cfg->n_scales, cfg->scale_list)
      || !read_uint_list (&ctx, obj, "grFactor", cfg->n_scales, 1, MAX_FACTOR, cfg->grFactor)
      || !read_uint_list (&ctx, obj, "bnFactor", cfg->n_scales, 1, MAX_FACTOR, cfg->bnFactor))
    return FALSE;
  for (guint i = 1; i < cfg->n_scales; i++) {
    if (cfg->scale_list[i] < cfg->scale_list[i - 1])
      return fail (&ctx, "\"scale_list\" decreases at index %u (%u after %u); expected a non-decreasing list", i,
                   cfg->scale_list[i], cfg->scale_list[i - 1]);
  }

  if (!read_uint_member (&ctx, obj, "nBlocks", 1, MAX_BLOCKS, &cfg->nBlocks)
      || !read_uint_member (&ctx, obj, "block_step", 0, MAX_BLOCKS, &cfg->block_step)
      || !read_uint_member (&ctx, obj, "step", 1, MAX_STEP, &cfg->step)
      || !read_uint_member (&ctx, obj, "nChannels", 1, MAX_CHANNELS, &cfg->nChannels)
      || !read_uint_member (&ctx, obj, "growthRate", 1, MAX_CHANNELS, &cfg->growthRate)
      || !read_fraction (&ctx, obj, "reduction", TRUE, &cfg->reduction)
      || !read_fraction (&ctx, obj, "compress_factor", FALSE, &cfg->compress_factor)
      || !read_uint_member (&ctx, obj, "num_classes", 1, MAX_CLASSES, &cfg->num_classes))
    return FALSE;

  if ((node = member (&ctx, obj, "bnAfter")) == NULL || !read_bool (&ctx, node, "bnAfter", &cfg->bnAfter))
    return FALSE;

  if ((node = member (&ctx, obj, "stepmode")) == NULL
      || (s = read_string (&ctx, node, "stepmode", "\"even\" or \"lg\"")) == NULL)
    return FALSE;
  if (strcmp (s, "even") == 0)
    cfg->stepmode = RANET_STEPMODE_EVEN;
  else if (strcmp (s, "lg") == 0)
    cfg->stepmode = RANET_STEPMODE_LG;
  else
    return fail (&ctx, "\"stepmode\" is \"%s\"; expected \"even\" or \"lg\"", s);

  if ((node = member (&ctx, obj, "stem")) == NULL
      || (s = read_string (&ctx, node, "stem", "\"cifar\" or \"imagenet\"")) == NULL)
    return FALSE;
  if (strcmp (s, "cifar") == 0)
    cfg->stem = RANET_STEM_CIFAR;
  else if (strcmp (s, "imagenet") == 0)
    cfg->stem = RANET_STEM_IMAGENET;
  else
    return fail (&ctx, "\"stem\" is \"%s\"; expected \"cifar\" or \"imagenet\"", s);

  if ((node = member (&ctx, obj, "in_channels")) == NULL
      || !read_uint (&ctx, node, "in_channels", 1, 3, &cfg->in_channels))
    return FALSE;
  if (cfg->in_channels != 1 && cfg->in_channels != 3)
    return fail (&ctx, "\"in_channels\" is %u; expected 1 or 3", cfg->in_channels);

  cfg->head_channels = DEFAULT_HEAD_CHANNELS;
  if (json_object_has_member (obj, "head_channels")
      && !read_uint_member (&ctx, obj, "head_channels", 1, MAX_CHANNELS, &cfg->head_channels))
    return FALSE;

  return check_config_size (&ctx, cfg);
}

static gboolean
parse_preprocess (ModelMetadata *md, GHashTable *metadata, const char *file, GError **error)
{
  Ctx ctx = { file, "ranet.preprocess", error };
  RanetPreprocess *pp = &md->preprocess;
  g_autoptr (JsonNode) root = NULL;
  JsonObject *obj;
  JsonNode *node;
  JsonArray *a;
  const char *s;
  double v[RANET_MAX_CHANNELS];
  gboolean present;

  root = parse_entry (&ctx, metadata, TRUE, &present);
  if (root == NULL || (obj = as_object (&ctx, root)) == NULL)
    return FALSE;

  if ((node = member (&ctx, obj, "input_size")) == NULL
      || (a = read_list (&ctx, node, "input_size", 2, 2, "positive integers [H, W]")) == NULL
      || !read_uint (&ctx, json_array_get_element (a, 0), "input_size[0]", 1, MAX_INPUT_SIZE, &pp->input_h)
      || !read_uint (&ctx, json_array_get_element (a, 1), "input_size[1]", 1, MAX_INPUT_SIZE, &pp->input_w))
    return FALSE;

  if (!read_uint_member (&ctx, obj, "channels", 1, RANET_MAX_CHANNELS, &pp->channels))
    return FALSE;
  if (pp->channels != md->config.in_channels)
    return fail (&ctx, "\"channels\" is %u; expected %u (ranet.config's in_channels)", pp->channels,
                 md->config.in_channels);

  /* Bounds keep (x - mean) / std a finite float for pixels in [0, 1]. */
  if ((node = member (&ctx, obj, "mean")) == NULL
      || !read_number_list (&ctx, node, "mean", pp->channels, -1e6, 1e6, v))
    return FALSE;
  for (guint i = 0; i < pp->channels; i++)
    pp->mean[i] = (float) v[i];
  if ((node = member (&ctx, obj, "std")) == NULL
      || !read_number_list (&ctx, node, "std", pp->channels, 1e-6, 1e6, v))
    return FALSE;
  for (guint i = 0; i < pp->channels; i++)
    pp->std[i] = (float) v[i];

  if ((node = member (&ctx, obj, "resize")) == NULL || (s = read_string (&ctx, node, "resize", "\"stretch\"")) == NULL)
    return FALSE;
  if (strcmp (s, "stretch") != 0)
    return fail (&ctx, "\"resize\" is \"%s\"; expected \"stretch\"", s);
  md->resize = g_strdup (s);
  pp->resize = md->resize;

  md->config.input_h = pp->input_h;
  md->config.input_w = pp->input_w;
  return TRUE;
}

static gboolean
parse_labels (ModelMetadata *md, GHashTable *metadata, const char *file, GError **error)
{
  Ctx ctx = { file, "ranet.labels", error };
  g_autoptr (JsonNode) root = NULL;
  JsonArray *a;
  guint n;
  gboolean present;
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  root = parse_entry (&ctx, metadata, TRUE, &present);
  if (root == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_ARRAY (root))
    return fail (&ctx, "the value is %s; expected a list of %u strings (num_classes)", model_json_type_name (root),
                 md->config.num_classes);
  a = json_node_get_array (root);
  n = json_array_get_length (a);
  if (n != md->config.num_classes)
    return fail (&ctx, "%u labels; expected %u (ranet.config's num_classes)", n, md->config.num_classes);
  for (guint i = 0; i < n; i++) {
    JsonNode *node = json_array_get_element (a, i);
    if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
      return fail (&ctx, "label %u is %s; expected a string", i, model_json_type_name (node));
    g_strv_builder_add (builder, json_node_get_string (node));
  }
  md->labels = g_strv_builder_end (builder);
  return TRUE;
}

static gboolean
parse_card (ModelMetadata *md, GHashTable *metadata, const char *file, GError **error)
{
  Ctx ctx = { file, "ranet.card", error };
  g_autoptr (JsonNode) root = NULL;
  gboolean present;

  root = parse_entry (&ctx, metadata, FALSE, &present);
  if (!present)
    return TRUE;
  if (root == NULL || as_object (&ctx, root) == NULL)
    return FALSE;
  md->card = g_strdup (g_hash_table_lookup (metadata, "ranet.card"));
  return TRUE;
}

void
model_metadata_clear (ModelMetadata *md)
{
  g_clear_pointer (&md->resize, g_free);
  g_clear_pointer (&md->labels, g_strfreev);
  g_clear_pointer (&md->exit_macs, g_free);
  g_clear_pointer (&md->op_values, g_free);
  g_clear_pointer (&md->ops, g_free);
  g_clear_pointer (&md->card, g_free);
}

/*
 * model_metadata_parse:
 *
 * Parses everything but the calibration, which needs the number of exits
 * only the graph knows.
 */
gboolean
model_metadata_parse (ModelMetadata *md, GHashTable *metadata, const char *file, GError **error)
{
  return parse_config (md, metadata, file, error) && parse_preprocess (md, metadata, file, error)
         && parse_labels (md, metadata, file, error) && parse_card (md, metadata, file, error);
}

gboolean
model_metadata_parse_calibration (ModelMetadata *md, GHashTable *metadata, guint n_exits, const char *file,
                                  GError **error)
{
  Ctx ctx = { file, "ranet.calibration", error };
  g_autoptr (JsonNode) root = NULL;
  JsonObject *obj;
  JsonNode *node;
  JsonArray *ops;
  gboolean present;

  root = parse_entry (&ctx, metadata, TRUE, &present);
  if (root == NULL || (obj = as_object (&ctx, root)) == NULL)
    return FALSE;

  md->n_exits = n_exits;
  md->exit_macs = g_new0 (double, MAX (n_exits, 1));
  if ((node = member (&ctx, obj, "exit_macs")) == NULL
      || !read_number_list (&ctx, node, "exit_macs", n_exits, 0, 1e18, md->exit_macs))
    return FALSE;
  for (guint i = 1; i < n_exits; i++) {
    if (md->exit_macs[i] < md->exit_macs[i - 1])
      return fail (&ctx, "\"exit_macs\" decreases at exit %u (%g after %g); expected cumulative, non-decreasing "
                   "counts", i, md->exit_macs[i], md->exit_macs[i - 1]);
  }

  if ((node = member (&ctx, obj, "operating_points")) == NULL
      || (ops = read_list (&ctx, node, "operating_points", 1, MAX_OPERATING_POINTS, "objects")) == NULL)
    return FALSE;
  md->n_ops = json_array_get_length (ops);
  /* Allocate only once the lists are known to be there: the allocation is
   * then no larger than what the parser already holds. */
  for (guint i = 0; i < md->n_ops; i++) {
    JsonNode *op_node = json_array_get_element (ops, i);
    const char *lists[] = { "thresholds", "exit_fractions" };

    if (!JSON_NODE_HOLDS_OBJECT (op_node))
      return fail (&ctx, "\"operating_points[%u]\" is %s; expected an object", i, model_json_type_name (op_node));
    for (guint k = 0; k < G_N_ELEMENTS (lists); k++) {
      g_autofree char *name = g_strdup_printf ("operating_points[%u].%s", i, lists[k]);
      node = json_object_get_member (json_node_get_object (op_node), lists[k]);
      if (node == NULL)
        return fail (&ctx, "key \"%s\" is missing", name);
      if (read_list (&ctx, node, name, n_exits, n_exits, "numbers (one per exit)") == NULL)
        return FALSE;
    }
  }
  md->ops = g_new0 (RanetOperatingPoint, MAX (md->n_ops, 1));
  /* n_ops <= 10000 and n_exits is bounded by the layer limit: no overflow. */
  md->op_values = g_new0 (double, MAX ((gsize) md->n_ops * n_exits * 2, 1));
  for (guint i = 0; i < md->n_ops; i++) {
    RanetOperatingPoint *op = &md->ops[i];
    double *thresholds = md->op_values + (gsize) i * n_exits * 2;
    double *fractions = thresholds + n_exits;
    JsonNode *op_node = json_array_get_element (ops, i);
    JsonObject *op_obj;
    g_autofree char *prefix = g_strdup_printf ("operating_points[%u]", i);
    g_autofree char *k_ratio = g_strconcat (prefix, ".ratio", NULL);
    g_autofree char *k_thr = g_strconcat (prefix, ".thresholds", NULL);
    g_autofree char *k_frac = g_strconcat (prefix, ".exit_fractions", NULL);
    g_autofree char *k_val = g_strconcat (prefix, ".val_accuracy", NULL);
    g_autofree char *k_test = g_strconcat (prefix, ".test_accuracy", NULL);
    g_autofree char *k_macs = g_strconcat (prefix, ".expected_macs", NULL);
    struct { const char *key; const char *name; double min, max; double *out; } numbers[] = {
      { "ratio", k_ratio, -1e18, 1e18, &op->ratio },
      { "val_accuracy", k_val, 0, 100, &op->val_accuracy },
      { "test_accuracy", k_test, 0, 100, &op->test_accuracy },
      { "expected_macs", k_macs, 0, 1e18, &op->expected_macs },
    };

    op_obj = json_node_get_object (op_node);
    for (guint k = 0; k < G_N_ELEMENTS (numbers); k++) {
      node = json_object_get_member (op_obj, numbers[k].key);
      if (node == NULL)
        return fail (&ctx, "key \"%s\" is missing", numbers[k].name);
      if (!read_number (&ctx, node, numbers[k].name, numbers[k].min, numbers[k].max, numbers[k].out))
        return FALSE;
    }
    if ((node = json_object_get_member (op_obj, "thresholds")) == NULL)
      return fail (&ctx, "key \"%s\" is missing", k_thr);
    if (!read_number_list (&ctx, node, k_thr, n_exits, -1, 1, thresholds))
      return FALSE;
    if ((node = json_object_get_member (op_obj, "exit_fractions")) == NULL)
      return fail (&ctx, "key \"%s\" is missing", k_frac);
    if (!read_number_list (&ctx, node, k_frac, n_exits, 0, 1, fractions))
      return FALSE;
    op->thresholds = thresholds;
    op->exit_fractions = fractions;
  }
  return TRUE;
}
