/* corpus-driver.c: runs the fuzz targets over the committed corpus, without
 * libFuzzer, as an ordinary test (test-fuzz-corpus): every seed and every
 * input that once crashed keeps being checked by compilers and sanitizer
 * builds that have no libFuzzer.
 *
 * Seeds named tiny-* are valid models (some with denormal weights) and must
 * load; every other file is damaged and must be refused with an error.
 */
#include <stdint.h>
#include <string.h>

#include <glib.h>

#include "model/ranet-model.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static const char *corpus_dir;

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static void
test_corpus (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) dir = g_dir_open (corpus_dir, 0, &error);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  guint n_valid = 0;
  const char *name;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_assert_cmpuint (names->len, >, 10);

  for (guint i = 0; i < names->len; i++) {
    const char *file = g_ptr_array_index (names, i);
    g_autofree char *path = g_build_filename (corpus_dir, file, NULL);
    g_autofree char *contents = NULL;
    gsize len = 0;
    g_autoptr (GError) load_error = NULL;
    g_autoptr (GBytes) bytes = NULL;
    g_autoptr (RanetModel) model = NULL;
    gboolean expect_valid = g_str_has_prefix (file, "tiny-");

    g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
    /* an exact-size copy, so a sanitizer sees a read past the end */
    bytes = g_bytes_new (contents, len);
    model = ranet_model_load_bytes (bytes, file, &load_error);
    g_test_message ("%s: %s", file, model != NULL ? "loads" : load_error->message);
    if (expect_valid) {
      g_assert_no_error (load_error);
      n_valid++;
    } else {
      g_assert_null (model);
      g_assert_error (load_error, RANET_MODEL_ERROR, load_error->code);
    }
    LLVMFuzzerTestOneInput (g_bytes_get_data (bytes, NULL), len);
  }
  g_assert_cmpuint (n_valid, >=, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (argc != 2) {
    g_printerr ("usage: %s CORPUS-DIR\n", argv[0]);
    return 2;
  }
  corpus_dir = argv[1];
  LLVMFuzzerInitialize (&argc, &argv);
  g_test_add_func ("/fuzz/model-loader-corpus", test_corpus);
  return g_test_run ();
}
