/* plugin.c: the "ranetregions" plugin, test and demonstration sources kept
 * apart from the "ranet" plugin so that this one's data set is never a
 * dependency of the classifier. */
#include <gst/gst.h>

#include "gstranetregionsrc.h"

static gboolean
plugin_init (GstPlugin * plugin)
{
  return GST_ELEMENT_REGISTER (ranetregionsrc, plugin);
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, ranetregions,
    "Video with regions of interest of known labels, for ranetclassify",
    plugin_init, RANET_VERSION, "LGPL", "ranet-gst", "https://example.invalid/ranet-gst")
