/* fuzz-model-loader.c: libFuzzer target for the model file loader.
 *
 * ranet_model_load_bytes() promises never to crash nor read outside its
 * bytes, whatever they hold, and to fail with a RANET_MODEL_ERROR that says
 * why. Any input that loads must also be usable: its getters answer, every
 * layer's weights fold. A GLib critical or warning counts as a crash (they
 * are made fatal), so a g_return_if_fail() reached by a file is a finding.
 *
 * Built only with -Dfuzzing=true and clang; see .ci/fuzz.sh.
 */
#include <stdint.h>
#include <string.h>

#include "graph/ranet-fold.h"
#include "model/ranet-model.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  g_log_set_fatal_mask ("ranet", G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

/* What a caller may do with a model that loaded: everything must hold
 * together, or the model should not have loaded. */
static void
use_model (RanetModel *model)
{
  const RanetConfig *cfg = ranet_model_get_config (model);
  const RanetPreprocess *pre = ranet_model_get_preprocess (model);
  const RanetCalibration *cal = ranet_model_get_calibration (model);
  const RanetGraph *graph = ranet_model_get_graph (model);
  const char *const *labels = ranet_model_get_labels (model);
  guint n_labels = labels != NULL ? g_strv_length ((char **) labels) : 0;
  guint n_exits = ranet_model_get_n_exits (model);

  g_assert_cmpuint (n_labels, ==, cfg->num_classes);
  g_assert_cmpuint (pre->channels, ==, cfg->in_channels);
  g_assert_cmpuint (n_exits, >=, 1);
  g_assert_cmpuint (cal->n_exits, ==, n_exits);
  g_assert_cmpuint (cal->n_operating_points, >=, 1);
  for (guint i = 0; i < cal->n_operating_points; i++) {
    const RanetOperatingPoint *op = &cal->operating_points[i];
    for (guint k = 0; k < n_exits; k++)
      g_assert_true (op->thresholds[k] >= -1.0 && op->exit_fractions[k] >= 0.0);
  }
  g_assert_cmpuint (ranet_model_get_n_tensors (model), >, 0);

  for (guint i = 0; i < ranet_graph_get_n_layers (graph); i++) {
    g_autoptr (GError) error = NULL;
    RanetLayerWeights *w = ranet_model_fold_layer_weights (model, i, &error);

    /* the loader checked every tensor against the graph: folding cannot fail */
    g_assert_no_error (error);
    g_assert_nonnull (w);
    ranet_layer_weights_free (w);
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  /* libFuzzer's copy of the input is exactly @size bytes on the heap, so
   * AddressSanitizer sees a read one byte past it. */
  g_autoptr (GBytes) bytes = g_bytes_new_static (data, size);
  g_autoptr (GError) error = NULL;
  RanetModel *model = ranet_model_load_bytes (bytes, "fuzz", &error);

  if (model == NULL) {
    g_assert_nonnull (error);
    g_assert_true (error->domain == RANET_MODEL_ERROR);
    g_assert_true (g_str_has_prefix (error->message, "fuzz: "));
    return 0;
  }
  g_assert_no_error (error);
  use_model (model);
  ranet_model_unref (model);
  return 0;
}
