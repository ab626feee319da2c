/* net-record.c: the recordings of a net: each stage on its own, and the
 * whole frame as one submission. Recording never submits.
 *
 * Each op binds only the floats it reads and writes, and the recording puts a
 * barrier only before a dispatch that touches what an earlier one wrote, or
 * overwrites what one read, since the last barrier (vk-commands.c): the two
 * bottlenecks of a fusion layer, the resizes that fill a block's tensor, the
 * classifier of one scale and the next scale's first layers run side by side
 * on a GPU.
 *
 * In the one-submission frame each stage but the last ends with
 * softmax_decide instead of its softmax: the same softmax, which then compares
 * the exit's confidence with its threshold and writes whether the next stage
 * runs; each stage after the first sits in a conditional block on that flag
 * (VK_EXT_conditional_rendering skips dispatches whose flag is zero). A frame
 * that leaves at exit 0 thus costs one submission and one wait instead of one
 * per stage, and the device never idles while the host decides. Results
 * equal the stage-by-stage run: same recordings of the layers, same test (see
 * shaders/softmax.glsl).
 */
#include "net/net-private.h"

#include "graph/ranet-layer-kind.h"

/* A batch's op: its buffers, then the items list; the workgroup counts are
 * read from the dispatch arguments of @args_index when the stage runs. */
static void
record_batched (RanetNet *net, RanetVkCommands *cmds, RanetOp *op,
    RanetVkBuffer *const *buffers, guint n_buffers, guint args_index)
{
  ranet_op_record_items_indirect (op, cmds, buffers, n_buffers, net->items,
      net->dispatch_args, RANET_NET_ARGS_OFFSET (args_index));
}

void
ranet_net_record_input (RanetNet *net, RanetVkCommands *cmds)
{
  RanetOp *op = net->input == RANET_NET_INPUT_TENSOR ? net->input_copy : net->preprocess;
  RanetVkBuffer *in = net->input == RANET_NET_INPUT_TENSOR ? net->input_tensor : net->frame;

  if (net->max_batch > 1) {
    RanetVkBuffer *tensor[] = { in, net->activations };
    RanetVkBuffer *regions[] = { in, net->activations, net->geometry };
    gboolean is_regions = net->input == RANET_NET_INPUT_REGIONS;

    record_batched (net, cmds, op, is_regions ? regions : tensor,
        is_regions ? G_N_ELEMENTS (regions) : G_N_ELEMENTS (tensor),
        ranet_graph_get_n_layers (net->graph));
  } else {
    ranet_op_record (op, cmds, in, NULL, net->activations);
  }
}

void
ranet_net_record_layer (RanetNet *net, RanetVkCommands *cmds, guint i)
{
  const RanetLayer *layer = ranet_graph_get_layer (net->graph, i);
  RanetVkBuffer *out = ranet_layer_writes_results (layer) ? net->results
      : net->activations;
  RanetVkBuffer *weights = net->weights[net->layer_chunk[i]];

  if (net->max_batch > 1) {
    gboolean has_weights = ranet_layer_get_packed_size (layer) > 0;
    RanetVkBuffer *with[] = { net->activations, weights, out };
    RanetVkBuffer *without[] = { net->activations, out };

    record_batched (net, cmds, net->ops[i], has_weights ? with : without,
        has_weights ? G_N_ELEMENTS (with) : G_N_ELEMENTS (without), i);
  } else {
    ranet_op_record (net->ops[i], cmds, net->activations, weights, out);
  }
}

/* Stage @k's dispatches; with @softmax_decide its softmax runs as that op
 * (bindings: activations, results, control). */
static void
record_stage_dispatches (RanetNet *net, RanetVkCommands *cmds, guint k,
    RanetOp *softmax_decide)
{
  guint first, n;

  if (k == 0)
    ranet_net_record_input (net, cmds);
  ranet_graph_get_stage_layers (net->graph, k, &first, &n);
  for (guint i = first; i < first + n; i++) {
    if (net->fused != NULL && net->fused[i] != NULL) {
      /* a fused run that ends the stage decides where its softmax would */
      guint n_fused = net->fused_layers[i];
      ranet_net_record_fused (net, cmds, i,
          softmax_decide != NULL && i + n_fused == first + n);
      i += n_fused - 1;
    } else if (softmax_decide != NULL && i == first + n - 1) {
      /* the control words are the host's and these dispatches' alone */
      RanetVkBuffer *buffers[] = { net->activations, net->results, net->control };
      g_assert (ranet_graph_get_layer (net->graph, i)->kind == RANET_LAYER_SOFTMAX);
      ranet_op_record_buffers (softmax_decide, cmds, buffers, G_N_ELEMENTS (buffers));
    } else {
      ranet_net_record_layer (net, cmds, i);
    }
  }
}

gboolean
ranet_net_record_stage (RanetNet *net, guint k, GError **error)
{
  RanetVkCommands *cmds = net->stages[k];

  if (!ranet_vk_commands_begin (cmds, error))
    return FALSE;
  ranet_vk_commands_timestamp (cmds, RANET_NET_TS_START);
  record_stage_dispatches (net, cmds, k, NULL);
  ranet_vk_commands_timestamp (cmds, RANET_NET_TS_END);
  /* stage 0 follows the input: the one-submission frame must be recorded again */
  if (k == 0)
    net->frame_stale = TRUE;
  return ranet_vk_commands_end (cmds, error);
}

gboolean
ranet_net_record_frame (RanetNet *net, GError **error)
{
  RanetVkCommands *cmds = net->frame_run;

  if (!ranet_vk_commands_begin (cmds, error))
    return FALSE;
  for (guint k = 0; k < net->n_exits; k++) {
    if (k > 0)
      ranet_vk_commands_begin_conditional (cmds, net->control,
          RANET_NET_CONTROL_RUNS (net->n_exits, k) * sizeof (guint32));
    ranet_vk_commands_timestamp (cmds, RANET_NET_TS_STAGE_START (k));
    record_stage_dispatches (net, cmds, k, k + 1 < net->n_exits ? net->decide[k] : NULL);
    ranet_vk_commands_timestamp (cmds, RANET_NET_TS_STAGE_END (k));
    if (k > 0)
      ranet_vk_commands_end_conditional (cmds);
  }
  if (!ranet_vk_commands_end (cmds, error))
    return FALSE;
  net->frame_stale = FALSE;
  return TRUE;
}
