/* vk-device.c: instance, validation, physical device choice, logical device,
 * compute queue and the process-wide shared devices. */
#include "vk-private.h"

#include <stdlib.h>
#include <string.h>

#define VALIDATION_LAYER "VK_LAYER_KHRONOS_validation"

/* ---- instance ---- */

static gboolean
has_extension (const VkExtensionProperties *exts, guint32 n, const char *name)
{
  for (guint32 i = 0; i < n; i++)
    if (strcmp (exts[i].extensionName, name) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
validation_layer_present (void)
{
  guint32 n = 0;
  VkLayerProperties *layers;
  gboolean found = FALSE;

  if (vkEnumerateInstanceLayerProperties (&n, NULL) != VK_SUCCESS || n == 0)
    return FALSE;
  layers = g_new0 (VkLayerProperties, n);
  if (vkEnumerateInstanceLayerProperties (&n, layers) >= VK_SUCCESS) {
    for (guint32 i = 0; i < n && !found; i++)
      found = strcmp (layers[i].layerName, VALIDATION_LAYER) == 0;
  }
  g_free (layers);
  return found;
}

static VkBool32 VKAPI_PTR
on_validation_message (VkDebugUtilsMessageSeverityFlagBitsEXT severity,
    VkDebugUtilsMessageTypeFlagsEXT types,
    const VkDebugUtilsMessengerCallbackDataEXT *data, void *user_data)
{
  RanetVkDevice *dev = user_data;
  const char *id = data->pMessageIdName ? data->pMessageIdName : "";

  /* Logged below warning level on purpose: GLib makes warnings fatal in tests,
   * while a validation error should be counted and reported, not abort.
   * Only the layer's messages count: the loader's own errors (no driver, a
   * driver manifest it cannot read) are general messages, and those that
   * matter come back as errors from the calls. */
  if ((severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT)
      && (types & ~VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT)) {
    g_atomic_int_inc (&dev->validation_errors);
    g_log (G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE, "Vulkan validation error [%s]: %s",
        id, data->pMessage);
  } else if (severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT) {
    g_log (G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE, "Vulkan error [%s]: %s", id, data->pMessage);
  } else if (severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT) {
    g_log (G_LOG_DOMAIN, G_LOG_LEVEL_INFO, "Vulkan validation warning [%s]: %s",
        id, data->pMessage);
  }
  return VK_FALSE;
}

static const char *
no_device_hint (void)
{
  return "install a Vulkan driver (a GPU driver, or mesa-vulkan-drivers for the "
      "lavapipe CPU implementation) and check that VK_ICD_FILENAMES / "
      "VK_DRIVER_FILES, if set, name existing driver manifests";
}

/* Every program that makes a device fails on a validation error, whether or
 * not it asks for the count: once the instance is gone (the last messages
 * come from its destruction), any error counted is a critical, which tests
 * make fatal (g_test_init(), G_DEBUG=fatal-criticals). */
static void
report_validation_errors (RanetVkDevice *dev)
{
  guint n = (guint) g_atomic_int_get (&dev->validation_errors);
  char *where;

  if (n == 0)
    return;
  where = dev->props.deviceName[0] != '\0'
      ? g_strdup_printf ("the Vulkan device \"%s\"", dev->props.deviceName)
      : g_strdup ("the Vulkan instance that listed the devices");
  g_critical ("%u Vulkan validation error%s on %s (validation %s): "
      "the messages above name them", n, n == 1 ? "" : "s", where,
      dev->sync_validation ? "with synchronisation checks" : "on");
  g_free (where);
}

static gboolean
create_instance (RanetVkDevice *dev, GError **error)
{
  RanetVkValidation requested = dev->options.validation;
  gboolean want_validation = requested != RANET_VK_VALIDATION_OFF;
  gboolean want_sync_validation = requested == RANET_VK_VALIDATION_SYNC;
  const char *extensions[4];
  guint n_extensions = 0;
  const char *layers[1];
  guint n_layers = 0;
  guint32 n_exts = 0;
  VkExtensionProperties *exts = NULL;
  VkResult res;
  VkInstanceCreateFlags flags = 0;
  VkValidationFeatureEnableEXT sync_enable =
      VK_VALIDATION_FEATURE_ENABLE_SYNCHRONIZATION_VALIDATION_EXT;
  VkValidationFeaturesEXT validation_features = {
    .sType = VK_STRUCTURE_TYPE_VALIDATION_FEATURES_EXT,
    .enabledValidationFeatureCount = 1,
    .pEnabledValidationFeatures = &sync_enable,
  };
  VkDebugUtilsMessengerCreateInfoEXT messenger_info = {
    .sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT,
    .messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT
        | VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT,
    .messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT
        | VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT
        | VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT,
    .pfnUserCallback = on_validation_message,
    .pUserData = dev,
  };
  VkApplicationInfo app = {
    .sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
    .pApplicationName = "ranet",
    .pEngineName = "ranet",
    .apiVersion = VK_API_VERSION_1_2,
  };
  VkInstanceCreateInfo info = {
    .sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
    .pApplicationInfo = &app,
  };
  guint32 loader_version = VK_API_VERSION_1_0;

  /* A 1.0 loader rejects apiVersion > 1.0; every newer one accepts any. */
  if (vkEnumerateInstanceVersion (&loader_version) != VK_SUCCESS
      || loader_version < VK_API_VERSION_1_1)
    app.apiVersion = VK_API_VERSION_1_0;

  res = vkEnumerateInstanceExtensionProperties (NULL, &n_exts, NULL);
  if (res == VK_SUCCESS && n_exts > 0) {
    exts = g_new0 (VkExtensionProperties, n_exts);
    if (vkEnumerateInstanceExtensionProperties (NULL, &n_exts, exts) < VK_SUCCESS)
      n_exts = 0;
  }
  if (has_extension (exts, n_exts, VK_KHR_PORTABILITY_ENUMERATION_EXTENSION_NAME)) {
    extensions[n_extensions++] = VK_KHR_PORTABILITY_ENUMERATION_EXTENSION_NAME;
    flags |= VK_INSTANCE_CREATE_ENUMERATE_PORTABILITY_BIT_KHR;
  }
  g_free (exts);

  if (want_validation) {
    if (validation_layer_present ()) {
      layers[n_layers++] = VALIDATION_LAYER;
      /* The layer itself provides both extensions. */
      extensions[n_extensions++] = VK_EXT_DEBUG_UTILS_EXTENSION_NAME;
      if (want_sync_validation)
        extensions[n_extensions++] = VK_EXT_VALIDATION_FEATURES_EXTENSION_NAME;
      /* Chained into the instance info, the messenger also sees messages
       * from instance creation and destruction. */
      if (want_sync_validation)
        messenger_info.pNext = &validation_features;
      info.pNext = &messenger_info;
      dev->validation = TRUE;
      dev->sync_validation = want_sync_validation;
    } else {
      g_log (G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE,
          "RANET_VK_VALIDATION is set but the layer %s is not installed "
          "(Debian: vulkan-validationlayers); running without validation",
          VALIDATION_LAYER);
    }
  }

  info.flags = flags;
  info.enabledLayerCount = n_layers;
  info.ppEnabledLayerNames = layers;
  info.enabledExtensionCount = n_extensions;
  info.ppEnabledExtensionNames = extensions;

  res = vkCreateInstance (&info, NULL, &dev->instance);
  if (res == VK_ERROR_LAYER_NOT_PRESENT && dev->validation) {
    /* listed but not loadable (a manifest without its library, a layer
     * path changed since): as if it were not installed */
    g_log (G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE,
        "RANET_VK_VALIDATION is set but the layer %s cannot be loaded "
        "(Debian: vulkan-validationlayers); running without validation", VALIDATION_LAYER);
    info.enabledLayerCount = 0;
    info.enabledExtensionCount = n_extensions - (want_sync_validation ? 2 : 1);
    info.pNext = NULL;
    dev->validation = dev->sync_validation = FALSE;
    res = vkCreateInstance (&info, NULL, &dev->instance);
  }
  if (res == VK_ERROR_INCOMPATIBLE_DRIVER) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_NO_DEVICE,
        "No Vulkan driver found (vkCreateInstance: %s): %s",
        ranet_vk_result_name (res), no_device_hint ());
    return FALSE;
  }
  if (res < VK_SUCCESS) {
    g_set_error (error, RANET_VK_ERROR,
        res == VK_ERROR_OUT_OF_HOST_MEMORY || res == VK_ERROR_OUT_OF_DEVICE_MEMORY
            ? RANET_VK_ERROR_OUT_OF_MEMORY : RANET_VK_ERROR_INIT,
        "vkCreateInstance failed: %s (%d)", ranet_vk_result_name (res), (int) res);
    dev->instance = VK_NULL_HANDLE;
    return FALSE;
  }

  if (dev->validation) {
    PFN_vkCreateDebugUtilsMessengerEXT create_messenger = (PFN_vkCreateDebugUtilsMessengerEXT)
        vkGetInstanceProcAddr (dev->instance, "vkCreateDebugUtilsMessengerEXT");
    dev->destroy_messenger = (PFN_vkDestroyDebugUtilsMessengerEXT)
        vkGetInstanceProcAddr (dev->instance, "vkDestroyDebugUtilsMessengerEXT");
    messenger_info.pNext = NULL;
    if (create_messenger == NULL || dev->destroy_messenger == NULL
        || create_messenger (dev->instance, &messenger_info, NULL, &dev->messenger)
            != VK_SUCCESS) {
      dev->messenger = VK_NULL_HANDLE;
      g_log (G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE,
          "could not install the validation message callback");
    }
  }
  return TRUE;
}

/* ---- physical devices ---- */

typedef struct {
  VkPhysicalDevice physical;
  VkPhysicalDeviceProperties props;
  guint32 queue_family;         /* G_MAXUINT32 when it has no compute queue */
  guint32 timestamp_valid_bits;
} Candidate;

static int
type_rank (VkPhysicalDeviceType type)
{
  switch (type) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return 0;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return 1;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return 2;
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return 4;
    default: return 3;
  }
}

static const char *
type_name (VkPhysicalDeviceType type)
{
  switch (type) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return "discrete GPU";
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return "integrated GPU";
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return "virtual GPU";
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return "CPU";
    default: return "other";
  }
}

static gint
compare_candidates (gconstpointer a, gconstpointer b)
{
  const Candidate *ca = a, *cb = b;
  return type_rank (ca->props.deviceType) - type_rank (cb->props.deviceType);
}

/* Picks the queue family for compute: one with timestamps if any has them. */
static void
find_compute_queue (Candidate *c)
{
  guint32 n = 0;
  VkQueueFamilyProperties *families;

  c->queue_family = G_MAXUINT32;
  c->timestamp_valid_bits = 0;
  vkGetPhysicalDeviceQueueFamilyProperties (c->physical, &n, NULL);
  families = g_new0 (VkQueueFamilyProperties, MAX (n, 1));
  vkGetPhysicalDeviceQueueFamilyProperties (c->physical, &n, families);
  for (guint32 i = 0; i < n; i++) {
    if (!(families[i].queueFlags & VK_QUEUE_COMPUTE_BIT) || families[i].queueCount == 0)
      continue;
    if (c->queue_family == G_MAXUINT32
        || (c->timestamp_valid_bits == 0 && families[i].timestampValidBits > 0)) {
      c->queue_family = i;
      c->timestamp_valid_bits = families[i].timestampValidBits;
    }
  }
  g_free (families);
}

/* Usable devices (with a compute queue) in order of preference: real GPUs
 * before CPU implementations; a stable sort keeps the driver's order otherwise. */
static GArray *
enumerate_candidates (VkInstance instance, GError **error)
{
  guint32 n = 0;
  VkPhysicalDevice *physicals;
  GArray *candidates;
  VkResult res;

  res = vkEnumeratePhysicalDevices (instance, &n, NULL);
  if (!ranet_vk_check (res, "vkEnumeratePhysicalDevices", error))
    return NULL;
  physicals = g_new0 (VkPhysicalDevice, MAX (n, 1));
  res = vkEnumeratePhysicalDevices (instance, &n, physicals);
  if (!ranet_vk_check (res, "vkEnumeratePhysicalDevices", error)) {
    g_free (physicals);
    return NULL;
  }
  candidates = g_array_new (FALSE, TRUE, sizeof (Candidate));
  for (guint32 i = 0; i < n; i++) {
    Candidate c = { .physical = physicals[i] };
    vkGetPhysicalDeviceProperties (c.physical, &c.props);
    find_compute_queue (&c);
    if (c.queue_family != G_MAXUINT32)
      g_array_append_val (candidates, c);
  }
  g_free (physicals);
  g_array_sort (candidates, compare_candidates);   /* g_array_sort is stable (merge sort) */

  if (candidates->len == 0) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_NO_DEVICE,
        "No Vulkan device with a compute queue found (%u device(s) enumerated): %s",
        n, no_device_hint ());
    g_array_unref (candidates);
    return NULL;
  }
  return candidates;
}

static char *
describe_candidate (guint index, const Candidate *c)
{
  return g_strdup_printf ("%u: %s (%s)", index, c->props.deviceName,
      type_name (c->props.deviceType));
}

static gboolean
is_index (const char *s)
{
  if (*s == '\0')
    return FALSE;
  for (; *s; s++)
    if (!g_ascii_isdigit (*s))
      return FALSE;
  return TRUE;
}

/* Where the choice came from, for the debug line on the device in use. */
static char *
describe_choice (RanetVkSelectorSource source, const char *selector)
{
  switch (source) {
    case RANET_VK_SELECTOR_ARGUMENT:
      return g_strdup_printf ("by the selector \"%s\"", selector);
    case RANET_VK_SELECTOR_ENVIRONMENT:
      return g_strdup_printf ("by RANET_VULKAN_DEVICE=\"%s\"", selector);
    case RANET_VK_SELECTOR_AUTOMATIC:
    default:
      return g_strdup ("automatically (no selector, RANET_VULKAN_DEVICE unset)");
  }
}

static const Candidate *
select_candidate (GArray *candidates, const char *selector, RanetVkSelectorSource source,
    GError **error)
{
  if (selector == NULL || selector[0] == '\0')
    return &g_array_index (candidates, Candidate, 0);

  if (is_index (selector)) {
    guint64 index = g_ascii_strtoull (selector, NULL, 10);
    if (index < candidates->len)
      return &g_array_index (candidates, Candidate, index);
  } else {
    char *wanted = g_utf8_casefold (selector, -1);
    for (guint i = 0; i < candidates->len; i++) {
      const Candidate *c = &g_array_index (candidates, Candidate, i);
      char *name = g_utf8_casefold (c->props.deviceName, -1);
      gboolean match = strstr (name, wanted) != NULL;
      g_free (name);
      if (match) {
        g_free (wanted);
        return c;
      }
    }
    g_free (wanted);
  }

  {
    GString *available = g_string_new (NULL);
    /* the user who set the variable may not know that it is what chose */
    char *what = source == RANET_VK_SELECTOR_ENVIRONMENT
        ? g_strdup_printf ("RANET_VULKAN_DEVICE=\"%s\"", selector)
        : g_strdup_printf ("\"%s\"", selector);
    for (guint i = 0; i < candidates->len; i++) {
      char *line = describe_candidate (i, &g_array_index (candidates, Candidate, i));
      g_string_append_printf (available, "%s%s", i ? "; " : "", line);
      g_free (line);
    }
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_DEVICE_NOT_FOUND,
        "No Vulkan device matches %s (give an index or part of a name); "
        "available: %s", what, available->str);
    g_string_free (available, TRUE);
    g_free (what);
  }
  return NULL;
}

/* ---- logical device ---- */

static gboolean
device_has_extension (VkPhysicalDevice physical, const char *name)
{
  guint32 n = 0;
  VkExtensionProperties *exts;
  gboolean found = FALSE;

  if (vkEnumerateDeviceExtensionProperties (physical, NULL, &n, NULL) != VK_SUCCESS || n == 0)
    return FALSE;
  exts = g_new0 (VkExtensionProperties, n);
  if (vkEnumerateDeviceExtensionProperties (physical, NULL, &n, exts) >= VK_SUCCESS)
    found = has_extension (exts, n, name);
  g_free (exts);
  return found;
}

static gboolean
create_logical_device (RanetVkDevice *dev, const Candidate *c, GError **error)
{
  const float priority = 1.0f;
  const char *extensions[2];
  guint n_extensions = 0;
  VkPhysicalDeviceConditionalRenderingFeaturesEXT conditional = {
    .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_CONDITIONAL_RENDERING_FEATURES_EXT,
  };
  VkPhysicalDeviceConditionalRenderingFeaturesEXT enabled_conditional = {
    .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_CONDITIONAL_RENDERING_FEATURES_EXT,
  };
  gboolean want_conditional = FALSE;
  VkPhysicalDeviceFeatures2 features = {
    .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2,
  };
  VkDeviceQueueCreateInfo queue_info = {
    .sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
    .queueFamilyIndex = c->queue_family,
    .queueCount = 1,
    .pQueuePriorities = &priority,
  };
  VkDeviceCreateInfo info = {
    .sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
    .queueCreateInfoCount = 1,
    .pQueueCreateInfos = &queue_info,
  };
  guint32 instance_version = VK_API_VERSION_1_0;
  VkResult res;

  /* Devices that only expose a subset of Vulkan must say so when enabled
   * through portability enumeration. */
  if (device_has_extension (c->physical, "VK_KHR_portability_subset"))
    extensions[n_extensions++] = "VK_KHR_portability_subset";

  /* The 1.2 feature structs are only valid when both sides speak 1.2. The
   * shaders need no optional feature: only conditional rendering is enabled,
   * where the device has it. */
  vkEnumerateInstanceVersion (&instance_version);
  if (c->props.apiVersion >= VK_API_VERSION_1_2 && instance_version >= VK_API_VERSION_1_2) {
    gboolean has_conditional = device_has_extension (c->physical,
        VK_EXT_CONDITIONAL_RENDERING_EXTENSION_NAME);

    if (has_conditional)
      features.pNext = &conditional;
    vkGetPhysicalDeviceFeatures2 (c->physical, &features);
    /* a frame's later stages skipped on the device: one submission per frame */
    want_conditional = has_conditional && conditional.conditionalRendering
        && dev->options.conditional_stages;
    if (want_conditional) {
      extensions[n_extensions++] = VK_EXT_CONDITIONAL_RENDERING_EXTENSION_NAME;
      enabled_conditional.conditionalRendering = VK_TRUE;
      info.pNext = &enabled_conditional;
    }
  }

  info.enabledExtensionCount = n_extensions;
  info.ppEnabledExtensionNames = extensions;
  res = vkCreateDevice (c->physical, &info, NULL, &dev->device);
  if (!ranet_vk_check (res, "vkCreateDevice", error)) {
    dev->device = VK_NULL_HANDLE;
    return FALSE;
  }
  vkGetDeviceQueue (dev->device, c->queue_family, 0, &dev->queue);
  if (want_conditional) {
    dev->begin_conditional = (PFN_vkCmdBeginConditionalRenderingEXT)
        vkGetDeviceProcAddr (dev->device, "vkCmdBeginConditionalRenderingEXT");
    dev->end_conditional = (PFN_vkCmdEndConditionalRenderingEXT)
        vkGetDeviceProcAddr (dev->device, "vkCmdEndConditionalRenderingEXT");
    if (dev->begin_conditional == NULL || dev->end_conditional == NULL)
      dev->begin_conditional = NULL, dev->end_conditional = NULL;
  }
  return TRUE;
}

static void
query_subgroup_size (RanetVkDevice *dev)
{
  VkPhysicalDeviceSubgroupProperties subgroup = {
    .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES,
  };
  VkPhysicalDeviceProperties2 props2 = {
    .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
    .pNext = &subgroup,
  };

  dev->subgroup_size = 1;
  if (dev->props.apiVersion < VK_API_VERSION_1_1)
    return;
  vkGetPhysicalDeviceProperties2 (dev->physical, &props2);
  dev->subgroup_size = MAX (subgroup.subgroupSize, 1);
  dev->subgroup_shuffle = (subgroup.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT)
      && (subgroup.supportedOperations & VK_SUBGROUP_FEATURE_BASIC_BIT)
      && (subgroup.supportedOperations & VK_SUBGROUP_FEATURE_SHUFFLE_BIT);
}

static gboolean
create_device_objects (RanetVkDevice *dev, GError **error)
{
  VkCommandPoolCreateInfo pool_info = {
    .sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
    .flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT
        | VK_COMMAND_POOL_CREATE_TRANSIENT_BIT,
    .queueFamilyIndex = dev->queue_family,
  };
  VkCommandBufferAllocateInfo alloc_info = {
    .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
    .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
    .commandBufferCount = 1,
  };
  VkFenceCreateInfo fence_info = {
    .sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO,
  };

  if (!ranet_vk_device_open_pipeline_cache (dev, error))
    return FALSE;
  if (!ranet_vk_check (vkCreateCommandPool (dev->device, &pool_info, NULL,
              &dev->transfer_pool), "vkCreateCommandPool", error))
    return FALSE;
  alloc_info.commandPool = dev->transfer_pool;
  if (!ranet_vk_check (vkAllocateCommandBuffers (dev->device, &alloc_info,
              &dev->transfer_cmd), "vkAllocateCommandBuffers", error))
    return FALSE;
  return ranet_vk_check (vkCreateFence (dev->device, &fence_info, NULL,
          &dev->transfer_fence), "vkCreateFence", error);
}

static void
device_destroy (RanetVkDevice *dev)
{
  if (dev->device) {
    vkDeviceWaitIdle (dev->device);
    if (dev->transfer_fence)
      vkDestroyFence (dev->device, dev->transfer_fence, NULL);
    if (dev->transfer_pool)
      vkDestroyCommandPool (dev->device, dev->transfer_pool, NULL);
    ranet_vk_device_close_pipeline_cache (dev);
    vkDestroyDevice (dev->device, NULL);
  }
  if (dev->messenger)
    dev->destroy_messenger (dev->instance, dev->messenger, NULL);
  if (dev->instance)
    vkDestroyInstance (dev->instance, NULL);
  report_validation_errors (dev);
  g_mutex_clear (&dev->queue_mutex);
  g_mutex_clear (&dev->transfer_mutex);
  g_free (dev->shared_key);
  g_free (dev);
}

/* @selector: the effective selector, from @source (NULL when automatic). */
static RanetVkDevice *
device_new (const char *selector, RanetVkSelectorSource source, const RanetVkOptions *options,
    GError **error)
{
  RanetVkDevice *dev = g_new0 (RanetVkDevice, 1);
  GArray *candidates = NULL;
  const Candidate *chosen;
  char *chosen_by;

  dev->ref_count = 1;
  if (options != NULL)
    dev->options = *options;
  else
    ranet_vk_options_from_environment (&dev->options);
  ranet_vk_debug_arm (&dev->options);
  g_mutex_init (&dev->queue_mutex);
  g_mutex_init (&dev->transfer_mutex);

  if (!create_instance (dev, error))
    goto fail;
  candidates = enumerate_candidates (dev->instance, error);
  if (candidates == NULL)
    goto fail;
  chosen = select_candidate (candidates, selector, source, error);
  if (chosen == NULL)
    goto fail;

  dev->physical = chosen->physical;
  dev->props = chosen->props;
  dev->queue_family = chosen->queue_family;
  dev->timestamp_valid_bits = chosen->timestamp_valid_bits;
  vkGetPhysicalDeviceMemoryProperties (dev->physical, &dev->mem_props);
  query_subgroup_size (dev);

  if (!create_logical_device (dev, chosen, error) || !create_device_objects (dev, error))
    goto fail;

  g_array_unref (candidates);
  chosen_by = describe_choice (source, selector);
  g_debug ("using Vulkan device \"%s\" (%s), chosen %s, queue family %u, validation %s",
      dev->props.deviceName, type_name (dev->props.deviceType), chosen_by, dev->queue_family,
      dev->sync_validation ? "on, with synchronisation checks" : dev->validation ? "on" : "off");
  g_free (chosen_by);
  return dev;

fail:
  if (candidates)
    g_array_unref (candidates);
  device_destroy (dev);
  return NULL;
}

RanetVkDevice *
ranet_vk_device_new (const char *selector, GError **error)
{
  return ranet_vk_device_new_full (selector, NULL, error);
}

RanetVkDevice *
ranet_vk_device_new_full (const char *selector, const RanetVkOptions *options, GError **error)
{
  RanetVkSelectorSource source;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  source = ranet_vk_device_selector_source (selector, &selector);
  return device_new (selector, source, options, error);
}

const RanetVkOptions *
ranet_vk_device_get_options (RanetVkDevice *dev)
{
  g_return_val_if_fail (dev != NULL, NULL);
  return &dev->options;
}

GPtrArray *
ranet_vk_list_devices (GError **error)
{
  RanetVkDevice probe = { 0 };
  GArray *candidates;
  GPtrArray *list = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* An instance of its own, only to enumerate; no logical device is created. */
  ranet_vk_options_from_environment (&probe.options);
  if (!create_instance (&probe, error))
    return NULL;
  candidates = enumerate_candidates (probe.instance, error);
  if (candidates) {
    list = g_ptr_array_new_with_free_func (g_free);
    for (guint i = 0; i < candidates->len; i++)
      g_ptr_array_add (list, describe_candidate (i, &g_array_index (candidates, Candidate, i)));
    g_array_unref (candidates);
  }
  if (probe.messenger)
    probe.destroy_messenger (probe.instance, probe.messenger, NULL);
  vkDestroyInstance (probe.instance, NULL);
  report_validation_errors (&probe);
  return list;
}

/* ---- shared devices and reference counting ---- */

/* Maps an effective selector ("" for automatic) to a device. The table holds
 * a reference: a shared device, and every pipeline it compiled, stays until
 * the process exits (release_shared_devices()), because compiling a net's
 * pipelines is nearly all of an element's start-up (vk-pipeline-cache.c). A
 * lost device leaves the table (and loses that reference) when the next user
 * asks for one. */
static GMutex shared_lock;
static GHashTable *shared_devices;
static gsize release_registered;

/* When the process exits, the table lets go of its devices: a device nobody
 * else holds is destroyed (the driver and the validation layer see every
 * object go, and report the validation errors it counted); one still held
 * reports its errors now, since it may never be destroyed. */
static void
release_shared_devices (void)
{
  GPtrArray *devices = g_ptr_array_new ();
  GHashTableIter it;
  gpointer dev;

  g_mutex_lock (&shared_lock);
  if (shared_devices != NULL) {
    g_hash_table_iter_init (&it, shared_devices);
    while (g_hash_table_iter_next (&it, NULL, &dev))
      g_ptr_array_add (devices, dev);
    g_clear_pointer (&shared_devices, g_hash_table_unref);
  }
  g_mutex_unlock (&shared_lock);
  for (guint i = 0; i < devices->len; i++) {
    RanetVkDevice *d = devices->pdata[i];
    if (g_atomic_int_get (&d->ref_count) > 1)
      report_validation_errors (d);
    ranet_vk_device_unref (d);
  }
  g_ptr_array_unref (devices);
}

RanetVkDevice *
ranet_vk_device_get_shared (const char *selector, GError **error)
{
  const char *effective;
  RanetVkSelectorSource source = ranet_vk_device_selector_source (selector, &effective);
  const char *key = effective ? effective : "";
  RanetVkDevice *dev, *lost = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_mutex_lock (&shared_lock);
  if (shared_devices == NULL)
    shared_devices = g_hash_table_new (g_str_hash, g_str_equal);
  dev = g_hash_table_lookup (shared_devices, key);
  /* A lost device fails everything from now on; its holders get errors and
   * let go of it in their own time, new users get a new device. */
  if (dev != NULL && g_atomic_int_get (&dev->lost)) {
    g_hash_table_remove (shared_devices, key);
    lost = dev;
    dev = NULL;
  }
  if (dev) {
    g_atomic_int_inc (&dev->ref_count);
  } else {
    dev = device_new (effective, source, NULL, error);
    if (dev) {
      dev->shared_key = g_strdup (key);
      g_hash_table_insert (shared_devices, dev->shared_key, dev);
      g_atomic_int_inc (&dev->ref_count);   /* the table's */
      /* Registered once a device exists: exit handlers run last-registered
       * first, so the driver's and the layers' own (registered when they
       * were loaded, by the first device at the latest) run after it. */
      if (g_once_init_enter (&release_registered)) {
        atexit (release_shared_devices);
        g_once_init_leave (&release_registered, 1);
      }
    }
  }
  g_mutex_unlock (&shared_lock);
  /* outside the lock: the last unref takes it */
  ranet_vk_device_unref (lost);
  return dev;
}

RanetVkDevice *
ranet_vk_device_ref (RanetVkDevice *dev)
{
  g_return_val_if_fail (dev != NULL, NULL);
  g_atomic_int_inc (&dev->ref_count);
  return dev;
}

void
ranet_vk_device_unref (RanetVkDevice *dev)
{
  gboolean last;

  if (dev == NULL)
    return;
  if (dev->shared_key == NULL) {
    if (g_atomic_int_dec_and_test (&dev->ref_count))
      device_destroy (dev);
    return;
  }
  g_mutex_lock (&shared_lock);
  last = g_atomic_int_dec_and_test (&dev->ref_count);
  /* a lost device may have been replaced under its key already */
  if (last && shared_devices != NULL
      && g_hash_table_lookup (shared_devices, dev->shared_key) == dev) {
    g_hash_table_remove (shared_devices, dev->shared_key);
    if (g_hash_table_size (shared_devices) == 0)
      g_clear_pointer (&shared_devices, g_hash_table_unref);
  }
  g_mutex_unlock (&shared_lock);
  if (last)
    device_destroy (dev);
}

/* ---- queries ---- */

const char *
ranet_vk_device_get_name (RanetVkDevice *dev)
{
  g_return_val_if_fail (dev != NULL, NULL);
  return dev->props.deviceName;
}

gboolean
ranet_vk_device_is_cpu (RanetVkDevice *dev)
{
  g_return_val_if_fail (dev != NULL, FALSE);
  return dev->props.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU;
}

gboolean
ranet_vk_device_has_validation (RanetVkDevice *dev)
{
  g_return_val_if_fail (dev != NULL, FALSE);
  return dev->validation;
}

RanetVkValidation
ranet_vk_device_get_validation (RanetVkDevice *dev)
{
  g_return_val_if_fail (dev != NULL, RANET_VK_VALIDATION_OFF);
  if (!dev->validation)
    return RANET_VK_VALIDATION_OFF;
  return dev->sync_validation ? RANET_VK_VALIDATION_SYNC : RANET_VK_VALIDATION_ON;
}

guint
ranet_vk_device_get_validation_error_count (RanetVkDevice *dev)
{
  g_return_val_if_fail (dev != NULL, 0);
  return (guint) g_atomic_int_get (&dev->validation_errors);
}

gboolean
ranet_vk_device_has_subgroup_shuffle (RanetVkDevice *dev)
{
  g_return_val_if_fail (dev != NULL, FALSE);
  return dev->subgroup_shuffle;
}

guint
ranet_vk_device_get_subgroup_size (RanetVkDevice *dev)
{
  g_return_val_if_fail (dev != NULL, 1);
  return dev->subgroup_size;
}

gsize
ranet_vk_device_get_max_storage_buffer_range (RanetVkDevice *dev)
{
  g_return_val_if_fail (dev != NULL, 0);
  return dev->props.limits.maxStorageBufferRange;
}

gboolean
ranet_vk_device_has_conditional_dispatch (RanetVkDevice *dev)
{
  g_return_val_if_fail (dev != NULL, FALSE);
  return dev->begin_conditional != NULL;
}

guint64
ranet_vk_device_get_max_texel_buffer_elements (RanetVkDevice *dev)
{
  g_return_val_if_fail (dev != NULL, 0);
  return dev->props.limits.maxTexelBufferElements;
}

gsize
ranet_vk_device_get_binding_alignment (RanetVkDevice *dev)
{
  const VkPhysicalDeviceLimits *limits;

  g_return_val_if_fail (dev != NULL, 16);
  limits = &dev->props.limits;
  /* both limits are powers of two, so the larger is a multiple of the other */
  return MAX (MAX ((gsize) limits->minStorageBufferOffsetAlignment,
          (gsize) limits->minTexelBufferOffsetAlignment), 16);
}

guint
ranet_vk_device_get_max_workgroup_invocations (RanetVkDevice *dev)
{
  g_return_val_if_fail (dev != NULL, 0);
  return dev->props.limits.maxComputeWorkGroupInvocations;
}

gsize
ranet_vk_device_get_max_shared_memory (RanetVkDevice *dev)
{
  g_return_val_if_fail (dev != NULL, 0);
  return dev->props.limits.maxComputeSharedMemorySize;
}

guint
ranet_vk_device_get_max_workgroup_count (RanetVkDevice *dev, guint dim)
{
  g_return_val_if_fail (dev != NULL && dim < 3, 0);
  return dev->props.limits.maxComputeWorkGroupCount[dim];
}

gboolean
ranet_vk_device_has_timestamps (RanetVkDevice *dev)
{
  g_return_val_if_fail (dev != NULL, FALSE);
  return dev->timestamp_valid_bits > 0 && dev->props.limits.timestampPeriod > 0.0f;
}

/* ---- queue access for the other files of this layer ---- */

void
ranet_vk_device_note_result (RanetVkDevice *dev, VkResult result)
{
  if (result == VK_ERROR_DEVICE_LOST && !g_atomic_int_get (&dev->lost)) {
    g_atomic_int_set (&dev->lost, TRUE);
    /* a message, not a warning: the caller gets the error and decides */
    g_message ("Vulkan device \"%s\" lost: its work fails from now on; new users get a new device",
        dev->props.deviceName);
  }
}

void
ranet_vk_device_queue_submit_lock (RanetVkDevice *dev)
{
  g_mutex_lock (&dev->queue_mutex);
}

void
ranet_vk_device_queue_submit_unlock (RanetVkDevice *dev)
{
  g_mutex_unlock (&dev->queue_mutex);
}

gboolean
ranet_vk_device_run_transfer (RanetVkDevice *dev, RanetVkRecordFunc record,
    gpointer user_data, GError **error)
{
  VkCommandBufferBeginInfo begin = {
    .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
    .flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT,
  };
  VkSubmitInfo submit = {
    .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
    .commandBufferCount = 1,
    .pCommandBuffers = &dev->transfer_cmd,
  };
  gboolean ok = FALSE;
  VkResult res;

  g_mutex_lock (&dev->transfer_mutex);
  if (!ranet_vk_check (vkResetCommandBuffer (dev->transfer_cmd, 0),
          "vkResetCommandBuffer", error)
      || !ranet_vk_check (vkBeginCommandBuffer (dev->transfer_cmd, &begin),
          "vkBeginCommandBuffer", error))
    goto out;
  record (dev->transfer_cmd, user_data);
  if (!ranet_vk_check (vkEndCommandBuffer (dev->transfer_cmd), "vkEndCommandBuffer", error)
      || !ranet_vk_check (vkResetFences (dev->device, 1, &dev->transfer_fence),
          "vkResetFences", error))
    goto out;

  g_mutex_lock (&dev->queue_mutex);
  /* a lost device stays lost, whatever the driver would answer */
  res = g_atomic_int_get (&dev->lost) ? VK_ERROR_DEVICE_LOST : ranet_vk_debug_fault (RANET_VK_FAULT_SUBMIT);
  if (res == VK_SUCCESS)
    res = vkQueueSubmit (dev->queue, 1, &submit, dev->transfer_fence);
  g_mutex_unlock (&dev->queue_mutex);
  ranet_vk_device_note_result (dev, res);
  if (!ranet_vk_check (res, "vkQueueSubmit", error))
    goto out;
  res = vkWaitForFences (dev->device, 1, &dev->transfer_fence, VK_TRUE, UINT64_MAX);
  ranet_vk_device_note_result (dev, res);
  ok = ranet_vk_check (res, "vkWaitForFences", error);
out:
  g_mutex_unlock (&dev->transfer_mutex);
  return ok;
}
