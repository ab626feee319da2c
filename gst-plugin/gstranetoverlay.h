/* gstranetoverlay.h: the ranetoverlay element. */
#pragma once

#include <gst/video/gstvideofilter.h>

G_BEGIN_DECLS

#define GST_TYPE_RANET_OVERLAY (gst_ranet_overlay_get_type ())
G_DECLARE_FINAL_TYPE (GstRanetOverlay, gst_ranet_overlay, GST, RANET_OVERLAY,
    GstVideoFilter)

GST_ELEMENT_REGISTER_DECLARE (ranetoverlay);

G_END_DECLS
