/* vk-error.c: VkResult -> GError in the RANET_VK_ERROR domain. */
#include "vk-private.h"

G_DEFINE_QUARK (ranet-vk-error-quark, ranet_vk_error)

const char *
ranet_vk_result_name (VkResult result)
{
  switch (result) {
#define NAME(r) case r: return #r
    NAME (VK_SUCCESS);
    NAME (VK_NOT_READY);
    NAME (VK_TIMEOUT);
    NAME (VK_EVENT_SET);
    NAME (VK_EVENT_RESET);
    NAME (VK_INCOMPLETE);
    NAME (VK_ERROR_OUT_OF_HOST_MEMORY);
    NAME (VK_ERROR_OUT_OF_DEVICE_MEMORY);
    NAME (VK_ERROR_INITIALIZATION_FAILED);
    NAME (VK_ERROR_DEVICE_LOST);
    NAME (VK_ERROR_MEMORY_MAP_FAILED);
    NAME (VK_ERROR_LAYER_NOT_PRESENT);
    NAME (VK_ERROR_EXTENSION_NOT_PRESENT);
    NAME (VK_ERROR_FEATURE_NOT_PRESENT);
    NAME (VK_ERROR_INCOMPATIBLE_DRIVER);
    NAME (VK_ERROR_TOO_MANY_OBJECTS);
    NAME (VK_ERROR_FORMAT_NOT_SUPPORTED);
    NAME (VK_ERROR_FRAGMENTED_POOL);
    NAME (VK_ERROR_UNKNOWN);
    NAME (VK_ERROR_OUT_OF_POOL_MEMORY);
    NAME (VK_ERROR_INVALID_EXTERNAL_HANDLE);
    NAME (VK_ERROR_FRAGMENTATION);
    NAME (VK_ERROR_INVALID_OPAQUE_CAPTURE_ADDRESS);
    NAME (VK_PIPELINE_COMPILE_REQUIRED);
    NAME (VK_ERROR_INVALID_SHADER_NV);
#undef NAME
    default:
      return "VK_RESULT_UNKNOWN";
  }
}

static RanetVkError
error_code_for (VkResult result)
{
  switch (result) {
    case VK_ERROR_OUT_OF_HOST_MEMORY:
    case VK_ERROR_OUT_OF_DEVICE_MEMORY:
    case VK_ERROR_OUT_OF_POOL_MEMORY:
    case VK_ERROR_FRAGMENTED_POOL:
    case VK_ERROR_FRAGMENTATION:
      return RANET_VK_ERROR_OUT_OF_MEMORY;
    case VK_ERROR_DEVICE_LOST:
      return RANET_VK_ERROR_DEVICE_LOST;
    case VK_ERROR_INCOMPATIBLE_DRIVER:
      return RANET_VK_ERROR_NO_DEVICE;
    case VK_ERROR_INITIALIZATION_FAILED:
    case VK_ERROR_LAYER_NOT_PRESENT:
    case VK_ERROR_EXTENSION_NOT_PRESENT:
    case VK_ERROR_FEATURE_NOT_PRESENT:
      return RANET_VK_ERROR_INIT;
    default:
      return RANET_VK_ERROR_FAILED;
  }
}

/* Returns TRUE on success; otherwise sets @error to a message that names the
 * failing call and the VkResult, so a log line alone locates the failure. */
gboolean
ranet_vk_check (VkResult result, const char *call, GError **error)
{
  if (result >= VK_SUCCESS)
    return TRUE;
  g_set_error (error, RANET_VK_ERROR, error_code_for (result),
      "%s failed: %s (%d)", call, ranet_vk_result_name (result), (int) result);
  return FALSE;
}

/* ---- fault injection ---- */

static gint fault_countdown[RANET_VK_N_FAULTS];   /* atomic; 0: disarmed */

void
ranet_vk_debug_arm (const RanetVkOptions *options)
{
  static gsize done = 0;

  if (!g_once_init_enter (&done))
    return;
  if (options->fail_alloc > 0)
    g_atomic_int_set (&fault_countdown[RANET_VK_FAULT_ALLOC], (gint) options->fail_alloc);
  if (options->fail_submit > 0)
    g_atomic_int_set (&fault_countdown[RANET_VK_FAULT_SUBMIT], (gint) options->fail_submit);
  g_once_init_leave (&done, 1);
}

void
ranet_vk_debug_inject (RanetVkFault what, guint n)
{
  g_return_if_fail (what < RANET_VK_N_FAULTS);
  g_atomic_int_set (&fault_countdown[what], (gint) MIN (n, (guint) G_MAXINT));
}

VkResult
ranet_vk_debug_fault (RanetVkFault what)
{
  for (;;) {
    gint left = g_atomic_int_get (&fault_countdown[what]);

    if (left <= 0)
      return VK_SUCCESS;
    if (g_atomic_int_compare_and_exchange (&fault_countdown[what], left, left - 1)) {
      if (left > 1)
        return VK_SUCCESS;
      return what == RANET_VK_FAULT_ALLOC ? VK_ERROR_OUT_OF_DEVICE_MEMORY : VK_ERROR_DEVICE_LOST;
    }
  }
}
