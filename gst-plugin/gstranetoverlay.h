/* gstranetoverlay.h: the ranetoverlay element. */
#pragma once

#include <gst/video/gstvideofilter.h>

G_BEGIN_DECLS

#define GST_TYPE_RANET_OVERLAY (gst_ranet_overlay_get_type ())
G_DECLARE_FINAL_TYPE (GstRanetOverlay, gst_ranet_overlay, GST, RANET_OVERLAY,
    GstVideoFilter)

#define GST_TYPE_RANET_OVERLAY_POSITION (gst_ranet_overlay_position_get_type ())
GType gst_ranet_overlay_position_get_type (void);

GST_ELEMENT_REGISTER_DECLARE (ranetoverlay);

G_END_DECLS
