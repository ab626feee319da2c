/* gstranetoverlay-properties.c: ranetoverlay as gst-inspect-1.0 shows it:
 * its properties (names, blurbs with defaults, when each may change), the
 * position enum, and the element's description. */
#include "gstranetoverlay-properties.h"

GType
gst_ranet_overlay_position_get_type (void)
{
  static gsize type = 0;
  static const GEnumValue values[] = {
    { RANET_OVERLAY_TOP_LEFT, "Top left corner", "top-left" },
    { RANET_OVERLAY_TOP_RIGHT, "Top right corner", "top-right" },
    { RANET_OVERLAY_BOTTOM_LEFT, "Bottom left corner", "bottom-left" },
    { RANET_OVERLAY_BOTTOM_RIGHT, "Bottom right corner", "bottom-right" },
    { 0, NULL, NULL },
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("GstRanetOverlayPosition", values));
  return type;
}

void
gst_ranet_overlay_install_properties (GObjectClass *gobject_class)
{
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
      | GST_PARAM_MUTABLE_PLAYING;

  g_object_class_install_property (gobject_class, PROP_FONT,
      g_param_spec_string ("font", "Font",
          "Pango font description of the text, e.g. \"Sans Bold 16\"; the exit "
          "bar's size follows it. Default \"" DEFAULT_FONT "\"", DEFAULT_FONT, rw));
  g_object_class_install_property (gobject_class, PROP_POSITION,
      g_param_spec_enum ("position", "Position",
          "The corner of the frame the box is drawn in. Default top-left",
          GST_TYPE_RANET_OVERLAY_POSITION, DEFAULT_POSITION, rw));
  g_object_class_install_property (gobject_class, PROP_TEXT_COLOR,
      g_param_spec_uint ("text-color", "Text colour",
          "Colour of the text and the exit bar, 0xAARRGGBB. Default 0xffffffff "
          "(opaque white)", 0, G_MAXUINT32, DEFAULT_TEXT_COLOR, rw));
  g_object_class_install_property (gobject_class, PROP_BACKGROUND_COLOR,
      g_param_spec_uint ("background-color", "Background colour",
          "Colour of the box behind the text, 0xAARRGGBB; alpha 0 for none. "
          "Default 0xc0000000 (black, 3/4 opaque)", 0, G_MAXUINT32,
          DEFAULT_BACKGROUND_COLOR, rw));
  g_object_class_install_property (gobject_class, PROP_SHOW_LABEL,
      g_param_spec_boolean ("show-label", "Show label",
          "Show the label, its confidence in percent and the forced and reused "
          "marks; of a frame's regions, each region's label and confidence, or "
          "\"skipped\", in its box. Default true", DEFAULT_SHOW_LABEL, rw));
  g_object_class_install_property (gobject_class, PROP_SHOW_EXIT_BAR,
      g_param_spec_boolean ("show-exit-bar", "Show exit bar",
          "Show the exit taken as a bar of one cell per exit of the network, "
          "the cells up to the exit taken filled (a frame-level result only). "
          "Default true",
          DEFAULT_SHOW_EXIT_BAR, rw));
  g_object_class_install_property (gobject_class, PROP_SHOW_STATS,
      g_param_spec_boolean ("show-stats", "Show statistics",
          "Show the frames per second passing the element and their mean exit "
          "(counted from 1) over the last second, the operating point (or "
          "\"fixed\"), the frame's inference latency in ms and the budget use "
          "(latency / budget, mean and max over the last second; \"no budget\" "
          "without one); for a frame's regions, also how many were classified "
          "and skipped. Default false",
          DEFAULT_SHOW_STATS, rw));
  g_object_class_install_property (gobject_class, PROP_SHOW_REGIONS,
      g_param_spec_boolean ("show-regions", "Show regions",
          "Where ranetclassify classified the frame's regions of interest "
          "(inference-region=roi-list), draw each region's box in its class's "
          "colour, a region the budget skipped dashed and grey; a region with "
          "no pixels in the frame is not drawn. Default true",
          DEFAULT_SHOW_REGIONS, rw));
}

void
gst_ranet_overlay_set_metadata (GstElementClass *element_class)
{
  gst_element_class_set_static_metadata (element_class, "RANet result overlay",
      "Filter/Editor/Video/Overlay",
      "Draws the RanetClassificationMeta of each frame on the video: label, "
      "confidence, exit taken and statistics, or the boxes of its regions",
      "ranet-gst");
}
