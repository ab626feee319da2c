/* idx-file.c: reading IDX files, inflating them first when they are gzip. */
#include "idx-file.h"

#include <gio/gio.h>
#include <zlib.h>

/* Far beyond any data set this reads; a bound keeps a corrupt or hostile
 * gzip stream from exhausting memory. */
#define MAX_INFLATED ((gsize) 1 << 31)

static gboolean
is_gzip (const guint8 *data, gsize len)
{
  return len >= 2 && data[0] == 0x1f && data[1] == 0x8b;
}

/* Inflates every gzip member of @data (as gzip(1) and Python do). */
static GBytes *
gunzip (const char *path, const guint8 *data, gsize len, GError **error)
{
  g_autoptr (GByteArray) out = g_byte_array_sized_new (MAX (len * 4, 4096));
  z_stream z = { 0 };
  int ret = Z_OK;

  if (inflateInit2 (&z, 16 + MAX_WBITS) != Z_OK) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
        "%s: cannot start decompression", path);
    return NULL;
  }
  z.next_in = (Bytef *) data;
  /* a file over 4 GiB compressed is not one this reads */
  z.avail_in = (uInt) MIN (len, G_MAXUINT32);
  for (;;) {
    gsize used = out->len;

    if (out->len >= MAX_INFLATED) {
      inflateEnd (&z);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
          "%s: decompresses to more than %" G_GSIZE_FORMAT " bytes", path, MAX_INFLATED);
      return NULL;
    }
    g_byte_array_set_size (out, MIN (MAX (out->len * 2, 65536), MAX_INFLATED));
    z.next_out = out->data + used;
    z.avail_out = (uInt) (out->len - used);
    ret = inflate (&z, Z_NO_FLUSH);
    g_byte_array_set_size (out, out->len - z.avail_out);
    if (ret == Z_STREAM_END) {
      /* another member follows, or the end */
      if (z.avail_in == 0)
        break;
      if (inflateReset (&z) != Z_OK)
        ret = Z_DATA_ERROR;
      else
        continue;
    }
    if (ret == Z_BUF_ERROR && z.avail_in == 0) {
      inflateEnd (&z);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
          "%s: the gzip data ends early (truncated file?)", path);
      return NULL;
    }
    if (ret != Z_OK && ret != Z_BUF_ERROR) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
          "%s: invalid gzip data (%s)", path, z.msg ? z.msg : zError (ret));
      inflateEnd (&z);
      return NULL;
    }
  }
  inflateEnd (&z);
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static guint32
read_be32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

IdxFile *
idx_file_load (const char *path, guint n_dims, GError **error)
{
  g_autofree char *raw = NULL;
  gsize raw_len = 0, len, header;
  g_autoptr (GBytes) contents = NULL;
  g_autoptr (IdxFile) f = NULL;
  const guint8 *data;
  guint64 n_bytes = 1;

  g_return_val_if_fail (n_dims >= 1 && n_dims <= IDX_MAX_DIMS, NULL);
  if (!g_file_get_contents (path, &raw, &raw_len, error))
    return NULL;
  if (is_gzip ((const guint8 *) raw, raw_len)) {
    contents = gunzip (path, (const guint8 *) raw, raw_len, error);
    if (contents == NULL)
      return NULL;
  } else {
    contents = g_bytes_new_take (g_steal_pointer (&raw), raw_len);
  }
  data = g_bytes_get_data (contents, &len);

  if (len < 4) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
        "%s: %" G_GSIZE_FORMAT " bytes, too short for an IDX header", path, len);
    return NULL;
  }
  if (data[0] != 0 || data[1] != 0 || data[2] != 0x08) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
        "%s: not an unsigned-byte IDX file (magic 0x%08x, expected 0x000008%02x)",
        path, read_be32 (data), n_dims);
    return NULL;
  }
  if (data[3] != n_dims) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
        "%s: %u dimensions (magic 0x%08x), expected %u", path, data[3],
        read_be32 (data), n_dims);
    return NULL;
  }
  header = 4 + 4 * (gsize) n_dims;
  if (len < header) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
        "%s: the IDX header is cut short (%" G_GSIZE_FORMAT " bytes, expected %"
        G_GSIZE_FORMAT ")", path, len, header);
    return NULL;
  }

  f = g_new0 (IdxFile, 1);
  f->n_dims = n_dims;
  for (guint d = 0; d < n_dims; d++) {
    f->dims[d] = read_be32 (data + 4 + 4 * d);
    if (f->dims[d] == 0) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
          "%s: dimension %u has size 0", path, d);
      return NULL;
    }
    /* each size is below 2^32 and there are at most 4: stop before overflow */
    n_bytes *= f->dims[d];
    if (n_bytes > len) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
          "%s: the header promises more data than the file's %" G_GSIZE_FORMAT
          " bytes", path, len);
      return NULL;
    }
  }
  if (len - header != n_bytes) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
        "%s: %" G_GSIZE_FORMAT " bytes of data, the header says %" G_GUINT64_FORMAT,
        path, len - header, n_bytes);
    return NULL;
  }
  f->data = data + header;
  f->n_bytes = (gsize) n_bytes;
  f->contents = g_steal_pointer (&contents);
  return g_steal_pointer (&f);
}

void
idx_file_free (IdxFile *f)
{
  if (f == NULL)
    return;
  g_clear_pointer (&f->contents, g_bytes_unref);
  g_free (f);
}
