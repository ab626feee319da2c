/* vk-fill.c: see vk-fill.h. */
#include "vk-fill.h"

RanetVkPipeline *
vk_fill_pipeline (RanetVkDevice *dev, guint32 value)
{
  const guint32 spec[] = { FILL_LOCAL_SIZE, value };
  GError *error = NULL;
  RanetVkPipeline *pipe = ranet_test_pipeline_new (dev, "fill", 1, spec,
      G_N_ELEMENTS (spec), sizeof (FillRegion), &error);

  g_assert_no_error (error);
  g_assert_nonnull (pipe);
  return pipe;
}

void
vk_record_fill (RanetVkCommands *cmds, RanetVkPipeline *pipe, const RanetVkBinding *binding,
    guint32 offset, guint32 count)
{
  FillRegion region = { offset, count };

  ranet_vk_commands_dispatch_bindings (cmds, pipe, binding, 1, &region, sizeof region,
      (count + FILL_LOCAL_SIZE - 1) / FILL_LOCAL_SIZE, 1, 1);
}
