/* ranet-model.h: a RANet model file, loaded and validated.
 *
 * A model file is a `.safetensors` container: an 8-byte little-endian header
 * length, a JSON header naming every tensor (dtype, shape, byte range), then
 * the raw little-endian tensor data. The header's `__metadata__` carries the
 * network description as JSON strings under `ranet.config`,
 * `ranet.preprocess`, `ranet.labels`, `ranet.calibration` and, optionally,
 * `ranet.card`.
 *
 * Loading checks everything before returning a model: the container, every
 * metadata field, and the tensors against the architecture the config
 * describes (same names, same shapes, finite values). A model that loads is
 * therefore safe to hand to the network builder without further checks. Every
 * error names the file, the tensor or key, what was found and what was
 * expected.
 *
 * Tensors are exposed as float32 whatever their stored dtype: float16 tensors
 * are converted once, at load. A #RanetModel is immutable after loading and may
 * be shared between threads.
 */
#pragma once

#include <glib.h>
#include <glib-object.h>

#include "graph/ranet-graph.h"

G_BEGIN_DECLS

/**
 * RANET_MODEL_ERROR:
 *
 * Error domain of model loading. Errors in this domain are from the
 * #RanetModelError enumeration.
 */
#define RANET_MODEL_ERROR (ranet_model_error_quark ())
GQuark ranet_model_error_quark (void);

/**
 * RanetModelError:
 * @RANET_MODEL_ERROR_NOT_FOUND: the file does not exist
 * @RANET_MODEL_ERROR_IO: the file exists but could not be read, or is not a regular file, or is too large
 * @RANET_MODEL_ERROR_CORRUPT: the container is malformed: too short, a bad
 *   header length, a header that is not a JSON object, a tensor entry with
 *   missing or mistyped fields, byte ranges out of the file or overlapping
 * @RANET_MODEL_ERROR_UNSUPPORTED: well-formed but not something this loader
 *   reads, such as a dtype other than F32 and F16
 * @RANET_MODEL_ERROR_METADATA: a `ranet.*` metadata entry is missing or does
 *   not hold what it must (types, ranges, lengths)
 * @RANET_MODEL_ERROR_MISMATCH: the tensors do not match the architecture the
 *   config describes: a tensor missing, extra or of another shape
 * @RANET_MODEL_ERROR_NON_FINITE: a tensor holds a NaN or an infinity
 *
 * Ways loading a model can fail.
 */
typedef enum {
  RANET_MODEL_ERROR_NOT_FOUND,
  RANET_MODEL_ERROR_IO,
  RANET_MODEL_ERROR_CORRUPT,
  RANET_MODEL_ERROR_UNSUPPORTED,
  RANET_MODEL_ERROR_METADATA,
  RANET_MODEL_ERROR_MISMATCH,
  RANET_MODEL_ERROR_NON_FINITE,
} RanetModelError;

/**
 * RanetPreprocess:
 * @input_h: network input height
 * @input_w: network input width
 * @channels: input channels, equal to the config's in_channels
 * @mean: per-channel mean subtracted after scaling pixels to [0, 1]
 * @std: per-channel divisor applied after the mean, all > 0
 * @resize: how a frame is brought to the network input size; "stretch"
 *   (bilinear, half-pixel centres, aspect ratio not kept)
 *
 * The `ranet.preprocess` metadata: how a frame becomes the network input,
 * (pixel / 255 - mean[c]) / std[c] after resizing.
 */
typedef struct {
  guint input_h, input_w;
  guint channels;
  float mean[RANET_MAX_CHANNELS];
  float std[RANET_MAX_CHANNELS];
  const char *resize;
} RanetPreprocess;

/**
 * RanetOperatingPoint:
 * @ratio: the budget ratio this point was calibrated for
 * @thresholds: n_exits thresholds on the maximum softmax probability, each
 *   in [-1, 1]; a frame leaves at the first exit whose confidence reaches its
 *   threshold (the last one is -1: it takes everything)
 * @exit_fractions: n_exits expected fractions of frames leaving at each exit
 * @val_accuracy: accuracy on the validation split, in percent
 * @test_accuracy: accuracy on the test split, in percent
 * @expected_macs: expected multiply-adds per frame at this point
 *
 * One calibrated trade-off between accuracy and cost.
 */
typedef struct {
  double ratio;
  const double *thresholds;
  const double *exit_fractions;
  double val_accuracy;
  double test_accuracy;
  double expected_macs;
} RanetOperatingPoint;

/**
 * RanetCalibration:
 * @n_exits: number of exits (classifiers) of the network
 * @exit_macs: n_exits cumulative multiply-adds to reach each exit,
 *   non-decreasing
 * @n_operating_points: length of @operating_points, at least 1
 * @operating_points: the calibrated operating points
 *
 * The `ranet.calibration` metadata, as the frame-rate policy reads it.
 */
typedef struct {
  guint n_exits;
  const double *exit_macs;
  guint n_operating_points;
  const RanetOperatingPoint *operating_points;
} RanetCalibration;

/**
 * RanetModel:
 *
 * A loaded and validated model file. Reference counted; immutable.
 */
typedef struct _RanetModel RanetModel;

#define RANET_TYPE_MODEL (ranet_model_get_type ())
GType ranet_model_get_type (void) G_GNUC_CONST;

RanetModel *ranet_model_load_file (const char *path, GError **error);
RanetModel *ranet_model_load_bytes (GBytes *bytes, const char *display_name, GError **error);

RanetModel *ranet_model_ref (RanetModel *model);
void ranet_model_unref (RanetModel *model);

const char *ranet_model_get_display_name (RanetModel *model);
const RanetConfig *ranet_model_get_config (RanetModel *model);
const RanetPreprocess *ranet_model_get_preprocess (RanetModel *model);
const char *const *ranet_model_get_labels (RanetModel *model);
guint ranet_model_get_n_exits (RanetModel *model);
const RanetCalibration *ranet_model_get_calibration (RanetModel *model);
const char *ranet_model_get_card (RanetModel *model);
const RanetGraph *ranet_model_get_graph (RanetModel *model);

guint ranet_model_get_n_tensors (RanetModel *model);
gboolean ranet_model_get_tensor_f32 (RanetModel *model, const char *name, const float **data,
                                     const guint **dims, guint *n_dims);

gboolean ranet_model_get_bn_affine (RanetModel *model, const char *bn_prefix, float **scale_out,
                                    float **shift_out, guint *n_channels, GError **error);
gboolean ranet_model_get_folded_conv (RanetModel *model, const char *conv_weight, const char *conv_bias,
                                      const char *bn_prefix, float **weight_out, float **bias_out,
                                      GError **error);
RanetLayerWeights *ranet_model_fold_layer_weights (RanetModel *model, guint layer_index, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RanetModel, ranet_model_unref)

G_END_DECLS
