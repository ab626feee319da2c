/* ranet-op-check.h: run an op on a device and compare it with the reference.
 *
 * One check serves every layer kind (ncnn's test_layer): it makes the kind's
 * op from its row in ranet-layer-kind.h, runs it on seeded random data and
 * compares the output with the kind's C reference. A kind's test is then its
 * list of shapes (op-check-shapes.c), run in every shader variant the kind
 * declares; the tests run those lists, ranet-selfcheck one small, typical
 * shape per kind on whatever device the user has. Inputs, weights and the
 * untouched part of the output buffer are seeded random numbers in [-1, 1].
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

#include "graph/ranet-layer-kind.h"

G_BEGIN_DECLS

#define RANET_OP_CHECK_RTOL 1e-5
#define RANET_OP_CHECK_ATOL 1e-6

/* @n floats drawn uniformly from [-1, 1) (at least one allocated); free with
 * g_free(). */
float *ranet_op_check_random_floats (GRand *rand, gsize n);
/* The absolute values of @a's @n floats, newly allocated: inputs of the
 * reference run whose result scales the tolerance. */
float *ranet_op_check_abs_floats (const float *a, gsize n);
/* One past the last float of @v's tensor (its base plus its whole size). */
gsize ranet_op_check_view_end (const RanetTensorView *v);

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

/* Where the checks place an op's packed weights in its weights buffer, in
 * floats: not at 0, so that every op's offset is exercised. */
#define RANET_OP_CHECK_WEIGHTS_OFFSET 8

/**
 * RanetOpCheckRun:
 * @in: the input buffer, @in_n floats
 * @in_n: its size
 * @out: the output buffer before the run, @out_n floats
 * @out_n: its size
 * @expected: the output buffer the op should leave, @out_n floats
 * @magnitude: per float of the output buffer, what its tolerance scales
 *   with (the op on absolute values)
 * @writes: per float of the output buffer, whether the op writes it; the
 *   others must keep their @out value
 * @packed: (nullable): the packed weights, placed at
 *   %RANET_OP_CHECK_WEIGHTS_OFFSET of the weights buffer; %NULL for an op
 *   without weights
 * @packed_n: their number of floats
 *
 * An op's run on given data, for ops that are no layer kind of their own
 * (the fused bottleneck), whose test computes the expectation itself.
 */
typedef struct {
  const float *in;
  gsize in_n;
  const float *out;
  gsize out_n;
  const float *expected;
  const float *magnitude;
  const gboolean *writes;
  const float *packed;
  gsize packed_n;
} RanetOpCheckRun;

/**
 * ranet_op_check_run:
 * @dev: the device
 * @op: (transfer full): the op, made with its weights at
 *   %RANET_OP_CHECK_WEIGHTS_OFFSET; freed
 * @run: the data and the expectation
 * @seed: seeds the random floats of the weights buffer before the weights
 * @check: (out): the comparison, with the tolerance of every op check
 * @error: return location for a #GError
 *
 * Runs @op once on @run's buffers (input and output in buffers of their
 * own), the second run timed, and compares the output buffer with @run's
 * expectation as ranet_op_check_layer() does.
 *
 * Returns: FALSE with @error set only when the op could not be run.
 */
gboolean ranet_op_check_run (RanetVkDevice *dev, RanetOp *op, const RanetOpCheckRun *run,
    guint32 seed, RanetOpCheck *check, GError **error);

/**
 * RanetOpCheckShape:
 * @layer: the layer to check: its kind and parameters (names, macs and
 *   folded_avgpool are not used)
 * @same_buffer: input and output views live in one buffer, as dense blocks
 *   use them; they must not overlap
 */
typedef struct {
  RanetLayer layer;
  gboolean same_buffer;
} RanetOpCheckShape;

/**
 * ranet_op_check_layer:
 * @dev: the device
 * @shape: the layer to check
 * @seed: seeds the random data
 * @check: (out): the comparison
 * @error: return location for a #GError
 *
 * Makes @shape's op on @dev in the shader variant the device and the
 * environment choose, runs it once on random data and compares its output
 * with the reference.
 *
 * Returns: FALSE with @error set only when the op could not be created or
 *   run; a wrong result is reported through @check.
 */
gboolean ranet_op_check_layer (RanetVkDevice *dev, const RanetOpCheckShape *shape,
    guint32 seed, RanetOpCheck *check, GError **error);

/**
 * RanetOpCheckBatch:
 * @n_slots: the items its views hold (their n_items), at least 2
 * @gap: floats left free between one item's tensors and the next's: the
 *   item strides exceed the tensors by @gap (the output's by 2 * @gap, so
 *   that input and output strides differ) where input and output lie in
 *   buffers of their own; in one buffer, each item's input and output come
 *   after the whole of the previous item's, @gap floats further
 * @items: (nullable) (array length=n_run): the slots to run, in this order:
 *   any subset, in any order; %NULL runs every slot in order
 * @n_run: entries of @items (ignored when it is %NULL)
 * @indirect: record with ranet_op_record_items_indirect() (the items list
 *   in host memory) rather than ranet_op_record_items() (the list in device
 *   memory); the indirect dispatch runs once over its first item and once
 *   over all, from one recording
 * @max_item_floats: check only shapes whose item spans at most this many
 *   floats of input and output tensors; 0 checks every shape
 *
 * How to check an op batched: its views of several items, one dispatch
 * over a list of their slots. Every slot run is compared with the
 * reference run on that item alone; the output of slots not run must stay
 * untouched.
 */
typedef struct {
  guint n_slots;
  gsize gap;
  const guint32 *items;
  guint n_run;
  gboolean indirect;
  gsize max_item_floats;
} RanetOpCheckBatch;

/**
 * ranet_op_check_layer_batch:
 * @dev: the device
 * @shape: the layer to check, as one item; its views' n_items and
 *   item_stride are ignored
 * @batch: how to batch it
 * @seed: seeds the random data
 * @check: (out): the comparison
 * @error: return location for a #GError
 *
 * As ranet_op_check_layer(), with @shape's op batched as @batch says.
 *
 * Returns: FALSE with @error set only when the op could not be created or
 *   run; a wrong result is reported through @check.
 */
gboolean ranet_op_check_layer_batch (RanetVkDevice *dev, const RanetOpCheckShape *shape,
    const RanetOpCheckBatch *batch, guint32 seed, RanetOpCheck *check, GError **error);

/**
 * RanetOpCheckReport:
 * @what: the kind, the shape's index in its list and the shader variant
 * @check: the comparison; meaningful only without @error
 * @error: (nullable): why the op could not be created or run
 * @user_data: the data given with the function
 *
 * Receives the outcome of one shape in one shader variant.
 */
typedef void (*RanetOpCheckReport) (const char *what, const RanetOpCheck *check,
    const GError *error, gpointer user_data);

/**
 * ranet_op_check_kind:
 * @dev: the device
 * @kind: a layer kind
 * @report: called once per shape and variant
 * @user_data: passed to @report
 *
 * Checks every shape of @kind's list in each shader variant its row
 * declares: the device's choice, then (by RANET_TEXEL_BUFFERS=0 and
 * RANET_SUBGROUP_SHUFFLE=0 in the environment, restored afterwards) storage
 * buffers instead of texel buffers, then no subgroup shuffles either. Shape
 * i of kind k is seeded with 100 * (k + 1) + i.
 *
 * Returns: the number of shapes in @kind's list.
 */
guint ranet_op_check_kind (RanetVkDevice *dev, RanetLayerKind kind, RanetOpCheckReport report,
    gpointer user_data);

/**
 * ranet_op_check_kind_batches:
 * @dev: the device
 * @kind: a layer kind
 * @batches: (array length=n_batches): how to batch the shapes
 * @n_batches: their number
 * @report: called once per shape, batch and variant checked
 * @user_data: passed to @report
 *
 * As ranet_op_check_kind(), each shape batched as each of @batches says
 * (ranet_op_check_layer_batch()), skipping shapes larger than a batch's
 * max_item_floats. Batches with the same slots and gap make the same
 * pipelines, compiled once per variant.
 *
 * Returns: the number of shapes and batches checked in each variant.
 */
guint ranet_op_check_kind_batches (RanetVkDevice *dev, RanetLayerKind kind,
    const RanetOpCheckBatch *batches, guint n_batches, RanetOpCheckReport report,
    gpointer user_data);

/**
 * ranet_op_selfcheck:
 * @dev: the device
 * @kind: a layer kind
 * @elapsed_ns: (out): the device time of one run
 * @error: return location for a #GError
 *
 * Checks @kind's op on a small, typical shape in the shader variant the
 * device chooses, as ranet-selfcheck runs it.
 *
 * Returns: FALSE with @error set when the op cannot run or its result is
 *   outside the tolerance (the message gives the error found).
 */
gboolean ranet_op_selfcheck (RanetVkDevice *dev, RanetLayerKind kind, guint64 *elapsed_ns,
    GError **error);

G_END_DECLS
