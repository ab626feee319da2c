/* idx-file.h: IDX files (the MNIST format), plain or gzip-compressed.
 *
 * An IDX file is a 4-byte magic (two zero bytes, a type code, the number of
 * dimensions), one big-endian 32-bit size per dimension, then the data,
 * row-major. Only unsigned-byte data (type 0x08) is read: images and labels.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define IDX_MAX_DIMS 4

/**
 * IdxFile:
 * @n_dims: number of dimensions
 * @dims: the size of each dimension, all > 0
 * @data: the bytes after the header, exactly the product of @dims of them
 * @n_bytes: that product
 */
typedef struct {
  guint n_dims;
  guint32 dims[IDX_MAX_DIMS];
  const guint8 *data;
  gsize n_bytes;
  /*< private >*/
  GBytes *contents;
} IdxFile;

/**
 * idx_file_load:
 * @path: the file; gzip-compressed when it starts with the gzip magic bytes
 * @n_dims: the number of dimensions the caller expects
 * @error: return location for a #GError
 *
 * Reads and checks a whole unsigned-byte IDX file. Every error names @path
 * and says what was found and what was expected.
 *
 * Returns: (transfer full): the file, or %NULL with @error set.
 */
IdxFile *idx_file_load (const char *path, guint n_dims, GError **error);
void idx_file_free (IdxFile *f);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IdxFile, idx_file_free)

G_END_DECLS
