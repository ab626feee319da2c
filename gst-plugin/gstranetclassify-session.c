/* gstranetclassify-session.c: ranetclassify's model, device and session. */
#include "gstranetclassify-session.h"

#include <gio/gio.h>

GST_DEBUG_CATEGORY_EXTERN (gst_ranet_classify_debug);
#define GST_CAT_DEFAULT gst_ranet_classify_debug

#define BUILTIN_MODEL_RESOURCE "/org/ranet/models/fashion-mnist-ranet.safetensors"
#define BUILTIN_MODEL_NAME "built-in Fashion-MNIST model"
/* the metadata's model field: the file it was built from, and that it is
 * the built-in copy */
#define BUILTIN_MODEL_META_NAME "fashion-mnist-ranet.safetensors (built-in)"

static RanetModel *
load_model (const gchar *path, GError **error)
{
  if (path != NULL && *path != '\0')
    return ranet_model_load_file (path, error);

  g_autoptr (GBytes) bytes = g_resources_lookup_data (BUILTIN_MODEL_RESOURCE,
      G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (bytes == NULL)
    return NULL;
  return ranet_model_load_bytes (bytes, BUILTIN_MODEL_NAME, error);
}

/* What chose the device, for the messages that name it. */
static gchar *
describe_device_choice (const gchar * selector)
{
  const char *effective = NULL;

  switch (ranet_vk_device_selector_source (selector, &effective)) {
    case RANET_VK_SELECTOR_ARGUMENT:
      return g_strdup_printf ("the device property, \"%s\"", effective);
    case RANET_VK_SELECTOR_ENVIRONMENT:
      return g_strdup_printf ("RANET_VULKAN_DEVICE=\"%s\" (the device property is unset)",
          effective);
    case RANET_VK_SELECTOR_AUTOMATIC:
    default:
      return g_strdup ("the automatic choice (the device property and "
          "RANET_VULKAN_DEVICE are unset)");
  }
}

RanetSession *
gst_ranet_classify_open_session (GstElement *element, const gchar *model_path,
    const gchar *device_selector)
{
  g_autofree gchar *chosen_by = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (RanetModel) model = NULL;
  g_autoptr (RanetVkDevice) device = NULL;
  RanetSession *session;

  model = load_model (model_path, &error);
  if (model == NULL) {
    g_autofree gchar *text = g_strdup_printf ("Could not load the RANet model "
        "\"%s\": %s", model_path ? model_path : BUILTIN_MODEL_NAME, error->message);

    /* applications tell a missing file from a bad one by the code */
    if (g_error_matches (error, RANET_MODEL_ERROR, RANET_MODEL_ERROR_NOT_FOUND))
      GST_ELEMENT_ERROR (element, RESOURCE, NOT_FOUND, ("%s", text),
          ("set the model property to an existing .safetensors model file"));
    else
      GST_ELEMENT_ERROR (element, RESOURCE, OPEN_READ, ("%s", text),
          ("set the model property to a valid .safetensors model file"));
    return NULL;
  }

  chosen_by = describe_device_choice (device_selector);
  device = ranet_vk_device_get_shared (device_selector, &error);
  if (device == NULL) {
    GST_ELEMENT_ERROR (element, RESOURCE, NOT_FOUND,
        ("No usable Vulkan device: %s", error->message), ("device chosen by %s", chosen_by));
    return NULL;
  }
  GST_INFO_OBJECT (element, "using Vulkan device \"%s\", chosen by %s",
      ranet_vk_device_get_name (device), chosen_by);
  /* lavapipe wakes its worker threads for every dispatch: for a small
   * network most of the frame (README, docs/PERFORMANCE.md) */
  if (ranet_vk_device_is_cpu (device)
      && !ranet_vk_device_get_options (device)->driver_threads_set)
    GST_INFO_OBJECT (element, "the Vulkan device is a CPU implementation: small models "
        "(the default one: 14 MMACs a frame) run about 3x faster with LP_NUM_THREADS=0 "
        "in the environment, large ones faster without it");

  /* the first frame is planned like every other (ranet_session_warm_up()) */
  session = ranet_session_new (device, model, &error);
  if (session == NULL || !ranet_session_warm_up (session, &error)) {
    g_clear_pointer (&session, ranet_session_free);
    GST_ELEMENT_ERROR (element, RESOURCE, FAILED,
        ("Could not set up the network on the Vulkan device: %s", error->message),
        (NULL));
    return NULL;
  }
  /* with no budget set yet, the latency figure is the warm-up frame's time */
  GST_INFO_OBJECT (element, "a frame through every exit took %.3f ms at start",
      ranet_session_get_latency (session) / 1e6);
  return session;
}

gchar *
gst_ranet_classify_model_meta_name (const gchar *model_path)
{
  return model_path != NULL && *model_path != '\0' ? g_path_get_basename (model_path)
      : g_strdup (BUILTIN_MODEL_META_NAME);
}
