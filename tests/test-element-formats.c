/* test-element-formats.c: ranetclassify's video formats and libranet's, from
 * the one table (core/preprocess/ranet-pixel-formats.def).
 *
 * ranetclassify's caps list exactly the table's formats, each maps to
 * libranet's format and back, and each row says what GStreamer's own
 * description of the format (GstVideoFormatInfo) says: planes, bytes per
 * pixel, chroma blocks and where red, green and blue sit. The preprocess
 * tests (test-preprocess, and test-element through the element) go through
 * every row too. */
#include <gst/gst.h>
#include <gst/video/video.h>

#include "ranet-video-layout.h"

typedef struct {
  RanetPixelFormat format;
  const char *gst_name;
  guint planes, pixel_bytes, chroma_bytes, r, g, b;
} Row;

static const Row rows[] = {
#define RANET_PIXEL_FORMAT(name, id, gst_name, planes, pixel_bytes, chroma_bytes, r, g, b) \
  { RANET_PIXEL_##name, #gst_name, planes, pixel_bytes, chroma_bytes, r, g, b },
#include "preprocess/ranet-pixel-formats.def"
#undef RANET_PIXEL_FORMAT
};

/* The formats @caps lists, in order. */
static GPtrArray *
caps_formats (const GstCaps *caps)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const GValue *list;

  g_assert_cmpuint (gst_caps_get_size (caps), ==, 1);
  list = gst_structure_get_value (gst_caps_get_structure (caps, 0), "format");
  g_assert_true (GST_VALUE_HOLDS_LIST (list));
  for (guint i = 0; i < gst_value_list_get_size (list); i++)
    g_ptr_array_add (names, g_value_dup_string (gst_value_list_get_value (list, i)));
  return names;
}

static void
assert_table_formats (const GstCaps *caps)
{
  g_autoptr (GPtrArray) names = caps_formats (caps);

  g_assert_cmpuint (names->len, ==, G_N_ELEMENTS (rows));
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    g_assert_cmpstr (g_ptr_array_index (names, i), ==, rows[i].gst_name);
}

static void
test_caps (void)
{
  g_autoptr (GstCaps) caps = ranet_video_layout_new_caps ();
  g_autoptr (GstElementFactory) factory = gst_element_factory_find ("ranetclassify");
  const GList *templates;

  assert_table_formats (caps);
  /* and the element's pad templates, as the registry holds them */
  g_assert_nonnull (factory);
  templates = gst_element_factory_get_static_pad_templates (factory);
  g_assert_cmpuint (g_list_length ((GList *) templates), ==, 2);
  for (const GList *l = templates; l != NULL; l = l->next) {
    g_autoptr (GstCaps) template_caps =
        gst_static_pad_template_get_caps ((GstStaticPadTemplate *) l->data);

    assert_table_formats (template_caps);
    g_assert_true (gst_caps_is_equal (template_caps, caps));
  }
}

static void
test_both_ways (void)
{
  RanetPixelFormat format;

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++) {
    GstVideoFormat gst = ranet_video_layout_to_video_format (rows[i].format);

    g_assert_cmpstr (gst_video_format_to_string (gst), ==, rows[i].gst_name);
    g_assert_true (ranet_video_layout_to_pixel_format (gst, &format));
    g_assert_cmpint (format, ==, rows[i].format);
  }
  g_assert_false (ranet_video_layout_to_pixel_format (GST_VIDEO_FORMAT_YUY2, &format));
  g_assert_false (ranet_video_layout_to_pixel_format (GST_VIDEO_FORMAT_UNKNOWN, &format));
  g_assert_cmpint (ranet_video_layout_to_video_format (RANET_PIXEL_N_FORMATS), ==,
      GST_VIDEO_FORMAT_UNKNOWN);
}

static void
test_rows_match_gstreamer (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++) {
    const Row *row = &rows[i];
    const GstVideoFormatInfo *info = gst_video_format_get_info (
        gst_video_format_from_string (row->gst_name));

    g_test_message ("%s", row->gst_name);
    g_assert_nonnull (info);
    g_assert_cmpuint (GST_VIDEO_FORMAT_INFO_N_PLANES (info), ==, row->planes);
    g_assert_cmpuint (GST_VIDEO_FORMAT_INFO_PSTRIDE (info, 0), ==, row->pixel_bytes);
    if (row->chroma_bytes > 0) {
      /* 4:2:0 YUV: U and V halved both ways, one block of chroma_bytes per
       * 2x2 pixels in each chroma plane */
      g_assert_true (GST_VIDEO_FORMAT_INFO_IS_YUV (info));
      for (guint c = GST_VIDEO_COMP_U; c <= GST_VIDEO_COMP_V; c++) {
        g_assert_cmpuint (GST_VIDEO_FORMAT_INFO_W_SUB (info, c), ==, 1);
        g_assert_cmpuint (GST_VIDEO_FORMAT_INFO_H_SUB (info, c), ==, 1);
        g_assert_cmpuint (GST_VIDEO_FORMAT_INFO_PSTRIDE (info, c), ==, row->chroma_bytes);
      }
    } else if (GST_VIDEO_FORMAT_INFO_IS_RGB (info)) {
      g_assert_cmpuint (GST_VIDEO_FORMAT_INFO_POFFSET (info, GST_VIDEO_COMP_R), ==, row->r);
      g_assert_cmpuint (GST_VIDEO_FORMAT_INFO_POFFSET (info, GST_VIDEO_COMP_G), ==, row->g);
      g_assert_cmpuint (GST_VIDEO_FORMAT_INFO_POFFSET (info, GST_VIDEO_COMP_B), ==, row->b);
    } else {
      /* grey: one component, read as red, green and blue alike */
      g_assert_true (GST_VIDEO_FORMAT_INFO_IS_GRAY (info));
      g_assert_cmpuint (row->r, ==, 0);
      g_assert_cmpuint (row->g, ==, 0);
      g_assert_cmpuint (row->b, ==, 0);
    }
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  gst_init (NULL, NULL);
  g_test_add_func ("/element-formats/caps", test_caps);
  g_test_add_func ("/element-formats/both-ways", test_both_ways);
  g_test_add_func ("/element-formats/rows-match-gstreamer", test_rows_match_gstreamer);
  return g_test_run ();
}
