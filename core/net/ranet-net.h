/* ranet-net.h: a model on a device, run one stage at a time.
 *
 * Creating a net uploads the model's folded, packed weights into one device
 * buffer, creates one op per layer and records each stage's command buffer
 * once. A frame then costs one submission per stage it runs: stage 0 starts
 * with the input (a preprocessed video frame, or a ready tensor), and stage k
 * ends with exit k's softmax, whose result the host reads to decide whether to
 * go on. Each stage is timed with GPU timestamps.
 *
 * A net is used by one thread at a time; several nets may share a device.
 */
#pragma once

#include <glib.h>

#include "graph/ranet-graph.h"
#include "model/ranet-model.h"
#include "preprocess/ranet-preprocess.h"
#include "vk/ranet-vk.h"

G_BEGIN_DECLS

/**
 * RANET_NET_ERROR:
 *
 * Error domain of running a net; building one reports the model's, the
 * graph's and the device's errors. Errors in this domain are from the
 * #RanetNetError enumeration.
 */
#define RANET_NET_ERROR (ranet_net_error_quark ())
GQuark ranet_net_error_quark (void);

/**
 * RanetNetError:
 * @RANET_NET_ERROR_STAGE_ORDER: a stage was asked to run out of order (stage
 *   k > 0 runs only right after stage k - 1 of the same frame)
 * @RANET_NET_ERROR_NOT_COMPUTED: an exit the last run did not reach was read
 * @RANET_NET_ERROR_BATCH: a batch's size or regions do not fit the net
 */
typedef enum {
  RANET_NET_ERROR_STAGE_ORDER,
  RANET_NET_ERROR_NOT_COMPUTED,
  RANET_NET_ERROR_BATCH,
} RanetNetError;

/**
 * RANET_NET_MAX_BATCH:
 *
 * The most items a net of batches may hold.
 */
#define RANET_NET_MAX_BATCH 4096u

typedef struct _RanetNet RanetNet;

/**
 * RanetExitResult:
 * @exit_index: the exit these figures come from
 * @class_id: the most probable class (the first on ties)
 * @confidence: its softmax probability
 * @probs: (array length=n_classes): every class's probability; owned by the
 *   net, valid until its next run
 * @n_classes: number of classes
 * @gpu_ns: GPU time of the stage that ended at this exit (0 where the device
 *   has no timestamps)
 * @wall_ns: host time from submission to the result being readable
 * @macs: cumulative multiply-adds to reach this exit
 */
typedef struct {
  guint exit_index;
  guint class_id;
  float confidence;
  const float *probs;
  guint n_classes;
  guint64 gpu_ns;
  guint64 wall_ns;
  guint64 macs;
} RanetExitResult;

/**
 * ranet_net_new:
 * @dev: the device
 * @model: a loaded model
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the net, ready for tensor input
 *   (ranet_net_set_input_tensor()), or %NULL with @error set.
 */
RanetNet *ranet_net_new (RanetVkDevice *dev, RanetModel *model, GError **error);
void ranet_net_free (RanetNet *net);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RanetNet, ranet_net_free)

RanetModel *ranet_net_get_model (RanetNet *net);
const RanetGraph *ranet_net_get_graph (RanetNet *net);
guint ranet_net_get_n_exits (RanetNet *net);

/**
 * ranet_net_set_input_tensor:
 * @net: the net
 * @input: in_channels x input_h x input_w floats, CHW, already normalised
 * @error: return location for a #GError
 *
 * Makes the next run start from @input (and stage 0 copy it into place).
 */
gboolean ranet_net_set_input_tensor (RanetNet *net, const float *input,
    GError **error);

/**
 * ranet_net_set_frame_layout:
 * @net: the net
 * @layout: where the frame's bytes are
 * @mode: how the frame maps onto the network input
 * @error: return location for a #GError
 *
 * Makes stage 0 start with the preprocess dispatch for frames of @layout,
 * using the model's mean and std. Cheap when the layout is unchanged; on a
 * change the preprocess op is created again and stage 0 re-recorded.
 */
gboolean ranet_net_set_frame_layout (RanetNet *net,
    const RanetFrameLayout *layout, RanetResizeMode mode, GError **error);

/**
 * ranet_net_get_frame_memory:
 * @net: the net, after ranet_net_set_frame_layout()
 * @size: (out): ranet_frame_layout_get_size() of the current layout
 *
 * Returns: (transfer none): host-visible memory for the next frame's bytes, laid
 *   out as the frame layout says; write the frame here before running.
 */
guint8 *ranet_net_get_frame_memory (RanetNet *net, gsize *size);

/**
 * ranet_preprocess_params_for_model:
 * @model: a model
 * @layout: the frames
 * @mode: how a frame is brought to the input size
 * @p: (out): the preprocessing that turns such frames into @model's input:
 *   its normalisation (`ranet.preprocess`), and as output the input view
 *   where ranet_net_new() places it among the activations
 */
void ranet_preprocess_params_for_model (RanetModel *model, const RanetFrameLayout *layout,
    RanetResizeMode mode, RanetPreprocessParams *p);

/**
 * ranet_net_write_frame_plane:
 * @net: the net, after ranet_net_set_frame_layout()
 * @plane: a plane of the frame
 * @src: the plane's first row
 * @src_stride: bytes from one row of @src to the next, at least the plane's
 *   row of pixels
 *
 * Copies into the frame memory only the rows of @plane that preprocessing
 * reads: the cheap way to hand a large frame to a small network.
 */
void ranet_net_write_frame_plane (RanetNet *net, guint plane,
    const guint8 *src, gsize src_stride);

/**
 * ranet_net_run_stage:
 * @net: the net
 * @stage: the next stage: 0 for a new frame, else one more than the last run
 * @result: (out): exit @stage's result
 * @error: return location for a #GError
 *
 * Runs one stage and waits for it.
 *
 * Returns: %TRUE on success; %FALSE with @error set (a device error, or a
 *   stage out of order).
 */
gboolean ranet_net_run_stage (RanetNet *net, guint stage,
    RanetExitResult *result, GError **error);

/**
 * ranet_net_run:
 * @net: the net
 * @thresholds: (nullable) (array): one per exit: the frame leaves at the first
 *   exit whose confidence reaches its threshold; %NULL runs every exit
 * @max_exit: the last exit to run (clamped to the last exit)
 * @result: (out): the result at the exit taken
 * @error: return location for a #GError
 *
 * Early exit on fixed thresholds: the frame stops at the first exit whose
 * confidence reaches its threshold, or at @max_exit. Where
 * ranet_net_decides_exit_on_device() says so the exit is decided on the
 * device and the frame is one submission; elsewhere it is a submission per
 * stage. The results are the same either way. @result's gpu_ns is the
 * GPU time of the stages run, its wall_ns the host time of their submissions
 * and waits. Afterwards ranet_net_read_logits() reads every exit up to the
 * one taken, ranet_net_get_stage_gpu_ns() gives each stage's GPU time, and
 * ranet_net_run_stage() may continue the frame.
 */
gboolean ranet_net_run (RanetNet *net, const float *thresholds, guint max_exit,
    RanetExitResult *result, GError **error);

/**
 * ranet_net_get_stage_gpu_ns:
 * @net: the net
 * @stage: a stage of the current frame
 *
 * Returns: the GPU time of @stage in the frame run last (ranet_net_run() or
 *   ranet_net_run_stage()); 0 for a stage that frame has not run, or where
 *   the device has no timestamps.
 */
guint64 ranet_net_get_stage_gpu_ns (RanetNet *net, guint stage);

/**
 * ranet_net_get_stage_dispatches:
 * @net: the net
 * @stage: a stage
 *
 * Returns: the dispatches stage @stage records, stage 0's input op included:
 *   fewer than its layers where runs of them are fused (the device's
 *   fused_layers option).
 */
guint ranet_net_get_stage_dispatches (RanetNet *net, guint stage);

/**
 * ranet_net_decides_exit_on_device:
 * @net: the net
 *
 * Returns: %TRUE when ranet_net_run() runs a frame as one submission, its
 *   exit decided on the device: on devices with VK_EXT_conditional_rendering
 *   (lavapipe and the common GPU drivers), unless RANET_CONDITIONAL_STAGES=0
 *   is in the environment.
 */
gboolean ranet_net_decides_exit_on_device (RanetNet *net);

/**
 * ranet_net_read_logits:
 * @net: the net
 * @exit_index: an exit computed by the last run
 * @logits: (out caller-allocates): num_classes floats
 * @error: return location for a #GError
 *
 * Reads an exit's logits back from the device (for tests and tools; slow).
 */
gboolean ranet_net_read_logits (RanetNet *net, guint exit_index, float *logits,
    GError **error);

/**
 * ranet_net_profile:
 * @net: the net
 * @layer_ns: (out caller-allocates) (array): ranet_graph_get_n_layers() values:
 *   each layer's GPU time in nanoseconds (0 without timestamps)
 * @input_ns: (out) (optional): the input op's GPU time (the preprocess
 *   dispatch, or the copy of a tensor set with ranet_net_set_input_tensor())
 * @error: return location for a #GError
 *
 * Runs the current input through every stage in one submission with a
 * timestamp and a barrier after every dispatch, so that each layer is timed
 * alone. Slower than running the stages; meant for benchmarks and tuning.
 * Afterwards every exit's logits can be read with ranet_net_read_logits().
 */
gboolean ranet_net_profile (RanetNet *net, guint64 *layer_ns, guint64 *input_ns,
    GError **error);

/* ---- batches ---- */

/**
 * ranet_net_new_batched:
 * @dev: the device
 * @model: a loaded model
 * @max_batch: the most items a batch holds, 2 to %RANET_NET_MAX_BATCH; 0 for
 *   ranet_net_default_max_batch()
 * @error: return location for a #GError
 *
 * A net that runs batches of items (the regions of a frame, or tensors), one
 * dispatch per layer for all the items a stage runs. It holds @max_batch
 * times the activations of a net of single frames, and runs only the batch
 * calls below.
 *
 * Returns: (transfer full): the net, or %NULL with @error set.
 */
RanetNet *ranet_net_new_batched (RanetVkDevice *dev, RanetModel *model, guint max_batch,
    GError **error);

/**
 * ranet_net_default_max_batch:
 * @dev: the device
 * @graph: the network
 *
 * Returns: the batch size whose activations take at most 256 MiB and whose
 *   largest tensor's copies fit one binding of @dev, between 2 and 64.
 */
guint ranet_net_default_max_batch (RanetVkDevice *dev, const RanetGraph *graph);

/* The most items a batch of @net holds; 1 for a net of single frames. */
guint ranet_net_get_max_batch (RanetNet *net);

/**
 * ranet_net_set_batch_tensors:
 * @net: a net of batches
 * @inputs: @n inputs, each as ranet_net_set_input_tensor() takes it, one after
 *   another
 * @n: the batch size, 1 to ranet_net_get_max_batch()
 * @error: return location for a #GError
 *
 * Starts a batch of @n tensors: item i is @inputs' i-th.
 */
gboolean ranet_net_set_batch_tensors (RanetNet *net, const float *inputs, guint n,
    GError **error);

/**
 * ranet_net_set_batch_regions:
 * @net: a net of batches
 * @layout: the frame's layout
 * @mode: how each region maps onto the network input
 * @regions: (array length=n): boxes inside the frame, none empty
 * @n: the batch size, 1 to ranet_net_get_max_batch()
 * @error: return location for a #GError
 *
 * Starts a batch of the @n regions of one frame: item i is region i, cropped
 * and resized on the device as if it were a frame of its own, all regions in
 * one dispatch. Then write the frame with ranet_net_write_frame_plane(),
 * which copies only the rows the regions read, before running stage 0.
 */
gboolean ranet_net_set_batch_regions (RanetNet *net, const RanetFrameLayout *layout,
    RanetResizeMode mode, const RanetRegion *regions, guint n, GError **error);

/**
 * ranet_net_run_batch_stage:
 * @net: a net of batches
 * @stage: the stage
 * @items: (array length=n) (nullable): the items to run, each having run stage
 *   @stage - 1; ignored for stage 0, which runs the whole batch
 * @n: how many items @items names (for stage 0, ignored)
 * @results: (out caller-allocates) (array length=n): exit @stage's result of
 *   each item run, in the order of @items; gpu_ns and wall_ns are the whole
 *   stage's, shared by its items
 * @error: return location for a #GError
 *
 * Runs one stage for some items of the batch, in one submission, and waits.
 */
gboolean ranet_net_run_batch_stage (RanetNet *net, guint stage, const guint *items, guint n,
    RanetExitResult *results, GError **error);

/**
 * ranet_net_run_batch:
 * @net: a net of batches
 * @thresholds: (nullable) (array): as for ranet_net_run()
 * @max_exit: the last exit to run
 * @results: (out caller-allocates) (array): one per item of the batch: the
 *   result at the exit it took; gpu_ns and wall_ns add up the stages it was
 *   part of
 * @error: return location for a #GError
 *
 * Early exit for a batch: every item runs stage 0; each later stage runs the
 * items whose confidence has reached no threshold yet. The results equal
 * those of ranet_net_run() on each item alone.
 */
gboolean ranet_net_run_batch (RanetNet *net, const float *thresholds, guint max_exit,
    RanetExitResult *results, GError **error);

/**
 * ranet_net_read_batch_logits:
 * @net: a net of batches
 * @item: an item of the last batch
 * @exit_index: an exit it reached
 * @logits: (out caller-allocates): num_classes floats
 * @error: return location for a #GError
 *
 * ranet_net_read_logits() for one item of a batch.
 */
gboolean ranet_net_read_batch_logits (RanetNet *net, guint item, guint exit_index,
    float *logits, GError **error);

G_END_DECLS
