/* ranet-json-writer.c: JSON text into a GString (see ranet-json-writer.h).
 * Hand-written rather than json-glib's, whose generator prints doubles with
 * %.17g (0.93999999999999995) and would be a dependency of the plugin for
 * one line per frame. */
#include "ranet-json-writer.h"

#include "ranet-classification-meta.h"

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

static void
add_totals (GString *out, const RanetRegionTotals *t)
{
  ranet_json_member (out, "totals");
  g_string_append_c (out, '{');
  ranet_json_member_string (out, "element", t->element);
  ranet_json_member_string (out, "model", t->model);
  ranet_json_member_string (out, "inference-region", "roi-list");
  ranet_json_member_uint (out, "regions", t->regions);
  ranet_json_member_uint (out, "classified", t->classified);
  ranet_json_member_uint (out, "skipped", t->skipped);
  ranet_json_member_uint (out, "degenerate", t->degenerate);
  ranet_json_member_uint (out, "macs", t->macs);
  ranet_json_member_uint (out, "latency-ns", t->latency_ns);
  ranet_json_member_int (out, "operating-point", t->operating_point);
  ranet_json_member_uint (out, "budget-ns", t->budget_ns);
  g_string_append_c (out, '}');
}

/* A box's edge as a fraction of the frame, as gvametaconvert's bounding_box
 * holds it; a box reaching past the frame is clipped to it. */
static gdouble
normalised (guint64 at, gint size)
{
  return MIN ((gdouble) at / size, 1.0);
}

static void
add_object (GString *out, const RanetRegionClassification *r, const char *model,
    gint frame_width, gint frame_height)
{
  ranet_json_next (out);
  g_string_append_c (out, '{');
  ranet_json_member_uint (out, "x", r->x);
  ranet_json_member_uint (out, "y", r->y);
  ranet_json_member_uint (out, "w", r->width);
  ranet_json_member_uint (out, "h", r->height);
  ranet_json_member_int (out, "region_id", r->id);
  ranet_json_member_string (out, "roi_type", r->roi_type);
  if (frame_width > 0 && frame_height > 0) {
    ranet_json_member (out, "detection");
    g_string_append_c (out, '{');
    ranet_json_member (out, "bounding_box");
    g_string_append_c (out, '{');
    ranet_json_member_double (out, "x_min", normalised (r->x, frame_width));
    ranet_json_member_double (out, "y_min", normalised (r->y, frame_height));
    ranet_json_member_double (out, "x_max", normalised ((guint64) r->x + r->width, frame_width));
    ranet_json_member_double (out, "y_max", normalised ((guint64) r->y + r->height, frame_height));
    g_string_append_c (out, '}');
    ranet_json_member_string (out, "label", r->roi_type);
    g_string_append_c (out, '}');
  }
  ranet_json_member_bool (out, "skipped", r->skipped);
  ranet_json_member_bool (out, "degenerate", r->degenerate);
  if (!r->skipped && !r->degenerate) {
    ranet_json_member (out, "classification");
    g_string_append_c (out, '{');
    ranet_json_member_string (out, "label", r->label);
    ranet_json_member_int (out, "label_id", r->class_id);
    ranet_json_member_double (out, "confidence", r->confidence);
    ranet_json_member (out, "model");
    g_string_append_c (out, '{');
    ranet_json_member_string (out, "name", model);
    g_string_append_c (out, '}');
    ranet_json_member_int (out, "exit", r->exit_index);
    ranet_json_member_int (out, "num-exits", r->num_exits);
    ranet_json_member_bool (out, "forced", r->forced);
    ranet_json_member_uint (out, "macs", r->macs);
    g_string_append_c (out, '}');
  }
  g_string_append_c (out, '}');
}

gboolean
ranet_json_add_regions (GString *out, const GstStructure *s, gint frame_width,
    gint frame_height)
{
  RanetRegionTotals totals;
  guint n = ranet_classification_get_n_objects (s);

  if (!ranet_classification_read_totals (s, &totals))
    return FALSE;
  add_totals (out, &totals);
  ranet_json_member (out, "objects");
  g_string_append_c (out, '[');
  for (guint i = 0; i < n; i++) {
    RanetRegionClassification r;

    if (!ranet_classification_read_object (s, i, &r))
      return FALSE;
    add_object (out, &r, totals.model, frame_width, frame_height);
  }
  g_string_append_c (out, ']');
  return TRUE;
}
