/* roi-list-meta.h: hand-made results of ranetclassify's inference-region=
 * roi-list on buffers, for the consumers' tests (ranetjson, ranetoverlay,
 * the readers in ranet-classification-meta.h), which then need no
 * classifier. */
#pragma once

#include <gst/video/video.h>

G_BEGIN_DECLS

/* One region as the test wants it; the class fields count only where the
 * region is neither skipped nor degenerate. */
typedef struct {
  const gchar *roi_type;
  gint x, y;          /* may lie outside the frame (a degenerate region) */
  guint w, h;
  gboolean skipped;
  gboolean degenerate;
  gint class_id;
  const gchar *label;
  gdouble confidence;
  gint exit_index;
  gint num_exits;
  gboolean forced;
  guint64 macs;
} TestRegion;

#define TEST_ROI_LIST_LATENCY_NS ((guint64) 3 * GST_MSECOND)
#define TEST_ROI_LIST_OPERATING_POINT 2
#define TEST_ROI_LIST_BUDGET_NS ((guint64) 10 * GST_MSECOND)
/* the full-frame result's */
#define TEST_FULL_FRAME_OPERATING_POINT 1
#define TEST_FULL_FRAME_BUDGET_NS ((guint64) 20 * GST_MSECOND)

/* Sets @s's fields as ranetclassify's roi-list metadata holds them for
 * @regions, @ids their ROI metas' ids; the totals follow from the regions. */
void test_roi_list_fill (GstStructure *s, const TestRegion *regions, const gint *ids, guint n);

/* Adds to @buf a GstVideoRegionOfInterestMeta per region (a classified one
 * with its "classification" parameters) and a RanetClassificationMeta in the
 * roi-list shape; returns the metadata's structure. The metadata must be
 * registered (the plugin's elements register it when loaded). */
GstStructure *test_roi_list_attach (GstBuffer *buf, const TestRegion *regions, guint n);

/* A full-frame result, as ranetclassify's default writes it. */
GstStructure *test_full_frame_attach (GstBuffer *buf);

G_END_DECLS
