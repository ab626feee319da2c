/* vk-commands.c: a command buffer recorded once and submitted many times,
 * with its own descriptor sets, fence and timestamp queries. */
#include "vk-private.h"

/* Each descriptor pool holds this many sets; another pool is added when a
 * recording needs more, so long recordings never fail for lack of sets. */
#define SETS_PER_POOL 256
#define BUFFERS_PER_POOL (SETS_PER_POOL * 4)

typedef enum {
  STATE_EMPTY,        /* nothing recorded yet */
  STATE_RECORDING,    /* between begin and end */
  STATE_READY,        /* ended, may be submitted */
} RecordingState;

struct _RanetVkCommands {
  RanetVkDevice *dev;
  VkCommandPool pool;
  VkCommandBuffer cmd;
  VkFence fence;
  GArray *descriptor_pools;     /* VkDescriptorPool */
  guint current_pool;

  VkQueryPool query_pool;       /* VK_NULL_HANDLE without timestamps */
  guint max_timestamps;
  gboolean *written;            /* per timestamp: written by this recording */
  /* host-visible: the recording copies its written timestamps here at its
   * end, where the host reads them after the fence. No
   * vkGetQueryPoolResults(): lavapipe makes it wait for its queue to go idle
   * on every call (50-60 us here, a tenth of a small model's stage) */
  RanetVkBuffer *timestamp_copy;
  gboolean have_results;

  RecordingState state;
  gboolean in_flight;
  /* dispatch() and friends return nothing, so their first error waits here
   * for commands_end() to report. */
  GError *record_error;
  gboolean in_conditional;      /* between begin_ and end_conditional */
  /* AccessRange: what the dispatches since the last barrier read and write
   * (ranet_vk_commands_dispatch_bindings) */
  GArray *reads, *writes;
  guint n_barriers;             /* in this recording */
  guint n_dispatches;           /* in this recording */
  gboolean skip_ordering;       /* tests: no barriers between dispatches */
};

typedef struct {
  VkBuffer buffer;
  VkDeviceSize lo, hi;          /* bytes [lo, hi) */
} AccessRange;

static gboolean
add_descriptor_pool (RanetVkCommands *cmds, guint min_buffers, GError **error)
{
  VkDescriptorPool pool;
  VkDescriptorPoolSize sizes[] = {
    { VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, MAX (BUFFERS_PER_POOL, min_buffers) },
    { VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, MAX (BUFFERS_PER_POOL, min_buffers) },
  };
  VkDescriptorPoolCreateInfo info = {
    .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
    .maxSets = SETS_PER_POOL,
    .poolSizeCount = G_N_ELEMENTS (sizes),
    .pPoolSizes = sizes,
  };

  if (!ranet_vk_check (vkCreateDescriptorPool (cmds->dev->device, &info, NULL, &pool),
          "vkCreateDescriptorPool", error))
    return FALSE;
  g_array_append_val (cmds->descriptor_pools, pool);
  return TRUE;
}

/**
 * ranet_vk_commands_new:
 * @dev: the device
 * @max_timestamps: number of timestamp slots (0 for none)
 * @error: return location for a #GError
 *
 * Returns: (transfer full): an empty recording, or %NULL with @error set.
 */
RanetVkCommands *
ranet_vk_commands_new (RanetVkDevice *dev, guint max_timestamps, GError **error)
{
  RanetVkCommands *cmds;
  VkCommandPoolCreateInfo pool_info = {
    .sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
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

  g_return_val_if_fail (dev != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  cmds = g_new0 (RanetVkCommands, 1);
  cmds->dev = ranet_vk_device_ref (dev);
  cmds->descriptor_pools = g_array_new (FALSE, FALSE, sizeof (VkDescriptorPool));
  cmds->max_timestamps = max_timestamps;
  cmds->written = g_new0 (gboolean, MAX (max_timestamps, 1));
  cmds->reads = g_array_new (FALSE, FALSE, sizeof (AccessRange));
  cmds->writes = g_array_new (FALSE, FALSE, sizeof (AccessRange));

  /* A pool per recording keeps recording free of locks: command pools must
   * not be used from two threads at once. */
  if (!ranet_vk_check (vkCreateCommandPool (dev->device, &pool_info, NULL, &cmds->pool),
          "vkCreateCommandPool", error)) {
    cmds->pool = VK_NULL_HANDLE;
    goto fail;
  }
  alloc_info.commandPool = cmds->pool;
  if (!ranet_vk_check (vkAllocateCommandBuffers (dev->device, &alloc_info, &cmds->cmd),
          "vkAllocateCommandBuffers", error))
    goto fail;
  if (!ranet_vk_check (vkCreateFence (dev->device, &fence_info, NULL, &cmds->fence),
          "vkCreateFence", error)) {
    cmds->fence = VK_NULL_HANDLE;
    goto fail;
  }
  if (!add_descriptor_pool (cmds, 0, error))
    goto fail;

  if (max_timestamps > 0 && ranet_vk_device_has_timestamps (dev)) {
    VkQueryPoolCreateInfo query_info = {
      .sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO,
      .queryType = VK_QUERY_TYPE_TIMESTAMP,
      .queryCount = max_timestamps,
    };
    if (!ranet_vk_check (vkCreateQueryPool (dev->device, &query_info, NULL,
                &cmds->query_pool), "vkCreateQueryPool", error)) {
      cmds->query_pool = VK_NULL_HANDLE;
      goto fail;
    }
    cmds->timestamp_copy = ranet_vk_buffer_new (dev, max_timestamps * sizeof (guint64),
        RANET_VK_BUFFER_HOST, error);
    if (cmds->timestamp_copy == NULL)
      goto fail;
  }
  return cmds;

fail:
  ranet_vk_commands_free (cmds);
  return NULL;
}

void
ranet_vk_commands_free (RanetVkCommands *cmds)
{
  VkDevice device;

  if (cmds == NULL)
    return;
  device = cmds->dev->device;
  if (cmds->in_flight)
    vkWaitForFences (device, 1, &cmds->fence, VK_TRUE, UINT64_MAX);
  if (cmds->query_pool)
    vkDestroyQueryPool (device, cmds->query_pool, NULL);
  for (guint i = 0; i < cmds->descriptor_pools->len; i++)
    vkDestroyDescriptorPool (device, g_array_index (cmds->descriptor_pools,
            VkDescriptorPool, i), NULL);
  g_array_unref (cmds->descriptor_pools);
  if (cmds->fence)
    vkDestroyFence (device, cmds->fence, NULL);
  if (cmds->pool)   /* frees the command buffer with it */
    vkDestroyCommandPool (device, cmds->pool, NULL);
  g_clear_error (&cmds->record_error);
  g_clear_pointer (&cmds->timestamp_copy, ranet_vk_buffer_free);
  g_free (cmds->written);
  g_clear_pointer (&cmds->reads, g_array_unref);
  g_clear_pointer (&cmds->writes, g_array_unref);
  ranet_vk_device_unref (cmds->dev);
  g_free (cmds);
}

/* ---- recording ---- */

static void
set_record_error (RanetVkCommands *cmds, GError *error)
{
  if (cmds->record_error == NULL)
    cmds->record_error = error;
  else
    g_error_free (error);
}

#define RECORD_ERROR(cmds, ...) \
  set_record_error ((cmds), g_error_new (RANET_VK_ERROR, RANET_VK_ERROR_INVALID, __VA_ARGS__))

/* Records a memory barrier from @stages to the same stages and forgets
 * every access recorded so far: whatever comes next waits for it all. */
static void
record_barrier (RanetVkCommands *cmds, VkPipelineStageFlags stages, VkAccessFlags src,
    VkAccessFlags dst)
{
  VkMemoryBarrier barrier = {
    .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
    .srcAccessMask = src,
    .dstAccessMask = dst,
  };

  vkCmdPipelineBarrier (cmds->cmd, stages, stages, 0, 1, &barrier, 0, NULL, 0, NULL);
  cmds->n_barriers++;
  g_array_set_size (cmds->reads, 0);
  g_array_set_size (cmds->writes, 0);
}

gboolean
ranet_vk_commands_begin (RanetVkCommands *cmds, GError **error)
{
  VkDevice device;
  VkCommandBufferBeginInfo begin = {
    .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
  };

  g_return_val_if_fail (cmds != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  device = cmds->dev->device;

  /* The previous recording may still be executing; its descriptor sets and
   * command buffer are about to be reused. */
  if (cmds->in_flight && !ranet_vk_commands_wait (cmds, error))
    return FALSE;

  g_clear_error (&cmds->record_error);
  cmds->in_conditional = FALSE;
  cmds->state = STATE_EMPTY;
  cmds->have_results = FALSE;
  for (guint i = 0; i < cmds->max_timestamps; i++)
    cmds->written[i] = FALSE;

  if (!ranet_vk_check (vkResetCommandPool (device, cmds->pool, 0), "vkResetCommandPool", error))
    return FALSE;
  for (guint i = 0; i < cmds->descriptor_pools->len; i++) {
    VkDescriptorPool pool = g_array_index (cmds->descriptor_pools, VkDescriptorPool, i);
    if (!ranet_vk_check (vkResetDescriptorPool (device, pool, 0), "vkResetDescriptorPool", error))
      return FALSE;
  }
  cmds->current_pool = 0;

  if (!ranet_vk_check (vkBeginCommandBuffer (cmds->cmd, &begin), "vkBeginCommandBuffer", error))
    return FALSE;
  if (cmds->query_pool)
    vkCmdResetQueryPool (cmds->cmd, cmds->query_pool, 0, cmds->max_timestamps);
  cmds->state = STATE_RECORDING;
  cmds->n_barriers = 0;
  cmds->n_dispatches = 0;
  /* A barrier's first scope reaches into earlier submissions of the queue:
   * this one orders the recording after whatever they read or wrote (the
   * same buffers, the timestamp copy), which the fence the host waited on
   * does not do for the device. */
  record_barrier (cmds, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
      VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT,
      VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT);
  return TRUE;
}

static VkDescriptorSet
allocate_set (RanetVkCommands *cmds, RanetVkPipeline *pipe, GError **error)
{
  VkDescriptorSet set = VK_NULL_HANDLE;
  VkDescriptorSetAllocateInfo info = {
    .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
    .descriptorSetCount = 1,
    .pSetLayouts = &pipe->set_layout,
  };

  for (;;) {
    gboolean fresh = FALSE;
    VkResult res;

    if (cmds->current_pool == cmds->descriptor_pools->len) {
      if (!add_descriptor_pool (cmds, pipe->n_buffers, error))
        return VK_NULL_HANDLE;
      fresh = TRUE;
    }
    info.descriptorPool = g_array_index (cmds->descriptor_pools, VkDescriptorPool,
        cmds->current_pool);
    res = vkAllocateDescriptorSets (cmds->dev->device, &info, &set);
    if (res == VK_SUCCESS)
      return set;
    /* A full pool sends us to the next one; a fresh pool is sized for this
     * request, so failing there is a real error. */
    if (fresh || (res != VK_ERROR_OUT_OF_POOL_MEMORY && res != VK_ERROR_FRAGMENTED_POOL)) {
      ranet_vk_check (res, "vkAllocateDescriptorSets", error);
      return VK_NULL_HANDLE;
    }
    cmds->current_pool++;
  }
}

/* The bytes binding @i of @pipe covers when bound to @b: its offset and
 * range, checked against the device's limits. A texel buffer bound whole
 * covers what maxTexelBufferElements allows; ops that read through it check
 * that their data lie inside (ranet_vk_device_get_max_texel_buffer_elements). */
static gboolean
binding_extent (RanetVkCommands *cmds, RanetVkPipeline *pipe, guint i,
    const RanetVkBinding *b, gsize *offset, gsize *range)
{
  const VkPhysicalDeviceLimits *limits = &cmds->dev->props.limits;
  gboolean texel = ((pipe->texel_mask | pipe->vec4_mask) & (1u << i)) != 0;
  gsize texel_bytes = (pipe->vec4_mask & (1u << i)) != 0 ? 16 : 4;
  gsize align = texel ? limits->minTexelBufferOffsetAlignment
      : limits->minStorageBufferOffsetAlignment;

  if (b->buffer == NULL || b->buffer->dev != cmds->dev) {
    RECORD_ERROR (cmds, "Dispatch buffer %u is missing or from another device", i);
    return FALSE;
  }
  *offset = b->offset;
  *range = b->size != 0 ? b->size : b->buffer->size - MIN (b->offset, b->buffer->size);
  if (b->offset >= b->buffer->size || *range > b->buffer->size - b->offset
      || b->offset % MAX (align, 1) != 0) {
    RECORD_ERROR (cmds, "Dispatch buffer %u: %" G_GSIZE_FORMAT " bytes at offset %"
        G_GSIZE_FORMAT " do not fit a buffer of %" G_GSIZE_FORMAT " bytes or the offset "
        "is not a multiple of %" G_GSIZE_FORMAT, i, *range, b->offset, b->buffer->size,
        MAX (align, 1));
    return FALSE;
  }
  if (texel) {
    gsize max_bytes = (gsize) limits->maxTexelBufferElements * texel_bytes;
    if (b->size == 0)
      *range = MIN (*range, max_bytes) / texel_bytes * texel_bytes;
    if (*range == 0 || *range > max_bytes || *range % texel_bytes != 0) {
      RECORD_ERROR (cmds, "Dispatch buffer %u: %" G_GSIZE_FORMAT " bytes are not a texel "
          "buffer of %" G_GSIZE_FORMAT "-byte texels within the device's %u", i, *range,
          texel_bytes, limits->maxTexelBufferElements);
      return FALSE;
    }
  } else if (*range > limits->maxStorageBufferRange) {
    RECORD_ERROR (cmds, "Dispatch buffer %u binds %" G_GSIZE_FORMAT " bytes, more than the "
        "device's storage-buffer range of %u", i, *range, limits->maxStorageBufferRange);
    return FALSE;
  }
  return TRUE;
}

static gboolean
check_dispatch (RanetVkCommands *cmds, RanetVkPipeline *pipe, guint n_bindings,
    gconstpointer push, guint push_size, guint groups_x, guint groups_y, guint groups_z)
{
  const VkPhysicalDeviceLimits *limits = &cmds->dev->props.limits;

  if (cmds->state != STATE_RECORDING) {
    RECORD_ERROR (cmds, "Dispatch outside ranet_vk_commands_begin()/end()");
    return FALSE;
  }
  if (pipe == NULL || pipe->dev != cmds->dev) {
    RECORD_ERROR (cmds, "Dispatch of a pipeline that is missing or from another device");
    return FALSE;
  }
  if (n_bindings != pipe->n_buffers) {
    RECORD_ERROR (cmds, "Dispatch with %u buffers, the pipeline has %u", n_bindings,
        pipe->n_buffers);
    return FALSE;
  }
  if (push_size != pipe->push_size || (push_size > 0 && push == NULL)) {
    RECORD_ERROR (cmds, "Dispatch with %u bytes of push constants, the pipeline has %u",
        push_size, pipe->push_size);
    return FALSE;
  }
  if (groups_x > limits->maxComputeWorkGroupCount[0]
      || groups_y > limits->maxComputeWorkGroupCount[1]
      || groups_z > limits->maxComputeWorkGroupCount[2]) {
    RECORD_ERROR (cmds, "Dispatch of %u x %u x %u workgroups exceeds the device's %u x %u x %u",
        groups_x, groups_y, groups_z, limits->maxComputeWorkGroupCount[0],
        limits->maxComputeWorkGroupCount[1], limits->maxComputeWorkGroupCount[2]);
    return FALSE;
  }
  return TRUE;
}

static gboolean
overlaps_any (GArray *ranges, const AccessRange *r)
{
  for (guint i = 0; i < ranges->len; i++) {
    const AccessRange *o = &g_array_index (ranges, AccessRange, i);
    if (o->buffer == r->buffer && o->lo < r->hi && r->lo < o->hi)
      return TRUE;
  }
  return FALSE;
}

/* Puts a barrier before a dispatch that would read bytes written since the
 * last barrier, or write bytes read or written since: the read-after-write,
 * write-after-read and write-after-write hazards. Dispatches that touch
 * disjoint bytes (the two branches of a fusion layer, a classifier and the
 * next scale's first layers) are left free to overlap. The ranges are the
 * bound ones, exactly what the shader can reach and what the validation
 * layer's synchronisation checks see; every binding of the same VkBuffer is
 * compared, storage or texel, so views of one buffer alias correctly. */
static void
order_dispatch (RanetVkCommands *cmds, RanetVkPipeline *pipe, const AccessRange *ranges,
    guint n)
{
  gboolean hazard = FALSE;

  for (guint i = 0; i < n && !hazard; i++) {
    gboolean reads = (pipe->read_mask & (1u << i)) != 0;
    gboolean writes = (pipe->write_mask & (1u << i)) != 0;
    hazard = ((reads || writes) && overlaps_any (cmds->writes, &ranges[i]))
        || (writes && overlaps_any (cmds->reads, &ranges[i]));
  }
  if (hazard && !cmds->skip_ordering)
    ranet_vk_commands_barrier (cmds);
  for (guint i = 0; i < n; i++) {
    if ((pipe->read_mask & (1u << i)) != 0)
      g_array_append_val (cmds->reads, ranges[i]);
    if ((pipe->write_mask & (1u << i)) != 0)
      g_array_append_val (cmds->writes, ranges[i]);
  }
}

/* Everything of a dispatch but the dispatch command itself: the descriptor
 * set of @bindings, the barrier the bound ranges call for (order_dispatch())
 * and the pipeline, set and push constants bound. FALSE, with the error kept
 * for ranet_vk_commands_end(), where the dispatch must not be recorded. */
static gboolean
bind_dispatch (RanetVkCommands *cmds, RanetVkPipeline *pipe,
    const RanetVkBinding *bindings, guint n_bindings, gconstpointer push, guint push_size)
{
  GError *error = NULL;
  VkDescriptorSet set;
  VkDescriptorBufferInfo *infos;
  VkBufferView *views;
  VkWriteDescriptorSet *writes;
  AccessRange *ranges;
  gboolean ok = FALSE;

  if (n_bindings > 0 && bindings == NULL) {
    RECORD_ERROR (cmds, "Dispatch with %u buffers and no bindings", n_bindings);
    return FALSE;
  }

  set = allocate_set (cmds, pipe, &error);
  if (set == VK_NULL_HANDLE) {
    set_record_error (cmds, error);
    return FALSE;
  }
  infos = g_new0 (VkDescriptorBufferInfo, MAX (n_bindings, 1));
  views = g_new0 (VkBufferView, MAX (n_bindings, 1));
  writes = g_new0 (VkWriteDescriptorSet, MAX (n_bindings, 1));
  ranges = g_new0 (AccessRange, MAX (n_bindings, 1));
  for (guint i = 0; i < n_bindings; i++) {
    gsize offset, range;

    if (!binding_extent (cmds, pipe, i, &bindings[i], &offset, &range))
      goto out;
    ranges[i] = (AccessRange) { bindings[i].buffer->buffer, offset, offset + range };
    writes[i].sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET;
    writes[i].dstSet = set;
    writes[i].dstBinding = i;
    writes[i].descriptorCount = 1;
    if (((pipe->texel_mask | pipe->vec4_mask) & (1u << i)) != 0) {
      views[i] = ranet_vk_buffer_get_texel_view (bindings[i].buffer,
          (pipe->vec4_mask & (1u << i)) != 0, offset, range, &error);
      if (views[i] == VK_NULL_HANDLE) {
        set_record_error (cmds, error);
        goto out;
      }
      writes[i].descriptorType = VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER;
      writes[i].pTexelBufferView = &views[i];
    } else {
      infos[i].buffer = bindings[i].buffer->buffer;
      infos[i].offset = offset;
      infos[i].range = range;
      writes[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
      writes[i].pBufferInfo = &infos[i];
    }
  }
  if (n_bindings > 0)
    vkUpdateDescriptorSets (cmds->dev->device, n_bindings, writes, 0, NULL);

  order_dispatch (cmds, pipe, ranges, n_bindings);
  vkCmdBindPipeline (cmds->cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipe->pipeline);
  vkCmdBindDescriptorSets (cmds->cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipe->layout,
      0, 1, &set, 0, NULL);
  if (push_size > 0)
    vkCmdPushConstants (cmds->cmd, pipe->layout, VK_SHADER_STAGE_COMPUTE_BIT, 0,
        push_size, push);
  ok = TRUE;
out:
  g_free (ranges);
  g_free (writes);
  g_free (views);
  g_free (infos);
  return ok;
}

/**
 * ranet_vk_commands_dispatch_bindings:
 * @cmds: a recording between begin and end
 * @pipe: the pipeline
 * @bindings: (array length=n_bindings): what bindings 0..n_bindings-1 see
 * @n_bindings: must equal the pipeline's number of buffers
 * @push: (nullable): push-constant data, @push_size bytes (copied now)
 * @push_size: must equal the pipeline's push-constant size
 * @groups_x: workgroups in x
 * @groups_y: workgroups in y
 * @groups_z: workgroups in z
 *
 * Records one dispatch, after a barrier where it reads or writes bytes that
 * an earlier dispatch since the last barrier wrote, or writes bytes one read
 * (which bindings a shader reads and writes comes from its SPIR-V). A
 * descriptor set is allocated now and lives until the next
 * ranet_vk_commands_begin(), so submitting allocates nothing. Errors are
 * reported by ranet_vk_commands_end().
 */
void
ranet_vk_commands_dispatch_bindings (RanetVkCommands *cmds, RanetVkPipeline *pipe,
    const RanetVkBinding *bindings, guint n_bindings, gconstpointer push, guint push_size,
    guint groups_x, guint groups_y, guint groups_z)
{
  g_return_if_fail (cmds != NULL);
  if (check_dispatch (cmds, pipe, n_bindings, push, push_size, groups_x, groups_y, groups_z)
      && bind_dispatch (cmds, pipe, bindings, n_bindings, push, push_size)) {
    vkCmdDispatch (cmds->cmd, groups_x, groups_y, groups_z);
    cmds->n_dispatches++;
  }
}

/**
 * ranet_vk_commands_dispatch_bindings_indirect:
 * @cmds: a recording between begin and end
 * @pipe: the pipeline
 * @bindings: (array length=n_bindings): what bindings 0..n_bindings-1 see
 * @n_bindings: must equal the pipeline's number of buffers
 * @push: (nullable): push-constant data, @push_size bytes (copied now)
 * @push_size: must equal the pipeline's push-constant size
 * @args: the workgroup counts in x, y and z: three uint32s at byte
 *   @args_offset, each within the device's maxComputeWorkGroupCount
 * @args_offset: a multiple of 4
 *
 * As ranet_vk_commands_dispatch_bindings(), with the workgroup counts read
 * from @args when the device runs the dispatch (vkCmdDispatchIndirect), so
 * that one recording serves counts the host chooses at each submission. The
 * host writes @args before submitting (a host write is visible to every
 * submission made after it); the barriers the recording places do not
 * cover @args, so no dispatch of the same submission may write it.
 */
void
ranet_vk_commands_dispatch_bindings_indirect (RanetVkCommands *cmds, RanetVkPipeline *pipe,
    const RanetVkBinding *bindings, guint n_bindings, gconstpointer push, guint push_size,
    RanetVkBuffer *args, gsize args_offset)
{
  g_return_if_fail (cmds != NULL);
  if (!check_dispatch (cmds, pipe, n_bindings, push, push_size, 1, 1, 1))
    return;
  if (args == NULL || args->dev != cmds->dev || args_offset % 4 != 0
      || args_offset > args->size || args->size - args_offset < 3 * sizeof (guint32)) {
    RECORD_ERROR (cmds, "Indirect dispatch: its arguments buffer is missing, from another "
        "device, or has no three uint32s at byte %" G_GSIZE_FORMAT, args_offset);
    return;
  }
  if (bind_dispatch (cmds, pipe, bindings, n_bindings, push, push_size)) {
    vkCmdDispatchIndirect (cmds->cmd, args->buffer, args_offset);
    cmds->n_dispatches++;
  }
}

/**
 * ranet_vk_commands_dispatch:
 * @buffers: (array length=n_buffers): bound whole at bindings 0..n_buffers-1
 *
 * As ranet_vk_commands_dispatch_bindings(), each buffer bound whole.
 */
void
ranet_vk_commands_dispatch (RanetVkCommands *cmds, RanetVkPipeline *pipe,
    RanetVkBuffer *const *buffers, guint n_buffers, gconstpointer push, guint push_size,
    guint groups_x, guint groups_y, guint groups_z)
{
  RanetVkBinding *bindings = g_new0 (RanetVkBinding, MAX (n_buffers, 1));

  for (guint i = 0; i < n_buffers && buffers != NULL; i++)
    bindings[i].buffer = buffers[i];
  ranet_vk_commands_dispatch_bindings (cmds, pipe, buffers != NULL ? bindings : NULL,
      n_buffers, push, push_size, groups_x, groups_y, groups_z);
  g_free (bindings);
}

void
ranet_vk_commands_barrier (RanetVkCommands *cmds)
{
  g_return_if_fail (cmds != NULL);
  if (cmds->state != STATE_RECORDING) {
    RECORD_ERROR (cmds, "Barrier outside ranet_vk_commands_begin()/end()");
    return;
  }
  record_barrier (cmds, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT,
      VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT);
}

void
ranet_vk_commands_begin_conditional (RanetVkCommands *cmds, RanetVkBuffer *buf,
    gsize offset)
{
  /* the predicate may come from a dispatch recorded just before */
  VkMemoryBarrier barrier = {
    .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
    .srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT,
    .dstAccessMask = VK_ACCESS_CONDITIONAL_RENDERING_READ_BIT_EXT,
  };
  VkConditionalRenderingBeginInfoEXT info = {
    .sType = VK_STRUCTURE_TYPE_CONDITIONAL_RENDERING_BEGIN_INFO_EXT,
    .offset = offset,
  };

  g_return_if_fail (cmds != NULL && buf != NULL);
  if (cmds->state != STATE_RECORDING || cmds->in_conditional) {
    RECORD_ERROR (cmds, "Conditional block outside begin()/end() or inside another");
    return;
  }
  if (cmds->dev->begin_conditional == NULL || buf->dev != cmds->dev
      || offset % 4 != 0 || offset + 4 > buf->size) {
    RECORD_ERROR (cmds, "Conditional block: no conditional dispatch on this device, or "
        "offset %" G_GSIZE_FORMAT " unusable in a buffer of %" G_GSIZE_FORMAT " bytes",
        offset, buf->size);
    return;
  }
  vkCmdPipelineBarrier (cmds->cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
      VK_PIPELINE_STAGE_CONDITIONAL_RENDERING_BIT_EXT, 0, 1, &barrier, 0, NULL, 0, NULL);
  info.buffer = buf->buffer;
  cmds->dev->begin_conditional (cmds->cmd, &info);
  cmds->in_conditional = TRUE;
}

void
ranet_vk_commands_end_conditional (RanetVkCommands *cmds)
{
  g_return_if_fail (cmds != NULL);
  if (cmds->state != STATE_RECORDING || !cmds->in_conditional) {
    RECORD_ERROR (cmds, "End of a conditional block that was not begun");
    return;
  }
  cmds->dev->end_conditional (cmds->cmd);
  cmds->in_conditional = FALSE;
}

void
ranet_vk_commands_timestamp (RanetVkCommands *cmds, guint index)
{
  g_return_if_fail (cmds != NULL);
  if (cmds->state != STATE_RECORDING) {
    RECORD_ERROR (cmds, "Timestamp outside ranet_vk_commands_begin()/end()");
    return;
  }
  if (index >= cmds->max_timestamps || cmds->written[index]) {
    RECORD_ERROR (cmds, "Timestamp %u: out of range (%u slots) or written twice",
        index, cmds->max_timestamps);
    return;
  }
  cmds->written[index] = TRUE;
  if (cmds->query_pool)
    vkCmdWriteTimestamp (cmds->cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT,
        cmds->query_pool, index);
}

/* Records copies of the written timestamp slots into timestamp_copy, a run
 * of consecutive slots at a time: an unwritten slot never becomes
 * available, so copying it with WAIT would block. */
static void
copy_timestamps (RanetVkCommands *cmds)
{
  if (cmds->query_pool == VK_NULL_HANDLE)
    return;
  for (guint i = 0; i < cmds->max_timestamps;) {
    guint n = 0;

    while (i + n < cmds->max_timestamps && cmds->written[i + n])
      n++;
    if (n > 0)
      vkCmdCopyQueryPoolResults (cmds->cmd, cmds->query_pool, i, n,
          cmds->timestamp_copy->buffer, i * sizeof (guint64), sizeof (guint64),
          VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT);
    i += MAX (n, 1);
  }
}

gboolean
ranet_vk_commands_end (RanetVkCommands *cmds, GError **error)
{
  /* Host-visible results are read after the fence; the fence alone does not
   * make shader (and timestamp copy) writes visible to the host, this barrier
   * does. */
  VkMemoryBarrier to_host = {
    .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
    .srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT,
    .dstAccessMask = VK_ACCESS_HOST_READ_BIT,
  };

  g_return_val_if_fail (cmds != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (cmds->state != STATE_RECORDING) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "ranet_vk_commands_end() without ranet_vk_commands_begin()");
    return FALSE;
  }
  if (cmds->in_conditional) {
    RECORD_ERROR (cmds, "Recording ended inside a conditional block");
    ranet_vk_commands_end_conditional (cmds);
  }
  copy_timestamps (cmds);
  vkCmdPipelineBarrier (cmds->cmd,
      VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
      VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &to_host, 0, NULL, 0, NULL);
  if (!ranet_vk_check (vkEndCommandBuffer (cmds->cmd), "vkEndCommandBuffer", error)) {
    cmds->state = STATE_EMPTY;
    return FALSE;
  }
  if (cmds->record_error) {
    g_propagate_error (error, cmds->record_error);
    cmds->record_error = NULL;
    cmds->state = STATE_EMPTY;
    return FALSE;
  }
  cmds->state = STATE_READY;
  return TRUE;
}

/* ---- submission ---- */

gboolean
ranet_vk_commands_submit_async (RanetVkCommands *cmds, GError **error)
{
  RanetVkDevice *dev;
  VkSubmitInfo submit = {
    .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
    .commandBufferCount = 1,
  };
  VkResult res;

  g_return_val_if_fail (cmds != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  dev = cmds->dev;

  if (cmds->state != STATE_READY || cmds->in_flight) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "Cannot submit: %s", cmds->in_flight ? "the previous submission is still in flight"
        : "nothing recorded (call begin, record, end first)");
    return FALSE;
  }
  if (!ranet_vk_check (vkResetFences (dev->device, 1, &cmds->fence), "vkResetFences", error))
    return FALSE;

  submit.pCommandBuffers = &cmds->cmd;
  ranet_vk_device_queue_submit_lock (dev);
  /* a lost device stays lost, whatever the driver would answer */
  res = g_atomic_int_get (&dev->lost) ? VK_ERROR_DEVICE_LOST : ranet_vk_debug_fault (RANET_VK_FAULT_SUBMIT);
  if (res == VK_SUCCESS)
    res = vkQueueSubmit (dev->queue, 1, &submit, cmds->fence);
  ranet_vk_device_queue_submit_unlock (dev);
  ranet_vk_device_note_result (dev, res);
  if (!ranet_vk_check (res, "vkQueueSubmit", error))
    return FALSE;
  cmds->in_flight = TRUE;
  cmds->have_results = FALSE;
  return TRUE;
}

gboolean
ranet_vk_commands_wait (RanetVkCommands *cmds, GError **error)
{
  VkResult res;

  g_return_val_if_fail (cmds != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!cmds->in_flight)
    return TRUE;
  res = vkWaitForFences (cmds->dev->device, 1, &cmds->fence, VK_TRUE, UINT64_MAX);
  cmds->in_flight = FALSE;
  ranet_vk_device_note_result (cmds->dev, res);
  if (!ranet_vk_check (res, "vkWaitForFences", error))
    return FALSE;
  cmds->have_results = TRUE;
  return TRUE;
}

gboolean
ranet_vk_commands_submit (RanetVkCommands *cmds, GError **error)
{
  return ranet_vk_commands_submit_async (cmds, error) && ranet_vk_commands_wait (cmds, error);
}

guint64
ranet_vk_commands_get_elapsed_ns (RanetVkCommands *cmds, guint from, guint to)
{
  const guint64 *ticks_at;
  guint32 bits;
  guint64 mask, ticks;

  g_return_val_if_fail (cmds != NULL, 0);
  if (!cmds->have_results || cmds->query_pool == VK_NULL_HANDLE
      || from >= cmds->max_timestamps || to >= cmds->max_timestamps
      || !cmds->written[from] || !cmds->written[to])
    return 0;
  /* Counters wrap at timestampValidBits; the masked difference survives one wrap. */
  bits = cmds->dev->timestamp_valid_bits;
  mask = bits >= 64 ? G_MAXUINT64 : (G_GUINT64_CONSTANT (1) << bits) - 1;
  ticks_at = ranet_vk_buffer_get_mapped (cmds->timestamp_copy);
  ticks = (ticks_at[to] - ticks_at[from]) & mask;
  return (guint64) ((double) ticks * cmds->dev->props.limits.timestampPeriod + 0.5);
}

guint
ranet_vk_commands_get_n_barriers (RanetVkCommands *cmds)
{
  g_return_val_if_fail (cmds != NULL, 0);
  return cmds->n_barriers;
}

guint
ranet_vk_commands_get_n_dispatches (RanetVkCommands *cmds)
{
  g_return_val_if_fail (cmds != NULL, 0);
  return cmds->n_dispatches;
}

void
ranet_vk_commands_debug_skip_ordering (RanetVkCommands *cmds, gboolean skip)
{
  g_return_if_fail (cmds != NULL);
  cmds->skip_ordering = skip;
}
