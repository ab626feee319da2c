/* net-profile.c: every layer of every stage timed on its own, for tools. */
#include "net/net-private.h"

gboolean
ranet_net_profile (RanetNet *net, guint64 *layer_ns, guint64 *input_ns,
    GError **error)
{
  guint n_layers;
  g_autoptr (RanetVkCommands) cmds = NULL;

  g_return_val_if_fail (net != NULL && layer_ns != NULL, FALSE);
  n_layers = ranet_graph_get_n_layers (net->graph);
  /* timestamp 0 starts, timestamp 1 ends the input op, 2 + i ends layer i */
  cmds = ranet_vk_commands_new (net->dev, n_layers + 2, error);
  if (cmds == NULL || !ranet_vk_commands_begin (cmds, error))
    return FALSE;

  /* A barrier after every dispatch, so that each one runs alone between
   * its two timestamps: the figures are per layer, not what the overlapping
   * stage recordings cost. */
  ranet_vk_commands_timestamp (cmds, 0);
  ranet_net_record_input (net, cmds);
  ranet_vk_commands_barrier (cmds);
  ranet_vk_commands_timestamp (cmds, 1);
  for (guint i = 0; i < n_layers; i++) {
    ranet_net_record_layer (net, cmds, i);
    ranet_vk_commands_barrier (cmds);
    ranet_vk_commands_timestamp (cmds, 2 + i);
  }
  if (!ranet_vk_commands_end (cmds, error)
      || !ranet_vk_commands_submit (cmds, error)) {
    net->next_stage = 0;
    return FALSE;
  }
  if (input_ns != NULL)
    *input_ns = ranet_vk_commands_get_elapsed_ns (cmds, 0, 1);
  for (guint i = 0; i < n_layers; i++)
    layer_ns[i] = ranet_vk_commands_get_elapsed_ns (cmds, 1 + i, 2 + i);
  /* every exit's logits are there to read */
  net->next_stage = net->n_exits;
  return TRUE;
}
