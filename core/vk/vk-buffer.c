/* vk-buffer.c: storage buffers, their memory, and copies from and to the host. */
#include "vk-private.h"

#include <string.h>

/* A window of a buffer seen as a texel buffer (ranet_vk_buffer_get_texel_view). */
typedef struct {
  gsize offset, range;
  gboolean vec4;
  VkBufferView view;
} TexelView;

/* Memory property sets to try, best first. HOST buffers want device-local
 * memory the host can map (integrated GPUs, resizable BAR) and fall back to
 * plain host memory; DEVICE buffers want device-local memory and accept
 * anything as a last resort. */
static const VkMemoryPropertyFlags device_preferences[] = {
  VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT,
  0,
};
static const VkMemoryPropertyFlags host_preferences[] = {
  VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT | VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT
      | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
  VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
};

static const VkMemoryPropertyFlags mappable =
    VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;

/* Tries each memory type that fits @wanted; a heap that is full (a small BAR
 * window, say) is skipped rather than failing the whole allocation. */
static VkResult
allocate_memory (RanetVkBuffer *buf, const VkMemoryRequirements *req,
    const VkMemoryPropertyFlags *preferences, guint n_preferences)
{
  const VkPhysicalDeviceMemoryProperties *mp = &buf->dev->mem_props;
  VkResult last = ranet_vk_debug_fault (RANET_VK_FAULT_ALLOC);

  /* an injected failure stands for every memory type being full */
  if (last != VK_SUCCESS)
    return last;
  last = VK_ERROR_OUT_OF_DEVICE_MEMORY;

  for (guint p = 0; p < n_preferences; p++) {
    for (guint32 t = 0; t < mp->memoryTypeCount; t++) {
      VkMemoryPropertyFlags flags = mp->memoryTypes[t].propertyFlags;
      VkMemoryAllocateInfo info = {
        .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
        .allocationSize = req->size,
        .memoryTypeIndex = t,
      };
      if (!(req->memoryTypeBits & (1u << t)) || (flags & preferences[p]) != preferences[p])
        continue;
      last = vkAllocateMemory (buf->dev->device, &info, NULL, &buf->memory);
      if (last == VK_SUCCESS) {
        buf->memory_flags = flags;
        return VK_SUCCESS;
      }
      buf->memory = VK_NULL_HANDLE;
      if (last != VK_ERROR_OUT_OF_DEVICE_MEMORY && last != VK_ERROR_OUT_OF_HOST_MEMORY)
        return last;
    }
  }
  return last;
}

/**
 * ranet_vk_buffer_new:
 * @dev: the device
 * @size: size in bytes, > 0
 * @kind: where the buffer lives, see #RanetVkBufferKind
 * @error: return location for a #GError
 *
 * Creates a storage buffer usable by shaders and as a copy source and
 * destination. Buffers whose memory is host-visible and host-coherent are
 * mapped for their whole life (always for %RANET_VK_BUFFER_HOST; for
 * %RANET_VK_BUFFER_DEVICE when the device's local memory happens to be
 * mappable, as on CPU implementations and many integrated GPUs).
 *
 * Returns: (transfer full): the buffer, or %NULL with @error set.
 */
RanetVkBuffer *
ranet_vk_buffer_new (RanetVkDevice *dev, gsize size, RanetVkBufferKind kind,
    GError **error)
{
  return ranet_vk_buffer_new_full (dev, size, kind, TRUE, error);
}

/* @allow_map FALSE leaves a DEVICE buffer unmapped even where its memory could
 * be mapped, so tests can exercise the staging path on any device. */
RanetVkBuffer *
ranet_vk_buffer_new_full (RanetVkDevice *dev, gsize size, RanetVkBufferKind kind,
    gboolean allow_map, GError **error)
{
  RanetVkBuffer *buf;
  VkMemoryRequirements req;
  VkBufferCreateInfo info = {
    .sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
    .size = size,
    .usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT
        | VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT
        | VK_BUFFER_USAGE_INDIRECT_BUFFER_BIT,
    .sharingMode = VK_SHARING_MODE_EXCLUSIVE,
  };
  VkResult res;

  g_return_val_if_fail (dev != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (dev->begin_conditional != NULL)
    info.usage |= VK_BUFFER_USAGE_CONDITIONAL_RENDERING_BIT_EXT;
  if (size == 0 || (kind != RANET_VK_BUFFER_DEVICE && kind != RANET_VK_BUFFER_HOST)) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "Invalid buffer request: size %" G_GSIZE_FORMAT ", kind %d", size, (int) kind);
    return NULL;
  }

  buf = g_new0 (RanetVkBuffer, 1);
  g_mutex_init (&buf->view_lock);
  buf->texel_views = g_array_new (FALSE, FALSE, sizeof (TexelView));
  buf->dev = ranet_vk_device_ref (dev);
  buf->size = size;
  buf->kind = kind;

  res = vkCreateBuffer (dev->device, &info, NULL, &buf->buffer);
  if (!ranet_vk_check (res, "vkCreateBuffer", error)) {
    buf->buffer = VK_NULL_HANDLE;
    goto fail;
  }
  vkGetBufferMemoryRequirements (dev->device, buf->buffer, &req);
  if (kind == RANET_VK_BUFFER_HOST)
    res = allocate_memory (buf, &req, host_preferences, G_N_ELEMENTS (host_preferences));
  else
    res = allocate_memory (buf, &req, device_preferences, G_N_ELEMENTS (device_preferences));
  if (res != VK_SUCCESS) {
    if (res > VK_SUCCESS)   /* no suitable memory type at all */
      res = VK_ERROR_OUT_OF_DEVICE_MEMORY;
    ranet_vk_check (res, "vkAllocateMemory", error);
    g_prefix_error (error, "Buffer of %" G_GSIZE_FORMAT " bytes: ", size);
    goto fail;
  }
  res = vkBindBufferMemory (dev->device, buf->buffer, buf->memory, 0);
  if (!ranet_vk_check (res, "vkBindBufferMemory", error))
    goto fail;

  if ((buf->memory_flags & mappable) == mappable
      && (allow_map || kind == RANET_VK_BUFFER_HOST)) {
    res = vkMapMemory (dev->device, buf->memory, 0, VK_WHOLE_SIZE, 0, &buf->mapped);
    if (!ranet_vk_check (res, "vkMapMemory", error)) {
      buf->mapped = NULL;
      goto fail;
    }
  }
  return buf;

fail:
  ranet_vk_buffer_free (buf);
  return NULL;
}

void
ranet_vk_buffer_free (RanetVkBuffer *buf)
{
  if (buf == NULL)
    return;
  for (guint i = 0; buf->texel_views != NULL && i < buf->texel_views->len; i++)
    vkDestroyBufferView (buf->dev->device,
        g_array_index (buf->texel_views, TexelView, i).view, NULL);
  g_clear_pointer (&buf->texel_views, g_array_unref);
  if (buf->mapped)
    vkUnmapMemory (buf->dev->device, buf->memory);
  if (buf->buffer)
    vkDestroyBuffer (buf->dev->device, buf->buffer, NULL);
  if (buf->memory)
    vkFreeMemory (buf->dev->device, buf->memory, NULL);
  ranet_vk_device_unref (buf->dev);
  g_mutex_clear (&buf->view_lock);
  g_free (buf);
}

VkBufferView
ranet_vk_buffer_get_texel_view (RanetVkBuffer *buf, gboolean vec4, gsize offset,
    gsize range, GError **error)
{
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&buf->view_lock);
  VkBufferViewCreateInfo info = {
    .sType = VK_STRUCTURE_TYPE_BUFFER_VIEW_CREATE_INFO,
    .buffer = buf->buffer,
    .format = vec4 ? VK_FORMAT_R32G32B32A32_SFLOAT : VK_FORMAT_R32_SFLOAT,
    .offset = offset,
    .range = range,
  };
  TexelView made = { offset, range, vec4, VK_NULL_HANDLE };

  /* a recording asks for the same few windows again and again: a linear
   * search over the views made so far is cheaper than hashing them */
  for (guint i = 0; i < buf->texel_views->len; i++) {
    const TexelView *t = &g_array_index (buf->texel_views, TexelView, i);
    if (t->offset == offset && t->range == range && t->vec4 == vec4)
      return t->view;
  }
  if (!ranet_vk_check (vkCreateBufferView (buf->dev->device, &info, NULL, &made.view),
          "vkCreateBufferView", error))
    return VK_NULL_HANDLE;
  g_array_append_val (buf->texel_views, made);
  return made.view;
}

gsize
ranet_vk_buffer_get_size (RanetVkBuffer *buf)
{
  g_return_val_if_fail (buf != NULL, 0);
  return buf->size;
}

gpointer
ranet_vk_buffer_get_mapped (RanetVkBuffer *buf)
{
  g_return_val_if_fail (buf != NULL, NULL);
  return buf->mapped;
}

/* ---- copies ---- */

static gboolean
check_range (RanetVkBuffer *buf, gsize offset, gsize size, GError **error)
{
  if (size == 0 || offset > buf->size || size > buf->size - offset) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "Copy of %" G_GSIZE_FORMAT " bytes at offset %" G_GSIZE_FORMAT
        " does not fit in a buffer of %" G_GSIZE_FORMAT " bytes", size, offset, buf->size);
    return FALSE;
  }
  return TRUE;
}

typedef struct {
  VkBuffer src, dst;
  VkBufferCopy region;
  gboolean to_device;   /* upload: later shaders read the copy */
} CopyJob;

static void
record_copy (VkCommandBuffer cmd, gpointer user_data)
{
  const CopyJob *job = user_data;
  VkMemoryBarrier before = {
    .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
    .srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT,
    .dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT,
  };
  VkMemoryBarrier after = {
    .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
    .srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT,
  };

  /* Earlier submissions may still have shader writes to this buffer in
   * flight from the device's point of view; order the copy after them. */
  vkCmdPipelineBarrier (cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
      VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 1, &before, 0, NULL, 0, NULL);
  vkCmdCopyBuffer (cmd, job->src, job->dst, 1, &job->region);
  if (job->to_device) {
    after.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT;
    vkCmdPipelineBarrier (cmd, VK_PIPELINE_STAGE_TRANSFER_BIT,
        VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1, &after, 0, NULL, 0, NULL);
  } else {
    after.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
    vkCmdPipelineBarrier (cmd, VK_PIPELINE_STAGE_TRANSFER_BIT,
        VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &after, 0, NULL, 0, NULL);
  }
}

/**
 * ranet_vk_buffer_upload:
 * @buf: the destination buffer
 * @offset: byte offset in @buf
 * @data: (array length=size): bytes to copy
 * @size: number of bytes
 * @error: return location for a #GError
 *
 * Copies host memory into @buf: a plain copy into the mapping when there is
 * one, otherwise through a temporary staging buffer, waiting until the copy is
 * done. The caller makes sure no submission using @buf is in flight.
 *
 * Returns: %TRUE on success.
 */
gboolean
ranet_vk_buffer_upload (RanetVkBuffer *buf, gsize offset, gconstpointer data,
    gsize size, GError **error)
{
  RanetVkBuffer *staging;
  CopyJob job;
  gboolean ok;

  g_return_val_if_fail (buf != NULL, FALSE);
  g_return_val_if_fail (data != NULL || size == 0, FALSE);
  if (!check_range (buf, offset, size, error))
    return FALSE;
  if (buf->mapped) {
    memcpy ((guint8 *) buf->mapped + offset, data, size);
    return TRUE;
  }
  staging = ranet_vk_buffer_new (buf->dev, size, RANET_VK_BUFFER_HOST, error);
  if (staging == NULL)
    return FALSE;
  memcpy (staging->mapped, data, size);
  job = (CopyJob) {
    .src = staging->buffer, .dst = buf->buffer,
    .region = { .srcOffset = 0, .dstOffset = offset, .size = size },
    .to_device = TRUE,
  };
  ok = ranet_vk_device_run_transfer (buf->dev, record_copy, &job, error);
  ranet_vk_buffer_free (staging);
  return ok;
}

/**
 * ranet_vk_buffer_download:
 * @buf: the source buffer
 * @offset: byte offset in @buf
 * @data: (out caller-allocates) (array length=size): where to copy to
 * @size: number of bytes
 * @error: return location for a #GError
 *
 * Copies from @buf into host memory, through a staging buffer when @buf is not
 * mapped. Call it after the submissions that wrote @buf have completed.
 *
 * Returns: %TRUE on success.
 */
gboolean
ranet_vk_buffer_download (RanetVkBuffer *buf, gsize offset, gpointer data,
    gsize size, GError **error)
{
  RanetVkBuffer *staging;
  CopyJob job;
  gboolean ok;

  g_return_val_if_fail (buf != NULL, FALSE);
  g_return_val_if_fail (data != NULL || size == 0, FALSE);
  if (!check_range (buf, offset, size, error))
    return FALSE;
  if (buf->mapped) {
    memcpy (data, (const guint8 *) buf->mapped + offset, size);
    return TRUE;
  }
  staging = ranet_vk_buffer_new (buf->dev, size, RANET_VK_BUFFER_HOST, error);
  if (staging == NULL)
    return FALSE;
  job = (CopyJob) {
    .src = buf->buffer, .dst = staging->buffer,
    .region = { .srcOffset = offset, .dstOffset = 0, .size = size },
    .to_device = FALSE,
  };
  ok = ranet_vk_device_run_transfer (buf->dev, record_copy, &job, error);
  if (ok)
    memcpy (data, staging->mapped, size);
  ranet_vk_buffer_free (staging);
  return ok;
}
