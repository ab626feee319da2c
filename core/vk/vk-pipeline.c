/* vk-pipeline.c: compute pipelines from SPIR-V, with storage buffers at set 0,
 * specialization constants and an optional push-constant block. */
#include "vk-private.h"
#include "ranet-shaders.h"

#define SPIRV_MAGIC 0x07230203u

static gboolean
check_arguments (RanetVkDevice *dev, const guint32 *spirv, gsize spirv_size_bytes,
    guint n_buffers, const guint32 *spec, guint n_spec, guint push_size, GError **error)
{
  const VkPhysicalDeviceLimits *limits = &dev->props.limits;

  if (spirv == NULL || spirv_size_bytes < 20 || spirv_size_bytes % 4 != 0
      || spirv[0] != SPIRV_MAGIC) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "Not SPIR-V: %" G_GSIZE_FORMAT " bytes%s", spirv_size_bytes,
        spirv && spirv_size_bytes >= 4 && spirv[0] != SPIRV_MAGIC ? ", bad magic number" : "");
    return FALSE;
  }
  if (n_buffers > limits->maxPerStageDescriptorStorageBuffers) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "%u storage buffers requested, the device allows %u per stage",
        n_buffers, limits->maxPerStageDescriptorStorageBuffers);
    return FALSE;
  }
  if (push_size % 4 != 0 || push_size > limits->maxPushConstantsSize) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "Push-constant block of %u bytes: must be a multiple of 4 and at most %u",
        push_size, limits->maxPushConstantsSize);
    return FALSE;
  }
  if (n_spec > 0 && spec == NULL) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "%u specialization constants announced but no values given", n_spec);
    return FALSE;
  }
  return TRUE;
}

/* Everything that makes two pipelines the same: the SPIR-V, the bindings'
 * kinds, the push-constant size and the specialization constants. */
static GBytes *
pipeline_key (const guint32 *spirv, gsize spirv_size_bytes, guint n_buffers,
    guint32 texel_mask, guint32 vec4_mask, const guint32 *spec, guint n_spec, guint push_size)
{
  GByteArray *key = g_byte_array_sized_new (spirv_size_bytes + (5 + n_spec) * 4);
  guint32 params[] = { n_buffers, texel_mask, vec4_mask, push_size, n_spec };

  g_byte_array_append (key, (const guint8 *) params, sizeof params);
  if (n_spec > 0)
    g_byte_array_append (key, (const guint8 *) spec, n_spec * sizeof (guint32));
  g_byte_array_append (key, (const guint8 *) spirv, spirv_size_bytes);
  return g_byte_array_free_to_bytes (key);
}

/* Compiles a pipeline into the three objects; on failure destroys what it made. */
static gboolean
pipeline_compile (RanetVkDevice *dev, const guint32 *spirv, gsize spirv_size_bytes,
    guint n_buffers, guint32 texel_mask, guint32 vec4_mask, const guint32 *spec, guint n_spec,
    guint push_size, VkDescriptorSetLayout *set_layout, VkPipelineLayout *layout,
    VkPipeline *pipeline, GError **error)
{
  VkShaderModule module = VK_NULL_HANDLE;
  VkDescriptorSetLayoutBinding *bindings;
  VkSpecializationMapEntry *entries;
  VkResult res;

  *set_layout = VK_NULL_HANDLE;
  *layout = VK_NULL_HANDLE;
  *pipeline = VK_NULL_HANDLE;
  {
    VkShaderModuleCreateInfo info = {
      .sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
      .codeSize = spirv_size_bytes,
      .pCode = spirv,
    };
    res = vkCreateShaderModule (dev->device, &info, NULL, &module);
    if (!ranet_vk_check (res, "vkCreateShaderModule", error)) {
      module = VK_NULL_HANDLE;
      goto fail;
    }
  }

  bindings = g_new0 (VkDescriptorSetLayoutBinding, MAX (n_buffers, 1));
  for (guint i = 0; i < n_buffers; i++) {
    bindings[i].binding = i;
    bindings[i].descriptorType = ((texel_mask | vec4_mask) & (1u << i)) != 0
        ? VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER : VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
    bindings[i].descriptorCount = 1;
    bindings[i].stageFlags = VK_SHADER_STAGE_COMPUTE_BIT;
  }
  {
    VkDescriptorSetLayoutCreateInfo info = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
      .bindingCount = n_buffers,
      .pBindings = bindings,
    };
    res = vkCreateDescriptorSetLayout (dev->device, &info, NULL, set_layout);
  }
  g_free (bindings);
  if (!ranet_vk_check (res, "vkCreateDescriptorSetLayout", error)) {
    *set_layout = VK_NULL_HANDLE;
    goto fail;
  }

  {
    VkPushConstantRange range = {
      .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT,
      .offset = 0,
      .size = push_size,
    };
    VkPipelineLayoutCreateInfo info = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
      .setLayoutCount = 1,
      .pSetLayouts = set_layout,
      .pushConstantRangeCount = push_size > 0 ? 1 : 0,
      .pPushConstantRanges = &range,
    };
    res = vkCreatePipelineLayout (dev->device, &info, NULL, layout);
    if (!ranet_vk_check (res, "vkCreatePipelineLayout", error)) {
      *layout = VK_NULL_HANDLE;
      goto fail;
    }
  }

  /* Constant i lives at bytes 4i..4i+3 of @spec; ids the shader does not
   * declare are ignored by Vulkan, so callers may pass a common superset. */
  entries = g_new0 (VkSpecializationMapEntry, MAX (n_spec, 1));
  for (guint i = 0; i < n_spec; i++) {
    entries[i].constantID = i;
    entries[i].offset = i * sizeof (guint32);
    entries[i].size = sizeof (guint32);
  }
  {
    VkSpecializationInfo spec_info = {
      .mapEntryCount = n_spec,
      .pMapEntries = entries,
      .dataSize = n_spec * sizeof (guint32),
      .pData = spec,
    };
    VkComputePipelineCreateInfo info = {
      .sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
      .stage = {
        .sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
        .stage = VK_SHADER_STAGE_COMPUTE_BIT,
        .module = module,
        .pName = "main",
        .pSpecializationInfo = n_spec > 0 ? &spec_info : NULL,
      },
      .layout = *layout,
    };
    /* The device's pipeline cache is internally synchronised, so pipelines
     * may be created from several threads. */
    res = vkCreateComputePipelines (dev->device, dev->pipeline_cache, 1, &info, NULL,
        pipeline);
  }
  g_free (entries);
  if (!ranet_vk_check (res, "vkCreateComputePipelines", error)) {
    *pipeline = VK_NULL_HANDLE;
    goto fail;
  }
  vkDestroyShaderModule (dev->device, module, NULL);
  return TRUE;

fail:
  if (module)
    vkDestroyShaderModule (dev->device, module, NULL);
  if (*layout)
    vkDestroyPipelineLayout (dev->device, *layout, NULL);
  if (*set_layout)
    vkDestroyDescriptorSetLayout (dev->device, *set_layout, NULL);
  return FALSE;
}

/* The pipeline from the device's table, compiled first where it is not
 * there yet (vk-pipeline-cache.c). */
static RanetVkPipeline *
pipeline_new (RanetVkDevice *dev, const guint32 *spirv, gsize spirv_size_bytes,
    guint n_buffers, guint32 texel_mask, guint32 vec4_mask, const guint32 *spec, guint n_spec,
    guint push_size, GError **error)
{
  g_autoptr (GBytes) key = NULL;
  RanetVkPipelineEntry *entry;
  RanetVkPipeline *pipe;

  g_return_val_if_fail (dev != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_arguments (dev, spirv, spirv_size_bytes, n_buffers, spec, n_spec, push_size, error))
    return NULL;

  key = pipeline_key (spirv, spirv_size_bytes, n_buffers, texel_mask, vec4_mask, spec, n_spec,
      push_size);
  entry = ranet_vk_device_lookup_pipeline (dev, key);
  if (entry == NULL) {
    VkDescriptorSetLayout set_layout;
    VkPipelineLayout layout;
    VkPipeline pipeline;
    guint32 read_mask, write_mask;

    if (!pipeline_compile (dev, spirv, spirv_size_bytes, n_buffers, texel_mask, vec4_mask,
            spec, n_spec, push_size, &set_layout, &layout, &pipeline, error))
      return NULL;
    if (!ranet_vk_spirv_binding_access (spirv, spirv_size_bytes / 4, &read_mask, &write_mask)) {
      /* unknown: every binding is read and written, which orders the most */
      read_mask = write_mask = G_MAXUINT32;
    }
    entry = ranet_vk_device_add_pipeline (dev, key, set_layout, layout, pipeline, read_mask,
        write_mask);
  }

  pipe = g_new0 (RanetVkPipeline, 1);
  pipe->dev = ranet_vk_device_ref (dev);
  pipe->n_buffers = n_buffers;
  pipe->push_size = push_size;
  pipe->texel_mask = texel_mask;
  pipe->vec4_mask = vec4_mask;
  ranet_vk_pipeline_entry_get (entry, &pipe->set_layout, &pipe->layout, &pipe->pipeline,
      &pipe->read_mask, &pipe->write_mask);
  return pipe;
}

RanetVkPipeline *
ranet_vk_pipeline_new (RanetVkDevice *dev, const guint32 *spirv, gsize spirv_size_bytes,
    guint n_buffers, const guint32 *spec, guint n_spec, guint push_size, GError **error)
{
  return pipeline_new (dev, spirv, spirv_size_bytes, n_buffers, 0, 0, spec, n_spec,
      push_size, error);
}

RanetVkPipeline *
ranet_vk_pipeline_new_named (RanetVkDevice *dev, const char *shader_name, guint n_buffers,
    const guint32 *spec, guint n_spec, guint push_size, GError **error)
{
  return ranet_vk_pipeline_new_named_full (dev, shader_name, n_buffers, 0, 0, spec, n_spec,
      push_size, error);
}

RanetVkPipeline *
ranet_vk_pipeline_new_named_full (RanetVkDevice *dev, const char *shader_name, guint n_buffers,
    guint32 texel_mask, guint32 vec4_mask, const guint32 *spec, guint n_spec, guint push_size,
    GError **error)
{
  gsize size = 0;
  const guint32 *spirv = ranet_shader_get (shader_name, &size);
  RanetVkPipeline *pipe;

  if (spirv == NULL) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "No embedded shader named \"%s\"", shader_name ? shader_name : "(null)");
    return NULL;
  }
  if ((texel_mask | vec4_mask) >> MIN (n_buffers, 31) != 0 || (texel_mask & vec4_mask) != 0) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "Shader %s: texel-buffer masks 0x%x (floats) and 0x%x (vec4s) overlap or name bindings "
        "beyond its %u buffers", shader_name, texel_mask, vec4_mask, n_buffers);
    return NULL;
  }
  pipe = pipeline_new (dev, spirv, size, n_buffers, texel_mask, vec4_mask, spec, n_spec,
      push_size, error);
  if (pipe == NULL)
    g_prefix_error (error, "Shader %s: ", shader_name);
  return pipe;
}

void
ranet_vk_pipeline_free (RanetVkPipeline *pipe)
{
  if (pipe == NULL)
    return;
  /* the Vulkan objects are the device's (vk-pipeline-cache.c) */
  ranet_vk_device_unref (pipe->dev);
  g_free (pipe);
}

