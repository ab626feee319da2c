/* ranet-bench-batch.h: ranet-bench --batch, what batching gives per item. */
#pragma once

#include "net/ranet-net.h"

G_BEGIN_DECLS

/* Prints a Markdown table: for each batch size in @sizes, the median wall
 * and device time of a batch through every exit over @runs runs, per batch
 * and per item, against one item through a net of single frames; @input
 * holds @n_in floats, the same tensor for every item. */
gboolean ranet_bench_batches (RanetVkDevice *dev, RanetModel *model, const guint *sizes,
    guint n_sizes, guint runs, const float *input, gsize n_in, GError **error);

G_END_DECLS
