/* gstranetoverlay-properties.h: ranetoverlay as gst-inspect-1.0 shows it:
 * property ids, defaults, the position enum, their installation and the
 * element's description. The element reads and writes the properties
 * (gstranetoverlay.c). */
#pragma once

#include <gst/gst.h>

#include "ranet-overlay-render.h"

G_BEGIN_DECLS

#define DEFAULT_FONT "Sans 12"
#define DEFAULT_POSITION RANET_OVERLAY_TOP_LEFT
#define DEFAULT_TEXT_COLOR 0xffffffff        /* opaque white */
#define DEFAULT_BACKGROUND_COLOR 0xc0000000  /* black, 3/4 opaque: text stays readable over white */
#define DEFAULT_SHOW_LABEL TRUE
#define DEFAULT_SHOW_EXIT_BAR TRUE
#define DEFAULT_SHOW_STATS FALSE
#define DEFAULT_SHOW_REGIONS TRUE

enum {
  PROP_0,
  PROP_FONT,
  PROP_POSITION,
  PROP_TEXT_COLOR,
  PROP_BACKGROUND_COLOR,
  PROP_SHOW_LABEL,
  PROP_SHOW_EXIT_BAR,
  PROP_SHOW_STATS,
  PROP_SHOW_REGIONS,
};

/* RanetOverlayPosition as a GEnum ("top-left", ...) */
#define GST_TYPE_RANET_OVERLAY_POSITION (gst_ranet_overlay_position_get_type ())
GType gst_ranet_overlay_position_get_type (void);

void gst_ranet_overlay_install_properties (GObjectClass *gobject_class);
/* The element's name, classification and description. */
void gst_ranet_overlay_set_metadata (GstElementClass *element_class);

G_END_DECLS
