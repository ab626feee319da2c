/* vk-options.c: the run-time switches, read from the environment in one place.
 *
 * Everything the library lets a user or a test switch without code (the
 * device, the validation layer, shader variants, one-submission frames, fault
 * injection) is a field of RanetVkOptions. The environment is read here and
 * nowhere else: once per device, when it is made, after which the device
 * carries its options and the code asks the device. Tests make devices with
 * the options they want instead of setting variables. */
#include "vk-private.h"

#include <string.h>

/* A switch that is on unless the variable is "0". */
static gboolean
switch_on (const char *name)
{
  return g_strcmp0 (g_getenv (name), "0") != 0;
}

/* "0" never, "1" always, anything else the default rule. */
static RanetVkFusion
fusion (const char *value)
{
  if (g_strcmp0 (value, "0") == 0)
    return RANET_VK_FUSION_OFF;
  return g_strcmp0 (value, "1") == 0 ? RANET_VK_FUSION_ON : RANET_VK_FUSION_AUTO;
}

static guint
count (const char *name)
{
  const char *value = g_getenv (name);
  guint64 n = 0;

  if (value == NULL || !g_ascii_string_to_unsigned (value, 10, 0, G_MAXINT, &n, NULL))
    return 0;
  return (guint) n;
}

void
ranet_vk_options_init (RanetVkOptions *options)
{
  g_return_if_fail (options != NULL);
  *options = (RanetVkOptions) {
    .validation = RANET_VK_VALIDATION_OFF,
    .texel_buffers = TRUE,
    .subgroup_shuffle = TRUE,
    .conditional_stages = TRUE,
  };
}

void
ranet_vk_options_from_environment (RanetVkOptions *options)
{
  const char *validation = g_getenv ("RANET_VK_VALIDATION");

  g_return_if_fail (options != NULL);
  ranet_vk_options_init (options);
  if (validation != NULL && validation[0] != '\0' && strcmp (validation, "0") != 0)
    options->validation = strcmp (validation, "sync") == 0
        ? RANET_VK_VALIDATION_SYNC : RANET_VK_VALIDATION_ON;
  options->texel_buffers = switch_on ("RANET_TEXEL_BUFFERS");
  options->subgroup_shuffle = switch_on ("RANET_SUBGROUP_SHUFFLE");
  options->conditional_stages = switch_on ("RANET_CONDITIONAL_STAGES");
  options->fused_layers = fusion (g_getenv ("RANET_FUSED_LAYERS"));
  options->fail_alloc = count ("RANET_VK_FAIL_ALLOC");
  options->fail_submit = count ("RANET_VK_FAIL_SUBMIT");
  options->driver_threads_set = g_getenv ("LP_NUM_THREADS") != NULL;
}

RanetVkSelectorSource
ranet_vk_device_selector_source (const char *selector, const char **effective)
{
  RanetVkSelectorSource source = RANET_VK_SELECTOR_ARGUMENT;

  if (selector == NULL || selector[0] == '\0') {
    selector = g_getenv ("RANET_VULKAN_DEVICE");
    source = RANET_VK_SELECTOR_ENVIRONMENT;
  }
  if (selector == NULL || selector[0] == '\0') {
    selector = NULL;
    source = RANET_VK_SELECTOR_AUTOMATIC;
  }
  if (effective != NULL)
    *effective = selector;
  return source;
}
