/* gstranetclassify.h: the ranetclassify element. */
#pragma once

#include <gst/video/gstvideofilter.h>

#include "net/ranet-net.h"

G_BEGIN_DECLS

#define GST_TYPE_RANET_CLASSIFY (gst_ranet_classify_get_type ())
G_DECLARE_FINAL_TYPE (GstRanetClassify, gst_ranet_classify, GST, RANET_CLASSIFY,
    GstVideoFilter)

#define GST_TYPE_RANET_RESIZE_MODE (gst_ranet_resize_mode_get_type ())
GType gst_ranet_resize_mode_get_type (void);

GST_ELEMENT_REGISTER_DECLARE (ranetclassify);

G_END_DECLS
