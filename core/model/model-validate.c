/* model-validate.c: the file's tensors against the architecture its config
 * describes: the same set of names, each with the expected shape. */
#include "model/model-private.h"

/* Enough names for a reader to see the pattern (a renamed module, a missing
 * classifier) without a message of thousands of lines. */
#define MAX_NAMES_LISTED 5

static void
append_name_list (GString *s, GPtrArray *names)
{
  for (guint i = 0; i < names->len && i < MAX_NAMES_LISTED; i++)
    g_string_append_printf (s, "%s\"%s\"", i > 0 ? ", " : "", (const char *) g_ptr_array_index (names, i));
  if (names->len > MAX_NAMES_LISTED)
    g_string_append_printf (s, " and %u more", names->len - MAX_NAMES_LISTED);
}

static void
append_shape (GString *s, const guint *dims, guint n_dims)
{
  g_string_append_c (s, '[');
  for (guint i = 0; i < n_dims; i++)
    g_string_append_printf (s, "%s%u", i > 0 ? ", " : "", dims[i]);
  g_string_append_c (s, ']');
}

static gboolean
same_shape (const ModelTensor *t, const RanetExpectedTensor *e)
{
  if (t->n_dims != e->n_dims || e->n_dims > G_N_ELEMENTS (e->dims))
    return FALSE;
  for (guint i = 0; i < e->n_dims; i++)
    if (t->dims[i] != e->dims[i])
      return FALSE;
  return TRUE;
}

/*
 * model_validate_tensors:
 *
 * Missing tensors are reported before extra ones: a file for another config
 * usually has both, and the missing names say more about what went wrong.
 */
gboolean
model_validate_tensors (ModelContainer *c, const RanetGraph *graph, const char *file, GError **error)
{
  guint n_expected = 0;
  const RanetExpectedTensor *expected = ranet_graph_get_expected_tensors (graph, &n_expected);
  g_autoptr (GPtrArray) missing = g_ptr_array_new ();
  g_autoptr (GPtrArray) extra = g_ptr_array_new ();

  for (guint i = 0; i < n_expected; i++)
    if (!g_hash_table_contains (c->by_name, expected[i].name))
      g_ptr_array_add (missing, (gpointer) expected[i].name);
  for (guint i = 0; i < c->tensors->len; i++) {
    const ModelTensor *t = g_ptr_array_index (c->tensors, i);
    if (ranet_graph_lookup_expected_tensor (graph, t->name) == NULL)
      g_ptr_array_add (extra, t->name);
  }

  if (missing->len > 0 || extra->len > 0) {
    g_autoptr (GString) s = g_string_new (NULL);

    g_string_append_printf (s, "%s: the tensors do not match the network ranet.config describes:", file);
    if (missing->len > 0) {
      g_string_append_printf (s, " %u missing (", missing->len);
      append_name_list (s, missing);
      g_string_append_c (s, ')');
    }
    if (extra->len > 0) {
      g_string_append_printf (s, "%s %u not part of the network (", missing->len > 0 ? ";" : "", extra->len);
      append_name_list (s, extra);
      g_string_append_c (s, ')');
    }
    g_string_append_printf (s, "; expected exactly the network's %u tensors", n_expected);
    g_set_error_literal (error, RANET_MODEL_ERROR, RANET_MODEL_ERROR_MISMATCH, s->str);
    return FALSE;
  }

  for (guint i = 0; i < n_expected; i++) {
    const ModelTensor *t = g_hash_table_lookup (c->by_name, expected[i].name);

    if (!same_shape (t, &expected[i])) {
      g_autoptr (GString) s = g_string_new (NULL);

      g_string_append_printf (s, "%s: tensor \"%s\": shape ", file, t->name);
      append_shape (s, t->dims, t->n_dims);
      g_string_append (s, "; expected ");
      append_shape (s, expected[i].dims, MIN (expected[i].n_dims, G_N_ELEMENTS (expected[i].dims)));
      g_string_append (s, " for the network ranet.config describes");
      g_set_error_literal (error, RANET_MODEL_ERROR, RANET_MODEL_ERROR_MISMATCH, s->str);
      return FALSE;
    }
  }
  return TRUE;
}
