/* vk-fill.h: the fill shader (shaders/fill.comp) for the tests of the Vulkan
 * layer: a pipeline that writes one value, and its dispatch over a range of
 * words. */
#pragma once

#include "vk/ranet-vk.h"
#include "testing/ranet-test-pipeline.h"

#define FILL_LOCAL_SIZE 64

/* The shader's push constants: words [offset, offset + count) of binding 0. */
typedef struct {
  guint32 offset;
  guint32 count;
} FillRegion;

/* A pipeline on @dev that writes @value; fails the test if it cannot be made. */
RanetVkPipeline *vk_fill_pipeline (RanetVkDevice *dev, guint32 value);

/* Fills @count words from word @offset of @binding. */
void vk_record_fill (RanetVkCommands *cmds, RanetVkPipeline *pipe,
    const RanetVkBinding *binding, guint32 offset, guint32 count);
