/**
 * SECTION:element-ranetoverlay
 * @title: ranetoverlay
 *
 * Draws the "RanetClassificationMeta" that ranetclassify attaches (see
 * ranet-classification-meta.h) on the video: the label and its confidence,
 * the exit taken as a bar of one cell per exit (those up to the exit taken
 * filled), a "forced" or "reused" mark, and with show-stats the frame rate,
 * the mean exit over the last second, the operating point, the frame's
 * latency and the budget use (latency / budget) over the last second, mean
 * and max.
 *
 * Where ranetclassify classified the frame's regions of interest
 * (inference-region=roi-list) there is no frame-level class: each region's
 * box is drawn in its class's colour (a fixed palette indexed by class id)
 * with its label and confidence in a tag at its top-left corner; a region the
 * frame's budget skipped is drawn dashed and grey, tagged "skipped"; a
 * degenerate region (no pixels in the frame) is not drawn. show-regions turns
 * the boxes off; show-stats adds the corner box with the same statistics (the
 * mean exit over the classified regions) and the regions classified and
 * skipped.
 *
 * The box is drawn with Pango and Cairo into an ARGB image and handed on as a
 * GstVideoOverlayComposition: attached to the buffer as a
 * GstVideoOverlayCompositionMeta where downstream says it draws those (the
 * meta in its answer to the allocation query, or the
 * meta:GstVideoOverlayComposition caps feature), blended into the frame
 * otherwise. A buffer without the metadata passes untouched.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 videotestsrc num-buffers=100 ! ranetclassify ! ranetoverlay show-stats=true ! videoconvert ! autovideosink
 * ]|
 */
#include "gstranetoverlay.h"

#include "gstranetoverlay-properties.h"
#include "ranet-classification-meta.h"
#include "ranet-overlay-regions.h"
#include "ranet-overlay-render.h"
#include "ranet-overlay-stats.h"
#include "ranet-result.h"
#include "ranet-video-layout.h"

GST_DEBUG_CATEGORY_STATIC (gst_ranet_overlay_debug);
#define GST_CAT_DEFAULT gst_ranet_overlay_debug

#define OVERLAY_FEATURE GST_CAPS_FEATURE_META_GST_VIDEO_OVERLAY_COMPOSITION

struct _GstRanetOverlay {
  GstVideoFilter parent;

  /* properties; read and written under the object lock */
  gchar *font;
  RanetOverlayPosition position;
  guint32 text_color;
  guint32 background_color;
  gboolean show_label;
  gboolean show_exit_bar;
  gboolean show_stats;
  gboolean show_regions;

  /* the streaming thread's */
  gboolean ask_downstream;    /* caps changed: find out again whether to attach */
  gboolean attach;            /* downstream draws the composition itself */
  RanetOverlayStats stats;
  /* the last box drawn and what it was drawn from: consecutive frames with
   * the same result (most, at a steady exit) reuse it */
  gchar *drawn_key;
  GstVideoOverlayComposition *drawn;
};

G_DEFINE_TYPE (GstRanetOverlay, gst_ranet_overlay, GST_TYPE_VIDEO_FILTER);

/* ---- negotiation ---- */

/* Downstream may take the frames with the overlay caps feature: offered
 * after the plain caps, so that it is chosen only where downstream takes
 * nothing else. Upstream never sees it. */
static GstCaps *
gst_ranet_overlay_transform_caps (GstBaseTransform * trans, GstPadDirection direction,
    GstCaps * caps, GstCaps * filter)
{
  GstCaps *result;

  if (gst_caps_is_any (caps))
    return filter != NULL ? gst_caps_ref (filter) : gst_caps_ref (caps);
  result = gst_caps_new_empty ();
  for (guint i = 0; i < gst_caps_get_size (caps); i++) {
    GstStructure *s = gst_caps_get_structure (caps, i);
    GstCapsFeatures *f = gst_caps_get_features (caps, i);
    GstCapsFeatures *plain = gst_caps_features_copy (f);

    if (!gst_caps_features_is_any (plain))
      gst_caps_features_remove (plain, OVERLAY_FEATURE);
    if (direction == GST_PAD_SINK && !gst_caps_features_is_any (plain)) {
      GstCapsFeatures *with = gst_caps_features_copy (plain);

      gst_caps_features_add (with, OVERLAY_FEATURE);
      result = gst_caps_merge_structure_full (result, gst_structure_copy (s), plain);
      result = gst_caps_merge_structure_full (result, gst_structure_copy (s), with);
    } else {
      result = gst_caps_merge_structure_full (result, gst_structure_copy (s), plain);
    }
  }
  if (filter != NULL) {
    GstCaps *both = gst_caps_intersect_full (filter, result, GST_CAPS_INTERSECT_FIRST);

    gst_caps_unref (result);
    result = both;
  }
  GST_DEBUG_OBJECT (trans, "%s caps %" GST_PTR_FORMAT " -> %" GST_PTR_FORMAT,
      direction == GST_PAD_SINK ? "sink" : "src", caps, result);
  return result;
}

static gboolean
gst_ranet_overlay_set_info (GstVideoFilter * filter, GstCaps * incaps,
    GstVideoInfo * in_info, GstCaps * outcaps, GstVideoInfo * out_info)
{
  GstRanetOverlay *self = GST_RANET_OVERLAY (filter);

  self->ask_downstream = TRUE;
  g_clear_pointer (&self->drawn, gst_video_overlay_composition_unref);
  g_clear_pointer (&self->drawn_key, g_free);
  return TRUE;
}

/* Whether downstream draws the composition: the caps feature negotiated, or
 * the meta in its answer to an allocation query. Asked from the streaming
 * thread at the first frame after new caps, once downstream has them. */
static gboolean
downstream_draws_composition (GstRanetOverlay *self)
{
  GstPad *srcpad = GST_BASE_TRANSFORM_SRC_PAD (self);
  g_autoptr (GstCaps) caps = gst_pad_get_current_caps (srcpad);
  GstCapsFeatures *features;
  GstQuery *query;
  gboolean draws = FALSE;

  if (caps == NULL || gst_caps_is_empty (caps))
    return FALSE;
  features = gst_caps_get_features (caps, 0);
  if (features != NULL && gst_caps_features_contains (features, OVERLAY_FEATURE))
    return TRUE;
  query = gst_query_new_allocation (caps, FALSE);
  if (gst_pad_peer_query (srcpad, query))
    draws = gst_query_find_allocation_meta (query,
        GST_VIDEO_OVERLAY_COMPOSITION_META_API_TYPE, NULL);
  gst_query_unref (query);
  return draws;
}

/* ---- the box ---- */

/* The box's lines for @c, in what the properties show; "" for none. */
static gchar *
box_text (GstRanetOverlay *self, const RanetClassification *c,
    const RanetOverlayFrame *frame, gboolean show_label, gboolean show_stats)
{
  GString *text = g_string_new (NULL);

  if (show_label) {
    g_string_append_printf (text, "%s %.0f%%", c->label, c->confidence * 100.0);
    if (c->forced)
      g_string_append (text, " forced");
    if (c->reused)
      g_string_append (text, " reused");
  }
  if (show_stats) {
    g_autofree gchar *stats = ranet_overlay_stats_text (&self->stats, frame);

    g_string_append_printf (text, "%s%s", text->len > 0 ? "\n" : "", stats);
  }
  return g_string_free (text, FALSE);
}

/* The composition to put on a frame with result @c; %NULL for nothing. */
static GstVideoOverlayComposition *
composition_for (GstRanetOverlay *self, const RanetClassification *c,
    const RanetOverlayFrame *frame)
{
  GstVideoInfo *info = &GST_VIDEO_FILTER (self)->out_info;
  RanetOverlayBox box;
  g_autofree gchar *font = NULL;
  g_autofree gchar *text = NULL;
  g_autofree gchar *key = NULL;
  gboolean show_label, show_exit_bar, show_stats;
  GstVideoOverlayRectangle *rect;

  GST_OBJECT_LOCK (self);
  font = g_strdup (self->font);
  box.text_argb = self->text_color;
  box.background_argb = self->background_color;
  box.position = self->position;
  show_label = self->show_label;
  show_exit_bar = self->show_exit_bar;
  show_stats = self->show_stats;
  GST_OBJECT_UNLOCK (self);

  text = box_text (self, c, frame, show_label, show_stats);
  box.font = font;
  box.text = text;
  box.n_cells = show_exit_bar && c->num_exits > 0 ? (guint) c->num_exits : 0;
  box.filled_cells = CLAMP (c->exit_index + 1, 0, (gint) box.n_cells);

  key = g_strdup_printf ("%s|%08x|%08x|%d|%u|%u|%dx%d|%s", font, box.text_argb,
      box.background_argb, box.position, box.n_cells, box.filled_cells,
      GST_VIDEO_INFO_WIDTH (info), GST_VIDEO_INFO_HEIGHT (info), text);
  if (self->drawn_key != NULL && g_str_equal (key, self->drawn_key))
    return self->drawn != NULL ? gst_video_overlay_composition_ref (self->drawn) : NULL;

  g_clear_pointer (&self->drawn, gst_video_overlay_composition_unref);
  g_free (self->drawn_key);
  self->drawn_key = g_steal_pointer (&key);
  rect = ranet_overlay_render (&box, GST_VIDEO_INFO_WIDTH (info),
      GST_VIDEO_INFO_HEIGHT (info));
  if (rect == NULL)
    return NULL;
  self->drawn = gst_video_overlay_composition_new (rect);
  gst_video_overlay_rectangle_unref (rect);
  return gst_video_overlay_composition_ref (self->drawn);
}

/* ---- a frame's regions ---- */

/* The regions to draw, their tags' texts kept in @texts; appends to @key
 * what they were drawn from. */
static GArray *
regions_to_draw (const GstStructure *s, gboolean show_label, GPtrArray *texts, GString *key)
{
  GArray *regions = g_array_new (FALSE, FALSE, sizeof (RanetOverlayRegion));
  guint n = ranet_classification_get_n_objects (s);

  for (guint i = 0; i < n; i++) {
    RanetRegionClassification r;
    RanetOverlayRegion region;
    gchar *text = NULL;

    if (!ranet_classification_read_object (s, i, &r) || r.degenerate)
      continue;
    if (show_label)
      text = r.skipped ? g_strdup ("skipped")
          : g_strdup_printf ("%s %.0f%%", r.label, r.confidence * 100.0);
    region = (RanetOverlayRegion) {
      .x = r.x, .y = r.y, .width = r.width, .height = r.height,
      .argb = r.skipped ? RANET_OVERLAY_SKIPPED_ARGB : ranet_overlay_class_argb (r.class_id),
      .dashed = r.skipped, .text = text,
    };
    g_ptr_array_add (texts, text);
    g_array_append_val (regions, region);
    g_string_append_printf (key, "|%u,%u,%u,%u,%08x,%d,%s", region.x, region.y,
        region.width, region.height, region.argb, region.dashed, text != NULL ? text : "");
  }
  return regions;
}

/* The composition for a roi-list result @s: a rectangle per region drawn,
 * and the statistics box; %NULL for nothing. */
static GstVideoOverlayComposition *
composition_for_regions (GstRanetOverlay *self, const GstStructure *s,
    const RanetOverlayFrame *frame)
{
  GstVideoInfo *info = &GST_VIDEO_FILTER (self)->out_info;
  gint width = GST_VIDEO_INFO_WIDTH (info), height = GST_VIDEO_INFO_HEIGHT (info);
  g_autofree gchar *font = NULL;
  g_autofree gchar *stats = NULL;
  g_autoptr (GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GArray) regions = NULL;
  g_autoptr (GString) key = g_string_new ("regions");
  RanetOverlayBox box = { 0 };
  gboolean show_label, show_stats, show_regions;
  GstVideoOverlayComposition *comp = NULL;

  GST_OBJECT_LOCK (self);
  font = g_strdup (self->font);
  box.text_argb = self->text_color;
  box.background_argb = self->background_color;
  box.position = self->position;
  show_label = self->show_label;
  show_stats = self->show_stats;
  show_regions = self->show_regions;
  GST_OBJECT_UNLOCK (self);

  if (show_stats && frame->roi_list)
    stats = ranet_overlay_stats_text (&self->stats, frame);
  regions = show_regions ? regions_to_draw (s, show_label, texts, key)
      : g_array_new (FALSE, FALSE, sizeof (RanetOverlayRegion));
  g_string_append_printf (key, "|%s|%08x|%08x|%d|%dx%d|%s", font, box.text_argb,
      box.background_argb, box.position, width, height, stats != NULL ? stats : "");
  if (self->drawn_key != NULL && g_str_equal (key->str, self->drawn_key))
    return self->drawn != NULL ? gst_video_overlay_composition_ref (self->drawn) : NULL;

  for (guint i = 0; i < regions->len; i++) {
    GstVideoOverlayRectangle *rect = ranet_overlay_render_region (
        &g_array_index (regions, RanetOverlayRegion, i), font, width, height);

    if (rect == NULL)
      continue;
    if (comp == NULL)
      comp = gst_video_overlay_composition_new (rect);
    else
      gst_video_overlay_composition_add_rectangle (comp, rect);
    gst_video_overlay_rectangle_unref (rect);
  }
  if (stats != NULL) {
    GstVideoOverlayRectangle *rect;

    box.font = font;
    box.text = stats;
    if ((rect = ranet_overlay_render (&box, width, height)) != NULL) {
      if (comp == NULL)
        comp = gst_video_overlay_composition_new (rect);
      else
        gst_video_overlay_composition_add_rectangle (comp, rect);
      gst_video_overlay_rectangle_unref (rect);
    }
  }
  g_clear_pointer (&self->drawn, gst_video_overlay_composition_unref);
  g_free (self->drawn_key);
  self->drawn_key = g_string_free (g_steal_pointer (&key), FALSE);
  self->drawn = comp;
  return comp != NULL ? gst_video_overlay_composition_ref (comp) : NULL;
}

/* What the frame's result brings to the statistics: @c where it is a
 * full-frame one, else @s where that is a complete roi-list one, else
 * nothing but the frame itself. */
static void
stats_frame_for (const GstStructure *s, const RanetClassification *c,
    RanetOverlayFrame *frame)
{
  RanetRegionTotals totals;
  guint n;

  *frame = (RanetOverlayFrame) { .operating_point = -1 };
  if (c != NULL) {
    frame->exit_sum = (guint) MAX (c->exit_index, 0);
    frame->n_results = 1;
    frame->num_exits = c->num_exits;
    frame->operating_point = c->operating_point;
    frame->latency_ns = c->latency_ns;
    frame->budget_ns = c->budget_ns;
    frame->inferred = !c->reused;
    return;
  }
  if (s == NULL || !ranet_classification_read_totals (s, &totals))
    return;
  frame->roi_list = TRUE;
  frame->operating_point = totals.operating_point;
  frame->latency_ns = totals.latency_ns;
  frame->budget_ns = totals.budget_ns;
  /* a frame without a region to classify ran nothing under its budget */
  frame->inferred = totals.regions > totals.degenerate;
  frame->regions = totals.regions;
  frame->classified = totals.classified;
  frame->skipped = totals.skipped;
  n = ranet_classification_get_n_objects (s);
  for (guint i = 0; i < n; i++) {
    RanetRegionClassification r;

    if (!ranet_classification_read_object (s, i, &r) || r.exit_index < 0)
      continue;
    frame->exit_sum += (guint) r.exit_index;
    frame->n_results++;
    frame->num_exits = r.num_exits;
  }
}

/* Hands @comp to downstream on @buf: added to a composition already there
 * (an overlay upstream that also attaches), else as a new meta. */
static void
attach_composition (GstBuffer *buf, GstVideoOverlayComposition *comp)
{
  GstVideoOverlayCompositionMeta *meta = gst_buffer_get_video_overlay_composition_meta (buf);
  GstVideoOverlayComposition *merged;

  if (meta == NULL) {
    gst_buffer_add_video_overlay_composition_meta (buf, comp);
    return;
  }
  /* the rectangles themselves are shared, not copied: a composition only
   * lists them, and copying would duplicate their pixels */
  merged = gst_video_overlay_composition_new (NULL);
  for (guint i = 0; i < gst_video_overlay_composition_n_rectangles (meta->overlay); i++)
    gst_video_overlay_composition_add_rectangle (merged,
        gst_video_overlay_composition_get_rectangle (meta->overlay, i));
  for (guint i = 0; i < gst_video_overlay_composition_n_rectangles (comp); i++)
    gst_video_overlay_composition_add_rectangle (merged,
        gst_video_overlay_composition_get_rectangle (comp, i));
  gst_video_overlay_composition_unref (meta->overlay);
  meta->overlay = merged;
}

/* GstVideoFilter's transform_ip would map every frame writable; only a frame
 * the box is blended into needs that, so the frame is mapped here. */
static GstFlowReturn
gst_ranet_overlay_transform_ip (GstBaseTransform * trans, GstBuffer * buf)
{
  GstRanetOverlay *self = GST_RANET_OVERLAY (trans);
  GstVideoFilter *filter = GST_VIDEO_FILTER (trans);
  const GstStructure *s = ranet_classification_meta_get_structure (buf);
  gboolean regions = s != NULL && ranet_classification_is_roi_list (s);
  RanetClassification c;
  gboolean has_result = !regions && s != NULL && ranet_classification_read_structure (s, &c);
  RanetOverlayFrame stats_frame;
  GstVideoOverlayComposition *comp;
  GstVideoFrame frame;

  if (!filter->negotiated)
    return GST_FLOW_NOT_NEGOTIATED;
  /* every frame counts in the frame rate; a frame of regions has no exit of
   * its own: its classified regions' exits count in the mean exit */
  stats_frame_for (s, has_result ? &c : NULL, &stats_frame);
  ranet_overlay_stats_add (&self->stats, g_get_monotonic_time (), &stats_frame);
  if (!has_result && !regions)
    return GST_FLOW_OK;

  if (self->ask_downstream) {
    self->attach = downstream_draws_composition (self);
    self->ask_downstream = FALSE;
    GST_DEBUG_OBJECT (self, "downstream %s the composition",
        self->attach ? "draws" : "does not draw: blending");
  }

  comp = regions ? composition_for_regions (self, s, &stats_frame)
      : composition_for (self, &c, &stats_frame);
  if (comp == NULL)
    return GST_FLOW_OK;
  if (self->attach) {
    attach_composition (buf, comp);
  } else if (gst_video_frame_map (&frame, &filter->out_info, buf, GST_MAP_READWRITE)) {
    if (!gst_video_overlay_composition_blend (comp, &frame))
      GST_WARNING_OBJECT (self, "could not blend into a %s frame",
          GST_VIDEO_INFO_NAME (&filter->out_info));
    gst_video_frame_unmap (&frame);
  } else {
    gst_video_overlay_composition_unref (comp);
    GST_ELEMENT_ERROR (self, STREAM, FAILED, ("Could not map a video frame"),
        ("the buffer is smaller than the negotiated caps say"));
    return GST_FLOW_ERROR;
  }
  gst_video_overlay_composition_unref (comp);
  return GST_FLOW_OK;
}

static gboolean
gst_ranet_overlay_start (GstBaseTransform * trans)
{
  GstRanetOverlay *self = GST_RANET_OVERLAY (trans);

  ranet_overlay_stats_reset (&self->stats);
  self->ask_downstream = TRUE;
  return TRUE;
}

static gboolean
gst_ranet_overlay_stop (GstBaseTransform * trans)
{
  GstRanetOverlay *self = GST_RANET_OVERLAY (trans);

  g_clear_pointer (&self->drawn, gst_video_overlay_composition_unref);
  g_clear_pointer (&self->drawn_key, g_free);
  return TRUE;
}

/* ---- properties ---- */

static void
gst_ranet_overlay_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstRanetOverlay *self = GST_RANET_OVERLAY (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_FONT:
      g_free (self->font);
      self->font = g_value_dup_string (value);
      if (self->font == NULL)
        self->font = g_strdup (DEFAULT_FONT);
      break;
    case PROP_POSITION:
      self->position = g_value_get_enum (value);
      break;
    case PROP_TEXT_COLOR:
      self->text_color = g_value_get_uint (value);
      break;
    case PROP_BACKGROUND_COLOR:
      self->background_color = g_value_get_uint (value);
      break;
    case PROP_SHOW_LABEL:
      self->show_label = g_value_get_boolean (value);
      break;
    case PROP_SHOW_EXIT_BAR:
      self->show_exit_bar = g_value_get_boolean (value);
      break;
    case PROP_SHOW_STATS:
      self->show_stats = g_value_get_boolean (value);
      break;
    case PROP_SHOW_REGIONS:
      self->show_regions = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_ranet_overlay_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstRanetOverlay *self = GST_RANET_OVERLAY (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_FONT:
      g_value_set_string (value, self->font);
      break;
    case PROP_POSITION:
      g_value_set_enum (value, self->position);
      break;
    case PROP_TEXT_COLOR:
      g_value_set_uint (value, self->text_color);
      break;
    case PROP_BACKGROUND_COLOR:
      g_value_set_uint (value, self->background_color);
      break;
    case PROP_SHOW_LABEL:
      g_value_set_boolean (value, self->show_label);
      break;
    case PROP_SHOW_EXIT_BAR:
      g_value_set_boolean (value, self->show_exit_bar);
      break;
    case PROP_SHOW_STATS:
      g_value_set_boolean (value, self->show_stats);
      break;
    case PROP_SHOW_REGIONS:
      g_value_set_boolean (value, self->show_regions);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_ranet_overlay_finalize (GObject * object)
{
  GstRanetOverlay *self = GST_RANET_OVERLAY (object);

  g_free (self->font);
  g_clear_pointer (&self->drawn, gst_video_overlay_composition_unref);
  g_free (self->drawn_key);
  G_OBJECT_CLASS (gst_ranet_overlay_parent_class)->finalize (object);
}

static void
gst_ranet_overlay_class_init (GstRanetOverlayClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstVideoFilterClass *filter_class = GST_VIDEO_FILTER_CLASS (klass);
  GstCaps *caps, *src_caps;

  gobject_class->set_property = gst_ranet_overlay_set_property;
  gobject_class->get_property = gst_ranet_overlay_get_property;
  gobject_class->finalize = gst_ranet_overlay_finalize;
  gst_ranet_overlay_install_properties (gobject_class);

  gst_ranet_overlay_set_metadata (element_class);

  /* ranetclassify's formats (ranet-pixel-formats.def); every one of them
   * blends (GStreamer's blending unpacks any of them to AYUV or ARGB) */
  caps = ranet_video_layout_new_caps ();
  src_caps = gst_caps_copy (caps);
  {
    GstCaps *with = gst_caps_copy (caps);

    gst_caps_set_features_simple (with,
        gst_caps_features_new (GST_CAPS_FEATURE_MEMORY_SYSTEM_MEMORY, OVERLAY_FEATURE, NULL));
    gst_caps_append (src_caps, with);
  }
  gst_element_class_add_pad_template (element_class,
      gst_pad_template_new ("sink", GST_PAD_SINK, GST_PAD_ALWAYS, caps));
  gst_element_class_add_pad_template (element_class,
      gst_pad_template_new ("src", GST_PAD_SRC, GST_PAD_ALWAYS, src_caps));
  gst_caps_unref (caps);
  gst_caps_unref (src_caps);

  trans_class->start = GST_DEBUG_FUNCPTR (gst_ranet_overlay_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_ranet_overlay_stop);
  trans_class->transform_caps = GST_DEBUG_FUNCPTR (gst_ranet_overlay_transform_caps);
  trans_class->transform_ip = GST_DEBUG_FUNCPTR (gst_ranet_overlay_transform_ip);
  filter_class->set_info = GST_DEBUG_FUNCPTR (gst_ranet_overlay_set_info);

  gst_type_mark_as_plugin_api (GST_TYPE_RANET_OVERLAY_POSITION, 0);
  GST_DEBUG_CATEGORY_INIT (gst_ranet_overlay_debug, "ranetoverlay", 0,
      "RANet result overlay");
}

static void
gst_ranet_overlay_init (GstRanetOverlay * self)
{
  self->font = g_strdup (DEFAULT_FONT);
  self->position = DEFAULT_POSITION;
  self->text_color = DEFAULT_TEXT_COLOR;
  self->background_color = DEFAULT_BACKGROUND_COLOR;
  self->show_label = DEFAULT_SHOW_LABEL;
  self->show_exit_bar = DEFAULT_SHOW_EXIT_BAR;
  self->show_stats = DEFAULT_SHOW_STATS;
  self->show_regions = DEFAULT_SHOW_REGIONS;
  /* an overlay drops no frame: lateness is for the sink to judge */
  gst_base_transform_set_qos_enabled (GST_BASE_TRANSFORM (self), FALSE);
  /* frames are written where they are, or only their metadata is */
  gst_base_transform_set_in_place (GST_BASE_TRANSFORM (self), TRUE);
}

/* the metadata's registration comes with the element's too: an application
 * may attach results itself before any ranetclassify exists */
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (ranetoverlay, "ranetoverlay",
    GST_RANK_NONE, GST_TYPE_RANET_OVERLAY, ranet_classification_meta_register ());
