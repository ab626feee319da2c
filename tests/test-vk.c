/* test-vk.c: the Vulkan layer: devices, buffers, pipelines, recordings,
 * timestamps and barriers, on whatever device the machine offers. */
#include "vk/ranet-vk.h"
#include "vk-private.h"   /* ranet_vk_buffer_new_full(): staging-path buffers */
#include "ranet-shaders.h"

#include <string.h>
#include "vk-fill.h"

static RanetVkDevice *device;   /* shared by all tests of this program */

static void
assert_no_validation_errors (void)
{
  g_assert_cmpuint (ranet_vk_device_get_validation_error_count (device), ==, 0);
}

static RanetVkPipeline *
fill_pipeline (guint32 value)
{
  return vk_fill_pipeline (device, value);
}

/* @buf bound whole */
static void
record_fill (RanetVkCommands *cmds, RanetVkPipeline *pipe, RanetVkBuffer *buf,
    guint32 offset, guint32 count)
{
  RanetVkBinding whole = { buf, 0, 0 };
  vk_record_fill (cmds, pipe, &whole, offset, count);
}

/* ---- device ---- */

static void
test_device (void)
{
  GError *error = NULL;
  GPtrArray *list;

  g_test_message ("device: %s (%s), validation %s, subgroup %u",
      ranet_vk_device_get_name (device), ranet_vk_device_is_cpu (device) ? "cpu" : "gpu",
      ranet_vk_device_has_validation (device) ? "on" : "off",
      ranet_vk_device_get_subgroup_size (device));
  g_assert_nonnull (ranet_vk_device_get_name (device));
  g_assert_cmpuint (ranet_vk_device_get_max_storage_buffer_range (device), >, 0);
  g_assert_cmpuint (ranet_vk_device_get_max_workgroup_invocations (device), >=, 128);

  list = ranet_vk_list_devices (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, >=, 1);
  for (guint i = 0; i < list->len; i++)
    g_test_message ("%s", (const char *) list->pdata[i]);
  g_ptr_array_unref (list);
  assert_no_validation_errors ();
}

static void
test_device_shared (void)
{
  GError *error = NULL;
  RanetVkDevice *a = ranet_vk_device_get_shared ("0", &error);
  RanetVkDevice *b;

  g_assert_no_error (error);
  b = ranet_vk_device_get_shared ("0", &error);
  g_assert_no_error (error);
  g_assert_true (a == b);
  ranet_vk_device_unref (a);
  ranet_vk_device_unref (b);

  /* The last reference is gone: a new one is a fresh device that works. */
  a = ranet_vk_device_get_shared ("0", &error);
  g_assert_no_error (error);
  g_assert_nonnull (ranet_vk_device_get_name (a));
  g_assert_cmpuint (ranet_vk_device_get_validation_error_count (a), ==, 0);
  ranet_vk_device_unref (a);
}

static void
test_selector_index (void)
{
  GError *error = NULL;
  RanetVkDevice *dev = ranet_vk_device_new ("0", &error);

  g_assert_no_error (error);
  /* Index 0 is the automatic choice. */
  g_assert_cmpstr (ranet_vk_device_get_name (dev), ==, ranet_vk_device_get_name (device));
  g_assert_cmpuint (ranet_vk_device_get_validation_error_count (dev), ==, 0);
  ranet_vk_device_unref (dev);

  dev = ranet_vk_device_new ("999", &error);
  g_assert_error (error, RANET_VK_ERROR, RANET_VK_ERROR_DEVICE_NOT_FOUND);
  g_assert_null (dev);
  g_clear_error (&error);
}

static void
test_selector_name (void)
{
  GError *error = NULL;
  GPtrArray *list = ranet_vk_list_devices (&error);
  gboolean have_llvmpipe = FALSE;
  RanetVkDevice *dev;

  g_assert_no_error (error);
  for (guint i = 0; i < list->len; i++)
    have_llvmpipe |= strstr (list->pdata[i], "llvmpipe") != NULL;
  g_ptr_array_unref (list);
  if (!have_llvmpipe) {
    g_test_skip ("no llvmpipe (lavapipe) device installed");
    return;
  }
  /* Case-insensitive substring. */
  dev = ranet_vk_device_new ("LLVMpipe", &error);
  g_assert_no_error (error);
  g_assert_true (ranet_vk_device_is_cpu (dev));
  g_assert_nonnull (strstr (ranet_vk_device_get_name (dev), "llvmpipe"));
  ranet_vk_device_unref (dev);
}

static void
test_selector_no_match (void)
{
  GError *error = NULL;
  RanetVkDevice *dev = ranet_vk_device_new ("no-such-device-xyz", &error);

  g_assert_null (dev);
  g_assert_error (error, RANET_VK_ERROR, RANET_VK_ERROR_DEVICE_NOT_FOUND);
  /* The message tells the user what there is to choose from. */
  g_assert_nonnull (strstr (error->message, "no-such-device-xyz"));
  g_assert_nonnull (strstr (error->message, "0: "));
  g_test_message ("%s", error->message);
  g_clear_error (&error);
}

/* The library's debug lines, collected in a subprocess. */
static GString *debug_lines;

static void
collect_debug (const gchar *domain, GLogLevelFlags level, const gchar *message,
    gpointer user_data)
{
  g_string_append_printf (debug_lines, "%s\n", message);
}

/* The debug line of the last device made names where its choice came from. */
static void
assert_chosen (RanetVkDevice *dev, const char *how)
{
  char *want = g_strdup_printf ("*using Vulkan device \"%s\"*chosen %s,*",
      ranet_vk_device_get_name (dev), how);

  if (!g_pattern_match_simple (want, debug_lines->str))
    g_error ("no debug line matches %s in:\n%s", want, debug_lines->str);
  g_string_truncate (debug_lines, 0);
  g_free (want);
}

static void
test_selector_env (void)
{
  GError *error = NULL;
  RanetVkDevice *dev;
  const char *effective;

  if (g_test_subprocess ()) {
    debug_lines = g_string_new (NULL);
    g_log_set_handler ("ranet", G_LOG_LEVEL_DEBUG, collect_debug, NULL);

    g_setenv ("RANET_VULKAN_DEVICE", "no-such-device-xyz", TRUE);
    g_assert_cmpint (ranet_vk_device_selector_source (NULL, &effective), ==,
        RANET_VK_SELECTOR_ENVIRONMENT);
    g_assert_cmpstr (effective, ==, "no-such-device-xyz");
    g_assert_cmpint (ranet_vk_device_selector_source ("", NULL), ==,
        RANET_VK_SELECTOR_ENVIRONMENT);
    dev = ranet_vk_device_new (NULL, &error);
    g_assert_error (error, RANET_VK_ERROR, RANET_VK_ERROR_DEVICE_NOT_FOUND);
    g_assert_null (dev);
    /* the message says it was the variable that chose */
    g_assert_nonnull (strstr (error->message, "RANET_VULKAN_DEVICE=\"no-such-device-xyz\""));
    g_clear_error (&error);
    dev = ranet_vk_device_get_shared (NULL, &error);
    g_assert_error (error, RANET_VK_ERROR, RANET_VK_ERROR_DEVICE_NOT_FOUND);
    g_assert_nonnull (strstr (error->message, "RANET_VULKAN_DEVICE=\"no-such-device-xyz\""));
    g_clear_error (&error);

    /* An explicit selector wins over the environment, and the messages say
     * it was the selector. */
    g_assert_cmpint (ranet_vk_device_selector_source ("0", &effective), ==,
        RANET_VK_SELECTOR_ARGUMENT);
    g_assert_cmpstr (effective, ==, "0");
    dev = ranet_vk_device_new ("0", &error);
    g_assert_no_error (error);
    assert_chosen (dev, "by the selector \"0\"");
    ranet_vk_device_unref (dev);
    dev = ranet_vk_device_new ("no-such-device-abc", &error);
    g_assert_error (error, RANET_VK_ERROR, RANET_VK_ERROR_DEVICE_NOT_FOUND);
    g_assert_null (strstr (error->message, "RANET_VULKAN_DEVICE"));
    g_clear_error (&error);

    g_setenv ("RANET_VULKAN_DEVICE", "0", TRUE);
    dev = ranet_vk_device_get_shared (NULL, &error);
    g_assert_no_error (error);
    assert_chosen (dev, "by RANET_VULKAN_DEVICE=\"0\"");
    ranet_vk_device_unref (dev);

    g_unsetenv ("RANET_VULKAN_DEVICE");
    g_assert_cmpint (ranet_vk_device_selector_source (NULL, &effective), ==,
        RANET_VK_SELECTOR_AUTOMATIC);
    g_assert_null (effective);
    dev = ranet_vk_device_new (NULL, &error);
    g_assert_no_error (error);
    assert_chosen (dev, "automatically (no selector, RANET_VULKAN_DEVICE unset)");
    ranet_vk_device_unref (dev);
    g_string_free (debug_lines, TRUE);
    return;
  }
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
test_no_driver (void)
{
  GError *error = NULL;
  RanetVkDevice *dev;
  GPtrArray *list;

  if (g_test_subprocess ()) {
    /* Both the older and the newer loader variable. */
    g_setenv ("VK_ICD_FILENAMES", "/nonexistent.json", TRUE);
    g_setenv ("VK_DRIVER_FILES", "/nonexistent.json", TRUE);
    g_unsetenv ("RANET_VULKAN_DEVICE");
    dev = ranet_vk_device_new (NULL, &error);
    g_assert_null (dev);
    g_assert_error (error, RANET_VK_ERROR, RANET_VK_ERROR_NO_DEVICE);
    g_assert_nonnull (strstr (error->message, "VK_ICD_FILENAMES"));
    g_printerr ("%s\n", error->message);
    g_clear_error (&error);

    dev = ranet_vk_device_get_shared (NULL, &error);
    g_assert_null (dev);
    g_assert_error (error, RANET_VK_ERROR, RANET_VK_ERROR_NO_DEVICE);
    g_clear_error (&error);

    list = ranet_vk_list_devices (&error);
    g_assert_null (list);
    g_assert_error (error, RANET_VK_ERROR, RANET_VK_ERROR_NO_DEVICE);
    g_clear_error (&error);
    return;
  }
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*No Vulkan driver*");
}

/* ---- validation ---- */

/* The level RANET_VK_VALIDATION asks for must be the one in effect: the
 * layer is a dependency of the tests (scripts/install-deps.sh), and without it
 * every test would pass without anything checked. */
static void
assert_validation_as_requested (RanetVkDevice *dev)
{
  static const char *const names[] = { "off", "on", "sync" };
  const char *value = g_getenv ("RANET_VK_VALIDATION");
  RanetVkOptions options;
  RanetVkValidation requested, active = ranet_vk_device_get_validation (dev);

  ranet_vk_options_from_environment (&options);
  requested = options.validation;

  if (active != requested)
    g_error ("RANET_VK_VALIDATION=%s asks for validation %s, the device has it %s: the "
        "Khronos validation layer must be installed (Debian: vulkan-validationlayers)",
        value ? value : "", names[requested], names[active]);
}

static void
test_validation_level (void)
{
  GError *error = NULL;
  RanetVkDevice *dev;

  if (g_test_subprocess ()) {
    /* the layer out of the loader's sight */
    g_setenv ("VK_LAYER_PATH", "/nonexistent", TRUE);
    g_setenv ("RANET_VK_VALIDATION", "1", TRUE);
    dev = ranet_vk_device_new (NULL, &error);
    g_assert_no_error (error);
    assert_validation_as_requested (dev);
    ranet_vk_device_unref (dev);
    return;
  }
  assert_validation_as_requested (device);
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*RANET_VK_VALIDATION=1 asks for validation on, the device has it "
      "off*vulkan-validationlayers*");
}

/* A validation error fails the program that made the device even where it
 * never asks for the count: here a call with an invalid parameter (a fence
 * count of 0), which the layer reports and the driver takes as a no-op. */
static void
test_validation_error_fails (void)
{
  GError *error = NULL;
  RanetVkDevice *dev;

  if (g_test_subprocess ()) {
    g_setenv ("RANET_VK_VALIDATION", "1", TRUE);
    dev = ranet_vk_device_new (NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpint (ranet_vk_device_get_validation (dev), ==, RANET_VK_VALIDATION_ON);
    vkResetFences (dev->device, 0, NULL);
    g_assert_cmpuint (ranet_vk_device_get_validation_error_count (dev), ==, 1);
    ranet_vk_device_unref (dev);
    g_printerr ("the device went without a complaint\n");
    return;
  }
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*Vulkan validation error [VUID-vkResetFences-fenceCount-arraylength]*"
      "*1 Vulkan validation error on the Vulkan device*(validation on)*");
  g_test_trap_assert_stderr_unmatched ("*without a complaint*");
}

/* The same at the synchronisation level, with a hazard only it sees: a
 * dispatch reading what the one before it wrote, with no barrier between
 * (the recording would put one there: told not to). */
static void
test_validation_sync_hazard_fails (void)
{
  const guint32 n = 64;
  const guint32 fill_spec[] = { FILL_LOCAL_SIZE, 5 };
  const guint32 copy_spec[] = { n, 0, 0 };   /* copy_channels: N, IN_ORIGIN, OUT_ORIGIN */
  GError *error = NULL;
  RanetVkDevice *dev;
  RanetVkPipeline *fill, *copy;
  RanetVkBuffer *bufs[2];
  RanetVkCommands *cmds;

  if (g_test_subprocess ()) {
    g_setenv ("RANET_VK_VALIDATION", "sync", TRUE);
    dev = ranet_vk_device_new (NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpint (ranet_vk_device_get_validation (dev), ==, RANET_VK_VALIDATION_SYNC);
    fill = ranet_test_pipeline_new (dev, "fill", 1, fill_spec, G_N_ELEMENTS (fill_spec),
        sizeof (FillRegion), &error);
    g_assert_no_error (error);
    copy = ranet_vk_pipeline_new_named (dev, "copy_channels", 2, copy_spec,
        G_N_ELEMENTS (copy_spec), 0, &error);
    g_assert_no_error (error);
    for (guint i = 0; i < 2; i++) {
      bufs[i] = ranet_vk_buffer_new (dev, n * 4, RANET_VK_BUFFER_DEVICE, &error);
      g_assert_no_error (error);
    }
    cmds = ranet_vk_commands_new (dev, 0, &error);
    g_assert_no_error (error);
    g_assert_true (ranet_vk_commands_begin (cmds, &error));
    ranet_vk_commands_debug_skip_ordering (cmds, TRUE);
    record_fill (cmds, fill, bufs[0], 0, n);
    ranet_vk_commands_dispatch (cmds, copy, bufs, 2, NULL, 0, 1, 1, 1);
    g_assert_true (ranet_vk_commands_end (cmds, &error));
    g_assert_true (ranet_vk_commands_submit (cmds, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (ranet_vk_device_get_validation_error_count (dev), >, 0);
    ranet_vk_commands_free (cmds);
    ranet_vk_buffer_free (bufs[1]);
    ranet_vk_buffer_free (bufs[0]);
    ranet_vk_pipeline_free (copy);
    ranet_vk_pipeline_free (fill);
    ranet_vk_device_unref (dev);
    g_printerr ("the device went without a complaint\n");
    return;
  }
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*Vulkan validation error [SYNC-HAZARD-READ-AFTER-WRITE]*"
      "*Vulkan validation error* on the Vulkan device*with synchronisation checks*");
  g_test_trap_assert_stderr_unmatched ("*without a complaint*");
}

/* ---- buffers ---- */

static void
round_trip (RanetVkBuffer *buf, gsize size)
{
  GError *error = NULL;
  guint8 *in = g_malloc (size), *out = g_malloc0 (size);
  gsize half = size / 2;

  for (gsize i = 0; i < size; i++)
    in[i] = (guint8) (i * 131 + 7);
  g_assert_true (ranet_vk_buffer_upload (buf, 0, in, size, &error));
  g_assert_no_error (error);
  g_assert_true (ranet_vk_buffer_download (buf, 0, out, size, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (in, size, out, size);

  /* A partial copy at an odd offset leaves the rest alone. */
  if (half > 0) {
    memset (in, 0xab, half);
    g_assert_true (ranet_vk_buffer_upload (buf, size - half, in, half, &error));
    g_assert_no_error (error);
    g_assert_true (ranet_vk_buffer_download (buf, 0, out, size, &error));
    g_assert_no_error (error);
    for (gsize i = 0; i < size - half; i++)
      g_assert_cmpuint (out[i], ==, (guint8) (i * 131 + 7));
    for (gsize i = size - half; i < size; i++)
      g_assert_cmpuint (out[i], ==, 0xab);
  }
  g_free (in);
  g_free (out);
}

static void
test_buffer_round_trip (void)
{
  static const gsize sizes[] = { 1, 4, 5, 1000, 65536, 3 * 1024 * 1024 + 3 };
  GError *error = NULL;

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++) {
    for (int kind = RANET_VK_BUFFER_DEVICE; kind <= RANET_VK_BUFFER_HOST; kind++) {
      for (int allow_map = 0; allow_map <= 1; allow_map++) {
        RanetVkBuffer *buf = ranet_vk_buffer_new_full (device, sizes[s], kind,
            allow_map, &error);
        g_assert_no_error (error);
        g_assert_cmpuint (ranet_vk_buffer_get_size (buf), ==, sizes[s]);
        if (kind == RANET_VK_BUFFER_HOST)
          g_assert_nonnull (ranet_vk_buffer_get_mapped (buf));
        if (!allow_map && kind == RANET_VK_BUFFER_DEVICE)
          g_assert_null (ranet_vk_buffer_get_mapped (buf));
        round_trip (buf, sizes[s]);
        ranet_vk_buffer_free (buf);
      }
    }
  }
  assert_no_validation_errors ();
}

static void
test_buffer_invalid (void)
{
  GError *error = NULL;
  RanetVkBuffer *buf = ranet_vk_buffer_new (device, 0, RANET_VK_BUFFER_DEVICE, &error);
  guint8 bytes[16] = { 0 };

  g_assert_null (buf);
  g_assert_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID);
  g_clear_error (&error);

  buf = ranet_vk_buffer_new (device, 8, RANET_VK_BUFFER_DEVICE, &error);
  g_assert_no_error (error);
  g_assert_false (ranet_vk_buffer_upload (buf, 4, bytes, 8, &error));
  g_assert_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ranet_vk_buffer_download (buf, 9, bytes, 1, &error));
  g_assert_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID);
  g_clear_error (&error);
  ranet_vk_buffer_free (buf);
  assert_no_validation_errors ();
}

/* ---- pipelines and recordings ---- */

static void
test_pipeline_invalid (void)
{
  static const guint32 not_spirv[] = { 0x12345678, 0, 0, 0, 0, 0 };
  GError *error = NULL;
  RanetVkPipeline *pipe;

  pipe = ranet_vk_pipeline_new (device, not_spirv, sizeof (not_spirv), 1, NULL, 0, 0, &error);
  g_assert_null (pipe);
  g_assert_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID);
  g_clear_error (&error);

  pipe = ranet_vk_pipeline_new_named (device, "no-such-shader", 1, NULL, 0, 0, &error);
  g_assert_null (pipe);
  g_assert_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_null (ranet_shader_get ("no-such-shader", NULL));
  g_assert_nonnull (ranet_shader_get ("conv2d", NULL));
  /* the tests' own shaders are not in the library */
  g_assert_null (ranet_shader_get ("fill", NULL));
  assert_no_validation_errors ();
}

static void
check_words (RanetVkBuffer *buf, guint32 n, guint32 from, guint32 to, guint32 value)
{
  GError *error = NULL;
  guint32 *words = g_new (guint32, n);

  g_assert_true (ranet_vk_buffer_download (buf, 0, words, n * sizeof (guint32), &error));
  g_assert_no_error (error);
  for (guint32 i = from; i < to; i++)
    if (words[i] != value)
      g_error ("word %u is 0x%08x, expected 0x%08x", i, words[i], value);
  g_free (words);
}

/* One recording, several submissions; a different buffer content before each
 * shows every submission really runs. */
static void
test_fill_resubmit (void)
{
  const guint32 n = 10000;
  GError *error = NULL;
  RanetVkPipeline *pipe = fill_pipeline (0xdeadbeef);
  RanetVkBuffer *buf = ranet_vk_buffer_new_full (device, n * 4, RANET_VK_BUFFER_DEVICE,
      FALSE, &error);
  RanetVkCommands *cmds = ranet_vk_commands_new (device, 0, &error);
  guint32 *zeros = g_new0 (guint32, n);

  g_assert_no_error (error);
  g_assert_true (ranet_vk_commands_begin (cmds, &error));
  record_fill (cmds, pipe, buf, 100, n - 200);
  g_assert_true (ranet_vk_commands_end (cmds, &error));
  g_assert_no_error (error);

  for (int round = 0; round < 4; round++) {
    g_assert_true (ranet_vk_buffer_upload (buf, 0, zeros, n * 4, &error));
    if (round % 2 == 0) {
      g_assert_true (ranet_vk_commands_submit (cmds, &error));
    } else {
      g_assert_true (ranet_vk_commands_submit_async (cmds, &error));
      g_assert_true (ranet_vk_commands_wait (cmds, &error));
    }
    g_assert_no_error (error);
    check_words (buf, n, 0, 100, 0);
    check_words (buf, n, 100, n - 100, 0xdeadbeef);
    check_words (buf, n, n - 100, n, 0);
  }

  /* Submitting twice without waiting is refused, not undefined. */
  g_assert_true (ranet_vk_commands_submit_async (cmds, &error));
  g_assert_false (ranet_vk_commands_submit_async (cmds, &error));
  g_assert_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (ranet_vk_commands_wait (cmds, &error));

  g_free (zeros);
  ranet_vk_commands_free (cmds);
  ranet_vk_buffer_free (buf);
  ranet_vk_pipeline_free (pipe);
  assert_no_validation_errors ();
}

/* Two fills over overlapping regions: the barrier makes the second win where
 * they overlap. Re-recording the same object exercises begin's reset. */
static void
test_barrier_order (void)
{
  const guint32 n = 50000;
  GError *error = NULL;
  RanetVkPipeline *first = fill_pipeline (1);
  RanetVkPipeline *second = fill_pipeline (2);
  RanetVkBuffer *buf = ranet_vk_buffer_new (device, n * 4, RANET_VK_BUFFER_HOST, &error);
  RanetVkCommands *cmds = ranet_vk_commands_new (device, 0, &error);

  g_assert_no_error (error);
  for (int recording = 0; recording < 3; recording++) {
    g_assert_true (ranet_vk_commands_begin (cmds, &error));
    record_fill (cmds, first, buf, 0, n);
    ranet_vk_commands_barrier (cmds);
    record_fill (cmds, second, buf, n / 4, n / 2);
    ranet_vk_commands_barrier (cmds);
    record_fill (cmds, first, buf, n / 2, 10);
    g_assert_true (ranet_vk_commands_end (cmds, &error));
    g_assert_true (ranet_vk_commands_submit (cmds, &error));
    g_assert_no_error (error);

    check_words (buf, n, 0, n / 4, 1);
    check_words (buf, n, n / 4, n / 2, 2);
    check_words (buf, n, n / 2, n / 2 + 10, 1);
    check_words (buf, n, n / 2 + 10, 3 * n / 4, 2);
    check_words (buf, n, 3 * n / 4, n, 1);
  }
  ranet_vk_commands_free (cmds);
  ranet_vk_buffer_free (buf);
  ranet_vk_pipeline_free (second);
  ranet_vk_pipeline_free (first);
  assert_no_validation_errors ();
}

/* Conditional blocks: a dispatch runs only when its flag word is non-zero,
 * including a flag written by an earlier dispatch of the same recording (the
 * way a frame decides on the device whether its next stage runs). */
static void
test_conditional_dispatch (void)
{
  const guint32 n = 64;
  GError *error = NULL;
  RanetVkPipeline *set_flag = fill_pipeline (1);
  RanetVkPipeline *mark = fill_pipeline (7);
  RanetVkBuffer *buf;
  RanetVkCommands *cmds;
  guint32 *words;

  if (!ranet_vk_device_has_conditional_dispatch (device)) {
    g_test_skip ("no VK_EXT_conditional_rendering on this device");
    ranet_vk_pipeline_free (mark);
    ranet_vk_pipeline_free (set_flag);
    return;
  }
  buf = ranet_vk_buffer_new (device, n * 4, RANET_VK_BUFFER_HOST, &error);
  cmds = ranet_vk_commands_new (device, 0, &error);
  g_assert_no_error (error);
  words = ranet_vk_buffer_get_mapped (buf);

  /* words 0 and 1 are flags; word 1 is set by the device before its block */
  g_assert_true (ranet_vk_commands_begin (cmds, &error));
  ranet_vk_commands_begin_conditional (cmds, buf, 0);
  record_fill (cmds, mark, buf, 10, 10);
  ranet_vk_commands_end_conditional (cmds);
  record_fill (cmds, set_flag, buf, 1, 1);
  ranet_vk_commands_begin_conditional (cmds, buf, 4);
  record_fill (cmds, mark, buf, 20, 10);
  ranet_vk_commands_end_conditional (cmds);
  g_assert_true (ranet_vk_commands_end (cmds, &error));

  for (guint32 flag0 = 0; flag0 < 2; flag0++) {
    memset (words, 0, n * 4);
    words[0] = flag0;
    g_assert_true (ranet_vk_commands_submit (cmds, &error));
    g_assert_no_error (error);
    check_words (buf, n, 10, 20, flag0 ? 7 : 0);
    check_words (buf, n, 20, 30, 7);
    check_words (buf, n, 30, n, 0);
  }

  /* an unclosed block is an error at the end of the recording */
  g_assert_true (ranet_vk_commands_begin (cmds, &error));
  ranet_vk_commands_begin_conditional (cmds, buf, 0);
  g_assert_false (ranet_vk_commands_end (cmds, &error));
  g_assert_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID);
  g_clear_error (&error);

  ranet_vk_commands_free (cmds);
  ranet_vk_buffer_free (buf);
  ranet_vk_pipeline_free (mark);
  ranet_vk_pipeline_free (set_flag);
  assert_no_validation_errors ();
}

/* More dispatches than one descriptor pool holds. */
static void
test_many_dispatches (void)
{
  const guint32 n = 1024, n_dispatches = 700;
  GError *error = NULL;
  RanetVkPipeline *pipe = fill_pipeline (7);
  RanetVkBuffer *buf = ranet_vk_buffer_new (device, n * 4, RANET_VK_BUFFER_DEVICE, &error);
  RanetVkCommands *cmds = ranet_vk_commands_new (device, 0, &error);

  g_assert_no_error (error);
  for (int recording = 0; recording < 2; recording++) {
    g_assert_true (ranet_vk_commands_begin (cmds, &error));
    for (guint32 i = 0; i < n_dispatches; i++) {
      record_fill (cmds, pipe, buf, i % n, 1);
      ranet_vk_commands_barrier (cmds);
    }
    g_assert_true (ranet_vk_commands_end (cmds, &error));
    g_assert_true (ranet_vk_commands_submit (cmds, &error));
    g_assert_no_error (error);
    check_words (buf, n, 0, n_dispatches, 7);
  }
  ranet_vk_commands_free (cmds);
  ranet_vk_buffer_free (buf);
  ranet_vk_pipeline_free (pipe);
  assert_no_validation_errors ();
}

static void
test_timestamps (void)
{
  const guint32 n = 1 << 20;
  GError *error = NULL;
  RanetVkPipeline *pipe = fill_pipeline (3);
  RanetVkBuffer *buf = ranet_vk_buffer_new (device, n * 4, RANET_VK_BUFFER_DEVICE, &error);
  RanetVkCommands *cmds = ranet_vk_commands_new (device, 3, &error);

  g_assert_no_error (error);
  g_assert_true (ranet_vk_commands_begin (cmds, &error));
  ranet_vk_commands_timestamp (cmds, 0);
  record_fill (cmds, pipe, buf, 0, n);
  ranet_vk_commands_barrier (cmds);
  ranet_vk_commands_timestamp (cmds, 1);
  g_assert_true (ranet_vk_commands_end (cmds, &error));
  g_assert_no_error (error);

  /* Nothing submitted yet. */
  g_assert_cmpuint (ranet_vk_commands_get_elapsed_ns (cmds, 0, 1), ==, 0);
  for (int round = 0; round < 3; round++) {
    guint64 ns;
    g_assert_true (ranet_vk_commands_submit (cmds, &error));
    g_assert_no_error (error);
    ns = ranet_vk_commands_get_elapsed_ns (cmds, 0, 1);
    g_test_message ("fill of %u words: %" G_GUINT64_FORMAT " ns", n, ns);
    if (ranet_vk_device_has_timestamps (device))
      g_assert_cmpuint (ns, >, 0);
    /* Slot 2 was never written. */
    g_assert_cmpuint (ranet_vk_commands_get_elapsed_ns (cmds, 0, 2), ==, 0);
  }
  check_words (buf, n, 0, n, 3);
  ranet_vk_commands_free (cmds);
  ranet_vk_buffer_free (buf);
  ranet_vk_pipeline_free (pipe);
  assert_no_validation_errors ();
}

/* Mistakes while recording come back from end(), and the object stays usable. */
static void
test_recording_errors (void)
{
  GError *error = NULL;
  RanetVkPipeline *pipe = fill_pipeline (1);
  RanetVkBuffer *buf = ranet_vk_buffer_new (device, 64, RANET_VK_BUFFER_HOST, &error);
  RanetVkCommands *cmds = ranet_vk_commands_new (device, 1, &error);
  FillRegion region = { 0, 16 };

  g_assert_no_error (error);
  g_assert_false (ranet_vk_commands_submit (cmds, &error));
  g_assert_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_true (ranet_vk_commands_begin (cmds, &error));
  ranet_vk_commands_dispatch (cmds, pipe, &buf, 1, &region, 4, 1, 1, 1);  /* wrong push size */
  ranet_vk_commands_timestamp (cmds, 5);                                  /* out of range */
  g_assert_false (ranet_vk_commands_end (cmds, &error));
  g_assert_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  g_assert_false (ranet_vk_commands_submit (cmds, &error));
  g_clear_error (&error);

  g_assert_true (ranet_vk_commands_begin (cmds, &error));
  record_fill (cmds, pipe, buf, 0, 16);
  g_assert_true (ranet_vk_commands_end (cmds, &error));
  g_assert_true (ranet_vk_commands_submit (cmds, &error));
  g_assert_no_error (error);
  check_words (buf, 16, 0, 16, 1);

  ranet_vk_commands_free (cmds);
  ranet_vk_buffer_free (buf);
  ranet_vk_pipeline_free (pipe);
  assert_no_validation_errors ();
}

int
main (int argc, char **argv)
{
  GError *error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  /* Subprocess tests set up their own environment and need no device here. */
  if (!g_test_subprocess ()) {
    device = ranet_vk_device_get_shared (NULL, &error);
    g_assert_no_error (error);
  }

  g_test_add_func ("/vk/device", test_device);
  g_test_add_func ("/vk/device/shared", test_device_shared);
  g_test_add_func ("/vk/device/selector-index", test_selector_index);
  g_test_add_func ("/vk/device/selector-name", test_selector_name);
  g_test_add_func ("/vk/device/selector-no-match", test_selector_no_match);
  g_test_add_func ("/vk/device/selector-env", test_selector_env);
  g_test_add_func ("/vk/device/no-driver", test_no_driver);
  g_test_add_func ("/vk/validation/level", test_validation_level);
  g_test_add_func ("/vk/validation/error-fails", test_validation_error_fails);
  g_test_add_func ("/vk/validation/sync-hazard-fails", test_validation_sync_hazard_fails);
  g_test_add_func ("/vk/buffer/round-trip", test_buffer_round_trip);
  g_test_add_func ("/vk/buffer/invalid", test_buffer_invalid);
  g_test_add_func ("/vk/pipeline/invalid", test_pipeline_invalid);
  g_test_add_func ("/vk/commands/fill-resubmit", test_fill_resubmit);
  g_test_add_func ("/vk/commands/barrier-order", test_barrier_order);
  g_test_add_func ("/vk/commands/conditional-dispatch", test_conditional_dispatch);
  g_test_add_func ("/vk/commands/many-dispatches", test_many_dispatches);
  g_test_add_func ("/vk/commands/timestamps", test_timestamps);
  g_test_add_func ("/vk/commands/recording-errors", test_recording_errors);

  ret = g_test_run ();

  if (device) {
    g_assert_cmpuint (ranet_vk_device_get_validation_error_count (device), ==, 0);
    ranet_vk_device_unref (device);
  }
  return ret;
}
