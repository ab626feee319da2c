/**
 * SECTION:element-ranetregionsrc
 * @title: ranetregionsrc
 *
 * Frames of Fashion-MNIST test images at random places on a textured
 * background, each image's box described by a #GstVideoRegionOfInterestMeta
 * as a detector upstream of `ranetclassify inference-region=roi-list` would
 * write it, with the image's true label: a source whose answers are known.
 *
 * Each frame holds up to #GstRanetRegionSrc:regions images, taken in the
 * order of the files from #GstRanetRegionSrc:start-index on, in square boxes
 * of sides between #GstRanetRegionSrc:min-size and #GstRanetRegionSrc:max-size
 * that lie inside the frame and overlap no other box. Images are scaled to
 * their box by nearest neighbour, so a box of the images' own side (28, the
 * default) holds their exact bytes. Each image's ROI has the type `garment`
 * and one parameter structure, `ground-truth`, with `label_id` (int),
 * `label` (string: the class name) and `index` (int: the image's place in
 * the files). #GstRanetRegionSrc:decoys more boxes on the background have the
 * type `decoy` and no parameters. After the last image the stream ends, its
 * last frame holding what was left: playing from index 0 shows every image
 * exactly once.
 *
 * Sizes and places, the background's stripes and noise all follow from
 * #GstRanetRegionSrc:seed and the frame's number: the same properties give
 * the same frames. Grey goes to R = G = B, or to Y with neutral chroma.
 * Where a frame cannot hold the boxes asked for, it holds fewer and a
 * warning is logged once.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 ranetregionsrc ! ranetclassify inference-region=roi-list object-class=garment ! ranetjson ! fakesink
 * ]| classifies the garments of the whole test set, results as JSON lines;
 * |[
 * gst-launch-1.0 ranetregionsrc is-live=true max-size=56 ! videoconvert ! autovideosink
 * ]| shows the frames.
 */
#include "gstranetregionsrc.h"

#include <gst/video/video.h>

#include "garment-set.h"
#include "region-canvas.h"
#include "region-frame.h"
#include "region-layout.h"

GST_DEBUG_CATEGORY_STATIC (gst_ranet_region_src_debug);
#define GST_CAT_DEFAULT gst_ranet_region_src_debug

#define DEFAULT_REGIONS 24
#define DEFAULT_SIZE 28
#define DEFAULT_DECOYS 4
#define DEFAULT_SEED 0
#define DEFAULT_START_INDEX 0
#define DEFAULT_IS_LIVE FALSE
#define DEFAULT_WIDTH 640
#define DEFAULT_HEIGHT 480
#define DEFAULT_FPS_N 30
#define DEFAULT_FPS_D 1

/* Far beyond what a frame of any size usefully holds; a bound that keeps a
 * typing mistake from costing minutes of placement per frame. */
#define MAX_BOXES 4096
#define MAX_SIDE 8192

#define GARMENT_ROI_TYPE "garment"
#define DECOY_ROI_TYPE "decoy"
#define GROUND_TRUTH_NAME "ground-truth"

enum {
  PROP_0,
  PROP_IMAGES_LOCATION,
  PROP_LABELS_LOCATION,
  PROP_REGIONS,
  PROP_MIN_SIZE,
  PROP_MAX_SIZE,
  PROP_DECOYS,
  PROP_SEED,
  PROP_START_INDEX,
  PROP_IS_LIVE,
};

/* What the properties say, copied at start so that a stream never sees them
 * half changed. */
typedef struct {
  gchar *images_location;
  gchar *labels_location;
  guint regions;
  guint min_size;
  guint max_size;
  guint decoys;
  guint seed;
  guint start_index;
} RegionSrcSettings;

struct _GstRanetRegionSrc {
  GstPushSrc parent;

  /* properties; read and written under the object lock */
  RegionSrcSettings props;

  /* the streaming thread's, from start() to stop() */
  RegionSrcSettings settings;
  GarmentSet *set;
  guint next_image;           /* the first image the next frame shows */
  guint64 n_frames;           /* frames made since start */
  GstVideoInfo info;          /* from the caps; width 0 before them */
  guint8 *canvas;             /* info's width * height grey bytes */
  GArray *boxes;              /* RegionBox: this frame's garments, then decoys */
  gboolean warned_crowded;
};

G_DEFINE_TYPE (GstRanetRegionSrc, gst_ranet_region_src, GST_TYPE_PUSH_SRC);

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("video/x-raw, format = (string) " REGION_FRAME_FORMATS ", "
        "width = (int) [ 1, 32767 ], height = (int) [ 1, 32767 ], "
        "framerate = (fraction) [ 1/1, 2147483647/1 ]"));

static void
settings_clear (RegionSrcSettings *s)
{
  g_clear_pointer (&s->images_location, g_free);
  g_clear_pointer (&s->labels_location, g_free);
}

static void
settings_copy (RegionSrcSettings *dst, const RegionSrcSettings *src)
{
  settings_clear (dst);
  *dst = *src;
  dst->images_location = g_strdup (src->images_location);
  dst->labels_location = g_strdup (src->labels_location);
}

/* ---- the data set ---- */

/* One file, or an element error that names it (and the package that
 * installs the default one). */
static IdxFile *
load_file (GstRanetRegionSrc *self, const gchar *what, const gchar *path, guint n_dims)
{
  g_autoptr (GError) error = NULL;
  IdxFile *f;

  if (path == NULL || *path == '\0') {
    GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND,
        ("No Fashion-MNIST %s file set.", what),
        ("the %s-location property is empty", what));
    return NULL;
  }
  if (!g_file_test (path, G_FILE_TEST_EXISTS)) {
    GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND,
        ("Fashion-MNIST %s file \"%s\" not found: install the Debian package %s, "
            "or set %s-location.", what, path, GARMENT_SET_PACKAGE, what),
        ("no file at %s", path));
    return NULL;
  }
  f = idx_file_load (path, n_dims, &error);
  if (f == NULL)
    GST_ELEMENT_ERROR (self, RESOURCE, READ,
        ("Could not read the Fashion-MNIST %s file \"%s\".", what, path),
        ("%s", error->message));
  return f;
}

static gboolean
gst_ranet_region_src_start (GstBaseSrc * src)
{
  GstRanetRegionSrc *self = GST_RANET_REGION_SRC (src);
  RegionSrcSettings *s = &self->settings;
  g_autoptr (GError) error = NULL;
  IdxFile *images, *labels;

  GST_OBJECT_LOCK (self);
  settings_copy (s, &self->props);
  GST_OBJECT_UNLOCK (self);

  if (s->min_size > s->max_size) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("min-size (%u) is larger than max-size (%u).", s->min_size, s->max_size),
        (NULL));
    return FALSE;
  }

  images = load_file (self, "images", s->images_location, 3);
  if (images == NULL)
    return FALSE;
  labels = load_file (self, "labels", s->labels_location, 1);
  if (labels == NULL) {
    idx_file_free (images);
    return FALSE;
  }
  self->set = garment_set_new (images, labels, &error);
  if (self->set == NULL) {
    GST_ELEMENT_ERROR (self, RESOURCE, READ,
        ("The Fashion-MNIST files \"%s\" and \"%s\" do not make one set.",
            s->images_location, s->labels_location), ("%s", error->message));
    return FALSE;
  }
  if (s->start_index >= self->set->n_images) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("start-index %u is past the last image (the set has %u).",
            s->start_index, self->set->n_images), (NULL));
    g_clear_pointer (&self->set, garment_set_free);
    return FALSE;
  }

  self->next_image = s->start_index;
  self->n_frames = 0;
  self->warned_crowded = FALSE;
  gst_video_info_init (&self->info);
  GST_DEBUG_OBJECT (self, "%u images of %ux%u from %s, starting at %u",
      self->set->n_images, self->set->image_width, self->set->image_height,
      s->images_location, s->start_index);
  return TRUE;
}

static gboolean
gst_ranet_region_src_stop (GstBaseSrc * src)
{
  GstRanetRegionSrc *self = GST_RANET_REGION_SRC (src);

  g_clear_pointer (&self->set, garment_set_free);
  g_clear_pointer (&self->canvas, g_free);
  settings_clear (&self->settings);
  gst_video_info_init (&self->info);
  return TRUE;
}

/* ---- caps ---- */

static GstCaps *
gst_ranet_region_src_fixate (GstBaseSrc * src, GstCaps * caps)
{
  GstStructure *s;

  caps = gst_caps_make_writable (caps);
  s = gst_caps_get_structure (caps, 0);
  gst_structure_fixate_field_nearest_int (s, "width", DEFAULT_WIDTH);
  gst_structure_fixate_field_nearest_int (s, "height", DEFAULT_HEIGHT);
  gst_structure_fixate_field_nearest_fraction (s, "framerate", DEFAULT_FPS_N, DEFAULT_FPS_D);
  return GST_BASE_SRC_CLASS (gst_ranet_region_src_parent_class)->fixate (src, caps);
}

static gboolean
gst_ranet_region_src_set_caps (GstBaseSrc * src, GstCaps * caps)
{
  GstRanetRegionSrc *self = GST_RANET_REGION_SRC (src);
  GstVideoInfo info;
  guint max_size = self->settings.max_size;

  if (!gst_video_info_from_caps (&info, caps)) {
    GST_ERROR_OBJECT (self, "caps %" GST_PTR_FORMAT " are not video", caps);
    return FALSE;
  }
  if (max_size > (guint) GST_VIDEO_INFO_WIDTH (&info)
      || max_size > (guint) GST_VIDEO_INFO_HEIGHT (&info)) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
        ("max-size %u does not fit in a %dx%d frame: lower max-size or ask for "
            "larger frames.", max_size, GST_VIDEO_INFO_WIDTH (&info),
            GST_VIDEO_INFO_HEIGHT (&info)), ("caps %" GST_PTR_FORMAT, caps));
    return FALSE;
  }
  self->info = info;
  g_free (self->canvas);
  self->canvas = g_malloc ((gsize) GST_VIDEO_INFO_WIDTH (&info) * GST_VIDEO_INFO_HEIGHT (&info));
  GST_DEBUG_OBJECT (self, "frames of %" GST_PTR_FORMAT, caps);
  return TRUE;
}

/* A video pool, so that frames carry their layout (GstVideoMeta) where
 * downstream reads it. */
static gboolean
gst_ranet_region_src_decide_allocation (GstBaseSrc * src, GstQuery * query)
{
  GstCaps *caps = NULL;
  GstVideoInfo info;
  GstBufferPool *pool;
  GstStructure *config;
  guint size, min = 0, max = 0;

  gst_query_parse_allocation (query, &caps, NULL);
  if (caps == NULL || !gst_video_info_from_caps (&info, caps))
    return FALSE;
  size = (guint) GST_VIDEO_INFO_SIZE (&info);
  if (gst_query_get_n_allocation_pools (query) > 0)
    gst_query_parse_nth_allocation_pool (query, 0, NULL, NULL, &min, &max);

  pool = gst_video_buffer_pool_new ();
  config = gst_buffer_pool_get_config (pool);
  gst_buffer_pool_config_set_params (config, caps, size, min, max);
  if (gst_query_find_allocation_meta (query, GST_VIDEO_META_API_TYPE, NULL))
    gst_buffer_pool_config_add_option (config, GST_BUFFER_POOL_OPTION_VIDEO_META);
  if (!gst_buffer_pool_set_config (pool, config)) {
    GST_ERROR_OBJECT (src, "the video pool refused its configuration");
    gst_object_unref (pool);
    return FALSE;
  }
  if (gst_query_get_n_allocation_pools (query) > 0)
    gst_query_set_nth_allocation_pool (query, 0, pool, size, min, max);
  else
    gst_query_add_allocation_pool (query, pool, size, min, max);
  gst_object_unref (pool);
  return GST_BASE_SRC_CLASS (gst_ranet_region_src_parent_class)->decide_allocation (src, query);
}

/* ---- frames ---- */

static GstClockTime
frame_time (const GstVideoInfo *info, guint64 frame)
{
  return gst_util_uint64_scale (frame, GST_SECOND * (guint64) GST_VIDEO_INFO_FPS_D (info),
      (guint64) GST_VIDEO_INFO_FPS_N (info));
}

/* Live, a frame goes out at its time; otherwise as fast as downstream takes
 * it. */
static void
gst_ranet_region_src_get_times (GstBaseSrc * src, GstBuffer * buffer,
    GstClockTime * start, GstClockTime * end)
{
  *start = GST_CLOCK_TIME_NONE;
  *end = GST_CLOCK_TIME_NONE;
  if (gst_base_src_is_live (src) && GST_BUFFER_PTS_IS_VALID (buffer)) {
    *start = GST_BUFFER_PTS (buffer);
    if (GST_BUFFER_DURATION_IS_VALID (buffer))
      *end = *start + GST_BUFFER_DURATION (buffer);
  }
}

static gboolean
gst_ranet_region_src_query (GstBaseSrc * src, GstQuery * query)
{
  GstRanetRegionSrc *self = GST_RANET_REGION_SRC (src);

  /* live, a frame exists one frame time after its start */
  if (GST_QUERY_TYPE (query) == GST_QUERY_LATENCY
      && GST_VIDEO_INFO_FPS_N (&self->info) > 0) {
    GstClockTime latency = frame_time (&self->info, 1);

    gst_query_set_latency (query, gst_base_src_is_live (src), latency, latency);
    return TRUE;
  }
  return GST_BASE_SRC_CLASS (gst_ranet_region_src_parent_class)->query (src, query);
}

/* The ROIs of the frame's boxes: @n_garments images from @first, then the
 * decoys. */
static void
attach_regions (GstRanetRegionSrc *self, GstBuffer *buf, guint first, guint n_garments)
{
  for (guint i = 0; i < self->boxes->len; i++) {
    const RegionBox *box = &g_array_index (self->boxes, RegionBox, i);
    gboolean garment = i < n_garments;
    GstVideoRegionOfInterestMeta *meta = gst_buffer_add_video_region_of_interest_meta (buf,
        garment ? GARMENT_ROI_TYPE : DECOY_ROI_TYPE, box->x, box->y, box->side, box->side);

    meta->id = (gint) i;
    if (garment) {
      guint index = first + i;
      guint label = garment_set_label (self->set, index);

      gst_video_region_of_interest_meta_add_param (meta,
          gst_structure_new (GROUND_TRUTH_NAME,
              "label_id", G_TYPE_INT, (gint) label,
              "label", G_TYPE_STRING, garment_set_class_name (label),
              "index", G_TYPE_INT, (gint) index, NULL));
    }
  }
}

static GstFlowReturn
gst_ranet_region_src_fill (GstPushSrc * psrc, GstBuffer * buf)
{
  GstRanetRegionSrc *self = GST_RANET_REGION_SRC (psrc);
  const RegionSrcSettings *s = &self->settings;
  const GarmentSet *set = self->set;
  guint width = (guint) GST_VIDEO_INFO_WIDTH (&self->info);
  guint height = (guint) GST_VIDEO_INFO_HEIGHT (&self->info);
  guint32 words[3] = { s->seed, (guint32) self->n_frames, (guint32) (self->n_frames >> 32) };
  g_autoptr (GRand) rand = NULL;
  guint wanted, garments, decoys, first = self->next_image;
  GstVideoFrame frame;

  if (self->canvas == NULL) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, (NULL), ("a frame asked for before caps"));
    return GST_FLOW_NOT_NEGOTIATED;
  }
  if (first >= set->n_images) {
    GST_DEBUG_OBJECT (self, "every image from %u to %u shown", s->start_index, set->n_images - 1);
    return GST_FLOW_EOS;
  }

  /* garments first: decoys take what room is left */
  rand = g_rand_new_with_seed_array (words, G_N_ELEMENTS (words));
  g_array_set_size (self->boxes, 0);
  wanted = MIN (s->regions, set->n_images - first);
  garments = region_layout_place (rand, width, height, s->min_size, s->max_size, wanted,
      self->boxes);
  decoys = region_layout_place (rand, width, height, s->min_size, s->max_size, s->decoys,
      self->boxes);
  if ((garments < wanted || decoys < s->decoys) && !self->warned_crowded) {
    GST_WARNING_OBJECT (self, "a %ux%u frame holds only %u of %u images and %u of %u "
        "decoys of sides %u to %u: frames hold fewer (this is said once)", width, height,
        garments, wanted, decoys, s->decoys, s->min_size, s->max_size);
    self->warned_crowded = TRUE;
  }

  region_canvas_paint_background (self->canvas, width, height, s->seed, self->n_frames);
  for (guint i = 0; i < garments; i++)
    region_canvas_paint_image (self->canvas, width, &g_array_index (self->boxes, RegionBox, i),
        garment_set_image (set, first + i), set->image_width, set->image_height);

  if (!gst_video_frame_map (&frame, &self->info, buf, GST_MAP_WRITE)) {
    GST_ELEMENT_ERROR (self, RESOURCE, WRITE, (NULL), ("could not map a frame for writing"));
    return GST_FLOW_ERROR;
  }
  region_frame_write_grey (&frame, self->canvas);
  gst_video_frame_unmap (&frame);
  attach_regions (self, buf, first, garments);

  GST_BUFFER_PTS (buf) = frame_time (&self->info, self->n_frames);
  GST_BUFFER_DTS (buf) = GST_BUFFER_PTS (buf);
  GST_BUFFER_DURATION (buf) = frame_time (&self->info, self->n_frames + 1) - GST_BUFFER_PTS (buf);
  GST_BUFFER_OFFSET (buf) = self->n_frames;
  GST_BUFFER_OFFSET_END (buf) = self->n_frames + 1;

  GST_LOG_OBJECT (self, "frame %" G_GUINT64_FORMAT ": images %u to %u, %u decoys",
      self->n_frames, first, first + garments - 1, decoys);
  self->next_image = first + garments;
  self->n_frames++;
  return GST_FLOW_OK;
}

/* ---- properties ---- */

static void
gst_ranet_region_src_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstRanetRegionSrc *self = GST_RANET_REGION_SRC (object);
  RegionSrcSettings *p = &self->props;

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_IMAGES_LOCATION:
      g_free (p->images_location);
      p->images_location = g_value_dup_string (value);
      break;
    case PROP_LABELS_LOCATION:
      g_free (p->labels_location);
      p->labels_location = g_value_dup_string (value);
      break;
    case PROP_REGIONS:
      p->regions = g_value_get_uint (value);
      break;
    case PROP_MIN_SIZE:
      p->min_size = g_value_get_uint (value);
      break;
    case PROP_MAX_SIZE:
      p->max_size = g_value_get_uint (value);
      break;
    case PROP_DECOYS:
      p->decoys = g_value_get_uint (value);
      break;
    case PROP_SEED:
      p->seed = g_value_get_uint (value);
      break;
    case PROP_START_INDEX:
      p->start_index = g_value_get_uint (value);
      break;
    case PROP_IS_LIVE:
      /* the base class keeps it, under the same lock */
      GST_OBJECT_UNLOCK (self);
      gst_base_src_set_live (GST_BASE_SRC (self), g_value_get_boolean (value));
      return;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_ranet_region_src_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstRanetRegionSrc *self = GST_RANET_REGION_SRC (object);
  const RegionSrcSettings *p = &self->props;

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_IMAGES_LOCATION:
      g_value_set_string (value, p->images_location);
      break;
    case PROP_LABELS_LOCATION:
      g_value_set_string (value, p->labels_location);
      break;
    case PROP_REGIONS:
      g_value_set_uint (value, p->regions);
      break;
    case PROP_MIN_SIZE:
      g_value_set_uint (value, p->min_size);
      break;
    case PROP_MAX_SIZE:
      g_value_set_uint (value, p->max_size);
      break;
    case PROP_DECOYS:
      g_value_set_uint (value, p->decoys);
      break;
    case PROP_SEED:
      g_value_set_uint (value, p->seed);
      break;
    case PROP_START_INDEX:
      g_value_set_uint (value, p->start_index);
      break;
    case PROP_IS_LIVE:
      GST_OBJECT_UNLOCK (self);
      g_value_set_boolean (value, gst_base_src_is_live (GST_BASE_SRC (self)));
      return;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_ranet_region_src_finalize (GObject * object)
{
  GstRanetRegionSrc *self = GST_RANET_REGION_SRC (object);

  settings_clear (&self->props);
  settings_clear (&self->settings);
  g_clear_pointer (&self->set, garment_set_free);
  g_clear_pointer (&self->canvas, g_free);
  g_array_unref (self->boxes);
  G_OBJECT_CLASS (gst_ranet_region_src_parent_class)->finalize (object);
}

static void
gst_ranet_region_src_class_init (GstRanetRegionSrcClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseSrcClass *base_class = GST_BASE_SRC_CLASS (klass);
  GstPushSrcClass *push_class = GST_PUSH_SRC_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY;

  gobject_class->set_property = gst_ranet_region_src_set_property;
  gobject_class->get_property = gst_ranet_region_src_get_property;
  gobject_class->finalize = gst_ranet_region_src_finalize;

  /**
   * GstRanetRegionSrc:images-location:
   *
   * The Fashion-MNIST images: an IDX file of unsigned bytes (count, rows,
   * columns), plain or gzip-compressed. Read when the element starts, as are
   * all the properties.
   */
  g_object_class_install_property (gobject_class, PROP_IMAGES_LOCATION,
      g_param_spec_string ("images-location", "Images file",
          "IDX file of the images, plain or gzip (default Debian's "
          "dataset-fashion-mnist test set, " GARMENT_SET_DEFAULT_IMAGES ")",
          GARMENT_SET_DEFAULT_IMAGES, rw));
  /**
   * GstRanetRegionSrc:labels-location:
   *
   * The images' labels: an IDX file of unsigned bytes, one per image, each a
   * Fashion-MNIST class (0 to 9).
   */
  g_object_class_install_property (gobject_class, PROP_LABELS_LOCATION,
      g_param_spec_string ("labels-location", "Labels file",
          "IDX file of the images' labels, plain or gzip (default "
          GARMENT_SET_DEFAULT_LABELS ")",
          GARMENT_SET_DEFAULT_LABELS, rw));
  /**
   * GstRanetRegionSrc:regions:
   *
   * Images per frame. A frame that cannot hold them all holds fewer; the
   * last frame holds what is left of the set.
   */
  g_object_class_install_property (gobject_class, PROP_REGIONS,
      g_param_spec_uint ("regions", "Regions",
          "Images (garment ROIs) per frame; fewer where they do not fit and in "
          "the last frame (default 24)",
          1, MAX_BOXES, DEFAULT_REGIONS, rw));
  /**
   * GstRanetRegionSrc:min-size:
   *
   * The smallest box side in pixels. Images are scaled to their box by
   * nearest neighbour; at the images' own side (28) they are copied as they
   * are.
   */
  g_object_class_install_property (gobject_class, PROP_MIN_SIZE,
      g_param_spec_uint ("min-size", "Minimum box side",
          "Smallest side of a box in pixels, at most max-size (default 28: "
          "Fashion-MNIST's own size, unscaled)",
          1, MAX_SIDE, DEFAULT_SIZE, rw));
  /**
   * GstRanetRegionSrc:max-size:
   *
   * The largest box side in pixels: each box's side is drawn between
   * #GstRanetRegionSrc:min-size and this. It must fit in the frame.
   */
  g_object_class_install_property (gobject_class, PROP_MAX_SIZE,
      g_param_spec_uint ("max-size", "Maximum box side",
          "Largest side of a box in pixels, at least min-size and at most the "
          "frame's width and height; images are scaled up by nearest neighbour "
          "(default 28: unscaled)",
          1, MAX_SIDE, DEFAULT_SIZE, rw));
  /**
   * GstRanetRegionSrc:decoys:
   *
   * Boxes of ROI type `decoy` on the background, with no ground truth: what
   * an `object-class` filter downstream should pass over.
   */
  g_object_class_install_property (gobject_class, PROP_DECOYS,
      g_param_spec_uint ("decoys", "Decoys",
          "ROIs of type \"decoy\" per frame on background patches, without "
          "ground truth (default 4)",
          0, MAX_BOXES, DEFAULT_DECOYS, rw));
  /**
   * GstRanetRegionSrc:seed:
   *
   * Where box sizes and places and the background come from: the same seed
   * gives the same frames.
   */
  g_object_class_install_property (gobject_class, PROP_SEED,
      g_param_spec_uint ("seed", "Seed",
          "Seed of the boxes' sizes and places and of the background "
          "(default 0)",
          0, G_MAXUINT, DEFAULT_SEED, rw));
  /**
   * GstRanetRegionSrc:start-index:
   *
   * The first image shown; images follow in the files' order until the
   * last, after which the stream ends.
   */
  g_object_class_install_property (gobject_class, PROP_START_INDEX,
      g_param_spec_uint ("start-index", "Start index",
          "Index of the first image shown; the stream ends after the set's "
          "last (default 0)",
          0, G_MAXUINT, DEFAULT_START_INDEX, rw));
  /**
   * GstRanetRegionSrc:is-live:
   *
   * As a camera: frames go out at their times (from the framerate) on the
   * pipeline's clock, and only in PLAYING.
   */
  g_object_class_install_property (gobject_class, PROP_IS_LIVE,
      g_param_spec_boolean ("is-live", "Is live",
          "Send frames at their times on the clock, as a camera would (default "
          "false: as fast as downstream takes them)",
          DEFAULT_IS_LIVE, rw));

  gst_element_class_set_static_metadata (element_class,
      "Fashion-MNIST regions source", "Source/Video",
      "Frames of Fashion-MNIST test images at random places, each with a "
      "region of interest carrying its true label",
      "ranet-gst");
  gst_element_class_add_static_pad_template (element_class, &src_template);

  base_class->start = GST_DEBUG_FUNCPTR (gst_ranet_region_src_start);
  base_class->stop = GST_DEBUG_FUNCPTR (gst_ranet_region_src_stop);
  base_class->fixate = GST_DEBUG_FUNCPTR (gst_ranet_region_src_fixate);
  base_class->set_caps = GST_DEBUG_FUNCPTR (gst_ranet_region_src_set_caps);
  base_class->decide_allocation = GST_DEBUG_FUNCPTR (gst_ranet_region_src_decide_allocation);
  base_class->get_times = GST_DEBUG_FUNCPTR (gst_ranet_region_src_get_times);
  base_class->query = GST_DEBUG_FUNCPTR (gst_ranet_region_src_query);
  push_class->fill = GST_DEBUG_FUNCPTR (gst_ranet_region_src_fill);

  GST_DEBUG_CATEGORY_INIT (gst_ranet_region_src_debug, "ranetregionsrc", 0,
      "Fashion-MNIST regions source");
}

static void
gst_ranet_region_src_init (GstRanetRegionSrc * self)
{
  RegionSrcSettings *p = &self->props;

  p->images_location = g_strdup (GARMENT_SET_DEFAULT_IMAGES);
  p->labels_location = g_strdup (GARMENT_SET_DEFAULT_LABELS);
  p->regions = DEFAULT_REGIONS;
  p->min_size = DEFAULT_SIZE;
  p->max_size = DEFAULT_SIZE;
  p->decoys = DEFAULT_DECOYS;
  p->seed = DEFAULT_SEED;
  p->start_index = DEFAULT_START_INDEX;
  self->boxes = g_array_new (FALSE, FALSE, sizeof (RegionBox));
  gst_video_info_init (&self->info);
  gst_base_src_set_format (GST_BASE_SRC (self), GST_FORMAT_TIME);
}

GST_ELEMENT_REGISTER_DEFINE (ranetregionsrc, "ranetregionsrc", GST_RANK_NONE,
    GST_TYPE_RANET_REGION_SRC);
