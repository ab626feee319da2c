/* model-json.c: JSON parsing hardened for untrusted model files. */
#include <string.h>

#include "model/model-private.h"

/* json-glib's parser recurses once per nesting level, so a header of a million
 * '[' would exhaust the stack. Count the depth first, outside strings. */
static gboolean
json_depth_ok (const char *data, gsize len, guint max_depth)
{
  guint depth = 0;
  gboolean in_string = FALSE;

  for (gsize i = 0; i < len; i++) {
    char ch = data[i];

    if (in_string) {
      if (ch == '\\')
        i++;
      else if (ch == '"')
        in_string = FALSE;
      continue;
    }
    if (ch == '"') {
      in_string = TRUE;
    } else if (ch == '[' || ch == '{') {
      if (++depth > max_depth)
        return FALSE;
    } else if ((ch == ']' || ch == '}') && depth > 0) {
      depth--;
    }
  }
  return TRUE;
}

/*
 * model_json_parse:
 * @data: JSON text, not necessarily nul-terminated
 * @len: its length in bytes
 * @file: the file name, for messages
 * @what: what the text is ("the header", "ranet.config"), for messages
 * @code: the error code to report on failure
 *
 * Returns: (transfer full): the root node, or %NULL with @error set.
 */
JsonNode *
model_json_parse (const char *data, gsize len, const char *file, const char *what, RanetModelError code,
                  GError **error)
{
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (GError) local = NULL;
  JsonNode *root;

  if (len > G_MAXSSIZE) {
    g_set_error (error, RANET_MODEL_ERROR, code, "%s: %s is too large (%" G_GSIZE_FORMAT " bytes)", file, what,
                 len);
    return NULL;
  }
  if (!json_depth_ok (data, len, MODEL_MAX_JSON_DEPTH)) {
    g_set_error (error, RANET_MODEL_ERROR, code, "%s: %s nests deeper than %u levels; expected plain JSON data",
                 file, what, MODEL_MAX_JSON_DEPTH);
    return NULL;
  }
  /* json-glib reads up to a nul byte whatever the length says; a nul inside
   * the text would silently shorten it. */
  if (memchr (data, '\0', len) != NULL) {
    g_set_error (error, RANET_MODEL_ERROR, code, "%s: %s is not valid JSON: it contains a nul byte", file, what);
    return NULL;
  }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) len, &local)) {
    g_set_error (error, RANET_MODEL_ERROR, code, "%s: %s is not valid JSON: %s", file, what, local->message);
    return NULL;
  }
  root = json_parser_steal_root (parser);
  if (root == NULL) {
    g_set_error (error, RANET_MODEL_ERROR, code, "%s: %s is empty; expected JSON", file, what);
    return NULL;
  }
  return root;
}

const char *
model_json_type_name (JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return "null";
  if (JSON_NODE_HOLDS_OBJECT (node))
    return "an object";
  if (JSON_NODE_HOLDS_ARRAY (node))
    return "a list";
  switch (json_node_get_value_type (node)) {
  case G_TYPE_INT64:
    return "an integer";
  case G_TYPE_DOUBLE:
    return "a number";
  case G_TYPE_BOOLEAN:
    return "a boolean";
  case G_TYPE_STRING:
    return "a string";
  default:
    return "an unknown value";
  }
}
