/* graph-private.h: the insides of a RanetGraph, shared by the graph-*.c files. */
#pragma once

#include "graph/ranet-graph.h"

G_BEGIN_DECLS

struct _RanetGraph {
  RanetConfig cfg;
  GArray *layers;           /* RanetLayer, in execution order */
  GArray *expected;         /* RanetExpectedTensor, in order of first use */
  GHashTable *expected_idx; /* name -> index + 1 into expected */
  GStringChunk *names;      /* every name the layers and tensors point to */
  guint n_exits;
  guint *stage_first;       /* n_exits + 1 layer indices */
  guint64 *exit_macs;       /* n_exits cumulative */
  RanetTensorView input;
  RanetTensorView *logits;  /* n_exits */
  gsize activation_size;
  gsize results_size;
};

/* graph-validate.c: checks the config fields on their own, before building. */
gboolean ranet_graph_validate_config (const RanetConfig *cfg, GError **error);

/* graph-build.c: fills an empty graph from its cfg; FALSE with @error set. */
gboolean ranet_graph_build (RanetGraph *g, GError **error);

G_END_DECLS
