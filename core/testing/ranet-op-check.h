/* ranet-op-check.h: run an op on a device and compare it with the reference.
 *
 * Used by the tests (many shapes) and by ranet-selfcheck (one small shape per op,
 * on whatever device the user has). Inputs, weights and the untouched part of
 * the output buffer are seeded random numbers in [-1, 1].
 *
 * Tolerance: the device sums in fp32 in an order of its own, the reference in
 * double, so an output may differ by a few units of fp32 rounding of the largest
 * partial sum, not of the (possibly cancelled) result. Each output element is
 * therefore allowed |device - reference| <= RANET_OP_CHECK_RTOL * m + RANET_OP_CHECK_ATOL
 * where m is the same op computed on absolute values (sum |w| * |x| + |b| for
 * convolutions; the same weighted mean of |x| for pooling and resizing; 1 for
 * probabilities). 1e-5 is ~170 fp32 ulps (2^-24 each): room for sequential sums
 * of thousands of terms, yet far below what a wrong tap or index gives (~m).
 */
#pragma once

#include "ops/ranet-ops.h"

G_BEGIN_DECLS

#define RANET_OP_CHECK_RTOL 1e-5
#define RANET_OP_CHECK_ATOL 1e-6

/**
 * RanetOpCheck:
 * @max_err: largest |device - reference| inside the output view
 * @max_err_ratio: largest error divided by its tolerance; at most 1 to pass
 * @n_outside_changed: elements of the output buffer outside the output view
 *   that the op changed; 0 to pass
 * @elapsed_ns: device time of one run of the op (wall time when the device
 *   has no timestamps)
 */
typedef struct {
  double max_err;
  double max_err_ratio;
  gsize n_outside_changed;
  guint64 elapsed_ns;
} RanetOpCheck;

/* TRUE when @check is within tolerance and touched nothing outside its view. */
gboolean ranet_op_check_passed (const RanetOpCheck *check);

/*
 * Each function builds the op on @dev, runs it once on random data (@seed) and
 * fills @check. With @same_buffer, input and output views live in one buffer
 * (they must not overlap), as dense blocks use them. Returns FALSE with @error
 * set only when the op could not be created or run; a wrong result is reported
 * through @check.
 */
gboolean ranet_op_check_conv2d (RanetVkDevice *dev, const RanetConv2dParams *p,
    gboolean same_buffer, guint32 seed, RanetOpCheck *check, GError **error);
gboolean ranet_op_check_conv1x1 (RanetVkDevice *dev, const RanetConv1x1Params *p,
    gboolean same_buffer, guint32 seed, RanetOpCheck *check, GError **error);
gboolean ranet_op_check_linear (RanetVkDevice *dev, const RanetLinearParams *p,
    gboolean same_buffer, guint32 seed, RanetOpCheck *check, GError **error);
gboolean ranet_op_check_resize_bilinear (RanetVkDevice *dev,
    const RanetResizeParams *p, gboolean same_buffer, guint32 seed,
    RanetOpCheck *check, GError **error);
gboolean ranet_op_check_pool2d (RanetVkDevice *dev, const RanetPool2dParams *p,
    gboolean same_buffer, guint32 seed, RanetOpCheck *check, GError **error);
gboolean ranet_op_check_softmax (RanetVkDevice *dev, const RanetSoftmaxParams *p,
    gboolean same_buffer, guint32 seed, RanetOpCheck *check, GError **error);
gboolean ranet_op_check_copy (RanetVkDevice *dev, const RanetCopyParams *p,
    gboolean same_buffer, guint32 seed, RanetOpCheck *check, GError **error);

G_END_DECLS

G_BEGIN_DECLS

/*
 * One check per op on a small, typical shape, in the form ranet-selfcheck runs
 * them: FALSE with @error set when the op cannot run or its result is outside
 * the tolerance (the message gives the error found); @elapsed_ns receives the
 * device time of one run.
 */
gboolean ranet_op_selfcheck_conv2d (RanetVkDevice *dev, guint64 *elapsed_ns, GError **error);
gboolean ranet_op_selfcheck_conv1x1 (RanetVkDevice *dev, guint64 *elapsed_ns, GError **error);
gboolean ranet_op_selfcheck_linear (RanetVkDevice *dev, guint64 *elapsed_ns, GError **error);
gboolean ranet_op_selfcheck_resize_bilinear (RanetVkDevice *dev, guint64 *elapsed_ns, GError **error);
gboolean ranet_op_selfcheck_maxpool2d (RanetVkDevice *dev, guint64 *elapsed_ns, GError **error);
gboolean ranet_op_selfcheck_avgpool2d (RanetVkDevice *dev, guint64 *elapsed_ns, GError **error);
gboolean ranet_op_selfcheck_softmax (RanetVkDevice *dev, guint64 *elapsed_ns, GError **error);
gboolean ranet_op_selfcheck_copy (RanetVkDevice *dev, guint64 *elapsed_ns, GError **error);

G_END_DECLS
