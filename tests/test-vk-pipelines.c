/* test-vk-pipelines.c: pipelines compiled once per device, the shared device
 * kept with them, and the pipeline cache file (vk-pipeline-cache.c). The
 * user's cache directory is a temporary one here. */
#include "vk/ranet-vk.h"
#include "vk-private.h"   /* the device's properties: the cache file's name */
#include "vk-fill.h"

#include <glib/gstdio.h>
#include <string.h>

static char *cache_home;

static RanetVkPipeline *
fill_pipeline (RanetVkDevice *dev, guint32 value, GError **error)
{
  const guint32 spec[] = { FILL_LOCAL_SIZE, value };
  return ranet_test_pipeline_new (dev, "fill", 1, spec, G_N_ELEMENTS (spec),
      sizeof (FillRegion), error);
}

/* A pipeline asked for again is the one compiled before; other constants
 * make another; both work after the first user is gone. */
static void
test_compiled_once (void)
{
  GError *error = NULL;
  RanetVkDevice *dev = ranet_vk_device_new (NULL, &error);
  RanetVkPipeline *a, *b, *c;
  guint n0;

  g_assert_no_error (error);
  n0 = ranet_vk_device_get_n_pipelines (dev);
  a = fill_pipeline (dev, 1, &error);
  b = fill_pipeline (dev, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ranet_vk_device_get_n_pipelines (dev), ==, n0 + 1);
  c = fill_pipeline (dev, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ranet_vk_device_get_n_pipelines (dev), ==, n0 + 2);
  ranet_vk_pipeline_free (a);

  {
    RanetVkBuffer *buf = ranet_vk_buffer_new (dev, 256, RANET_VK_BUFFER_HOST, &error);
    RanetVkCommands *cmds = ranet_vk_commands_new (dev, 0, &error);
    guint32 region[2] = { 0, 64 };
    const guint32 *words;

    g_assert_no_error (error);
    g_assert_true (ranet_vk_commands_begin (cmds, &error));
    ranet_vk_commands_dispatch (cmds, b, &buf, 1, region, sizeof region, 1, 1, 1);
    region[0] = 32;
    region[1] = 32;
    ranet_vk_commands_dispatch (cmds, c, &buf, 1, region, sizeof region, 1, 1, 1);
    g_assert_true (ranet_vk_commands_end (cmds, &error));
    g_assert_true (ranet_vk_commands_submit (cmds, &error));
    g_assert_no_error (error);
    words = ranet_vk_buffer_get_mapped (buf);
    for (guint i = 0; i < 64; i++)
      g_assert_cmpuint (words[i], ==, i < 32 ? 1 : 2);
    ranet_vk_commands_free (cmds);
    ranet_vk_buffer_free (buf);
  }
  ranet_vk_pipeline_free (c);
  ranet_vk_pipeline_free (b);
  g_assert_cmpuint (ranet_vk_device_get_validation_error_count (dev), ==, 0);
  ranet_vk_device_unref (dev);
}

/* The shared device outlives its users, with its pipelines: a pipeline
 * started again finds them. */
static void
test_shared_kept (void)
{
  GError *error = NULL;
  RanetVkDevice *dev = ranet_vk_device_get_shared (NULL, &error), *again;
  RanetVkPipeline *pipe;
  guint n;

  g_assert_no_error (error);
  pipe = fill_pipeline (dev, 7, &error);
  g_assert_no_error (error);
  n = ranet_vk_device_get_n_pipelines (dev);
  ranet_vk_pipeline_free (pipe);
  ranet_vk_device_unref (dev);

  again = ranet_vk_device_get_shared (NULL, &error);
  g_assert_no_error (error);
  g_assert_true (again == dev);
  pipe = fill_pipeline (again, 7, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ranet_vk_device_get_n_pipelines (again), ==, n);
  ranet_vk_pipeline_free (pipe);
  ranet_vk_device_unref (again);
}

/* A shared device is never destroyed, so the errors it counted are
 * reported when the process exits: a program with a validation error on the
 * element's device fails even if nothing asked for the count. */
static void
test_shared_errors_reported (void)
{
  if (g_test_subprocess ()) {
    GError *error = NULL;
    RanetVkDevice *dev;

    g_setenv ("RANET_VK_VALIDATION", "1", TRUE);
    dev = ranet_vk_device_get_shared (NULL, &error);
    g_assert_no_error (error);
    vkResetFences (dev->device, 0, NULL);
    g_assert_cmpuint (ranet_vk_device_get_validation_error_count (dev), ==, 1);
    ranet_vk_device_unref (dev);
    return;
  }
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*1 Vulkan validation error on the Vulkan device*");
}

static char *
cache_file (RanetVkDevice *dev)
{
  const VkPhysicalDeviceProperties *p = &dev->props;
  GString *name = g_string_new (NULL);
  g_autofree char *base = NULL;

  g_string_printf (name, "pipelines-%04x-%04x-%08x-", p->vendorID, p->deviceID,
      p->driverVersion);
  for (guint i = 0; i < VK_UUID_SIZE; i++)
    g_string_append_printf (name, "%02x", p->pipelineCacheUUID[i]);
  g_string_append (name, ".bin");
  base = g_string_free (name, FALSE);
  return g_build_filename (cache_home, "ranet-gst", base, NULL);
}

/* Whatever lies in the cache file, a device comes up and compiles: a
 * truncated file, another device's header and garbage are all ignored. A
 * driver whose cache holds compiled code gets a file that a second device
 * reads back. */
static void
test_cache_file (void)
{
  GError *error = NULL;
  RanetVkDevice *dev = ranet_vk_device_new (NULL, &error);
  g_autofree char *path = NULL, *dir = NULL;
  guint8 header[16 + VK_UUID_SIZE] = { 0 };
  guint32 words[4];
  const struct { const char *what; gsize size; } bad[] = {
    { "truncated", 10 }, { "other device", sizeof header }, { "garbage", 4096 },
  };

  g_assert_no_error (error);
  path = cache_file (dev);
  dir = g_path_get_dirname (path);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  words[0] = GUINT32_TO_LE (sizeof header);
  words[1] = GUINT32_TO_LE (VK_PIPELINE_CACHE_HEADER_VERSION_ONE);
  words[2] = GUINT32_TO_LE (dev->props.vendorID ^ 1u);
  words[3] = GUINT32_TO_LE (dev->props.deviceID);
  memcpy (header, words, sizeof words);
  memcpy (header + 16, dev->props.pipelineCacheUUID, VK_UUID_SIZE);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autofree guint8 *data = g_malloc0 (MAX (bad[i].size, sizeof header));
    RanetVkDevice *other;
    RanetVkPipeline *pipe;

    memcpy (data, header, MIN (bad[i].size, sizeof header));
    if (i == 2)
      memset (data, 0xa5, bad[i].size);
    g_assert_true (g_file_set_contents (path, (const char *) data, bad[i].size, &error));
    other = ranet_vk_device_new (NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (other->cache_loaded_size, ==, 0);
    pipe = fill_pipeline (other, 3, &error);
    g_assert_no_error (error);
    g_test_message ("%s cache file: ignored", bad[i].what);
    ranet_vk_pipeline_free (pipe);
    ranet_vk_device_unref (other);
  }

  g_remove (path);
  {
    RanetVkPipeline *pipe = fill_pipeline (dev, 4, &error);
    gsize size = 0;

    g_assert_no_error (error);
    g_assert_true (vkGetPipelineCacheData (dev->device, dev->pipeline_cache, &size, NULL)
        == VK_SUCCESS);
    ranet_vk_device_save_pipeline_cache (dev);
    if (size > sizeof header) {
      RanetVkDevice *other;

      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
      other = ranet_vk_device_new (NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (other->cache_loaded_size, ==, size);
      ranet_vk_device_unref (other);
    } else {
      /* lavapipe: the cache holds its header only; Mesa keeps its own */
      g_test_message ("the driver's pipeline cache holds %" G_GSIZE_FORMAT " bytes: not written",
          size);
      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
    }
    ranet_vk_pipeline_free (pipe);
  }
  g_assert_cmpuint (ranet_vk_device_get_validation_error_count (dev), ==, 0);
  ranet_vk_device_unref (dev);
}

int
main (int argc, char **argv)
{
  int ret;

  /* before anything asks GLib for the user's cache directory */
  cache_home = g_dir_make_tmp ("ranet-cache-XXXXXX", NULL);
  g_assert_nonnull (cache_home);
  g_setenv ("XDG_CACHE_HOME", cache_home, TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/vk-pipelines/compiled-once", test_compiled_once);
  g_test_add_func ("/vk-pipelines/shared-kept", test_shared_kept);
  g_test_add_func ("/vk-pipelines/shared-errors-reported", test_shared_errors_reported);
  g_test_add_func ("/vk-pipelines/cache-file", test_cache_file);
  ret = g_test_run ();

  {
    /* Mesa may have put its shader cache there too */
    char *rm[] = { "rm", "-rf", cache_home, NULL };
    g_spawn_sync (NULL, rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  }
  g_free (cache_home);
  return ret;
}
