/* ranet-ops.h: the operations a RANet is made of, as Vulkan compute dispatches.
 *
 * Every op reads and writes float32 tensors of batch 1 in CHW order, seen through
 * a #RanetTensorView. Shapes and element offsets are fixed when an op is created
 * (they become specialization constants, so the driver compiles each layer for its
 * exact shape); recording an op allocates nothing and a recording can be submitted
 * any number of times.
 *
 * Ops with weights read them from a weights buffer at an element offset, in a
 * layout of their own: the model code asks for the packed size, packs the PyTorch
 * tensors with the op's pack function and places the result in one device buffer.
 */
#pragma once

#include <glib.h>

#include "vk/ranet-vk.h"

G_BEGIN_DECLS

/**
 * RanetTensorView:
 * @c: channels seen by the op
 * @h: height
 * @w: width
 * @c_offset: first channel of the view inside its tensor
 * @c_total: channels of the whole tensor, at least @c_offset + @c
 * @base: offset, in floats, of the whole tensor inside its buffer
 * @n_items: copies of the tensor, one per item of a batch; 0 or 1 for one
 * @item_stride: floats from one item's copy to the next's, at least
 *   @c_total * @h * @w (used only when @n_items > 1)
 *
 * A channel slice of a CHW tensor. Element (c, y, x) lives at float index
 * base + ((c_offset + c) * h + y) * w + x. Writing an op's output into a slice
 * of a larger tensor is what makes dense concatenation free. In a batch,
 * item i's element lives @item_stride * i floats further.
 */
typedef struct {
  guint c, h, w;
  guint c_offset;
  guint c_total;
  gsize base;
  guint n_items;
  gsize item_stride;
} RanetTensorView;

/* Float index of element (0, 0, 0) of @v in its buffer. */
static inline gsize
ranet_tensor_view_origin (const RanetTensorView *v)
{
  return v->base + (gsize) v->c_offset * v->h * v->w;
}

/**
 * RanetConv2dParams:
 * @in: input view
 * @out: output view; out.h = (in.h + 2 * pad_h - kh) / stride + 1, same for w
 * @kh: kernel height
 * @kw: kernel width
 * @stride: stride in both directions
 * @pad_h: zero padding above and below
 * @pad_w: zero padding left and right
 * @relu: apply ReLU to the result
 *
 * A direct convolution. Weights are PyTorch's [out.c][in.c][kh][kw] and a bias
 * [out.c] (BatchNorm already folded in; zeros when the layer has none).
 */
typedef struct {
  RanetTensorView in, out;
  guint kh, kw;
  guint stride;
  guint pad_h, pad_w;
  gboolean relu;
} RanetConv2dParams;

/**
 * RanetConv1x1Params:
 * @in: input view
 * @out: output view, same h and w as @in
 * @pre_act: apply relu(scale[c] * x + shift[c]) to each input value first
 *   (a BatchNorm + ReLU in front of the convolution)
 * @relu: apply ReLU to the result
 *
 * A 1x1 convolution of stride 1 without padding, computed as a matrix product:
 * out = W * act(in) + b.
 */
typedef struct {
  RanetTensorView in, out;
  gboolean pre_act;
  gboolean relu;
} RanetConv1x1Params;

/**
 * RanetResizeParams:
 * @in: input view
 * @out: output view, same c as @in, any h and w
 *
 * Bilinear resize with align_corners=True, exactly as PyTorch's
 * F.interpolate (mode="bilinear", align_corners=True).
 */
typedef struct {
  RanetTensorView in, out;
} RanetResizeParams;

/**
 * RanetBottleneckParams:
 * @reduce: the 1x1 convolution into the bottleneck
 * @conv: the convolution of the bottleneck; @conv.in must be the same view as
 *   @reduce.out
 * @resize: whether the op ends with a bilinear resize of @conv's result
 * @resize_p: that resize, where @resize is %TRUE: @resize_p.in must be the
 *   same view as @conv.out, @resize_p.out any view of as many channels;
 *   ignored otherwise
 *
 * A 1x1 convolution followed by a KxK convolution of its result (RANet's
 * ConvBN pairs), computed by one op: each workgroup keeps the bottleneck of
 * its part of the map in shared memory, so the bottleneck view is never
 * written. Its weights are the two convolutions' own packed blocks
 * (ranet_op_conv1x1_pack_weights(), ranet_op_conv2d_pack_weights()), so a net
 * can run a pair fused or as two ops over one weights buffer.
 *
 * With @resize the KxK result is kept in shared memory too and only its
 * resize (as ranet_op_resize_bilinear_new() computes it) is written: RANet
 * upsamples the small result of a ConvBN pair into a channel slice of a
 * larger tensor, and this saves the resize's dispatch. @conv.out is then
 * never written either.
 */
typedef struct {
  RanetConv1x1Params reduce;
  RanetConv2dParams conv;
  gboolean resize;
  RanetResizeParams resize_p;
} RanetBottleneckParams;

/**
 * RanetPoolKind:
 * @RANET_POOL_MAX: maximum; padding counts as -infinity
 * @RANET_POOL_AVG: average over the whole kernel window (no padding allowed)
 */
typedef enum {
  RANET_POOL_MAX,
  RANET_POOL_AVG,
} RanetPoolKind;

/**
 * RanetPool2dParams:
 * @in: input view
 * @out: output view, same c as @in; out.h = (in.h + 2 * pad - kernel) / stride + 1
 * @kind: max or average
 * @kernel: square window size
 * @stride: stride in both directions
 * @pad: padding on every side (max pooling only, at most kernel / 2)
 */
typedef struct {
  RanetTensorView in, out;
  RanetPoolKind kind;
  guint kernel, stride, pad;
} RanetPool2dParams;

/**
 * RanetLinearParams:
 * @in: input view, flattened in CHW order (in.c * in.h * in.w features)
 * @out: output view with out.h = out.w = 1 and out.c outputs
 * @relu: apply ReLU to the result
 *
 * A fully connected layer; weights are PyTorch's [out][in], bias [out].
 */
typedef struct {
  RanetTensorView in, out;
  gboolean relu;
} RanetLinearParams;

/**
 * RanetSoftmaxParams:
 * @in: K logits: a view with in.c * in.h * in.w = K
 * @out_base: float offset of the result in the output buffer
 * @out_item_stride: in a batch (@in.n_items > 1), floats from one item's
 *   result to the next's
 *
 * The result is K + 2 floats at @out_base: the probabilities [K], then the
 * largest probability, then the index of the largest logit (the first one on
 * ties) stored as a float value (exact below 2^24).
 */
typedef struct {
  RanetTensorView in;
  gsize out_base;
  gsize out_item_stride;
} RanetSoftmaxParams;

/* Number of floats a softmax writes for @k logits. */
#define RANET_SOFTMAX_OUT_SIZE(k) ((k) + 2)

/**
 * RanetCopyParams:
 * @in: source view
 * @out: destination view, same c, h and w as @in
 */
typedef struct {
  RanetTensorView in, out;
} RanetCopyParams;

/* ---- weight packing ----
 * The pack functions trust @p: pass parameters the matching ranet_op_*_new()
 * accepts (the layout depends on in.c, kh, kw and out.c only).
 */

/**
 * ranet_op_conv2d_packed_weight_size:
 * @p: the convolution
 *
 * Returns: the number of floats ranet_op_conv2d_pack_weights() writes; always a
 *   multiple of 4, so packed blocks placed one after another stay aligned.
 */
gsize ranet_op_conv2d_packed_weight_size (const RanetConv2dParams *p);

/**
 * ranet_op_conv2d_pack_weights:
 * @p: the convolution
 * @torch_weights: [out.c][in.c][kh][kw]
 * @bias: (nullable): [out.c], or %NULL for zeros
 * @packed: (out caller-allocates): ranet_op_conv2d_packed_weight_size() floats
 */
void ranet_op_conv2d_pack_weights (const RanetConv2dParams *p,
    const float *torch_weights, const float *bias, float *packed);

/**
 * ranet_op_conv1x1_packed_weight_size:
 * Returns: the number of floats ranet_op_conv1x1_pack_weights() writes (a multiple of 4).
 */
gsize ranet_op_conv1x1_packed_weight_size (const RanetConv1x1Params *p);

/**
 * ranet_op_conv1x1_pack_weights:
 * @p: the convolution
 * @torch_weights: [out.c][in.c] (a [out.c][in.c][1][1] tensor)
 * @bias: (nullable): [out.c], or %NULL for zeros
 * @pre_scale: (nullable): [in.c]; used only when @p has pre_act
 * @pre_shift: (nullable): [in.c]; used only when @p has pre_act
 * @packed: (out caller-allocates): ranet_op_conv1x1_packed_weight_size() floats
 */
void ranet_op_conv1x1_pack_weights (const RanetConv1x1Params *p,
    const float *torch_weights, const float *bias,
    const float *pre_scale, const float *pre_shift, float *packed);

/**
 * ranet_op_linear_packed_weight_size:
 * Returns: the number of floats ranet_op_linear_pack_weights() writes (a multiple of 4).
 */
gsize ranet_op_linear_packed_weight_size (const RanetLinearParams *p);

/**
 * ranet_op_linear_pack_weights:
 * @p: the layer
 * @torch_weights: [out.c][in.c * in.h * in.w]
 * @bias: (nullable): [out.c], or %NULL for zeros
 * @packed: (out caller-allocates): ranet_op_linear_packed_weight_size() floats
 */
void ranet_op_linear_pack_weights (const RanetLinearParams *p,
    const float *torch_weights, const float *bias, float *packed);

/* ---- ops on a device ---- */

/**
 * RanetOp:
 *
 * One layer bound to a device: its pipeline, specialized for the layer's shape,
 * and its dispatch size. Created once per layer, recorded any number of times.
 */
typedef struct _RanetOp RanetOp;

/**
 * ranet_op_conv2d_new:
 * @dev: the device
 * @p: the convolution; copied
 * @weights_offset: where the packed weights start in the weights buffer, in
 *   floats; a multiple of 4 (weights are read as vec4)
 * @error: return location for a #GError
 *
 * Invalid parameters give %RANET_VK_ERROR_INVALID. The same holds for every
 * ranet_op_*_new() function.
 *
 * Returns: (transfer full): the op, or %NULL with @error set.
 */
RanetOp *ranet_op_conv2d_new (RanetVkDevice *dev, const RanetConv2dParams *p,
    gsize weights_offset, GError **error);
RanetOp *ranet_op_conv1x1_new (RanetVkDevice *dev, const RanetConv1x1Params *p,
    gsize weights_offset, GError **error);
/**
 * ranet_op_bottleneck_supported:
 * @dev: the device
 * @p: the pair of convolutions
 *
 * Whether ranet_op_bottleneck_new() accepts @p on @dev: valid parameters of
 * one item, and a bottleneck of which one output row's worth (its kernel
 * rows, full width, channels rounded up to a multiple of 4) fits the shared
 * memory the op uses (16 KiB, or the device's limit where that is less).
 * With a resize, the whole bottleneck footprint and the whole KxK output
 * must fit that memory at once, since one workgroup resizes all of it.
 *
 * Returns: %TRUE when the pair can be fused.
 */
gboolean ranet_op_bottleneck_supported (RanetVkDevice *dev, const RanetBottleneckParams *p);

/**
 * ranet_op_bottleneck_new:
 * @dev: the device
 * @p: the pair of convolutions; copied
 * @reduce_weights_offset: where the 1x1 convolution's packed weights start in
 *   the weights buffer, in floats; a multiple of 4
 * @conv_weights_offset: where the KxK convolution's packed weights start, in
 *   floats; a multiple of 4
 * @error: return location for a #GError
 *
 * The fused op of @p, recorded with ranet_op_record() as the convolutions
 * are: it reads @p's reduce.in, writes its conv.out (with a resize: its
 * resize_p.out instead) and never the bottleneck view. Views of several items are refused, as is anything
 * ranet_op_bottleneck_supported() refuses (%RANET_VK_ERROR_INVALID).
 *
 * Returns: (transfer full): the op, or %NULL with @error set.
 */
RanetOp *ranet_op_bottleneck_new (RanetVkDevice *dev, const RanetBottleneckParams *p,
    gsize reduce_weights_offset, gsize conv_weights_offset, GError **error);
RanetOp *ranet_op_linear_new (RanetVkDevice *dev, const RanetLinearParams *p,
    gsize weights_offset, GError **error);
RanetOp *ranet_op_resize_bilinear_new (RanetVkDevice *dev,
    const RanetResizeParams *p, GError **error);
RanetOp *ranet_op_pool2d_new (RanetVkDevice *dev, const RanetPool2dParams *p,
    GError **error);
RanetOp *ranet_op_softmax_new (RanetVkDevice *dev, const RanetSoftmaxParams *p,
    GError **error);
/* The softmax of @p as a one-invocation dispatch that also decides whether
 * a frame run as one submission goes on after stage @exit_index of
 * @n_exits (shaders/softmax.comp); never batched (an input of several items
 * gives %RANET_VK_ERROR_INVALID). Recorded with
 * ranet_op_record_buffers(): the activations, the results, the control
 * words. */
RanetOp *ranet_op_softmax_decide_new (RanetVkDevice *dev,
    const RanetSoftmaxParams *p, guint exit_index, guint n_exits, GError **error);
RanetOp *ranet_op_copy_new (RanetVkDevice *dev, const RanetCopyParams *p,
    GError **error);

/**
 * ranet_op_record:
 * @op: the op
 * @cmds: a recording in progress
 * @in: buffer holding the input view
 * @weights: (nullable): buffer holding the packed weights; ignored (may be
 *   %NULL) for ops without weights
 * @out: buffer holding the output view; may be @in, provided the input and
 *   output views do not overlap
 *
 * Records the op's dispatch. It binds only the floats of its views (rounded
 * out to the device's binding alignment), so the recording puts a barrier
 * before it only where it touches what an earlier dispatch touched
 * (ranet_vk_commands_dispatch_bindings()). Not for a batched op
 * (ranet_op_record_items()).
 */
void ranet_op_record (RanetOp *op, RanetVkCommands *cmds, RanetVkBuffer *in,
    RanetVkBuffer *weights, RanetVkBuffer *out);

/* As ranet_op_record(), with the op's @n_buffers buffers in binding order.
 * Not for a batched op (ranet_op_record_items()). */
void ranet_op_record_buffers (RanetOp *op, RanetVkCommands *cmds,
    RanetVkBuffer *const *buffers, guint n_buffers);

/* ---- batched ops ----
 * An op whose input view holds several items (#RanetTensorView.n_items > 1)
 * is batched: one dispatch runs it on any list of its item slots, workgroup
 * z taking the slot at index z of the list, with the same weights for all.
 * Its windows cover every slot, so the recording orders it against whatever
 * touches any of them. A batched op is recorded only with
 * ranet_op_record_items() or ranet_op_record_items_indirect().
 */

/**
 * ranet_op_is_batched:
 * @op: the op
 *
 * Returns: whether @op was made on views of several items.
 */
gboolean ranet_op_is_batched (RanetOp *op);

/**
 * ranet_op_get_max_items:
 * @op: the op
 *
 * Returns: the item slots of its views (their n_items), 1 if @op is not
 *   batched.
 */
guint ranet_op_get_max_items (RanetOp *op);

/**
 * ranet_op_record_items:
 * @op: a batched op
 * @cmds: a recording in progress
 * @buffers: (array length=n_buffers): its usual buffers in binding order, as
 *   for ranet_op_record_buffers()
 * @n_buffers: their number
 * @items: the items list: uint32 slot numbers, each below
 *   ranet_op_get_max_items(), entry z for workgroup z; bound whole, host-visible
 *   or device memory
 * @n_items: entries of @items to run, 1 to ranet_op_get_max_items()
 *
 * Records one dispatch of @op over @n_items items: the slots listed in the
 * first @n_items entries of @items, in any order and any subset; slots not
 * listed are neither read nor written. Ordered against earlier dispatches as
 * ranet_op_record() is, by its windows and the whole of @items.
 */
void ranet_op_record_items (RanetOp *op, RanetVkCommands *cmds, RanetVkBuffer *const *buffers,
    guint n_buffers, RanetVkBuffer *items, guint n_items);

/**
 * ranet_op_record_items_indirect:
 * @op: a batched op
 * @cmds: a recording in progress
 * @buffers: (array length=n_buffers): as for ranet_op_record_items()
 * @n_buffers: their number
 * @items: as for ranet_op_record_items()
 * @args: three uint32 workgroup counts at byte @args_offset, written by the
 *   host before each submission (ranet_op_get_dispatch_args())
 * @args_offset: a multiple of 4
 *
 * As ranet_op_record_items(), with the number of items read when the
 * device runs the dispatch: one recording serves any number of items.
 * @items must then hold as many entries as the args ask for.
 */
void ranet_op_record_items_indirect (RanetOp *op, RanetVkCommands *cmds,
    RanetVkBuffer *const *buffers, guint n_buffers, RanetVkBuffer *items,
    RanetVkBuffer *args, gsize args_offset);

/**
 * ranet_op_get_dispatch_args:
 * @op: the op
 * @n_items: items to run, 1 to ranet_op_get_max_items()
 * @args: (out caller-allocates) (array fixed-size=3): the workgroup counts
 *   in x, y and z
 *
 * The workgroup counts that run @op over @n_items items, for
 * ranet_op_record_items_indirect()'s args buffer.
 */
void ranet_op_get_dispatch_args (RanetOp *op, guint n_items, guint32 args[3]);

/**
 * RanetClassifierParams:
 * @conv: the classifier's last convolution (one item)
 * @linear: its linear layer; @linear.in is @conv.out, flattened
 * @softmax: the softmax of the logits; @softmax.in is @linear.out
 *
 * The end of an exit's classifier, run as one op by
 * ranet_op_classifier_new().
 */
typedef struct {
  RanetConv2dParams conv;
  RanetLinearParams linear;
  RanetSoftmaxParams softmax;
} RanetClassifierParams;

/**
 * ranet_op_classifier_supported:
 * @p: the layers
 *
 * Whether ranet_op_classifier_new() takes @p: each layer valid for its own
 * op, one item, views that chain as #RanetClassifierParams says, no ReLU on
 * the logits, and the convolution's output and the logits within the 16 KiB
 * of shared memory every device has.
 *
 * Returns: %TRUE where it does.
 */
gboolean ranet_op_classifier_supported (const RanetClassifierParams *p);

/**
 * ranet_op_classifier_new:
 * @dev: the device
 * @p: the layers; copied
 * @conv_weights_offset: the convolution's packed weights
 *   (ranet_op_conv2d_pack_weights()), in floats, a multiple of 4
 * @linear_weights_offset: the linear layer's (ranet_op_linear_pack_weights())
 * @error: return location for a #GError
 *
 * The convolution, the linear layer and the softmax of @p as one dispatch of
 * one workgroup (shaders/classifier.comp): what the three ops compute, in a
 * third of the dispatches. It writes the logits (@p->linear.out) and the
 * softmax results, not the convolution's output, which stays in the
 * workgroup's memory. Recorded with ranet_op_record_buffers(): the
 * activations (read), the weights, the activations (the logits), the
 * results. Parameters ranet_op_classifier_supported() refuses give
 * %RANET_VK_ERROR_INVALID.
 *
 * Returns: (transfer full): the op, or %NULL with @error set.
 */
RanetOp *ranet_op_classifier_new (RanetVkDevice *dev, const RanetClassifierParams *p,
    gsize conv_weights_offset, gsize linear_weights_offset, GError **error);

/**
 * ranet_op_classifier_decide_new:
 * @dev: the device
 * @p: the layers; copied
 * @conv_weights_offset: as ranet_op_classifier_new()
 * @linear_weights_offset: as ranet_op_classifier_new()
 * @exit_index: the exit the classifier belongs to
 * @n_exits: the net's exits
 * @error: return location for a #GError
 *
 * ranet_op_classifier_new() ending as ranet_op_softmax_decide_new() does:
 * it also decides whether a frame run as one submission goes on after stage
 * @exit_index. Recorded with the control words as a fifth buffer.
 *
 * Returns: (transfer full): the op, or %NULL with @error set.
 */
RanetOp *ranet_op_classifier_decide_new (RanetVkDevice *dev, const RanetClassifierParams *p,
    gsize conv_weights_offset, gsize linear_weights_offset, guint exit_index, guint n_exits,
    GError **error);

/* The op's kind ("conv2d", "conv1x1", "bottleneck", "linear", "resize_bilinear", "maxpool2d",
 * "avgpool2d", "softmax", "copy"). */
const char *ranet_op_get_name (RanetOp *op);

/* Multiply-adds one run of the op performs (0 for ops without weights). */
guint64 ranet_op_get_macs (RanetOp *op);

void ranet_op_free (RanetOp *op);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RanetOp, ranet_op_free)

G_END_DECLS
