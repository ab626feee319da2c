/* gstranetclassify.h: the ranetclassify element. */
#pragma once

#include <gst/video/gstvideofilter.h>

G_BEGIN_DECLS

#define GST_TYPE_RANET_CLASSIFY (gst_ranet_classify_get_type ())
G_DECLARE_FINAL_TYPE (GstRanetClassify, gst_ranet_classify, GST, RANET_CLASSIFY,
    GstVideoFilter)

GST_ELEMENT_REGISTER_DECLARE (ranetclassify);

G_END_DECLS
