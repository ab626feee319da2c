/* vk-pipeline-cache.c: compiled pipelines kept for the life of their device,
 * and the driver's pipeline cache kept on disk between runs.
 *
 * Creating a net compiles a pipeline per layer, which is nearly all of an
 * element's start-up (lavapipe: 0.7-0.9 s for the default model with Mesa's
 * shader cache warm, 10-18 s cold). Two things cut it:
 * - a device keeps every pipeline it compiled, keyed by the SPIR-V and every
 *   parameter that shapes it, so a net made again on the same device (the
 *   element restarted, a second element with the same model) compiles
 *   nothing; the element's shared device outlives its users for this reason
 *   (vk-device.c);
 * - the VkPipelineCache is read from and written to the user's cache
 *   directory, for drivers whose cache holds compiled code (GPU drivers do;
 *   lavapipe's holds only its header and relies on Mesa's own disk cache).
 * A missing, unreadable or foreign cache file is ignored: it only costs time.
 */
#include "vk-private.h"

#include <errno.h>
#include <string.h>

struct _RanetVkPipelineEntry {
  VkDescriptorSetLayout set_layout;
  VkPipelineLayout layout;
  VkPipeline pipeline;
  guint32 read_mask, write_mask;
};

/* The header every VkPipelineCache's data begins with (version one). */
#define CACHE_HEADER_SIZE (16 + VK_UUID_SIZE)

static char *
cache_path (RanetVkDevice *dev)
{
  const VkPhysicalDeviceProperties *p = &dev->props;
  g_autofree char *name = NULL;
  GString *uuid = g_string_new (NULL);

  for (guint i = 0; i < VK_UUID_SIZE; i++)
    g_string_append_printf (uuid, "%02x", p->pipelineCacheUUID[i]);
  name = g_strdup_printf ("pipelines-%04x-%04x-%08x-%s.bin", p->vendorID, p->deviceID,
      p->driverVersion, uuid->str);
  g_string_free (uuid, TRUE);
  return g_build_filename (g_get_user_cache_dir (), "ranet-gst", name, NULL);
}

/* Whether @data starts with the header this device writes: drivers should
 * reject foreign data themselves, but a truncated or corrupt file is
 * cheaper to drop here than to trust every driver with. */
static gboolean
cache_data_matches (RanetVkDevice *dev, const guint8 *data, gsize size)
{
  guint32 header[4];

  if (size < CACHE_HEADER_SIZE)
    return FALSE;
  memcpy (header, data, sizeof header);
  return GUINT32_FROM_LE (header[0]) >= CACHE_HEADER_SIZE
      && GUINT32_FROM_LE (header[0]) <= size
      && GUINT32_FROM_LE (header[1]) == VK_PIPELINE_CACHE_HEADER_VERSION_ONE
      && GUINT32_FROM_LE (header[2]) == dev->props.vendorID
      && GUINT32_FROM_LE (header[3]) == dev->props.deviceID
      && memcmp (data + 16, dev->props.pipelineCacheUUID, VK_UUID_SIZE) == 0;
}

static void
entry_destroy (RanetVkDevice *dev, RanetVkPipelineEntry *e)
{
  if (e->pipeline)
    vkDestroyPipeline (dev->device, e->pipeline, NULL);
  if (e->layout)
    vkDestroyPipelineLayout (dev->device, e->layout, NULL);
  if (e->set_layout)
    vkDestroyDescriptorSetLayout (dev->device, e->set_layout, NULL);
  g_free (e);
}

gboolean
ranet_vk_device_open_pipeline_cache (RanetVkDevice *dev, GError **error)
{
  g_autofree char *path = cache_path (dev);
  g_autofree guint8 *data = NULL;
  gsize size = 0;
  VkPipelineCacheCreateInfo info = {
    .sType = VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO,
  };

  g_mutex_init (&dev->pipelines_lock);
  dev->pipelines = g_hash_table_new_full (g_bytes_hash, g_bytes_equal,
      (GDestroyNotify) g_bytes_unref, NULL);
  if (g_file_get_contents (path, (char **) &data, &size, NULL)) {
    if (cache_data_matches (dev, data, size)) {
      info.initialDataSize = size;
      info.pInitialData = data;
    } else {
      g_debug ("%s: not a pipeline cache of this device and driver, ignored", path);
    }
  }
  if (!ranet_vk_check (vkCreatePipelineCache (dev->device, &info, NULL,
              &dev->pipeline_cache), "vkCreatePipelineCache", error)) {
    dev->pipeline_cache = VK_NULL_HANDLE;
    return FALSE;
  }
  dev->cache_loaded_size = info.initialDataSize;
  return TRUE;
}

void
ranet_vk_device_save_pipeline_cache (RanetVkDevice *dev)
{
  g_autofree char *path = NULL, *dir = NULL;
  g_autofree guint8 *data = NULL;
  g_autoptr (GError) error = NULL;
  gsize size = 0;

  g_return_if_fail (dev != NULL);
  g_mutex_lock (&dev->pipelines_lock);
  if (dev->pipelines_unsaved == 0 || dev->pipeline_cache == VK_NULL_HANDLE
      || vkGetPipelineCacheData (dev->device, dev->pipeline_cache, &size, NULL) != VK_SUCCESS
      || size <= MAX (dev->cache_loaded_size, CACHE_HEADER_SIZE)) {
    /* nothing new, or a driver that keeps nothing in it (lavapipe) */
    dev->pipelines_unsaved = 0;
    g_mutex_unlock (&dev->pipelines_lock);
    return;
  }
  data = g_malloc (size);
  if (vkGetPipelineCacheData (dev->device, dev->pipeline_cache, &size, data) != VK_SUCCESS) {
    g_mutex_unlock (&dev->pipelines_lock);
    return;
  }
  dev->pipelines_unsaved = 0;
  dev->cache_loaded_size = size;
  g_mutex_unlock (&dev->pipelines_lock);

  path = cache_path (dev);
  dir = g_path_get_dirname (path);
  /* written to a temporary file and renamed: another process reading it
   * sees the old file or the new one, never half of one */
  if (g_mkdir_with_parents (dir, 0700) != 0
      || !g_file_set_contents (path, (const char *) data, size, &error))
    g_debug ("pipeline cache %s not written: %s", path,
        error ? error->message : g_strerror (errno));
}

void
ranet_vk_device_close_pipeline_cache (RanetVkDevice *dev)
{
  if (dev->pipelines != NULL) {
    GHashTableIter it;
    gpointer entry;

    g_hash_table_iter_init (&it, dev->pipelines);
    while (g_hash_table_iter_next (&it, NULL, &entry))
      entry_destroy (dev, entry);
    g_clear_pointer (&dev->pipelines, g_hash_table_unref);
    g_mutex_clear (&dev->pipelines_lock);
  }
  if (dev->pipeline_cache)
    vkDestroyPipelineCache (dev->device, dev->pipeline_cache, NULL);
  dev->pipeline_cache = VK_NULL_HANDLE;
}

RanetVkPipelineEntry *
ranet_vk_device_lookup_pipeline (RanetVkDevice *dev, GBytes *key)
{
  RanetVkPipelineEntry *e;

  g_mutex_lock (&dev->pipelines_lock);
  e = g_hash_table_lookup (dev->pipelines, key);
  g_mutex_unlock (&dev->pipelines_lock);
  return e;
}

RanetVkPipelineEntry *
ranet_vk_device_add_pipeline (RanetVkDevice *dev, GBytes *key, VkDescriptorSetLayout set_layout,
    VkPipelineLayout layout, VkPipeline pipeline, guint32 read_mask, guint32 write_mask)
{
  RanetVkPipelineEntry *e = g_new0 (RanetVkPipelineEntry, 1), *known;

  *e = (RanetVkPipelineEntry) { set_layout, layout, pipeline, read_mask, write_mask };
  g_mutex_lock (&dev->pipelines_lock);
  /* another thread may have compiled the same pipeline meanwhile */
  known = g_hash_table_lookup (dev->pipelines, key);
  if (known == NULL) {
    g_hash_table_insert (dev->pipelines, g_bytes_ref (key), e);
    dev->pipelines_unsaved++;
  }
  g_mutex_unlock (&dev->pipelines_lock);
  if (known != NULL) {
    entry_destroy (dev, e);
    return known;
  }
  return e;
}

void
ranet_vk_pipeline_entry_get (const RanetVkPipelineEntry *e, VkDescriptorSetLayout *set_layout,
    VkPipelineLayout *layout, VkPipeline *pipeline, guint32 *read_mask, guint32 *write_mask)
{
  *set_layout = e->set_layout;
  *layout = e->layout;
  *pipeline = e->pipeline;
  *read_mask = e->read_mask;
  *write_mask = e->write_mask;
}

guint
ranet_vk_device_get_n_pipelines (RanetVkDevice *dev)
{
  guint n;

  g_return_val_if_fail (dev != NULL, 0);
  g_mutex_lock (&dev->pipelines_lock);
  n = g_hash_table_size (dev->pipelines);
  g_mutex_unlock (&dev->pipelines_lock);
  return n;
}
