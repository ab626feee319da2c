/* graph-dump.c: a readable listing of a graph, for debugging. */
#include "graph/graph-private.h"
#include "graph/ranet-layer-kind.h"

static void
append_view (GString *s, const RanetTensorView *v)
{
  g_string_append_printf (s, "[%u:%u of %u]x%ux%u@%" G_GSIZE_FORMAT,
      v->c_offset, v->c_offset + v->c, v->c_total, v->h, v->w, v->base);
}

static void
append_layer (GString *s, guint i, const RanetLayer *l)
{
  const RanetLayerKindInfo *info = ranet_layer_kind_get_info (l->kind);
  const RanetTensorView *in, *out;

  g_string_append_printf (s, "%4u s%-2u %-15s ", i, l->stage, info->name);
  ranet_layer_get_views (l, &in, &out);
  append_view (s, in);
  if (out != NULL) {
    g_string_append (s, " -> ");
    append_view (s, out);
  } else {
    gsize first, n;

    info->results (l, &first, &n);
    g_string_append_printf (s, " -> results@%" G_GSIZE_FORMAT, first);
  }
  if (info->describe != NULL)
    info->describe (l, s);
  if (l->weight)
    g_string_append_printf (s, " w=%s", l->weight);
  if (l->bias)
    g_string_append_printf (s, " b=%s", l->bias);
  if (l->bn_before)
    g_string_append_printf (s, " bn_before=%s", l->bn_before);
  if (l->bn_after)
    g_string_append_printf (s, " bn=%s", l->bn_after);
  if (l->macs)
    g_string_append_printf (s, " macs=%" G_GUINT64_FORMAT, l->macs);
  g_string_append_c (s, '\n');
}

char *
ranet_graph_dump (const RanetGraph *g)
{
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, "RANet graph: %u layers, %u exits, %u weight "
      "tensors, %" G_GSIZE_FORMAT " activation floats, %" G_GSIZE_FORMAT
      " result floats\n", g->layers->len, g->n_exits, g->expected->len,
      g->activation_size, g->results_size);
  g_string_append (s, "input ");
  append_view (s, &g->input);
  g_string_append_c (s, '\n');
  for (guint i = 0; i < g->layers->len; i++)
    append_layer (s, i, &g_array_index (g->layers, RanetLayer, i));
  for (guint k = 0; k < g->n_exits; k++)
    g_string_append_printf (s, "exit %u: layers %u..%u, %" G_GUINT64_FORMAT
        " cumulative MACs\n", k, g->stage_first[k], g->stage_first[k + 1] - 1,
        g->exit_macs[k]);
  return g_string_free (s, FALSE);
}
