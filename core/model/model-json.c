/* model-json.c: JSON parsing hardened for untrusted model files. */
#include <string.h>

#include "model/model-private.h"

/* What json_prescan() found wrong with a text before json-glib sees it. */
typedef enum {
  JSON_PRESCAN_OK,
  JSON_PRESCAN_TOO_DEEP,
  JSON_PRESCAN_TRAILING,
} JsonPrescan;

static gboolean
json_is_space (char ch)
{
  return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* Two things json-glib (1.6) cannot be given, found by one pass outside strings:
 * its parser recurses once per nesting level, so a header of a million '['
 * would exhaust the stack; and when a complete value is followed by another
 * list or object ("{...}[1]") it reports the error but leaks the second
 * value's nodes. Text after the first list or object is refused here. */
static JsonPrescan
json_prescan (const char *data, gsize len, guint max_depth, gsize *at)
{
  guint depth = 0;
  gboolean in_string = FALSE, closed = FALSE, started = FALSE;

  for (gsize i = 0; i < len; i++) {
    char ch = data[i];

    *at = i;
    if (in_string) {
      if (ch == '\\')
        i++;
      else if (ch == '"')
        in_string = FALSE;
      continue;
    }
    if (json_is_space (ch))
      continue;
    if (closed || (depth == 0 && started && (ch == '[' || ch == '{')))
      return JSON_PRESCAN_TRAILING;
    started = TRUE;
    if (ch == '"') {
      in_string = TRUE;
    } else if (ch == '[' || ch == '{') {
      if (++depth > max_depth)
        return JSON_PRESCAN_TOO_DEEP;
    } else if ((ch == ']' || ch == '}') && depth > 0) {
      closed = --depth == 0;
    }
  }
  return JSON_PRESCAN_OK;
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
  gsize at = 0;

  if (len > G_MAXSSIZE) {
    g_set_error (error, RANET_MODEL_ERROR, code, "%s: %s is too large (%" G_GSIZE_FORMAT " bytes)", file, what,
                 len);
    return NULL;
  }
  switch (json_prescan (data, len, MODEL_MAX_JSON_DEPTH, &at)) {
  case JSON_PRESCAN_TOO_DEEP:
    g_set_error (error, RANET_MODEL_ERROR, code, "%s: %s nests deeper than %u levels; expected plain JSON data",
                 file, what, MODEL_MAX_JSON_DEPTH);
    return NULL;
  case JSON_PRESCAN_TRAILING:
    g_set_error (error, RANET_MODEL_ERROR, code,
                 "%s: %s is not valid JSON: more text follows its value at byte %" G_GSIZE_FORMAT
                 "; expected one JSON value", file, what, at);
    return NULL;
  case JSON_PRESCAN_OK:
    break;
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
