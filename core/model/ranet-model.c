/* ranet-model.c: the RanetModel object: loading in order, getters, folding.
 *
 * Loading order matters for the messages a damaged file gets: the container
 * first (nothing else can be trusted before it), then the metadata that
 * defines the architecture, then the graph built from it, then what needs the
 * graph (number of exits for the calibration, the expected tensors), and last
 * the tensor values, the only step that touches every byte of the file.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "graph/ranet-fold.h"
#include "model/model-private.h"

struct _RanetModel {
  gatomicrefcount ref;
  char *display_name;
  ModelContainer container;
  ModelMetadata md;
  RanetGraph *graph;
  RanetCalibration calibration;
};

G_DEFINE_QUARK (ranet-model-error-quark, ranet_model_error)
G_DEFINE_BOXED_TYPE (RanetModel, ranet_model, ranet_model_ref, ranet_model_unref)

static void
ranet_model_free (RanetModel *model)
{
  g_clear_pointer (&model->graph, ranet_graph_free);
  model_metadata_clear (&model->md);
  model_container_clear (&model->container);
  g_free (model->display_name);
  g_free (model);
}

/**
 * ranet_model_ref:
 * @model: a model
 *
 * Returns: (transfer full): @model, with one more reference.
 */
RanetModel *
ranet_model_ref (RanetModel *model)
{
  g_return_val_if_fail (model != NULL, NULL);
  g_atomic_ref_count_inc (&model->ref);
  return model;
}

/**
 * ranet_model_unref:
 * @model: (nullable) (transfer full): a model
 *
 * Drops one reference; the last one frees the model and its file's bytes.
 */
void
ranet_model_unref (RanetModel *model)
{
  if (model != NULL && g_atomic_ref_count_dec (&model->ref))
    ranet_model_free (model);
}

static gboolean
build_graph (RanetModel *model, GError **error)
{
  g_autoptr (GError) local = NULL;

  model->graph = ranet_graph_new (&model->md.config, &local);
  if (model->graph == NULL) {
    /* The graph speaks of config fields; the reader needs the file too.
     * input_h and input_w come from ranet.preprocess's input_size. */
    g_set_error (error, RANET_MODEL_ERROR, RANET_MODEL_ERROR_METADATA, "%s: ranet.config and ranet.preprocess: %s",
                 model->display_name, local->message);
    return FALSE;
  }
  return TRUE;
}

/* Exit costs come from the same count on both sides (the reference's
 * exit_macs()); a difference means the calibration belongs to another network,
 * and the frame-rate policy would budget with wrong costs. */
static gboolean
check_exit_macs (RanetModel *model, GError **error)
{
  for (guint k = 0; k < model->md.n_exits; k++) {
    double expected = (double) ranet_graph_get_exit_macs (model->graph, k);

    if (model->md.exit_macs[k] != expected) {
      g_set_error (error, RANET_MODEL_ERROR, RANET_MODEL_ERROR_METADATA,
                   "%s: ranet.calibration: \"exit_macs[%u]\" is %.0f; expected %.0f, the multiply-adds of the "
                   "network ranet.config describes", model->display_name, k, model->md.exit_macs[k], expected);
      return FALSE;
    }
  }
  return TRUE;
}

/**
 * ranet_model_load_bytes:
 * @bytes: the whole model file
 * @display_name: (nullable): how messages name the file, for example its
 *   path; "<memory>" when %NULL
 * @error: return location for a #GError in %RANET_MODEL_ERROR
 *
 * Parses and validates a model file held in memory. Float32 tensors are used
 * in place where aligned, so @bytes is kept (referenced) for the model's
 * lifetime. Never crashes or reads outside @bytes, whatever they hold.
 *
 * Returns: (transfer full): the model, or %NULL with @error set.
 */
RanetModel *
ranet_model_load_bytes (GBytes *bytes, const char *display_name, GError **error)
{
  g_autoptr (RanetModel) model = NULL;
  const char *file;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  model = g_new0 (RanetModel, 1);
  g_atomic_ref_count_init (&model->ref);
  model->display_name = g_strdup (display_name != NULL ? display_name : "<memory>");
  file = model->display_name;

  if (!model_safetensors_parse (&model->container, bytes, file, error)
      || !model_metadata_parse (&model->md, model->container.metadata, file, error)
      || !build_graph (model, error)
      || !model_metadata_parse_calibration (&model->md, model->container.metadata,
                                            ranet_graph_get_n_exits (model->graph), file, error)
      || !model_validate_tensors (&model->container, model->graph, file, error)
      || !check_exit_macs (model, error)
      || !model_tensors_to_f32 (&model->container, file, error))
    return NULL;

  model->calibration.n_exits = model->md.n_exits;
  model->calibration.exit_macs = model->md.exit_macs;
  model->calibration.n_operating_points = model->md.n_ops;
  model->calibration.operating_points = model->md.ops;
  return g_steal_pointer (&model);
}

/* Beyond any RANet (the largest published ones are a few hundred MiB); a
 * bigger file is not a model, and reading it would only exhaust memory. */
#define MODEL_MAX_FILE_BYTES ((guint64) 2 * 1024 * 1024 * 1024)

/**
 * ranet_model_load_file:
 * @path: a `.safetensors` model file
 * @error: return location for a #GError in %RANET_MODEL_ERROR
 *
 * Reads @path into memory and validates it (see ranet_model_load_bytes()).
 * The file is read, not mapped: once this returns, the file may be deleted,
 * replaced or rewritten in place without affecting the model. (A mapping
 * would turn a file truncated in place, by `cp` over it for example, into a
 * SIGBUS in whatever thread next touched a weight.) A file changed while it
 * is being read gives a model error, never a crash.
 *
 * Returns: (transfer full): the model, or %NULL with @error set.
 */
RanetModel *
ranet_model_load_file (const char *path, GError **error)
{
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) local = NULL;
  GStatBuf st;
  char *contents = NULL;
  gsize length = 0;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_stat (path, &st) != 0) {
    int saved = errno;

    g_set_error (error, RANET_MODEL_ERROR, saved == ENOENT ? RANET_MODEL_ERROR_NOT_FOUND : RANET_MODEL_ERROR_IO,
                 "%s: cannot read the model file: %s", path, g_strerror (saved));
    return NULL;
  }
  /* A directory or a device would read as nonsense or fail obscurely. */
  if (!S_ISREG (st.st_mode)) {
    g_set_error (error, RANET_MODEL_ERROR, RANET_MODEL_ERROR_IO, "%s: not a regular file; expected a .safetensors "
                 "model file", path);
    return NULL;
  }
  if ((guint64) st.st_size > MODEL_MAX_FILE_BYTES) {
    g_set_error (error, RANET_MODEL_ERROR, RANET_MODEL_ERROR_IO, "%s: the file is %" G_GUINT64_FORMAT " bytes; "
                 "expected at most %" G_GUINT64_FORMAT " for a model file", path, (guint64) st.st_size,
                 MODEL_MAX_FILE_BYTES);
    return NULL;
  }
  if (!g_file_get_contents (path, &contents, &length, &local)) {
    gboolean noent = g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT);

    g_set_error (error, RANET_MODEL_ERROR, noent ? RANET_MODEL_ERROR_NOT_FOUND : RANET_MODEL_ERROR_IO,
                 "%s: cannot read the model file: %s", path, local->message);
    return NULL;
  }
  bytes = g_bytes_new_take (contents, length);
  return ranet_model_load_bytes (bytes, path, error);
}

/**
 * ranet_model_get_display_name:
 * @model: a model
 *
 * Returns: (transfer none): the name messages give the file (its path).
 */
const char *
ranet_model_get_display_name (RanetModel *model)
{
  g_return_val_if_fail (model != NULL, NULL);
  return model->display_name;
}

/**
 * ranet_model_get_config:
 * @model: a model
 *
 * Returns: (transfer none): the network's hyper-parameters, with input_h and
 *   input_w taken from `ranet.preprocess`.
 */
const RanetConfig *
ranet_model_get_config (RanetModel *model)
{
  g_return_val_if_fail (model != NULL, NULL);
  return &model->md.config;
}

/**
 * ranet_model_get_preprocess:
 * @model: a model
 *
 * Returns: (transfer none): how frames become the network input.
 */
const RanetPreprocess *
ranet_model_get_preprocess (RanetModel *model)
{
  g_return_val_if_fail (model != NULL, NULL);
  return &model->md.preprocess;
}

/**
 * ranet_model_get_labels:
 * @model: a model
 *
 * Returns: (transfer none) (array zero-terminated=1): num_classes class
 *   names, by class index.
 */
const char *const *
ranet_model_get_labels (RanetModel *model)
{
  g_return_val_if_fail (model != NULL, NULL);
  return (const char *const *) model->md.labels;
}

/**
 * ranet_model_get_n_exits:
 * @model: a model
 *
 * Returns: the number of exits (classifiers), at least 1.
 */
guint
ranet_model_get_n_exits (RanetModel *model)
{
  g_return_val_if_fail (model != NULL, 0);
  return model->md.n_exits;
}

/**
 * ranet_model_get_calibration:
 * @model: a model
 *
 * Returns: (transfer none): exit costs and operating points.
 */
const RanetCalibration *
ranet_model_get_calibration (RanetModel *model)
{
  g_return_val_if_fail (model != NULL, NULL);
  return &model->calibration;
}

/**
 * ranet_model_get_card:
 * @model: a model
 *
 * Returns: (transfer none) (nullable): the `ranet.card` JSON object as
 *   stored (provenance: data, command, seed, accuracies), or %NULL when the
 *   file has none.
 */
const char *
ranet_model_get_card (RanetModel *model)
{
  g_return_val_if_fail (model != NULL, NULL);
  return model->md.card;
}

/**
 * ranet_model_get_graph:
 * @model: a model
 *
 * Returns: (transfer none): the network built from the model's config, whose
 *   expected tensors the file was checked against.
 */
const RanetGraph *
ranet_model_get_graph (RanetModel *model)
{
  g_return_val_if_fail (model != NULL, NULL);
  return model->graph;
}

/**
 * ranet_model_get_n_tensors:
 * @model: a model
 *
 * Returns: the number of tensors in the file (those of the graph).
 */
guint
ranet_model_get_n_tensors (RanetModel *model)
{
  g_return_val_if_fail (model != NULL, 0);
  return model->container.tensors->len;
}

/**
 * ranet_model_get_tensor_f32:
 * @model: a model
 * @name: a state_dict name
 * @data: (out) (optional) (transfer none): the tensor's elements as float32,
 *   row-major; valid while @model lives
 * @dims: (out) (optional) (transfer none): its shape
 * @n_dims: (out) (optional): length of @dims
 *
 * Float16 tensors were converted at load; every value is finite.
 *
 * Returns: %TRUE if the model has a tensor called @name.
 */
gboolean
ranet_model_get_tensor_f32 (RanetModel *model, const char *name, const float **data, const guint **dims,
                            guint *n_dims)
{
  const ModelTensor *t;

  g_return_val_if_fail (model != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  t = g_hash_table_lookup (model->container.by_name, name);
  if (t == NULL)
    return FALSE;
  if (data != NULL)
    *data = t->data;
  if (dims != NULL)
    *dims = t->dims;
  if (n_dims != NULL)
    *n_dims = t->n_dims;
  return TRUE;
}

static const ModelTensor *
lookup (RanetModel *model, const char *name, GError **error)
{
  const ModelTensor *t = g_hash_table_lookup (model->container.by_name, name);

  if (t == NULL)
    g_set_error (error, RANET_MODEL_ERROR, RANET_MODEL_ERROR_MISMATCH, "%s: no tensor \"%s\"", model->display_name,
                 name);
  return t;
}

/* The four tensors of a BatchNorm, all of one length. */
static gboolean
lookup_bn (RanetModel *model, const char *prefix, const float *out[4], guint *n, GError **error)
{
  static const char *const suffixes[4] = { "weight", "bias", "running_mean", "running_var" };

  for (guint i = 0; i < 4; i++) {
    g_autofree char *name = g_strconcat (prefix, ".", suffixes[i], NULL);
    const ModelTensor *t = lookup (model, name, error);

    if (t == NULL)
      return FALSE;
    if (t->n_dims != 1) {
      g_set_error (error, RANET_MODEL_ERROR, RANET_MODEL_ERROR_MISMATCH,
                   "%s: tensor \"%s\" has %u dimensions; expected 1 (a BatchNorm parameter)", model->display_name,
                   name, t->n_dims);
      return FALSE;
    }
    if (i > 0 && t->dims[0] != *n) {
      g_set_error (error, RANET_MODEL_ERROR, RANET_MODEL_ERROR_MISMATCH,
                   "%s: tensor \"%s\" holds %u values; expected %u like %s.weight", model->display_name, name,
                   t->dims[0], *n, prefix);
      return FALSE;
    }
    *n = t->dims[0];
    out[i] = t->data;
  }
  return TRUE;
}

/**
 * ranet_model_get_bn_affine:
 * @model: a model
 * @bn_prefix: state_dict prefix of a BatchNorm, e.g. "FirstLayer.layers.0.net.1"
 * @scale_out: (out) (transfer full): per-channel scale, free with g_free()
 * @shift_out: (out) (transfer full): per-channel shift, free with g_free()
 * @n_channels: (out) (optional): channels of the BatchNorm
 * @error: return location for a #GError
 *
 * The BatchNorm as x * scale + shift (inference statistics, epsilon
 * %RANET_BN_EPS): what a BatchNorm in front of a convolution becomes.
 *
 * Returns: %TRUE on success; %FALSE with @error set when the BatchNorm's
 *   tensors are not in the model.
 */
gboolean
ranet_model_get_bn_affine (RanetModel *model, const char *bn_prefix, float **scale_out, float **shift_out,
                           guint *n_channels, GError **error)
{
  const float *bn[4];
  guint n = 0;

  g_return_val_if_fail (model != NULL && bn_prefix != NULL, FALSE);
  g_return_val_if_fail (scale_out != NULL && shift_out != NULL, FALSE);

  if (!lookup_bn (model, bn_prefix, bn, &n, error))
    return FALSE;
  *scale_out = g_new (float, MAX (n, 1));
  *shift_out = g_new (float, MAX (n, 1));
  ranet_fold_bn_preact (*scale_out, *shift_out, n, bn[0], bn[1], bn[2], bn[3], RANET_BN_EPS);
  if (n_channels != NULL)
    *n_channels = n;
  return TRUE;
}

/**
 * ranet_model_get_folded_conv:
 * @model: a model
 * @conv_weight: state_dict name of a convolution (or linear) weight
 *   [out][...]
 * @conv_bias: (nullable): name of its bias [out], or %NULL when it has none
 * @bn_prefix: (nullable): prefix of the BatchNorm that follows it, or %NULL
 * @weight_out: (out) (transfer full): the weights with the BatchNorm folded
 *   in, same layout and size as @conv_weight; free with g_free()
 * @bias_out: (out) (transfer full): out folded biases (zeros when there is
 *   neither bias nor BatchNorm); free with g_free()
 * @error: return location for a #GError
 *
 * With s = gamma / sqrt (var + eps): w' = w * s, b' = beta + (b - mean) * s.
 *
 * Returns: %TRUE on success; %FALSE with @error set when a tensor is missing
 *   or the shapes do not fit together.
 */
gboolean
ranet_model_get_folded_conv (RanetModel *model, const char *conv_weight, const char *conv_bias,
                             const char *bn_prefix, float **weight_out, float **bias_out, GError **error)
{
  const ModelTensor *w, *b = NULL;
  const float *bn[4];
  guint out_c, n_bn = 0;
  gsize per_out = 1;
  g_autofree float *weight = NULL;
  g_autofree float *bias = NULL;

  g_return_val_if_fail (model != NULL && conv_weight != NULL, FALSE);
  g_return_val_if_fail (weight_out != NULL && bias_out != NULL, FALSE);

  if ((w = lookup (model, conv_weight, error)) == NULL)
    return FALSE;
  if (w->n_dims < 1 || w->dims[0] == 0) {
    g_set_error (error, RANET_MODEL_ERROR, RANET_MODEL_ERROR_MISMATCH,
                 "%s: tensor \"%s\" has no output dimension; expected [out, ...]", model->display_name, conv_weight);
    return FALSE;
  }
  out_c = w->dims[0];
  per_out = (gsize) (w->n_elements / out_c);
  if (conv_bias != NULL) {
    if ((b = lookup (model, conv_bias, error)) == NULL)
      return FALSE;
    if (b->n_dims != 1 || b->dims[0] != out_c) {
      g_set_error (error, RANET_MODEL_ERROR, RANET_MODEL_ERROR_MISMATCH,
                   "%s: tensor \"%s\" does not hold %u values, one per output of \"%s\"", model->display_name,
                   conv_bias, out_c, conv_weight);
      return FALSE;
    }
  }
  if (bn_prefix != NULL) {
    if (!lookup_bn (model, bn_prefix, bn, &n_bn, error))
      return FALSE;
    if (n_bn != out_c) {
      g_set_error (error, RANET_MODEL_ERROR, RANET_MODEL_ERROR_MISMATCH,
                   "%s: BatchNorm \"%s\" has %u channels; expected %u, the outputs of \"%s\"", model->display_name,
                   bn_prefix, n_bn, out_c, conv_weight);
      return FALSE;
    }
  }

  weight = g_memdup2 (w->data, (gsize) w->n_elements * sizeof (float));
  bias = g_new0 (float, out_c);
  if (bn_prefix != NULL)
    ranet_fold_bn_into_conv (weight, bias, b != NULL ? b->data : NULL, out_c, per_out, bn[0], bn[1], bn[2], bn[3],
                             RANET_BN_EPS);
  else if (b != NULL)
    memcpy (bias, b->data, out_c * sizeof (float));

  *weight_out = g_steal_pointer (&weight);
  *bias_out = g_steal_pointer (&bias);
  return TRUE;
}

static const float *
lookup_for_fold (const char *name, gsize n_floats, gpointer user_data, GError **error)
{
  RanetModel *model = user_data;
  const ModelTensor *t = lookup (model, name, error);

  if (t == NULL)
    return NULL;
  if (t->n_elements != n_floats) {
    g_set_error (error, RANET_MODEL_ERROR, RANET_MODEL_ERROR_MISMATCH,
                 "%s: tensor \"%s\" holds %" G_GUINT64_FORMAT " values; expected %" G_GSIZE_FORMAT,
                 model->display_name, name, t->n_elements, n_floats);
    return NULL;
  }
  return t->data;
}

/**
 * ranet_model_fold_layer_weights:
 * @model: a model
 * @layer_index: a layer of ranet_model_get_graph()
 * @error: return location for a #GError
 *
 * The layer's weights as its op takes them, BatchNorms folded (see
 * ranet_layer_fold_weights()).
 *
 * Returns: (transfer full): the weights, or %NULL with @error set.
 */
RanetLayerWeights *
ranet_model_fold_layer_weights (RanetModel *model, guint layer_index, GError **error)
{
  g_return_val_if_fail (model != NULL, NULL);
  g_return_val_if_fail (layer_index < ranet_graph_get_n_layers (model->graph), NULL);

  return ranet_layer_fold_weights (model->graph, layer_index, lookup_for_fold, model, error);
}
