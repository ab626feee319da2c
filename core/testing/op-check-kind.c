/* op-check-kind.c: a kind's list of shapes in each of its shader variants. */
#include "testing/op-check-private.h"

/* The device options an op reads when it is created (ranet_op_texel_input(),
 * ranet_op_weight_sharing()) that a variant turns off. */
typedef struct {
  const char *name;
  gboolean no_texel_buffers, no_subgroup_shuffle;
} Variant;

#define MAX_VARIANTS 3

/* The device's choice first (texel input and shared weights on CPU
 * implementations, shared weights on GPUs), then each variant the kind
 * declares turned off in turn, so every variant is checked on every device
 * that can run it. */
static guint
kind_variants (const RanetLayerKindInfo *info, Variant *v)
{
  gboolean texel = (info->variants & RANET_LAYER_TEXEL_INPUT) != 0;
  guint n = 0;

  v[n++] = (Variant) { "device's choice", FALSE, FALSE };
  if (texel)
    v[n++] = (Variant) { "storage-buffer input", TRUE, FALSE };
  if (info->variants & RANET_LAYER_WEIGHT_SHARING)
    v[n++] = (Variant) { texel ? "storage-buffer input, no subgroup shuffles"
        : "no subgroup shuffles", texel, TRUE };
  return n;
}

/* @dev itself for the device's choice; otherwise the same physical device
 * made again with the variant's options (a device keeps its options). */
static RanetVkDevice *
variant_device (RanetVkDevice *dev, const Variant *v, GError **error)
{
  RanetVkOptions options = *ranet_vk_device_get_options (dev);

  if (!v->no_texel_buffers && !v->no_subgroup_shuffle)
    return ranet_vk_device_ref (dev);
  options.texel_buffers = options.texel_buffers && !v->no_texel_buffers;
  options.subgroup_shuffle = options.subgroup_shuffle && !v->no_subgroup_shuffle;
  return ranet_vk_device_new_full (ranet_vk_device_get_name (dev), &options, error);
}

/* Checks the shapes of @kind, alone (@batches NULL) or batched as each of
 * @batches says. */
static guint
check_kind (RanetVkDevice *dev, RanetLayerKind kind, const RanetOpCheckBatch *batches,
    guint n_batches, RanetOpCheckReport report, gpointer user_data)
{
  const RanetLayerKindInfo *info = ranet_layer_kind_get_info (kind);
  const RanetOpCheckKind *shapes = &ranet_op_check_kinds[kind];
  Variant variants[MAX_VARIANTS];
  guint n_variants = kind_variants (info, variants);
  guint n_checked = 0;

  for (guint v = 0; v < n_variants; v++) {
    g_autoptr (GError) device_error = NULL;
    g_autoptr (RanetVkDevice) vdev = variant_device (dev, &variants[v], &device_error);

    n_checked = 0;
    for (guint k = 0; k < shapes->n_shapes * MAX (n_batches, 1); k++) {
      const RanetOpCheckBatch *batch = batches != NULL ? &batches[k / shapes->n_shapes] : NULL;
      guint i = k % shapes->n_shapes;
      const RanetOpCheckShape *shape = &shapes->shapes[i];
      g_autofree char *what = NULL;
      g_autoptr (GError) error = NULL;
      RanetOpCheck check = { 0 };
      guint32 seed = 100 * (kind + 1) + i;

      if (batch != NULL && batch->max_item_floats != 0
          && ranet_op_check_item_floats (shape) > batch->max_item_floats)
        continue;
      n_checked++;
      what = batch == NULL
          ? g_strdup_printf ("%s shape %u (%s)", info->name, i, variants[v].name)
          : g_strdup_printf ("%s shape %u (%s) batched: %u slots, %s, gap %" G_GSIZE_FORMAT
              ", %s", info->name, i, variants[v].name, batch->n_slots,
              batch->items != NULL ? "a list of slots" : "all slots", batch->gap,
              batch->indirect ? "indirect" : "direct");
      if (vdev == NULL)
        error = g_error_copy (device_error);
      else if (batch == NULL)
        ranet_op_check_layer (vdev, shape, seed, &check, &error);
      else
        ranet_op_check_layer_batch (vdev, shape, batch, seed, &check, &error);
      report (what, &check, error, user_data);
    }
  }
  return n_checked;
}

guint
ranet_op_check_kind (RanetVkDevice *dev, RanetLayerKind kind, RanetOpCheckReport report,
    gpointer user_data)
{
  return check_kind (dev, kind, NULL, 0, report, user_data);
}

guint
ranet_op_check_kind_batches (RanetVkDevice *dev, RanetLayerKind kind,
    const RanetOpCheckBatch *batches, guint n_batches, RanetOpCheckReport report,
    gpointer user_data)
{
  g_return_val_if_fail (batches != NULL && n_batches > 0, 0);
  return check_kind (dev, kind, batches, n_batches, report, user_data);
}
