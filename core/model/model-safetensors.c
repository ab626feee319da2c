/* model-safetensors.c: the .safetensors container.
 *
 * Layout: u64 little-endian N | N bytes of JSON header | tensor data. The
 * header maps each tensor name to {"dtype", "shape", "data_offsets"} with
 * offsets relative to the data section, plus an optional "__metadata__" map
 * of strings. The file is untrusted: every length is checked against what is
 * there before it is used, and every size computation against overflow.
 */
#include <string.h>

#include "model/model-private.h"

/* No architecture tensor comes near this; a larger count is a damaged file and
 * would overflow byte sizes on 32-bit hosts. */
#define MODEL_MAX_DIM ((guint64) G_MAXINT32)

static void
model_tensor_free (gpointer p)
{
  ModelTensor *t = p;

  g_free (t->name);
  g_free (t->owned);
  g_free (t);
}

void
model_container_clear (ModelContainer *c)
{
  g_clear_pointer (&c->by_name, g_hash_table_unref);
  g_clear_pointer (&c->tensors, g_ptr_array_unref);
  g_clear_pointer (&c->metadata, g_hash_table_unref);
  g_clear_pointer (&c->bytes, g_bytes_unref);
}

static gboolean
parse_metadata (ModelContainer *c, JsonNode *node, const char *file, GError **error)
{
  JsonObject *obj;
  JsonObjectIter iter;
  const char *key;
  JsonNode *value;

  if (!JSON_NODE_HOLDS_OBJECT (node)) {
    g_set_error (error, RANET_MODEL_ERROR, RANET_MODEL_ERROR_CORRUPT,
                 "%s: __metadata__ is %s; expected an object mapping strings to strings", file,
                 model_json_type_name (node));
    return FALSE;
  }
  obj = json_node_get_object (node);
  c->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  json_object_iter_init (&iter, obj);
  while (json_object_iter_next (&iter, &key, &value)) {
    if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING) {
      g_set_error (error, RANET_MODEL_ERROR, RANET_MODEL_ERROR_CORRUPT,
                   "%s: __metadata__ key \"%s\" holds %s; expected a string", file, key, model_json_type_name (value));
      return FALSE;
    }
    g_hash_table_replace (c->metadata, g_strdup (key), g_strdup (json_node_get_string (value)));
  }
  return TRUE;
}

static gboolean
get_uint64 (JsonNode *node, guint64 max, guint64 *out)
{
  gint64 v;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  v = json_node_get_int (node);
  if (v < 0 || (guint64) v > max)
    return FALSE;
  *out = (guint64) v;
  return TRUE;
}

static gboolean
parse_tensor_entry (ModelTensor *t, JsonNode *node, gsize data_size, const char *file, GError **error)
{
  JsonObject *obj;
  JsonObjectIter iter;
  const char *key;
  JsonNode *member, *dtype_node, *shape_node, *offsets_node;
  JsonArray *shape, *offsets;
  const char *dtype;
  guint64 elem_size, n_bytes, n = 1;

  if (!JSON_NODE_HOLDS_OBJECT (node)) {
    g_set_error (error, RANET_MODEL_ERROR, RANET_MODEL_ERROR_CORRUPT,
                 "%s: tensor \"%s\": entry is %s; expected an object with dtype, shape and data_offsets", file,
                 t->name, model_json_type_name (node));
    return FALSE;
  }
  obj = json_node_get_object (node);

  json_object_iter_init (&iter, obj);
  while (json_object_iter_next (&iter, &key, &member)) {
    if (strcmp (key, "dtype") != 0 && strcmp (key, "shape") != 0 && strcmp (key, "data_offsets") != 0) {
      g_set_error (error, RANET_MODEL_ERROR, RANET_MODEL_ERROR_CORRUPT,
                   "%s: tensor \"%s\": unknown field \"%s\"; expected only dtype, shape and data_offsets", file,
                   t->name, key);
      return FALSE;
    }
  }

  dtype_node = json_object_get_member (obj, "dtype");
  shape_node = json_object_get_member (obj, "shape");
  offsets_node = json_object_get_member (obj, "data_offsets");
  if (dtype_node == NULL || shape_node == NULL || offsets_node == NULL) {
    g_set_error (error, RANET_MODEL_ERROR, RANET_MODEL_ERROR_CORRUPT,
                 "%s: tensor \"%s\": no %s field; expected dtype, shape and data_offsets", file, t->name,
                 dtype_node == NULL ? "dtype" : shape_node == NULL ? "shape" : "data_offsets");
    return FALSE;
  }

  if (!JSON_NODE_HOLDS_VALUE (dtype_node) || json_node_get_value_type (dtype_node) != G_TYPE_STRING) {
    g_set_error (error, RANET_MODEL_ERROR, RANET_MODEL_ERROR_CORRUPT,
                 "%s: tensor \"%s\": dtype is %s; expected a string", file, t->name, model_json_type_name (dtype_node));
    return FALSE;
  }
  dtype = json_node_get_string (dtype_node);
  if (strcmp (dtype, "F32") == 0) {
    t->dtype = MODEL_DTYPE_F32;
    elem_size = 4;
  } else if (strcmp (dtype, "F16") == 0) {
    t->dtype = MODEL_DTYPE_F16;
    elem_size = 2;
  } else {
    g_set_error (error, RANET_MODEL_ERROR, RANET_MODEL_ERROR_UNSUPPORTED,
                 "%s: tensor \"%s\": dtype \"%s\" is not supported; expected F32 or F16", file, t->name, dtype);
    return FALSE;
  }

  if (!JSON_NODE_HOLDS_ARRAY (shape_node)) {
    g_set_error (error, RANET_MODEL_ERROR, RANET_MODEL_ERROR_CORRUPT,
                 "%s: tensor \"%s\": shape is %s; expected a list of non-negative integers", file, t->name,
                 model_json_type_name (shape_node));
    return FALSE;
  }
  shape = json_node_get_array (shape_node);
  if (json_array_get_length (shape) > MODEL_MAX_DIMS) {
    g_set_error (error, RANET_MODEL_ERROR, RANET_MODEL_ERROR_UNSUPPORTED,
                 "%s: tensor \"%s\": shape has %u dimensions; at most %u are supported", file, t->name,
                 json_array_get_length (shape), MODEL_MAX_DIMS);
    return FALSE;
  }
  t->n_dims = json_array_get_length (shape);
  for (guint i = 0; i < t->n_dims; i++) {
    JsonNode *d = json_array_get_element (shape, i);
    guint64 v;

    if (!get_uint64 (d, MODEL_MAX_DIM, &v)) {
      if (JSON_NODE_HOLDS_VALUE (d) && json_node_get_value_type (d) == G_TYPE_INT64)
        g_set_error (error, RANET_MODEL_ERROR, RANET_MODEL_ERROR_CORRUPT,
                     "%s: tensor \"%s\": shape[%u] is %" G_GINT64_FORMAT "; expected 0..%" G_GUINT64_FORMAT, file,
                     t->name, i, json_node_get_int (d), MODEL_MAX_DIM);
      else
        g_set_error (error, RANET_MODEL_ERROR, RANET_MODEL_ERROR_CORRUPT,
                     "%s: tensor \"%s\": shape[%u] is %s; expected a non-negative integer", file, t->name, i,
                     model_json_type_name (d));
      return FALSE;
    }
    t->dims[i] = (guint) v;
    /* n <= data_size / elem_size keeps the product far from overflow. */
    if (v != 0 && n > G_MAXUINT64 / v) {
      g_set_error (error, RANET_MODEL_ERROR, RANET_MODEL_ERROR_CORRUPT,
                   "%s: tensor \"%s\": shape's element count overflows 64 bits", file, t->name);
      return FALSE;
    }
    n *= v;
  }
  t->n_elements = n;
  if (n > data_size / elem_size) {
    g_set_error (error, RANET_MODEL_ERROR, RANET_MODEL_ERROR_CORRUPT,
                 "%s: tensor \"%s\": shape holds %" G_GUINT64_FORMAT " elements of %s, more than the %" G_GSIZE_FORMAT
                 " data bytes of the file", file, t->name, n, dtype, data_size);
    return FALSE;
  }
  n_bytes = n * elem_size;

  if (!JSON_NODE_HOLDS_ARRAY (offsets_node) || json_array_get_length (json_node_get_array (offsets_node)) != 2) {
    g_set_error (error, RANET_MODEL_ERROR, RANET_MODEL_ERROR_CORRUPT,
                 "%s: tensor \"%s\": data_offsets is %s; expected a list [begin, end] of two integers", file,
                 t->name, model_json_type_name (offsets_node));
    return FALSE;
  }
  offsets = json_node_get_array (offsets_node);
  for (guint i = 0; i < 2; i++) {
    JsonNode *o = json_array_get_element (offsets, i);
    guint64 v;

    if (!JSON_NODE_HOLDS_VALUE (o) || json_node_get_value_type (o) != G_TYPE_INT64) {
      g_set_error (error, RANET_MODEL_ERROR, RANET_MODEL_ERROR_CORRUPT,
                   "%s: tensor \"%s\": data_offsets[%u] is %s; expected an integer", file, t->name, i,
                   model_json_type_name (o));
      return FALSE;
    }
    if (!get_uint64 (o, data_size, &v)) {
      g_set_error (error, RANET_MODEL_ERROR, RANET_MODEL_ERROR_CORRUPT,
                   "%s: tensor \"%s\": data_offsets[%u] is %" G_GINT64_FORMAT "; expected 0..%" G_GSIZE_FORMAT
                   " (the data section's size)", file, t->name, i, json_node_get_int (o), data_size);
      return FALSE;
    }
    if (i == 0)
      t->begin = v;
    else
      t->end = v;
  }
  if (t->end < t->begin) {
    g_set_error (error, RANET_MODEL_ERROR, RANET_MODEL_ERROR_CORRUPT,
                 "%s: tensor \"%s\": data_offsets [%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT
                 "] end before begin; expected begin <= end", file, t->name, t->begin, t->end);
    return FALSE;
  }
  if (t->end - t->begin != n_bytes) {
    g_set_error (error, RANET_MODEL_ERROR, RANET_MODEL_ERROR_CORRUPT,
                 "%s: tensor \"%s\": data_offsets [%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT "] span %"
                 G_GUINT64_FORMAT " bytes; expected %" G_GUINT64_FORMAT " for %" G_GUINT64_FORMAT " elements of %s",
                 file, t->name, t->begin, t->end, t->end - t->begin, n_bytes, n, dtype);
    return FALSE;
  }
  return TRUE;
}

static gint
compare_by_begin (gconstpointer a, gconstpointer b)
{
  const ModelTensor *ta = *(ModelTensor *const *) a;
  const ModelTensor *tb = *(ModelTensor *const *) b;

  if (ta->begin != tb->begin)
    return ta->begin < tb->begin ? -1 : 1;
  /* Empty tensors first, so an empty tensor at a non-empty one's start is no overlap. */
  if (ta->end != tb->end)
    return ta->end < tb->end ? -1 : 1;
  return strcmp (ta->name, tb->name);
}

static gint
compare_by_name (gconstpointer a, gconstpointer b)
{
  return strcmp ((*(ModelTensor *const *) a)->name, (*(ModelTensor *const *) b)->name);
}

/* The tensors must tile the data section: an overlap means two tensors share
 * bytes (a writer bug or a crafted file), and a gap or trailing bytes mean the
 * file is not what its header says it is. */
static gboolean
check_layout (GPtrArray *tensors, gsize data_size, const char *file, GError **error)
{
  g_autoptr (GPtrArray) sorted = g_ptr_array_sized_new (tensors->len);
  guint64 pos = 0;
  const ModelTensor *prev = NULL;

  /* Not g_ptr_array_copy(): it would take the tensors' free function along. */
  for (guint i = 0; i < tensors->len; i++)
    g_ptr_array_add (sorted, g_ptr_array_index (tensors, i));
  g_ptr_array_sort (sorted, compare_by_begin);
  for (guint i = 0; i < sorted->len; i++) {
    const ModelTensor *t = g_ptr_array_index (sorted, i);

    if (t->begin < pos) {
      g_set_error (error, RANET_MODEL_ERROR, RANET_MODEL_ERROR_CORRUPT,
                   "%s: tensor \"%s\": data_offsets [%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT
                   "] overlap tensor \"%s\" [%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT
                   "]; expected disjoint byte ranges", file, t->name, t->begin, t->end, prev->name, prev->begin,
                   prev->end);
      return FALSE;
    }
    if (t->begin > pos) {
      g_set_error (error, RANET_MODEL_ERROR, RANET_MODEL_ERROR_CORRUPT,
                   "%s: tensor \"%s\": starts at data offset %" G_GUINT64_FORMAT
                   ", leaving a gap; expected %" G_GUINT64_FORMAT " (tensors back to back)", file, t->name,
                   t->begin, pos);
      return FALSE;
    }
    if (t->end > t->begin) {
      pos = t->end;
      prev = t;
    }
  }
  if (pos != data_size) {
    g_set_error (error, RANET_MODEL_ERROR, RANET_MODEL_ERROR_CORRUPT,
                 "%s: %" G_GUINT64_FORMAT " bytes of data after the last tensor; expected none", file,
                 (guint64) data_size - pos);
    return FALSE;
  }
  return TRUE;
}

/*
 * model_safetensors_parse:
 * @c: a zeroed container, filled on success (and to be cleared on failure too)
 * @bytes: the whole file
 * @file: the file name, for messages
 *
 * Parses and checks the container: header, tensor entries, byte ranges. Does
 * not look inside the metadata values nor at the tensor values.
 */
gboolean
model_safetensors_parse (ModelContainer *c, GBytes *bytes, const char *file, GError **error)
{
  gsize size;
  const guint8 *base = g_bytes_get_data (bytes, &size);
  guint64 header_len = 0;
  const guint8 *data;
  gsize data_size;
  g_autoptr (JsonNode) root = NULL;
  JsonObject *obj;
  JsonObjectIter iter;
  const char *key;
  JsonNode *value;

  c->bytes = g_bytes_ref (bytes);
  c->tensors = g_ptr_array_new_with_free_func (model_tensor_free);
  c->by_name = g_hash_table_new (g_str_hash, g_str_equal);

  if (size < 8) {
    g_set_error (error, RANET_MODEL_ERROR, RANET_MODEL_ERROR_CORRUPT,
                 "%s: file is %" G_GSIZE_FORMAT " bytes; expected at least 8 (the header length) for a "
                 ".safetensors file", file, size);
    return FALSE;
  }
  for (guint i = 0; i < 8; i++)
    header_len |= (guint64) base[i] << (8 * i);
  if (header_len > MODEL_MAX_HEADER_BYTES) {
    g_set_error (error, RANET_MODEL_ERROR, RANET_MODEL_ERROR_CORRUPT,
                 "%s: header length is %" G_GUINT64_FORMAT " bytes; expected at most %" G_GUINT64_FORMAT
                 " (not a .safetensors model file?)", file, header_len, MODEL_MAX_HEADER_BYTES);
    return FALSE;
  }
  if (header_len > size - 8) {
    g_set_error (error, RANET_MODEL_ERROR, RANET_MODEL_ERROR_CORRUPT,
                 "%s: header length is %" G_GUINT64_FORMAT " bytes but only %" G_GSIZE_FORMAT
                 " bytes follow it (truncated file?)", file, header_len, size - 8);
    return FALSE;
  }
  data = base + 8 + header_len;
  data_size = size - 8 - (gsize) header_len;

  root = model_json_parse ((const char *) base + 8, (gsize) header_len, file, "the header",
                           RANET_MODEL_ERROR_CORRUPT, error);
  if (root == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (root)) {
    g_set_error (error, RANET_MODEL_ERROR, RANET_MODEL_ERROR_CORRUPT, "%s: the header is %s; expected a JSON object",
                 file, model_json_type_name (root));
    return FALSE;
  }
  obj = json_node_get_object (root);

  json_object_iter_init (&iter, obj);
  while (json_object_iter_next (&iter, &key, &value)) {
    ModelTensor *t;

    if (strcmp (key, "__metadata__") == 0) {
      if (!parse_metadata (c, value, file, error))
        return FALSE;
      continue;
    }
    t = g_new0 (ModelTensor, 1);
    t->name = g_strdup (key);
    g_ptr_array_add (c->tensors, t);
    if (!parse_tensor_entry (t, value, data_size, file, error))
      return FALSE;
    t->raw = data + t->begin;
  }

  if (!check_layout (c->tensors, data_size, file, error))
    return FALSE;

  g_ptr_array_sort (c->tensors, compare_by_name);
  for (guint i = 0; i < c->tensors->len; i++) {
    ModelTensor *t = g_ptr_array_index (c->tensors, i);
    g_hash_table_insert (c->by_name, t->name, t);
  }
  return TRUE;
}

static float
half_to_float (guint16 h)
{
  guint32 sign = (guint32) (h & 0x8000) << 16;
  guint32 exp = (h >> 10) & 0x1f;
  guint32 mant = h & 0x3ff;
  guint32 bits;
  float f;

  if (exp == 0x1f) {
    bits = sign | 0x7f800000u | (mant << 13);
  } else if (exp != 0) {
    bits = sign | ((exp + 112) << 23) | (mant << 13);
  } else if (mant == 0) {
    bits = sign;
  } else {
    /* Subnormal half: normalise into a float's wider exponent range. */
    exp = 113;
    while ((mant & 0x400) == 0) {
      mant <<= 1;
      exp--;
    }
    bits = sign | (exp << 23) | ((mant & 0x3ff) << 13);
  }
  memcpy (&f, &bits, sizeof f);
  return f;
}

static gboolean
check_finite (const ModelTensor *t, const char *file, GError **error)
{
  for (guint64 i = 0; i < t->n_elements; i++) {
    guint32 bits;

    memcpy (&bits, &t->data[i], sizeof bits);
    if ((bits & 0x7f800000u) == 0x7f800000u) {
      g_set_error (error, RANET_MODEL_ERROR, RANET_MODEL_ERROR_NON_FINITE,
                   "%s: tensor \"%s\": element %" G_GUINT64_FORMAT " is %s; expected finite weights", file,
                   t->name, i, (bits & 0x007fffffu) != 0 ? "NaN" : "infinite");
      return FALSE;
    }
  }
  return TRUE;
}

/*
 * model_tensors_to_f32:
 *
 * Gives every tensor a float32 view (t->data) and rejects non-finite values.
 * Little-endian F32 data at a 4-byte aligned address is used in place, so a
 * file in memory is not copied again; anything else is converted into t->owned.
 */
gboolean
model_tensors_to_f32 (ModelContainer *c, const char *file, GError **error)
{
  for (guint i = 0; i < c->tensors->len; i++) {
    ModelTensor *t = g_ptr_array_index (c->tensors, i);
    /* Sizes were checked against the file in model_safetensors_parse(), so
     * n_elements * 4 fits in memory the file already occupies twice over. */
    gsize n = (gsize) t->n_elements;

    if (t->dtype == MODEL_DTYPE_F32) {
      if (G_BYTE_ORDER == G_LITTLE_ENDIAN && ((guintptr) t->raw % G_ALIGNOF (float)) == 0) {
        t->data = (const float *) (gconstpointer) t->raw;
      } else {
        t->owned = g_new (float, MAX (n, 1));
        for (gsize k = 0; k < n; k++) {
          const guint8 *p = t->raw + 4 * k;
          guint32 bits = (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
          memcpy (&t->owned[k], &bits, sizeof bits);
        }
        t->data = t->owned;
      }
    } else {
      t->owned = g_new (float, MAX (n, 1));
      for (gsize k = 0; k < n; k++) {
        const guint8 *p = t->raw + 2 * k;
        t->owned[k] = half_to_float ((guint16) (p[0] | p[1] << 8));
      }
      t->data = t->owned;
    }
    if (!check_finite (t, file, error))
      return FALSE;
  }
  return TRUE;
}
