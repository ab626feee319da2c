/* plugin.c: the "ranet" plugin and what it registers. */
#include <gst/gst.h>

#include "gstranetclassify.h"
#include "gstranetjson.h"
#include "gstranetoverlay.h"

static gboolean
plugin_init (GstPlugin * plugin)
{
  gboolean ok = GST_ELEMENT_REGISTER (ranetclassify, plugin);

  ok &= GST_ELEMENT_REGISTER (ranetjson, plugin);
  ok &= GST_ELEMENT_REGISTER (ranetoverlay, plugin);
  return ok;
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, ranet,
    "Resolution Adaptive Network video classification on Vulkan",
    plugin_init, RANET_VERSION, "LGPL", "ranet-gst", "https://example.invalid/ranet-gst")
