/* gstranetclassify-properties.h: ranetclassify as gst-inspect-1.0 shows it:
 * property ids, defaults, enum types, their installation and the element's
 * description. The element reads and writes the properties
 * (gstranetclassify.c). */
#pragma once

#include <gst/gst.h>

#include "session/ranet-session.h"

G_BEGIN_DECLS

#define DEFAULT_MODEL NULL
#define DEFAULT_DEVICE NULL
#define DEFAULT_THRESHOLD 0.9
#define DEFAULT_MAX_EXIT -1
#define DEFAULT_TOP_K 3
#define DEFAULT_INFERENCE_INTERVAL 1
#define DEFAULT_POST_MESSAGES FALSE
#define DEFAULT_RESIZE_MODE RANET_RESIZE_STRETCH
#define DEFAULT_THRESHOLD_MODE RANET_THRESHOLD_ADAPTIVE
#define DEFAULT_TARGET_FPS 0.0
#define DEFAULT_BUDGET_FRACTION 0.5
#define DEFAULT_LATENCY_BUDGET 0
#define DEFAULT_REPORT_LATENCY TRUE
#define DEFAULT_INFERENCE_REGION GST_RANET_INFERENCE_REGION_FULL_FRAME
#define DEFAULT_OBJECT_CLASS NULL
#define DEFAULT_MAX_BATCH 0
/* Off until a stream is known to differ from the validation set: a probe
 * costs a whole network's time. */
#define DEFAULT_ONLINE_CALIBRATION FALSE
/* One probe a second at 30 fps: at most 1/30 of the frames pay for every
 * exit, a few percent of the cost of a stream that mostly leaves early. */
#define DEFAULT_CALIBRATION_INTERVAL 30
/* 500 probes put each exit's share within about 2 points (one standard
 * deviation of a share near 0.3 is sqrt(0.3 x 0.7 / 500) = 0.02) of its plan;
 * at one probe a second the window turns over in about 8 minutes, the pace of
 * lighting changes, not of a cut between scenes. */
#define DEFAULT_CALIBRATION_WINDOW 500

enum {
  PROP_0,
  PROP_MODEL,
  PROP_DEVICE,
  PROP_THRESHOLD,
  PROP_MAX_EXIT,
  PROP_TOP_K,
  PROP_INFERENCE_INTERVAL,
  PROP_POST_MESSAGES,
  PROP_RESIZE_MODE,
  PROP_THRESHOLD_MODE,
  PROP_TARGET_FPS,
  PROP_BUDGET_FRACTION,
  PROP_LATENCY_BUDGET,
  PROP_REPORT_LATENCY,
  PROP_CURRENT_THRESHOLD,
  PROP_OPERATING_POINT,
  PROP_DEVICE_NAME,
  PROP_LABELS,
  PROP_NUM_EXITS,
  PROP_STATS,
  PROP_INFERENCE_REGION,
  PROP_OBJECT_CLASS,
  PROP_MAX_BATCH,
  PROP_ONLINE_CALIBRATION,
  PROP_CALIBRATION_INTERVAL,
  PROP_CALIBRATION_WINDOW,
  PROP_QOS,
};

/**
 * GstRanetInferenceRegion:
 * @GST_RANET_INFERENCE_REGION_FULL_FRAME: classify the whole frame
 * @GST_RANET_INFERENCE_REGION_ROI_LIST: classify each region of interest
 *   (GstVideoRegionOfInterestMeta) of the frame
 *
 * What of a frame ranetclassify classifies.
 */
typedef enum {
  GST_RANET_INFERENCE_REGION_FULL_FRAME,
  GST_RANET_INFERENCE_REGION_ROI_LIST,
} GstRanetInferenceRegion;

#define GST_TYPE_RANET_INFERENCE_REGION (gst_ranet_inference_region_get_type ())
GType gst_ranet_inference_region_get_type (void);

/* RanetResizeMode, and RanetThresholdMode's adaptive and fixed values, as
 * GEnums ("stretch", "adaptive", ...). */
#define GST_TYPE_RANET_RESIZE_MODE (gst_ranet_resize_mode_get_type ())
GType gst_ranet_resize_mode_get_type (void);
#define GST_TYPE_RANET_THRESHOLD_MODE (gst_ranet_threshold_mode_get_type ())
GType gst_ranet_threshold_mode_get_type (void);

/* Installs every property, the inherited qos taken over (it stays false). */
void gst_ranet_classify_install_properties (GObjectClass *gobject_class);
/* The element's name, classification, description and the metadata it adds. */
void gst_ranet_classify_set_metadata (GstElementClass *element_class);

G_END_DECLS
