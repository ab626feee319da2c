/* ranet-json-writer.c: JSON text into a GString (see ranet-json-writer.h).
 * Hand-written rather than json-glib's, whose generator prints doubles with
 * %.17g (0.93999999999999995) and would be a dependency of the plugin for
 * one line per frame. */
#include "ranet-json-writer.h"

#include <math.h>
#include <string.h>

void
ranet_json_next (GString *out)
{
  if (out->len > 0 && out->str[out->len - 1] != '{' && out->str[out->len - 1] != '[')
    g_string_append_c (out, ',');
}

void
ranet_json_add_string (GString *out, const char *s)
{
  g_string_append_c (out, '"');
  for (; s != NULL && *s; s++) {
    guchar c = (guchar) *s;

    if (c == '"' || c == '\\')
      g_string_append_printf (out, "\\%c", c);
    else if (c < 0x20)
      g_string_append_printf (out, "\\u%04x", c);
    else
      g_string_append_c (out, (char) c);   /* UTF-8 passes as it is */
  }
  g_string_append_c (out, '"');
}

/* The shortest of %.15g, %.16g and %.17g that gives @v back: 15 significant
 * digits always do for a decimal of 15 or fewer, and 17 for any double. */
void
ranet_json_add_double (GString *out, gdouble v)
{
  static const char *const formats[] = { "%.15g", "%.16g", "%.17g" };
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (v)) {
    g_string_append (out, "null");
    return;
  }
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++) {
    g_ascii_formatd (buf, sizeof (buf), formats[i], v);
    if (g_ascii_strtod (buf, NULL) == v)
      break;
  }
  g_string_append (out, buf);
  if (strpbrk (buf, ".e") == NULL)
    g_string_append (out, ".0");
}

void
ranet_json_member (GString *out, const char *name)
{
  ranet_json_next (out);
  ranet_json_add_string (out, name);
  g_string_append_c (out, ':');
}

void
ranet_json_member_int (GString *out, const char *name, gint64 v)
{
  ranet_json_member (out, name);
  g_string_append_printf (out, "%" G_GINT64_FORMAT, v);
}

void
ranet_json_member_uint (GString *out, const char *name, guint64 v)
{
  ranet_json_member (out, name);
  g_string_append_printf (out, "%" G_GUINT64_FORMAT, v);
}

void
ranet_json_member_double (GString *out, const char *name, gdouble v)
{
  ranet_json_member (out, name);
  ranet_json_add_double (out, v);
}

void
ranet_json_member_bool (GString *out, const char *name, gboolean v)
{
  ranet_json_member (out, name);
  g_string_append (out, v ? "true" : "false");
}

void
ranet_json_member_string (GString *out, const char *name, const char *v)
{
  ranet_json_member (out, name);
  if (v != NULL)
    ranet_json_add_string (out, v);
  else
    g_string_append (out, "null");
}

void
ranet_json_member_null (GString *out, const char *name)
{
  ranet_json_member (out, name);
  g_string_append (out, "null");
}

void
ranet_json_member_top_k (GString *out, const GstStructure *s)
{
  const GValue *list = gst_structure_get_value (s, "top-k");

  ranet_json_member (out, "top-k");
  g_string_append_c (out, '[');
  for (guint i = 0; list != NULL && GST_VALUE_HOLDS_ARRAY (list)
      && i < gst_value_array_get_size (list); i++) {
    const GstStructure *entry = gst_value_get_structure (gst_value_array_get_value (list, i));
    gint class_id = -1;
    gdouble score = 0.0;

    gst_structure_get_int (entry, "class-id", &class_id);
    gst_structure_get_double (entry, "score", &score);
    ranet_json_next (out);
    g_string_append_c (out, '{');
    ranet_json_member_int (out, "class-id", class_id);
    ranet_json_member_string (out, "label", gst_structure_get_string (entry, "label"));
    ranet_json_member_double (out, "score", score);
    g_string_append_c (out, '}');
  }
  g_string_append_c (out, ']');
}
