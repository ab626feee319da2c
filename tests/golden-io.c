/* golden-io.c: finding and reading the golden vectors. */
#include "golden-io.h"

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

const char *const golden_names[] = { "cifar-lg", "imagenet-small", "default", NULL };

char *
golden_source_path (const char *sub)
{
  const char *srcdir = g_getenv ("G_TEST_SRCDIR");
  g_autofree char *here = g_path_get_dirname (__FILE__);
  g_autofree char *cwd = g_get_current_dir ();
  const char *bases[] = { ".", "..", "../..", NULL };

  if (srcdir)
    return g_build_filename (srcdir, sub, NULL);
  if (g_path_is_absolute (here))
    return g_build_filename (here, sub, NULL);
  for (guint i = 0; bases[i]; i++) {
    char *p = g_build_filename (cwd, bases[i], here, sub, NULL);

    if (g_file_test (p, G_FILE_TEST_EXISTS))
      return p;
    g_free (p);
  }
  return g_build_filename (here, sub, NULL);
}

char *
golden_dir (void)
{
  const char *env = g_getenv ("RANET_GOLDEN_DIR");

  return env ? g_strdup (env) : golden_source_path ("golden");
}

static void
st_tensor_free (gpointer p)
{
  StTensor *t = p;

  g_free (t->data);
  g_free (t);
}

void
st_file_free (StFile *f)
{
  g_hash_table_unref (f->tensors);
  g_hash_table_unref (f->meta);
  g_free (f);
}

static float
half_to_float (guint16 h)
{
  guint sign = h >> 15, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  float v;

  if (exp == 0)
    v = ldexpf ((float) mant, -24);
  else if (exp == 31)
    v = mant ? NAN : INFINITY;
  else
    v = ldexpf ((float) (mant | 0x400), (int) exp - 25);
  return sign ? -v : v;
}

StFile *
st_load (const char *path)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  guint64 hlen = 0;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  StFile *f = g_new0 (StFile, 1);
  JsonObject *root;
  g_autoptr (GList) members = NULL;
  const guint8 *data;

  g_assert_true (g_file_get_contents (path, &contents, &len, &error));
  g_assert_cmpuint (len, >=, 8);
  for (guint i = 0; i < 8; i++)
    hlen |= (guint64) (guint8) contents[i] << (8 * i);
  g_assert_cmpuint (hlen, <=, len - 8);
  g_assert_true (json_parser_load_from_data (parser, contents + 8, (gssize) hlen, &error));
  root = json_node_get_object (json_parser_get_root (parser));
  data = (const guint8 *) contents + 8 + hlen;

  f->tensors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, st_tensor_free);
  f->meta = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  members = json_object_get_members (root);
  for (GList *l = members; l; l = l->next) {
    const char *name = l->data;
    JsonObject *o = json_object_get_object_member (root, name);
    JsonArray *shape, *offsets;
    const char *dtype;
    StTensor *t;
    gsize begin, end;

    if (g_str_equal (name, "__metadata__")) {
      g_autoptr (GList) keys = json_object_get_members (o);

      for (GList *k = keys; k; k = k->next)
        g_hash_table_insert (f->meta, g_strdup (k->data),
            g_strdup (json_object_get_string_member (o, k->data)));
      continue;
    }
    dtype = json_object_get_string_member (o, "dtype");
    shape = json_object_get_array_member (o, "shape");
    offsets = json_object_get_array_member (o, "data_offsets");
    t = g_new0 (StTensor, 1);
    t->n_dims = json_array_get_length (shape);
    g_assert_cmpuint (t->n_dims, <=, 4);
    t->n = 1;
    for (guint d = 0; d < t->n_dims; d++) {
      t->dims[d] = (guint) json_array_get_int_element (shape, d);
      t->n *= t->dims[d];
    }
    begin = (gsize) json_array_get_int_element (offsets, 0);
    end = (gsize) json_array_get_int_element (offsets, 1);
    g_assert_cmpuint (end, <=, len - 8 - hlen);
    t->data = g_new (float, t->n);
    if (g_str_equal (dtype, "F32")) {
      g_assert_cmpuint (end - begin, ==, t->n * 4);
      memcpy (t->data, data + begin, t->n * 4);
    } else {
      g_assert_cmpstr (dtype, ==, "F16");
      g_assert_cmpuint (end - begin, ==, t->n * 2);
      for (gsize i = 0; i < t->n; i++)
        t->data[i] = half_to_float ((guint16) (data[begin + 2 * i] | data[begin + 2 * i + 1] << 8));
    }
    g_hash_table_insert (f->tensors, g_strdup (name), t);
  }
  return f;
}
