/* test-device.c: see test-device.h. */
#include "test-device.h"

#include <string.h>

RanetVkDevice *
test_device_new_from_args (int *argc, char **argv, GError **error)
{
  RanetVkOptions options;
  int kept = 1;

  ranet_vk_options_from_environment (&options);
  for (int i = 1; i < *argc; i++) {
    if (strcmp (argv[i], "--per-stage") == 0)
      options.conditional_stages = FALSE;
    else if (strcmp (argv[i], "--unfused") == 0)
      options.fused_layers = RANET_VK_FUSION_OFF;
    else
      argv[kept++] = argv[i];
  }
  argv[kept] = NULL;
  *argc = kept;
  return ranet_vk_device_new_full (NULL, &options, error);
}
