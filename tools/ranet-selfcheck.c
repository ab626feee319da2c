/* ranet-selfcheck: is this machine able to run the network?
 *
 * Opens the Vulkan device the plugin would use, then runs a fill shader and
 * each layer kind's op once on a small input and checks the result. Prints
 * one line per op and exits non-zero when anything fails, so it doubles as an
 * installation check.
 */
#include "vk/ranet-vk.h"
#include "testing/ranet-op-check.h"
#include "testing/ranet-test-pipeline.h"

#include <stdlib.h>

typedef struct {
  guint32 offset;
  guint32 count;
} FillRegion;

static gboolean
check_fill (RanetVkDevice *dev, guint64 *elapsed_ns, GError **error)
{
  const guint32 n = 4096, value = 0x3f800000;   /* 1.0f */
  const guint32 spec[] = { 64, value };
  FillRegion region = { 0, n };
  g_autoptr (RanetVkPipeline) pipe = NULL;
  g_autoptr (RanetVkBuffer) buf = NULL;
  g_autoptr (RanetVkCommands) cmds = NULL;
  g_autofree guint32 *words = g_new0 (guint32, n);

  pipe = ranet_test_pipeline_new (dev, "fill", 1, spec, G_N_ELEMENTS (spec),
      sizeof (region), error);
  if (pipe == NULL)
    return FALSE;
  buf = ranet_vk_buffer_new (dev, n * sizeof (guint32), RANET_VK_BUFFER_DEVICE, error);
  if (buf == NULL || !ranet_vk_buffer_upload (buf, 0, words, n * sizeof (guint32), error))
    return FALSE;
  cmds = ranet_vk_commands_new (dev, 2, error);
  if (cmds == NULL || !ranet_vk_commands_begin (cmds, error))
    return FALSE;
  ranet_vk_commands_timestamp (cmds, 0);
  ranet_vk_commands_dispatch (cmds, pipe, &buf, 1, &region, sizeof (region), n / 64, 1, 1);
  ranet_vk_commands_timestamp (cmds, 1);
  if (!ranet_vk_commands_end (cmds, error) || !ranet_vk_commands_submit (cmds, error)
      || !ranet_vk_buffer_download (buf, 0, words, n * sizeof (guint32), error))
    return FALSE;
  for (guint32 i = 0; i < n; i++) {
    if (words[i] != value) {
      g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_FAILED,
          "word %u is 0x%08x, expected 0x%08x", i, words[i], value);
      return FALSE;
    }
  }
  *elapsed_ns = ranet_vk_commands_get_elapsed_ns (cmds, 0, 1);
  return TRUE;
}

/* Prints the outcome of one check; returns 1 for a failure. */
static int
report (const char *name, gboolean ok, guint64 elapsed_ns, gint64 start_us, GError *error)
{
  gint64 wall_us = g_get_monotonic_time () - start_us;

  if (!ok) {
    g_print ("op %s: FAILED: %s\n", name, error->message);
    g_error_free (error);
    return 1;
  }
  /* Device time when the device measures it, else wall time of the whole check. */
  g_print ("op %s: ok (%" G_GUINT64_FORMAT " us)\n", name,
      elapsed_ns > 0 ? (elapsed_ns + 500) / 1000 : (guint64) wall_us);
  return 0;
}

/* The fill shader, then every layer kind's op. */
static int
run_checks (RanetVkDevice *dev)
{
  GError *error = NULL;
  guint64 elapsed_ns = 0;
  gint64 start = g_get_monotonic_time ();
  gboolean ok = check_fill (dev, &elapsed_ns, &error);
  int failures = report ("fill", ok, elapsed_ns, start, error);

  for (guint kind = 0; kind < RANET_LAYER_N_KINDS; kind++) {
    error = NULL;
    elapsed_ns = 0;
    start = g_get_monotonic_time ();
    ok = ranet_op_selfcheck (dev, kind, &elapsed_ns, &error);
    failures += report (ranet_layer_kind_to_string (kind), ok, elapsed_ns, start, error);
  }
  return failures;
}

int
main (int argc, char **argv)
{
  g_autofree char *selector = NULL;
  gboolean list = FALSE;
  GOptionEntry entries[] = {
    { "device", 'd', 0, G_OPTION_ARG_STRING, &selector,
      "Vulkan device: an index or part of its name (default: $RANET_VULKAN_DEVICE, "
      "else the best GPU, else a CPU implementation)", "SELECTOR" },
    { "list-devices", 'l', 0, G_OPTION_ARG_NONE, &list, "List Vulkan devices and exit", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("- check that Vulkan and every op work");
  g_autoptr (RanetVkDevice) dev = NULL;
  GError *error = NULL;
  int failures;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error)) {
    g_printerr ("%s\n", error->message);
    g_clear_error (&error);
    return 2;
  }

  if (list) {
    g_autoptr (GPtrArray) devices = ranet_vk_list_devices (&error);
    if (devices == NULL) {
      g_printerr ("error: %s\n", error->message);
      g_clear_error (&error);
      return 1;
    }
    for (guint i = 0; i < devices->len; i++)
      g_print ("%s\n", (const char *) devices->pdata[i]);
    return 0;
  }

  dev = ranet_vk_device_new (selector, &error);
  if (dev == NULL) {
    g_printerr ("error: %s\n", error->message);
    g_clear_error (&error);
    return 1;
  }
  g_print ("device: %s (%s)%s\n", ranet_vk_device_get_name (dev),
      ranet_vk_device_is_cpu (dev) ? "cpu" : "gpu",
      ranet_vk_device_has_validation (dev) ? " [validation on]" : "");

  failures = run_checks (dev);

  if (ranet_vk_device_get_validation_error_count (dev) > 0) {
    g_print ("validation: %u error(s)\n", ranet_vk_device_get_validation_error_count (dev));
    failures++;
  }
  g_print ("%s\n", failures == 0 ? "all ok" : "FAILED");
  return failures == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
