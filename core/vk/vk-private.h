/* vk-private.h: internals shared by the files of the Vulkan layer. Not installed. */
#pragma once

#include "ranet-vk.h"

#include <vulkan/vulkan.h>

G_BEGIN_DECLS

struct _RanetVkDevice {
  gint ref_count;               /* atomic */
  RanetVkOptions options;       /* fixed when the device is made */
  char *shared_key;             /* non-NULL when registered in the shared table */

  VkInstance instance;
  VkDebugUtilsMessengerEXT messenger;
  PFN_vkDestroyDebugUtilsMessengerEXT destroy_messenger;
  gboolean validation;
  gboolean sync_validation;     /* synchronisation validation on too */
  gint validation_errors;       /* atomic */

  VkPhysicalDevice physical;
  VkPhysicalDeviceProperties props;
  VkPhysicalDeviceMemoryProperties mem_props;
  guint32 subgroup_size;
  gboolean subgroup_shuffle;    /* basic + shuffle subgroup operations in compute */
  /* VK_EXT_conditional_rendering enabled: dispatches can be skipped by a
   * value the device itself wrote (ranet_vk_commands_begin_conditional) */
  PFN_vkCmdBeginConditionalRenderingEXT begin_conditional;
  PFN_vkCmdEndConditionalRenderingEXT end_conditional;

  VkDevice device;
  gint lost;                    /* atomic; VK_ERROR_DEVICE_LOST seen: get_shared hands out a new device */
  guint32 queue_family;
  guint32 timestamp_valid_bits; /* 0: no timestamps on the queue */
  VkQueue queue;
  GMutex queue_mutex;           /* vkQueueSubmit needs external synchronisation */

  VkPipelineCache pipeline_cache;
  gsize cache_loaded_size;      /* bytes read from or last written to disk */
  GMutex pipelines_lock;
  GHashTable *pipelines;        /* GBytes key -> RanetVkPipelineEntry (vk-pipeline-cache.c) */
  guint pipelines_unsaved;      /* compiled since the cache was last written */

  /* One-off copies for upload/download of buffers that are not mapped. */
  GMutex transfer_mutex;
  VkCommandPool transfer_pool;
  VkCommandBuffer transfer_cmd;
  VkFence transfer_fence;
};

struct _RanetVkBuffer {
  RanetVkDevice *dev;
  gsize size;
  RanetVkBufferKind kind;
  VkBuffer buffer;
  VkDeviceMemory memory;
  VkMemoryPropertyFlags memory_flags;
  gpointer mapped;              /* only when host-visible and host-coherent */
  GMutex view_lock;
  GArray *texel_views;          /* TexelView (vk-buffer.c): made on first use */
};

struct _RanetVkPipeline {
  RanetVkDevice *dev;
  guint n_buffers;
  guint push_size;
  VkDescriptorSetLayout set_layout;
  VkPipelineLayout layout;
  VkPipeline pipeline;
  guint32 texel_mask;           /* bindings that are uniform texel buffers of floats */
  guint32 vec4_mask;            /* bindings that are uniform texel buffers of vec4s */
  guint32 read_mask;            /* bindings the shader reads (vk-spirv.c) */
  guint32 write_mask;           /* bindings the shader writes */
};

/* vk-buffer.c: bytes [@offset, @offset + @range) of the buffer as a uniform
 * texel buffer of R32_SFLOAT (@vec4 FALSE) or R32G32B32A32_SFLOAT (@vec4
 * TRUE), made on first use and kept until the buffer is freed;
 * VK_NULL_HANDLE with @error set on failure. The caller checked the range
 * against the device's limits. */
VkBufferView ranet_vk_buffer_get_texel_view (RanetVkBuffer *buf, gboolean vec4,
    gsize offset, gsize range, GError **error);

/* vk-spirv.c: bit i of @read and @write set where the compute shader
 * @spirv (@n_words words, magic checked) reads, writes binding i of set 0;
 * FALSE when the module cannot be walked. */
gboolean ranet_vk_spirv_binding_access (const guint32 *spirv, gsize n_words,
    guint32 *read, guint32 *write);

/* vk-pipeline-cache.c: a compiled pipeline, owned by its device. */
typedef struct _RanetVkPipelineEntry RanetVkPipelineEntry;
/* Creates the device's pipeline table and its VkPipelineCache, from the
 * cache file where one fits the device. */
gboolean ranet_vk_device_open_pipeline_cache (RanetVkDevice *dev, GError **error);
/* Destroys every pipeline the device compiled, and its cache. */
void ranet_vk_device_close_pipeline_cache (RanetVkDevice *dev);
RanetVkPipelineEntry *ranet_vk_device_lookup_pipeline (RanetVkDevice *dev, GBytes *key);
/* Hands the objects to the device; returns the entry for @key, which is
 * another thread's where it compiled the same pipeline first (the objects
 * given are destroyed then). */
RanetVkPipelineEntry *ranet_vk_device_add_pipeline (RanetVkDevice *dev, GBytes *key,
    VkDescriptorSetLayout set_layout, VkPipelineLayout layout, VkPipeline pipeline,
    guint32 read_mask, guint32 write_mask);
void ranet_vk_pipeline_entry_get (const RanetVkPipelineEntry *e,
    VkDescriptorSetLayout *set_layout, VkPipelineLayout *layout, VkPipeline *pipeline,
    guint32 *read_mask, guint32 *write_mask);

/* vk-error.c */
const char *ranet_vk_result_name (VkResult result);
gboolean ranet_vk_check (VkResult result, const char *call, GError **error);

/* Fault injection, for tests of the error paths above this layer: real
 * drivers almost never fail these calls on demand.
 * @RANET_VK_FAULT_ALLOC: a buffer's device memory allocation fails with
 *   VK_ERROR_OUT_OF_DEVICE_MEMORY (options: fail_alloc)
 * @RANET_VK_FAULT_SUBMIT: a queue submission fails with VK_ERROR_DEVICE_LOST
 *   and the device counts as lost (options: fail_submit) */
typedef enum {
  RANET_VK_FAULT_ALLOC,
  RANET_VK_FAULT_SUBMIT,
  RANET_VK_N_FAULTS,
} RanetVkFault;

/* Tests only: with @skip, dispatches recorded from now on get no barrier
 * between them, whatever they touch (the hazards the validation layer's
 * synchronisation checks must then report). */
void ranet_vk_commands_debug_skip_ordering (RanetVkCommands *cmds, gboolean skip);

/* Makes the @n-th call of @what from now on fail (1: the next one), once,
 * process-wide; 0 disarms. */
void ranet_vk_debug_inject (RanetVkFault what, guint n);
/* Arms the counters from the first device's options (fail_alloc,
 * fail_submit) where they ask for a fault; later devices change nothing. */
void ranet_vk_debug_arm (const RanetVkOptions *options);
/* The result the call about to be made must give instead of calling the
 * driver: VK_SUCCESS when no fault is due. */
VkResult ranet_vk_debug_fault (RanetVkFault what);

/* vk-device.c: a submission result; VK_ERROR_DEVICE_LOST marks @dev lost. */
void ranet_vk_device_note_result (RanetVkDevice *dev, VkResult result);

/* vk-buffer.c */
RanetVkBuffer *ranet_vk_buffer_new_full (RanetVkDevice *dev, gsize size,
    RanetVkBufferKind kind, gboolean allow_map, GError **error);

/* vk-device.c */
void ranet_vk_device_queue_submit_lock (RanetVkDevice *dev);
void ranet_vk_device_queue_submit_unlock (RanetVkDevice *dev);
/* Records @record into the device's transfer command buffer, submits it and waits. */
typedef void (*RanetVkRecordFunc) (VkCommandBuffer cmd, gpointer user_data);
gboolean ranet_vk_device_run_transfer (RanetVkDevice *dev, RanetVkRecordFunc record,
    gpointer user_data, GError **error);

G_END_DECLS
