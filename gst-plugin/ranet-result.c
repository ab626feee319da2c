/* ranet-result.c: a frame's result as metadata and message structure. */
#include "ranet-result.h"

#include "ranet-classification-meta.h"

#include <string.h>

void
ranet_frame_result_clear (RanetFrameResult *r)
{
  g_free (r->probs);
  memset (r, 0, sizeof *r);
}

void
ranet_frame_result_copy (RanetFrameResult *dest, const RanetFrameResult *src)
{
  gfloat *probs = g_memdup2 (src->probs, src->n_classes * sizeof (gfloat));

  g_free (dest->probs);
  *dest = *src;
  dest->probs = probs;
}

typedef struct {
  const gfloat *probs;
} SortContext;

static gint
by_probability_descending (gconstpointer a, gconstpointer b, gpointer user_data)
{
  const SortContext *ctx = user_data;
  gfloat pa = ctx->probs[*(const guint *) a], pb = ctx->probs[*(const guint *) b];

  if (pa != pb)
    return pa > pb ? -1 : 1;
  /* equal scores: the lower class id first, as argmax does */
  return *(const guint *) a < *(const guint *) b ? -1 : 1;
}

static void
add_top_k (GstStructure *s, const RanetFrameResult *r, const char *const *labels,
    guint top_k)
{
  g_autofree guint *order = g_new (guint, r->n_classes);
  SortContext ctx = { r->probs };
  GValue list = G_VALUE_INIT;

  for (guint i = 0; i < r->n_classes; i++)
    order[i] = i;
  g_qsort_with_data (order, (gint) r->n_classes, sizeof (guint),
      by_probability_descending, &ctx);

  gst_value_array_init (&list, MIN (top_k, r->n_classes));
  for (guint i = 0; i < MIN (top_k, r->n_classes); i++) {
    GValue v = G_VALUE_INIT;
    g_value_init (&v, GST_TYPE_STRUCTURE);
    g_value_take_boxed (&v, gst_structure_new ("ranet-class",
            "class-id", G_TYPE_INT, (gint) order[i],
            "label", G_TYPE_STRING, labels[order[i]],
            "score", G_TYPE_DOUBLE, (gdouble) r->probs[order[i]], NULL));
    gst_value_array_append_and_take_value (&list, &v);
  }
  gst_structure_take_value (s, "top-k", &list);
}

void
ranet_frame_result_fill_structure (const RanetFrameResult *r, GstStructure *s,
    const char *element, const char *model, const char *const *labels, guint top_k)
{
  gst_structure_set (s,
      "element", G_TYPE_STRING, element,
      "model", G_TYPE_STRING, model,
      "class-id", G_TYPE_INT, r->class_id,
      "label", G_TYPE_STRING, labels[r->class_id],
      "confidence", G_TYPE_DOUBLE, r->confidence,
      "exit", G_TYPE_INT, r->exit_index,
      "num-exits", G_TYPE_INT, r->num_exits,
      "threshold", G_TYPE_DOUBLE, r->threshold,
      "forced", G_TYPE_BOOLEAN, r->forced,
      "reused", G_TYPE_BOOLEAN, r->reused,
      "macs", G_TYPE_UINT64, r->macs,
      "latency", G_TYPE_UINT64, r->latency_ns,
      NULL);
  add_top_k (s, r, labels, top_k);
}

void
ranet_classification_meta_register (void)
{
  static gsize registered = 0;

  if (g_once_init_enter (&registered)) {
    /* no tags: the result describes the whole picture, whatever is done to it */
    static const gchar *tags[] = { NULL };
    gst_meta_register_custom (RANET_CLASSIFICATION_META_NAME, tags, NULL, NULL, NULL);
    g_once_init_leave (&registered, 1);
  }
}
