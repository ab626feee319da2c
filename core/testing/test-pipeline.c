/* test-pipeline.c: see ranet-test-pipeline.h. */
#include "testing/ranet-test-pipeline.h"

#include "ranet-test-shaders.h"

RanetVkPipeline *
ranet_test_pipeline_new (RanetVkDevice *dev, const char *name, guint n_buffers,
    const guint32 *spec, guint n_spec, guint push_size, GError **error)
{
  gsize size = 0;
  const guint32 *spirv = ranet_test_shader_get (name, &size);

  if (spirv == NULL) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "No test shader named \"%s\"", name ? name : "(null)");
    return NULL;
  }
  return ranet_vk_pipeline_new (dev, spirv, size, n_buffers, spec, n_spec, push_size, error);
}
