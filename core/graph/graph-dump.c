/* graph-dump.c: a readable listing of a graph, for debugging. */
#include "graph/graph-private.h"

static void
append_view (GString *s, const RanetTensorView *v)
{
  g_string_append_printf (s, "[%u:%u of %u]x%ux%u@%" G_GSIZE_FORMAT,
      v->c_offset, v->c_offset + v->c, v->c_total, v->h, v->w, v->base);
}

static void
append_io (GString *s, const RanetTensorView *in, const RanetTensorView *out)
{
  append_view (s, in);
  g_string_append (s, " -> ");
  append_view (s, out);
}

static void
append_layer (GString *s, guint i, const RanetLayer *l)
{
  g_string_append_printf (s, "%4u s%-2u %-15s ", i, l->stage,
      ranet_layer_kind_to_string (l->kind));
  switch (l->kind) {
    case RANET_LAYER_CONV2D:
      append_io (s, &l->p.conv2d.in, &l->p.conv2d.out);
      g_string_append_printf (s, " k%u s%u p%u%s", l->p.conv2d.kh,
          l->p.conv2d.stride, l->p.conv2d.pad_h, l->p.conv2d.relu ? " relu" : "");
      break;
    case RANET_LAYER_CONV1X1:
      append_io (s, &l->p.conv1x1.in, &l->p.conv1x1.out);
      g_string_append_printf (s, "%s%s", l->p.conv1x1.pre_act ? " pre_act" : "",
          l->p.conv1x1.relu ? " relu" : "");
      break;
    case RANET_LAYER_RESIZE_BILINEAR:
      append_io (s, &l->p.resize.in, &l->p.resize.out);
      break;
    case RANET_LAYER_MAXPOOL2D:
    case RANET_LAYER_AVGPOOL2D:
      append_io (s, &l->p.pool.in, &l->p.pool.out);
      g_string_append_printf (s, " k%u s%u p%u", l->p.pool.kernel,
          l->p.pool.stride, l->p.pool.pad);
      break;
    case RANET_LAYER_LINEAR:
      append_io (s, &l->p.linear.in, &l->p.linear.out);
      if (l->folded_avgpool > 0)
        g_string_append_printf (s, " (avgpool k%u folded in)", l->folded_avgpool);
      break;
    case RANET_LAYER_SOFTMAX:
      append_view (s, &l->p.softmax.in);
      g_string_append_printf (s, " -> results@%" G_GSIZE_FORMAT,
          l->p.softmax.out_base);
      break;
    case RANET_LAYER_COPY:
      append_io (s, &l->p.copy.in, &l->p.copy.out);
      break;
  }
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
