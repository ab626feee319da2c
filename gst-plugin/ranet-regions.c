/* ranet-regions.c: choosing a frame's regions of interest and clipping them. */
#include "ranet-regions.h"

gboolean
ranet_regions_clip (guint frame_width, guint frame_height, guint x, guint y,
    guint w, guint h, RanetRegion *clipped)
{
  RanetFrameLayout frame = { .width = frame_width, .height = frame_height };
  RanetRegion box = { x, y, w, h }, inside;

  /* the engine's clip, which never computes x + w; @clipped stays as it was
   * for a box outside the frame */
  if (!ranet_region_clip (&frame, &box, &inside))
    return FALSE;
  *clipped = inside;
  return TRUE;
}

gchar **
ranet_regions_parse_object_class (const gchar *object_class)
{
  g_auto (GStrv) parts = NULL;
  GPtrArray *types;

  if (object_class == NULL)
    return NULL;
  parts = g_strsplit (object_class, ",", -1);
  types = g_ptr_array_new ();
  for (guint i = 0; parts[i] != NULL; i++) {
    gchar *type = g_strstrip (parts[i]);

    if (*type != '\0')
      g_ptr_array_add (types, g_strdup (type));
  }
  if (types->len == 0) {
    g_ptr_array_free (types, TRUE);
    return NULL;
  }
  g_ptr_array_add (types, NULL);
  return (gchar **) g_ptr_array_free (types, FALSE);
}

gboolean
ranet_regions_type_chosen (const gchar *const *classes, const gchar *roi_type)
{
  return classes == NULL || g_strv_contains (classes, roi_type);
}

GArray *
ranet_regions_collect (GstBuffer *buffer, guint frame_width, guint frame_height,
    const gchar *const *classes)
{
  GArray *regions = g_array_new (FALSE, TRUE, sizeof (RanetRegionInfo));
  gpointer state = NULL;
  GstMeta *meta;

  while ((meta = gst_buffer_iterate_meta_filtered (buffer, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE)) != NULL) {
    GstVideoRegionOfInterestMeta *roi = (GstVideoRegionOfInterestMeta *) meta;
    /* a meta added without a type has quark 0, which has no string */
    const gchar *type = roi->roi_type != 0 ? g_quark_to_string (roi->roi_type) : "";
    RanetRegionInfo info = { roi, roi->id, type, { roi->x, roi->y, roi->w, roi->h }, FALSE };

    if (!ranet_regions_type_chosen (classes, type))
      continue;
    info.degenerate = !ranet_regions_clip (frame_width, frame_height,
        roi->x, roi->y, roi->w, roi->h, &info.box);
    g_array_append_val (regions, info);
  }
  return regions;
}
