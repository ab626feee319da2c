/* ranet-test-pipeline.h: pipelines of the shaders that only the tests and
 * tools use (shaders/meson.build's test_shaders: fill, probe_fma,
 * probe_copy), which libranet does not embed. */
#pragma once

#include "vk/ranet-vk.h"

G_BEGIN_DECLS

/* As ranet_vk_pipeline_new_named(), for a shader of the test table;
 * %RANET_VK_ERROR_INVALID for a name it does not hold. */
RanetVkPipeline *ranet_test_pipeline_new (RanetVkDevice *dev, const char *name,
    guint n_buffers, const guint32 *spec, guint n_spec, guint push_size, GError **error);

G_END_DECLS
