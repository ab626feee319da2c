/* ranet-result.c: a frame's result as metadata and message structure. */
#include "ranet-result.h"

#include "ranet-classification-meta.h"

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
add_top_k (GstStructure *s, const RanetSessionResult *r, const char *const *labels,
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
ranet_result_fill_structure (const RanetSessionResult *r, GstStructure *s,
    const char *element, const char *model, const char *const *labels, guint top_k,
    guint64 budget_ns)
{
  gst_structure_set (s,
      "element", G_TYPE_STRING, element,
      "model", G_TYPE_STRING, model,
      "class-id", G_TYPE_INT, (gint) r->class_id,
      "label", G_TYPE_STRING, labels[r->class_id],
      "confidence", G_TYPE_DOUBLE, (gdouble) r->confidence,
      "exit", G_TYPE_INT, (gint) r->exit_index,
      "num-exits", G_TYPE_INT, (gint) r->n_exits,
      "threshold", G_TYPE_DOUBLE, r->threshold,
      "forced", G_TYPE_BOOLEAN, r->forced,
      "reused", G_TYPE_BOOLEAN, r->reused,
      "macs", G_TYPE_UINT64, r->macs,
      "latency", G_TYPE_UINT64, r->wall_ns,
      "operating-point", G_TYPE_INT, r->operating_point,
      "budget", G_TYPE_UINT64, budget_ns,
      "inference-region", G_TYPE_STRING, "full-frame",
      NULL);
  add_top_k (s, r, labels, top_k);
}

void
ranet_result_add_times (GstStructure *s, const GstSegment *segment, GstClockTime pts)
{
  GstClockTime stream_time = GST_CLOCK_TIME_NONE, running_time = GST_CLOCK_TIME_NONE;

  /* a segment in another format (appsrc's default is bytes) gives no times */
  if (segment->format == GST_FORMAT_TIME) {
    stream_time = gst_segment_to_stream_time (segment, GST_FORMAT_TIME, pts);
    running_time = gst_segment_to_running_time (segment, GST_FORMAT_TIME, pts);
  }
  gst_structure_set (s,
      "timestamp", G_TYPE_UINT64, pts,
      "stream-time", G_TYPE_UINT64, stream_time,
      "running-time", G_TYPE_UINT64, running_time, NULL);
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
