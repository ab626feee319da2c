/* golden-io.h: what the tests need to read the golden vectors.
 *
 * tests/golden/NAME.safetensors holds a model, NAME-io.safetensors its inputs
 * (`input`, [N, C, H, W]) and PyTorch's outputs (`logits.<k>`, [N, classes]),
 * both written by python/make_golden.py. The reader here is deliberately
 * minimal: the files are trusted, written by our own tools, and any surprise
 * is a test failure; the model loader is the real, validating reader.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A tensor converted to float32; at most 4 dimensions. */
typedef struct {
  guint n_dims;
  guint dims[4];
  gsize n;
  float *data;
} StTensor;

typedef struct {
  GHashTable *tensors;  /* name -> StTensor */
  GHashTable *meta;     /* name -> string */
} StFile;

/* Loads @path; any malformation fails the test. */
StFile *st_load (const char *path);
void st_file_free (StFile *f);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StFile, st_file_free)

/* tests/@sub in the source tree, wherever the test runs from. */
char *golden_source_path (const char *sub);

/* Where the golden vectors are: $RANET_GOLDEN_DIR, else tests/golden. */
char *golden_dir (void);

/* The golden vectors the tests know of, %NULL-terminated. `default` (the
 * trained Fashion-MNIST model) is there only once it has been made. */
extern const char *const golden_names[];

G_END_DECLS
