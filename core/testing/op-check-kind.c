/* op-check-kind.c: a kind's list of shapes in each of its shader variants. */
#include "testing/op-check-private.h"

/* The environment switches an op reads when it is created (ranet_op_texel_input(),
 * ranet_op_weight_sharing()); NULL leaves the choice to the device. */
typedef struct {
  const char *name;
  const char *texel_buffers, *subgroup_shuffle;
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

  v[n++] = (Variant) { "device's choice", NULL, NULL };
  if (texel)
    v[n++] = (Variant) { "storage-buffer input", "0", NULL };
  if (info->variants & RANET_LAYER_WEIGHT_SHARING)
    v[n++] = (Variant) { texel ? "storage-buffer input, no subgroup shuffles"
        : "no subgroup shuffles", texel ? "0" : NULL, "0" };
  return n;
}

static void
set_env (const char *name, const char *value)
{
  if (value != NULL)
    g_setenv (name, value, TRUE);
  else
    g_unsetenv (name);
}

guint
ranet_op_check_kind (RanetVkDevice *dev, RanetLayerKind kind, RanetOpCheckReport report,
    gpointer user_data)
{
  const RanetLayerKindInfo *info = ranet_layer_kind_get_info (kind);
  const RanetOpCheckKind *shapes = &ranet_op_check_kinds[kind];
  g_autofree char *saved_texel = g_strdup (g_getenv ("RANET_TEXEL_BUFFERS"));
  g_autofree char *saved_shuffle = g_strdup (g_getenv ("RANET_SUBGROUP_SHUFFLE"));
  Variant variants[MAX_VARIANTS];
  guint n_variants = kind_variants (info, variants);

  for (guint v = 0; v < n_variants; v++) {
    set_env ("RANET_TEXEL_BUFFERS", variants[v].texel_buffers);
    set_env ("RANET_SUBGROUP_SHUFFLE", variants[v].subgroup_shuffle);
    for (guint i = 0; i < shapes->n_shapes; i++) {
      g_autofree char *what = g_strdup_printf ("%s shape %u (%s)", info->name, i,
          variants[v].name);
      g_autoptr (GError) error = NULL;
      RanetOpCheck check = { 0 };

      ranet_op_check_layer (dev, &shapes->shapes[i], 100 * (kind + 1) + i, &check, &error);
      report (what, &check, error, user_data);
    }
  }
  set_env ("RANET_TEXEL_BUFFERS", saved_texel);
  set_env ("RANET_SUBGROUP_SHUFFLE", saved_shuffle);
  return shapes->n_shapes;
}
