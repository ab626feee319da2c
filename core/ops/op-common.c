/* op-common.c: the RanetOp object and the checks every op shares. */
#include <string.h>

#include "ops/op-private.h"

/* Specialization constants are 32-bit, so every element index must fit in one. */
#define MAX_INDEX ((gsize) G_MAXUINT32)

/* Workgroup counts per dimension are guaranteed only up to 65535. */
#define MAX_GROUPS_X 65535u

gboolean
ranet_op_check_view (const RanetTensorView *v, const char *op,
    const char *what, GError **error)
{
  if (v->c == 0 || v->h == 0 || v->w == 0) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "%s: %s view has an empty shape %ux%ux%u", op, what, v->c, v->h, v->w);
    return FALSE;
  }
  if ((guint64) v->c_offset + v->c > v->c_total) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "%s: %s view channels %u..%u lie outside its tensor of %u channels",
        op, what, v->c_offset, v->c_offset + v->c, v->c_total);
    return FALSE;
  }
  /* c_total * h * w cannot overflow 64 bits: each factor is 32-bit */
  guint64 size = (guint64) v->c_total * v->h * v->w;
  if (v->base > MAX_INDEX || size > MAX_INDEX - v->base) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "%s: %s view ends beyond float index 2^32", op, what);
    return FALSE;
  }
  if (v->n_items <= 1)
    return TRUE;
  if (v->item_stride < size) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "%s: %s view's item stride of %" G_GSIZE_FORMAT " floats is less than its "
        "tensor's %" G_GUINT64_FORMAT " (%ux%ux%u)", op, what, v->item_stride, size,
        v->c_total, v->h, v->w);
    return FALSE;
  }
  /* the stride is below 2^32 here, so the product fits 64 bits */
  if (v->item_stride > MAX_INDEX - v->base - size
      || (guint64) v->item_stride * (v->n_items - 1) > MAX_INDEX - v->base - size) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "%s: %s view's %u items end beyond float index 2^32", op, what, v->n_items);
    return FALSE;
  }
  return TRUE;
}

gboolean
ranet_op_check_items (const RanetTensorView *in, const RanetTensorView *out,
    const char *op, RanetOpItems *items, GError **error)
{
  guint n = ranet_tensor_view_n_items (in);

  if (ranet_tensor_view_n_items (out) != n) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "%s: input view has %u items, output view %u", op, n,
        ranet_tensor_view_n_items (out));
    return FALSE;
  }
  *items = (RanetOpItems) {
    n, n > 1 ? (guint32) in->item_stride : 0, n > 1 ? (guint32) out->item_stride : 0,
  };
  return TRUE;
}

gboolean
ranet_op_check_weights_offset (gsize weights_offset, gsize n_floats,
    const char *op, GError **error)
{
  if (weights_offset % 4 != 0) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "%s: weights offset %" G_GSIZE_FORMAT " is not a multiple of 4 floats",
        op, weights_offset);
    return FALSE;
  }
  if (weights_offset > MAX_INDEX || n_floats > MAX_INDEX - weights_offset) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "%s: weights end beyond float index 2^32", op);
    return FALSE;
  }
  return TRUE;
}

RanetOp *
ranet_op_new_internal (RanetVkDevice *dev, const char *name,
    const char *shader, RanetOpBindings bindings, guint32 texel_mask, const guint32 *spec,
    guint n_spec, guint64 n_invocations, guint64 macs, GError **error)
{
  RanetOpItems one = { 1, 0, 0 };

  return ranet_op_new_internal_items (dev, name, shader, bindings, texel_mask, &one,
      spec, n_spec, n_invocations, macs, error);
}

RanetOp *
ranet_op_new_internal_items (RanetVkDevice *dev, const char *name,
    const char *shader, RanetOpBindings bindings, guint32 texel_mask,
    const RanetOpItems *items, const guint32 *spec, guint n_spec, guint64 n_invocations,
    guint64 macs, GError **error)
{
  guint64 groups = (n_invocations + RANET_OP_GROUP_SIZE - 1) / RANET_OP_GROUP_SIZE;
  guint64 groups_x;

  if (groups == 0 || groups > (guint64) MAX_GROUPS_X * MAX_GROUPS_X) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "%s: %" G_GUINT64_FORMAT " workgroups is out of range", name, groups);
    return NULL;
  }
  /* the shaders flatten (x, y) workgroup ids back into one index */
  groups_x = MIN (groups, MAX_GROUPS_X);
  return ranet_op_new_grid (dev, name, shader, bindings, texel_mask, 0, items, spec, n_spec,
      groups_x, (groups + groups_x - 1) / groups_x, macs, error);
}

RanetOp *
ranet_op_new_grid (RanetVkDevice *dev, const char *name,
    const char *shader, RanetOpBindings bindings, guint32 texel_mask, guint32 vec4_mask,
    const RanetOpItems *items, const guint32 *spec, guint n_spec, guint64 groups_x,
    guint64 groups_y, guint64 macs, GError **error)
{
  g_autofree char *batch_shader = NULL;
  g_autofree guint32 *batch_spec = NULL;
  RanetOp *op;

  if (groups_x == 0 || groups_x > MAX_GROUPS_X || groups_y == 0
      || groups_y > MAX_GROUPS_X) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "%s: %" G_GUINT64_FORMAT " x %" G_GUINT64_FORMAT " workgroups is out of range",
        name, groups_x, groups_y);
    return NULL;
  }
  if (items->n_items > 1) {
    /* workgroup z runs one item */
    if (items->n_items > ranet_vk_device_get_max_workgroup_count (dev, 2)) {
      g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
          "%s: %u items exceed the device's %u workgroups in z", name, items->n_items,
          ranet_vk_device_get_max_workgroup_count (dev, 2));
      return NULL;
    }
    batch_shader = g_strconcat (shader, "_batch", NULL);
    batch_spec = g_new (guint32, n_spec + 3);
    memcpy (batch_spec, spec, n_spec * sizeof (guint32));
    batch_spec[n_spec] = items->in_stride;
    batch_spec[n_spec + 1] = items->out_stride;
    batch_spec[n_spec + 2] = items->n_items;
    shader = batch_shader;
    spec = batch_spec;
    n_spec += 3;
  }
  op = g_new0 (RanetOp, 1);
  op->name = name;
  op->has_weights = bindings == RANET_OP_IN_WEIGHTS_OUT;
  op->n_bindings = bindings == RANET_OP_IN_OUT ? 2
      : bindings == RANET_OP_CLASSIFIER ? 4 : bindings == RANET_OP_CLASSIFIER_CONTROL ? 5 : 3;
  op->macs = macs;
  op->groups_x = (guint) groups_x;
  op->groups_y = (guint) groups_y;
  op->max_items = items->n_items;
  op->binds_items = op->max_items > 1;
  op->pipe = ranet_vk_pipeline_new_named_full (dev, shader,
      op->n_bindings + (op->max_items > 1 ? 1 : 0), texel_mask, vec4_mask, spec, n_spec, 0,
      error);
  if (op->pipe == NULL) {
    g_prefix_error (error, "%s: ", name);
    g_free (op);
    return NULL;
  }
  return op;
}

RanetOp *
ranet_op_new_conv (RanetVkDevice *dev, const char *name, const char *shader,
    const RanetOpWindow *in, gsize weights_end, guint sg, guint local, guint groups,
    const RanetOpItems *items, const guint32 *spec, guint n_spec, guint64 n_pix,
    guint n_oc_blocks, guint64 macs, GError **error)
{
  /* weights as vec4 texels: the limit counts texels */
  gboolean texel = sg > 1 && ranet_op_texel_input (dev, in)
      && weights_end / 4 <= ranet_vk_device_get_max_texel_buffer_elements (dev);
  g_autofree char *variant = g_strconcat (shader, texel ? "_sg_texel" : sg > 1 ? "_sg" : "",
      NULL);
  guint pix_per_group = local / groups;

  /* workgroups: x over pixel blocks, y over groups of blocks of output channels;
   * bindings: input, weights, output */
  return ranet_op_new_grid (dev, name, variant, RANET_OP_IN_WEIGHTS_OUT, texel ? 1u : 0u,
      texel ? 2u : 0u, items, spec, n_spec,
      (n_pix + pix_per_group - 1) / pix_per_group, (n_oc_blocks + groups - 1) / groups,
      macs, error);
}

guint32
ranet_op_float_window (RanetVkDevice *dev, gsize first, gsize n, RanetOpWindow *w)
{
  gsize align = ranet_vk_device_get_binding_alignment (dev);

  w->offset = first * sizeof (float) / align * align;
  w->size = (first + n) * sizeof (float) - w->offset;
  return (guint32) (first - w->offset / sizeof (float));
}

guint32
ranet_op_view_window (RanetVkDevice *dev, const RanetTensorView *v, RanetOpWindow *w)
{
  return ranet_op_float_window (dev, ranet_tensor_view_origin (v),
      (gsize) (ranet_tensor_view_n_items (v) - 1) * v->item_stride
      + (gsize) v->c * v->h * v->w, w);
}

RanetOp *
ranet_op_set_windows (RanetOp *op, const RanetOpWindow *in, const RanetOpWindow *out)
{
  if (op != NULL) {
    op->window[0] = *in;
    op->window[op->has_weights ? 2 : 1] = *out;
  }
  return op;
}

void
ranet_op_record_buffers (RanetOp *op, RanetVkCommands *cmds, RanetVkBuffer *const *buffers,
    guint n_buffers)
{
  RanetVkBinding bindings[RANET_OP_MAX_BINDINGS];

  g_return_if_fail (op != NULL && cmds != NULL && buffers != NULL);
  g_return_if_fail (n_buffers == op->n_bindings);
  g_return_if_fail (!op->binds_items);

  for (guint i = 0; i < n_buffers; i++) {
    g_return_if_fail (buffers[i] != NULL);
    bindings[i] = (RanetVkBinding) { buffers[i], op->window[i].offset, op->window[i].size };
  }
  ranet_vk_commands_dispatch_bindings (cmds, op->pipe, bindings, n_buffers, NULL, 0,
      op->groups_x, op->groups_y, 1);
}

/* The bindings of a batched op: @buffers at its windows, then @items whole.
 * FALSE where the arguments are wrong (a critical has been logged). */
static gboolean
items_bindings (RanetOp *op, RanetVkCommands *cmds, RanetVkBuffer *const *buffers,
    guint n_buffers, RanetVkBuffer *items, RanetVkBinding *bindings)
{
  g_return_val_if_fail (op != NULL && cmds != NULL && buffers != NULL && items != NULL,
      FALSE);
  g_return_val_if_fail (op->binds_items, FALSE);
  g_return_val_if_fail (n_buffers == op->n_bindings, FALSE);

  for (guint i = 0; i < n_buffers; i++) {
    g_return_val_if_fail (buffers[i] != NULL, FALSE);
    bindings[i] = (RanetVkBinding) { buffers[i], op->window[i].offset, op->window[i].size };
  }
  bindings[n_buffers] = (RanetVkBinding) { items, 0, 0 };
  return TRUE;
}

void
ranet_op_record_items (RanetOp *op, RanetVkCommands *cmds, RanetVkBuffer *const *buffers,
    guint n_buffers, RanetVkBuffer *items, guint n_items)
{
  RanetVkBinding bindings[RANET_OP_MAX_BINDINGS + 1];

  if (!items_bindings (op, cmds, buffers, n_buffers, items, bindings))
    return;
  g_return_if_fail (n_items >= 1 && n_items <= op->max_items);
  ranet_vk_commands_dispatch_bindings (cmds, op->pipe, bindings, n_buffers + 1, NULL, 0,
      op->groups_x, op->groups_y, n_items);
}

void
ranet_op_record_items_indirect (RanetOp *op, RanetVkCommands *cmds,
    RanetVkBuffer *const *buffers, guint n_buffers, RanetVkBuffer *items,
    RanetVkBuffer *args, gsize args_offset)
{
  RanetVkBinding bindings[RANET_OP_MAX_BINDINGS + 1];

  if (!items_bindings (op, cmds, buffers, n_buffers, items, bindings))
    return;
  g_return_if_fail (args != NULL);
  ranet_vk_commands_dispatch_bindings_indirect (cmds, op->pipe, bindings, n_buffers + 1,
      NULL, 0, args, args_offset);
}

void
ranet_op_get_dispatch_args (RanetOp *op, guint n_items, guint32 args[3])
{
  g_return_if_fail (op != NULL && args != NULL);
  g_return_if_fail (n_items >= 1 && n_items <= op->max_items);

  args[0] = op->groups_x;
  args[1] = op->groups_y;
  args[2] = n_items;
}

gboolean
ranet_op_is_batched (RanetOp *op)
{
  g_return_val_if_fail (op != NULL, FALSE);
  return op->binds_items;
}

guint
ranet_op_get_max_items (RanetOp *op)
{
  g_return_val_if_fail (op != NULL, 1);
  return op->max_items;
}

void
ranet_op_record (RanetOp *op, RanetVkCommands *cmds, RanetVkBuffer *in,
    RanetVkBuffer *weights, RanetVkBuffer *out)
{
  RanetVkBuffer *buffers[3];
  guint n = 0;

  g_return_if_fail (op != NULL && cmds != NULL && in != NULL && out != NULL);
  g_return_if_fail (!op->has_weights || weights != NULL);

  buffers[n++] = in;
  if (op->has_weights)
    buffers[n++] = weights;
  buffers[n++] = out;
  ranet_op_record_buffers (op, cmds, buffers, n);
}

const char *
ranet_op_get_name (RanetOp *op)
{
  g_return_val_if_fail (op != NULL, NULL);
  return op->name;
}

guint64
ranet_op_get_macs (RanetOp *op)
{
  g_return_val_if_fail (op != NULL, 0);
  return op->macs;
}

void
ranet_op_free (RanetOp *op)
{
  if (op == NULL)
    return;
  ranet_vk_pipeline_free (op->pipe);
  g_free (op);
}
