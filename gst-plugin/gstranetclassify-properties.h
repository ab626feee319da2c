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
