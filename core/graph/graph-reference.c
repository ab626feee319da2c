/* graph-reference.c: a whole network on the CPU with the reference ops. */
#include <string.h>

#include "graph/graph-private.h"
#include "graph/ranet-layer-kind.h"

static gboolean
run_layer (const RanetGraph *g, guint i, RanetWeightFn get_weights,
    gpointer user_data, float *act, float *results, GError **error)
{
  const RanetLayer *l = ranet_graph_get_layer (g, i);
  const RanetLayerWeights *w = NULL;

  if (l->weight) {
    if (!(w = get_weights (g, i, user_data, error)))
      return FALSE;
    if (!w->weight || (l->bn_before && (!w->pre_scale || !w->pre_shift))) {
      g_set_error (error, RANET_GRAPH_ERROR, RANET_GRAPH_ERROR_WEIGHTS,
          "layer %u (%s) was given no %s", i, l->weight,
          w->weight ? "pre-activation scale and shift" : "weights");
      return FALSE;
    }
  }

  ranet_layer_kind_get_info (l->kind)->reference (l, w, act,
      ranet_layer_writes_results (l) ? results : act);
  return TRUE;
}

gboolean
ranet_graph_run_reference (const RanetGraph *g, const float *input,
    RanetWeightFn get_weights, gpointer user_data, float *activations,
    float *results, GError **error)
{
  const RanetTensorView *in = &g->input;

  g_return_val_if_fail (g && input && get_weights && activations && results, FALSE);

  memcpy (activations + in->base, input,
      (gsize) in->c * in->h * in->w * sizeof (float));
  for (guint i = 0; i < g->layers->len; i++)
    if (!run_layer (g, i, get_weights, user_data, activations, results, error))
      return FALSE;
  return TRUE;
}
