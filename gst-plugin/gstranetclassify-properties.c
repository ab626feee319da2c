/* gstranetclassify-properties.c: ranetclassify as gst-inspect-1.0 shows it:
 * its properties (names, blurbs with units and defaults, ranges, when each
 * may change), their enum types, and the element's description. */
#include "gstranetclassify-properties.h"

#include "ranet-classification-meta.h"

GType
gst_ranet_resize_mode_get_type (void)
{
  static gsize type = 0;
  static const GEnumValue values[] = {
    { RANET_RESIZE_STRETCH, "Scale the whole frame to the network input, ignoring aspect ratio",
        "stretch" },
    { RANET_RESIZE_CENTER_CROP, "Scale the largest centred region with the input's aspect ratio",
        "center-crop" },
    { RANET_RESIZE_LETTERBOX, "Scale the whole frame keeping its aspect ratio, on black bars",
        "letterbox" },
    { 0, NULL, NULL },
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("GstRanetResizeMode", values));
  return type;
}

GType
gst_ranet_inference_region_get_type (void)
{
  static gsize type = 0;
  static const GEnumValue values[] = {
    { GST_RANET_INFERENCE_REGION_FULL_FRAME, "Classify the whole frame", "full-frame" },
    { GST_RANET_INFERENCE_REGION_ROI_LIST, "Classify each region of interest "
          "(GstVideoRegionOfInterestMeta) of the frame", "roi-list" },
    { 0, NULL, NULL },
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("GstRanetInferenceRegion", values));
  return type;
}

/* RANET_THRESHOLD_OPERATING_POINT (one calibrated point held) is for tools
 * that evaluate a point, not a value of the property. */
GType
gst_ranet_threshold_mode_get_type (void)
{
  static gsize type = 0;
  static const GEnumValue values[] = {
    { RANET_THRESHOLD_ADAPTIVE, "Choose per-exit thresholds from the model's "
          "calibration so that classification fits the frame budget", "adaptive" },
    { RANET_THRESHOLD_FIXED, "Use the threshold property at every exit, "
          "with no budget", "fixed" },
    { 0, NULL, NULL },
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("GstRanetThresholdMode", values));
  return type;
}

void
gst_ranet_classify_install_properties (GObjectClass *gobject_class)
{
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  g_object_class_install_property (gobject_class, PROP_MODEL,
      g_param_spec_string ("model", "Model",
          "Path of a RANet model file (.safetensors with ranet.* metadata); "
          "unset (the default) uses the built-in Fashion-MNIST model. "
          "Read when the element starts", DEFAULT_MODEL,
          rw | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_DEVICE,
      g_param_spec_string ("device", "Vulkan device",
          "Vulkan device index or a case-insensitive part of its name; unset "
          "(the default) uses RANET_VULKAN_DEVICE if set, else picks a GPU "
          "before a CPU implementation", DEFAULT_DEVICE,
          rw | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_THRESHOLD,
      g_param_spec_double ("threshold", "Confidence threshold",
          "With threshold-mode=fixed, a frame leaves at the first exit whose top "
          "softmax probability reaches this value (0 = always the first exit, "
          "1 = nearly always the last); applies from the next frame. Adaptive "
          "mode ignores it (see current-threshold)", 0.0, 1.0, DEFAULT_THRESHOLD,
          rw | GST_PARAM_MUTABLE_PLAYING | GST_PARAM_CONTROLLABLE));
  g_object_class_install_property (gobject_class, PROP_MAX_EXIT,
      g_param_spec_int ("max-exit", "Maximum exit",
          "The last exit any frame may reach, 0-based; -1 (the default) allows "
          "every exit, and so does a value past the model's last exit (with a "
          "warning). A frame stopped here without reaching the threshold is "
          "marked forced", -1, G_MAXINT, DEFAULT_MAX_EXIT,
          rw | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_TOP_K,
      g_param_spec_uint ("top-k", "Top k",
          "Number of most probable classes listed in the metadata's top-k field",
          1, 1000, DEFAULT_TOP_K, rw | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_INFERENCE_INTERVAL,
      g_param_spec_uint ("inference-interval", "Inference interval",
          "Classify every Nth frame; the frames between carry the last result, "
          "marked reused (1, the default, classifies every frame)",
          1, G_MAXUINT, DEFAULT_INFERENCE_INTERVAL, rw | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_POST_MESSAGES,
      g_param_spec_boolean ("post-messages", "Post messages",
          "Post an element message named \"ranet\" for every classified frame, "
          "with the metadata's fields plus timestamp, stream-time and running-time",
          DEFAULT_POST_MESSAGES, rw | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_RESIZE_MODE,
      g_param_spec_enum ("resize-mode", "Resize mode",
          "How a frame is mapped onto the network's input size",
          GST_TYPE_RANET_RESIZE_MODE, DEFAULT_RESIZE_MODE,
          rw | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_THRESHOLD_MODE,
      g_param_spec_enum ("threshold-mode", "Threshold mode",
          "adaptive: per-exit thresholds chosen from the model's calibration so "
          "that classification fits the frame budget, stopping a frame early at "
          "its deadline; fixed: the threshold property at every exit, no budget",
          GST_TYPE_RANET_THRESHOLD_MODE, DEFAULT_THRESHOLD_MODE,
          rw | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_TARGET_FPS,
      g_param_spec_double ("target-fps", "Target frame rate",
          "Frame rate the budget is computed for, in frames per second; 0 (the "
          "default) uses the negotiated framerate", 0.0, 1000.0,
          DEFAULT_TARGET_FPS, rw | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_BUDGET_FRACTION,
      g_param_spec_double ("budget-fraction", "Budget fraction",
          "Share of the frame period classification may take (adaptive mode); "
          "the default 0.5 leaves the other half to the rest of the pipeline "
          "and to jitter", 0.01, 1.0, DEFAULT_BUDGET_FRACTION,
          rw | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_LATENCY_BUDGET,
      g_param_spec_uint64 ("latency-budget", "Latency budget",
          "Per-frame classification budget in nanoseconds, overriding frame "
          "period x budget-fraction (adaptive mode); 0 (the default) for none. "
          "Every other value is a budget, the largest included",
          0, G_MAXUINT64, DEFAULT_LATENCY_BUDGET, rw | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_REPORT_LATENCY,
      g_param_spec_boolean ("report-latency", "Report latency",
          "Add the element's latency to the pipeline's (the latency query): the "
          "per-frame budget in adaptive mode, else the time a frame through "
          "every exit took at start; a latency message follows a change while "
          "running",
          DEFAULT_REPORT_LATENCY, rw | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_CURRENT_THRESHOLD,
      gst_param_spec_array ("current-threshold", "Current thresholds",
          "Per-exit thresholds the last classified frame used (the last exit's "
          "is 0: it takes every frame)",
          g_param_spec_double ("threshold", "Threshold", "An exit's threshold",
              0.0, 1.0, 0.0, ro), ro));
  g_object_class_install_property (gobject_class, PROP_OPERATING_POINT,
      g_param_spec_int ("operating-point", "Operating point",
          "Index of the calibration operating point in use (adaptive mode), "
          "-1 in fixed mode or before the element starts", -1, G_MAXINT, -1, ro));
  g_object_class_install_property (gobject_class, PROP_DEVICE_NAME,
      g_param_spec_string ("device-name", "Device name",
          "Name of the Vulkan device in use (NULL until the element starts)",
          NULL, ro));
  g_object_class_install_property (gobject_class, PROP_LABELS,
      g_param_spec_boxed ("labels", "Labels",
          "The model's class labels, by class id (NULL until the element starts)",
          G_TYPE_STRV, ro));
  g_object_class_install_property (gobject_class, PROP_NUM_EXITS,
      g_param_spec_int ("num-exits", "Number of exits",
          "The model's number of exits (0 until the element starts)",
          0, G_MAXINT, 0, ro));
  g_object_class_install_property (gobject_class, PROP_STATS,
      g_param_spec_boxed ("stats", "Statistics",
          "ranet-stats structure: frames (guint64, every buffer in, classified or "
          "not), classified (guint64), "
          "exit-counts (array of guint64, frames per exit), mean-latency and "
          "max-latency (guint64, ns, classified frames only), forced-exits, "
          "deadline-misses and operating-point-changes (guint64), budget "
          "(guint64, ns per frame; 0 when none applies); inference-region=roi-list: "
          "regions (guint64, every region of a chosen type), regions-classified, "
          "regions-skipped (left out by the budget) and regions-degenerate "
          "(nothing of the box in the frame), all guint64; calibration-source "
          "(gchararray: \"file\", or \"online\" once online-calibration has "
          "recomputed the thresholds, the accuracies then estimates), probe-frames "
          "and recalibrations (guint64), and over the adaptive frames since the "
          "thresholds last changed (share-frames, guint64; frames a deadline "
          "forced out left aside) realised-shares and planned-shares (arrays of "
          "gdouble, per exit)",
          GST_TYPE_STRUCTURE, ro));
  g_object_class_install_property (gobject_class, PROP_INFERENCE_REGION,
      g_param_spec_enum ("inference-region", "Inference region",
          "full-frame (the default): classify the whole frame; roi-list: "
          "classify each region of interest (GstVideoRegionOfInterestMeta, of a "
          "type object-class chooses), each result added to its region as a "
          "\"classification\" parameter",
          GST_TYPE_RANET_INFERENCE_REGION, DEFAULT_INFERENCE_REGION,
          rw | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_OBJECT_CLASS,
      g_param_spec_string ("object-class", "Object class",
          "inference-region=roi-list: the region types (roi_type) to classify, "
          "separated by commas, e.g. \"person,car\"; unset or empty (the default) "
          "classifies every region", DEFAULT_OBJECT_CLASS,
          rw | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_MAX_BATCH,
      g_param_spec_uint ("max-batch", "Maximum batch",
          "inference-region=roi-list: the most regions classified together; a "
          "frame with more runs several batches. 0 (the default) derives it "
          "from the device's memory and the network's size",
          0, G_MAXUINT, DEFAULT_MAX_BATCH, rw | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_ONLINE_CALIBRATION,
      g_param_spec_boolean ("online-calibration", "Online calibration",
          "Adaptive mode: recompute every operating point's exit thresholds from "
          "the stream, without labels, so that the share of frames leaving at "
          "each exit stays what the model's calibration planned (a model with a "
          "placeholder calibration gets its operating points this way). Probe "
          "frames (see calibration-interval) run every exit; their confidences "
          "form a window of calibration-window probes, and the thresholds are "
          "recomputed when it is full, then every tenth of it. The points' "
          "accuracies stay the file's, as estimates. Off by default",
          DEFAULT_ONLINE_CALIBRATION, rw | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_CALIBRATION_INTERVAL,
      g_param_spec_uint ("calibration-interval", "Calibration interval",
          "online-calibration: at most one frame in N runs every exit as a "
          "probe, and only when the policy predicts the whole network fits the "
          "budget; the default 30 is one a second at 30 fps",
          1, G_MAXUINT, DEFAULT_CALIBRATION_INTERVAL, rw | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_CALIBRATION_WINDOW,
      g_param_spec_uint ("calibration-window", "Calibration window",
          "online-calibration: the probe frames the thresholds are computed "
          "from, the newest kept; the default 500 holds each exit's share "
          "within about 2 points of the plan. A change empties the window",
          1, 1000000, DEFAULT_CALIBRATION_WINDOW, rw | GST_PARAM_MUTABLE_PLAYING));

  /* GstBaseTransform's qos property, when true, makes the base class drop
   * every buffer that arrives later than downstream's last QoS event says it
   * can show: a frame gone without a result or a count. This element answers
   * QoS by classifying more cheaply (src_event shrinks the budget), so the
   * property is taken over here and the base class's QoS handling stays off
   * (set_qos_enabled (FALSE) in the element's init) whatever is written: it
   * reads false. */
  g_object_class_override_property (gobject_class, PROP_QOS, "qos");
}

void
gst_ranet_classify_set_metadata (GstElementClass *element_class)
{
  gst_element_class_set_static_metadata (element_class,
      "RANet classifier", "Filter/Analyzer/Video",
      "Classifies video frames with a Resolution Adaptive Network on Vulkan, "
      "exiting early on easy frames, and attaches the class as metadata",
      "ranet-gst");
  /* gst-inspect-1.0 lists every metadata key: this one documents the result */
  gst_element_class_add_static_metadata (element_class, "metadata",
      "Every buffer gets a GstCustomMeta \"" RANET_CLASSIFICATION_META_NAME "\" "
      "whose structure holds element (gchararray, the name of the element that "
      "wrote it), model (gchararray, the model file's name), class-id (gint), "
      "label (gchararray), confidence "
      "(gdouble, softmax probability), exit (gint, 0-based), num-exits (gint), "
      "threshold (gdouble, applied at that exit), forced (gboolean, ended below "
      "its threshold by max-exit or a deadline), reused (gboolean, carried over "
      "by inference-interval), macs (guint64), latency (guint64, ns) and top-k "
      "(GstValueArray of \"ranet-class\" structures: class-id, label, score), "
      "and inference-region (gchararray, \"full-frame\"). With "
      "inference-region=roi-list it holds instead element, model, "
      "inference-region (\"roi-list\"), regions, classified, skipped, degenerate "
      "(guint), macs, latency (guint64), operating-point (gint) and objects "
      "(GstValueArray of \"object\" structures, one per region: id, roi-type, "
      "x, y, w, h, skipped, degenerate, and for a classified region class-id, "
      "label, confidence, exit, num-exits, forced, macs); each classified "
      "region's GstVideoRegionOfInterestMeta gets a \"classification\" "
      "parameter (label, label_id, confidence, exit, num-exits, forced, macs, "
      "skipped). "
      "C: ranet-classification-meta.h; Python: "
      "buf.get_custom_meta(\"" RANET_CLASSIFICATION_META_NAME "\").get_structure()");
}
