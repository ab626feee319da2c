/* test-device.h: the device a core test program runs on. */
#pragma once

#include "vk/ranet-vk.h"

/* A device with the environment's options (validation), except where the
 * program's arguments change them: --per-stage turns one-submission frames
 * off (conditional_stages), as on devices without
 * VK_EXT_conditional_rendering; --unfused records an op per layer, never
 * fused runs (fused_layers), as on devices where fusing is off. Takes the arguments it knows out of @argv,
 * before g_test_init() sees them. */
RanetVkDevice *test_device_new_from_args (int *argc, char **argv, GError **error);
