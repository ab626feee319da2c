/* graph.c: a RanetGraph's life cycle and accessors. */
#include "graph/graph-private.h"

G_DEFINE_QUARK (ranet-graph-error-quark, ranet_graph_error)

RanetGraph *
ranet_graph_new (const RanetConfig *cfg, GError **error)
{
  g_autoptr (RanetGraph) g = NULL;

  g_return_val_if_fail (cfg != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!ranet_graph_validate_config (cfg, error))
    return NULL;

  g = g_new0 (RanetGraph, 1);
  g->cfg = *cfg;
  g->layers = g_array_new (FALSE, FALSE, sizeof (RanetLayer));
  g->expected = g_array_new (FALSE, FALSE, sizeof (RanetExpectedTensor));
  g->expected_idx = g_hash_table_new (g_str_hash, g_str_equal);
  g->names = g_string_chunk_new (4096);
  if (!ranet_graph_build (g, error))
    return NULL;
  return g_steal_pointer (&g);
}

void
ranet_graph_free (RanetGraph *g)
{
  if (!g)
    return;
  g_array_unref (g->layers);
  g_array_unref (g->expected);
  g_hash_table_unref (g->expected_idx);
  g_string_chunk_free (g->names);
  g_free (g->stage_first);
  g_free (g->exit_macs);
  g_free (g->logits);
  g_free (g);
}

const RanetConfig *
ranet_graph_get_config (const RanetGraph *g)
{
  return &g->cfg;
}

guint
ranet_graph_get_n_exits (const RanetGraph *g)
{
  return g->n_exits;
}

guint
ranet_graph_get_n_layers (const RanetGraph *g)
{
  return g->layers->len;
}

const RanetLayer *
ranet_graph_get_layer (const RanetGraph *g, guint index)
{
  g_return_val_if_fail (index < g->layers->len, NULL);
  return &g_array_index (g->layers, RanetLayer, index);
}

void
ranet_graph_get_stage_layers (const RanetGraph *g, guint stage, guint *first,
    guint *n_layers)
{
  g_return_if_fail (stage < g->n_exits);
  *first = g->stage_first[stage];
  *n_layers = g->stage_first[stage + 1] - g->stage_first[stage];
}

gsize
ranet_graph_get_activation_size (const RanetGraph *g)
{
  return g->activation_size;
}

RanetTensorView
ranet_graph_get_input_view (const RanetGraph *g)
{
  return g->input;
}

RanetTensorView
ranet_graph_get_logits_view (const RanetGraph *g, guint exit_index)
{
  RanetTensorView none = { 0 };

  g_return_val_if_fail (exit_index < g->n_exits, none);
  return g->logits[exit_index];
}

gsize
ranet_graph_get_results_size (const RanetGraph *g)
{
  return g->results_size;
}

gsize
ranet_graph_get_result_offset (const RanetGraph *g, guint exit_index)
{
  g_return_val_if_fail (exit_index < g->n_exits, 0);
  return (gsize) exit_index * RANET_SOFTMAX_OUT_SIZE (g->cfg.num_classes);
}

guint64
ranet_graph_get_exit_macs (const RanetGraph *g, guint exit_index)
{
  g_return_val_if_fail (exit_index < g->n_exits, 0);
  return g->exit_macs[exit_index];
}

const RanetExpectedTensor *
ranet_graph_get_expected_tensors (const RanetGraph *g, guint *n_tensors)
{
  *n_tensors = g->expected->len;
  return (const RanetExpectedTensor *) (const void *) g->expected->data;
}

const RanetExpectedTensor *
ranet_graph_lookup_expected_tensor (const RanetGraph *g, const char *name)
{
  guint i = GPOINTER_TO_UINT (g_hash_table_lookup (g->expected_idx, name));

  return i ? &g_array_index (g->expected, RanetExpectedTensor, i - 1) : NULL;
}
