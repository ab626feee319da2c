/* gstranetjson.h: the ranetjson element. */
#pragma once

#include <gst/base/gstbasetransform.h>

G_BEGIN_DECLS

#define GST_TYPE_RANET_JSON (gst_ranet_json_get_type ())
G_DECLARE_FINAL_TYPE (GstRanetJson, gst_ranet_json, GST, RANET_JSON, GstBaseTransform)

GST_ELEMENT_REGISTER_DECLARE (ranetjson);

G_END_DECLS
