/* gstranetregionsrc.h: the ranetregionsrc element. */
#pragma once

#include <gst/base/gstpushsrc.h>

G_BEGIN_DECLS

#define GST_TYPE_RANET_REGION_SRC (gst_ranet_region_src_get_type ())
G_DECLARE_FINAL_TYPE (GstRanetRegionSrc, gst_ranet_region_src, GST, RANET_REGION_SRC, GstPushSrc)

GST_ELEMENT_REGISTER_DECLARE (ranetregionsrc);

G_END_DECLS
