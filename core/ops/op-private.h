/* op-private.h: what every op wrapper shares; not installed. */
#pragma once

#include "ops/ranet-ops.h"

G_BEGIN_DECLS

/* The bytes of its buffer an op binds for one of its tensors. */
typedef struct {
  gsize offset, size;       /* size 0: to the end of the buffer */
} RanetOpWindow;

/* What an op's shader binds, in order. */
typedef enum {
  RANET_OP_IN_OUT,
  RANET_OP_IN_WEIGHTS_OUT,
  RANET_OP_IN_OUT_CONTROL,  /* softmax_decide: the frame's control words last */
  RANET_OP_CLASSIFIER,      /* input, weights, logits, results */
  RANET_OP_CLASSIFIER_CONTROL,  /* the same and the control words */
} RanetOpBindings;

#define RANET_OP_MAX_BINDINGS 5

/* The items of an op (ranet_op_check_items()): @n_items 1 for an op that is
 * not batched; otherwise its views' slot count and their item strides in
 * floats, which the _batch shader variants take as specialization constants
 * after the op's own. */
typedef struct {
  guint n_items;
  guint32 in_stride, out_stride;
} RanetOpItems;

struct _RanetOp {
  const char *name;
  RanetVkPipeline *pipe;
  gboolean has_weights;     /* binds (in, weights, out) rather than (in, out) */
  guint n_bindings;
  RanetOpWindow window[RANET_OP_MAX_BINDINGS];  /* weights and control: whole */
  guint groups_x, groups_y;
  guint max_items;          /* the slots its views hold */
  gboolean binds_items;     /* batched: its pipeline binds the items list last (every
                             * op of several items, and the regions preprocess) */
  guint64 macs;
};

/* Invocations per workgroup in every op shader (local_size_x). */
#define RANET_OP_GROUP_SIZE 64u

/* An op whose shader runs @n_invocations invocations, flattened over
 * workgroups x and y (RANET_OP_GROUP_SIZE per workgroup). Bindings in
 * @texel_mask are read as texel buffers (ranet_vk_pipeline_new_named_full()). */
RanetOp *ranet_op_new_internal (RanetVkDevice *dev, const char *name,
    const char *shader, RanetOpBindings bindings, guint32 texel_mask, const guint32 *spec,
    guint n_spec, guint64 n_invocations, guint64 macs, GError **error);

/* As ranet_op_new_internal(), over @items (see ranet_op_new_grid()). */
RanetOp *ranet_op_new_internal_items (RanetVkDevice *dev, const char *name,
    const char *shader, RanetOpBindings bindings, guint32 texel_mask,
    const RanetOpItems *items, const guint32 *spec, guint n_spec, guint64 n_invocations,
    guint64 macs, GError **error);

/* An op whose shader takes its workgroup size as a specialization constant and
 * runs a grid of @groups_x x @groups_y workgroups. Bindings in @texel_mask and
 * @vec4_mask are read as texel buffers of floats and of vec4s
 * (ranet_vk_pipeline_new_named_full()). With @items of more than one item,
 * the op is batched: it takes @shader's _batch variant, with the items list
 * bound after its own bindings and the item strides and count appended to
 * @spec. */
RanetOp *ranet_op_new_grid (RanetVkDevice *dev, const char *name,
    const char *shader, RanetOpBindings bindings, guint32 texel_mask, guint32 vec4_mask,
    const RanetOpItems *items, const guint32 *spec, guint n_spec, guint64 groups_x,
    guint64 groups_y, guint64 macs, GError **error);

/* A convolution op (conv2d.comp, conv1x1.comp): the shader @shader, or its
 * _sg variant where @sg lanes share weight loads, or _sg_texel where the
 * input window @in is read as a texel buffer of floats (ranet_op_texel_input()) and
 * the weights, which end at float @weights_end, as a texel buffer of vec4s. Its
 * workgroups of @local invocations cover @n_pix pixel blocks in x, @local /
 * @groups per workgroup, and @n_oc_blocks blocks of output channels in y,
 * @groups per workgroup (ranet_op_oc_groups()); z over @items as
 * ranet_op_new_grid(). */
RanetOp *ranet_op_new_conv (RanetVkDevice *dev, const char *name, const char *shader,
    const RanetOpWindow *in, gsize weights_end, guint sg, guint local, guint groups,
    const RanetOpItems *items, const guint32 *spec, guint n_spec, guint64 n_pix,
    guint n_oc_blocks, guint64 macs,
    GError **error);

/* Also checks the items of a view of several: its item stride at least its
 * tensor's size, and the last item's end within 32-bit float indices. */
gboolean ranet_op_check_view (const RanetTensorView *v, const char *op,
    const char *what, GError **error);
/* The items of an op from @in to @out, both passed ranet_op_check_view(): as
 * many in both (0 and 1 alike mean one). */
gboolean ranet_op_check_items (const RanetTensorView *in, const RanetTensorView *out,
    const char *op, RanetOpItems *items, GError **error);

/* A view's items: 1 for a single one. */
static inline guint
ranet_tensor_view_n_items (const RanetTensorView *v)
{
  return MAX (v->n_items, 1);
}
gboolean ranet_op_check_weights_offset (gsize weights_offset, gsize n_floats,
    const char *op, GError **error);

/* The window an op binds for @n floats from float @first of a buffer: from
 * @first, rounded down to the device's binding alignment, to the last float.
 * Binding no more than that is what lets the recording overlap dispatches
 * that touch other parts of the same buffer (ranet_vk_commands_dispatch_bindings()).
 * Returns where @first lies in the window, in floats: what the shader
 * indexes from. */
guint32 ranet_op_float_window (RanetVkDevice *dev, gsize first, gsize n, RanetOpWindow *w);

/* The window of a view that passed ranet_op_check_view(), as
 * ranet_op_float_window(): its channels are consecutive, one run of floats,
 * from its first item's to its last item's. Returns the float index of
 * element (0, 0, 0) of its first item within the window. */
guint32 ranet_op_view_window (RanetVkDevice *dev, const RanetTensorView *v, RanetOpWindow *w);

/* Gives @op (nullable) the windows of its input and output bindings. */
RanetOp *ranet_op_set_windows (RanetOp *op, const RanetOpWindow *in, const RanetOpWindow *out);

/* The bits of a bilinear resize's scale from @in to @out pixels
 * (align_corners=True), a float specialization constant: computed in
 * float, as PyTorch does, so that every op resizing samples where PyTorch
 * does (op-resize.c). */
guint32 ranet_op_resize_scale_bits (guint in, guint out);

/* The checks of ranet_op_conv2d_new(), for ops that run a convolution among
 * other things. */
gboolean ranet_op_conv2d_check (const RanetConv2dParams *p, GError **error);

/* The shape checks of ranet_op_conv1x1_new() (views, output size), without
 * the items and weights checks, for ops that run one among other things. */
gboolean ranet_op_conv1x1_check (const RanetConv1x1Params *p, GError **error);

/* Vec4s of output channels per block of a linear layer's packed weights
 * (op-conv1x1.c). */
guint ranet_op_linear_oc_vec4s (const RanetLinearParams *p);

/* Vec4s of output channels per invocation of conv1x1.comp for @out_c output
 * channels, which its weight packing follows. */
guint ranet_op_conv1x1_oc_vec4s (guint out_c);

/* Accumulators per invocation (output channels x pixels) of the convolution
 * shaders: 64 floats. More spill registers on lavapipe; within 64, more
 * channels and fewer pixels means fewer input loads per multiply-add, which is
 * what the time goes on (measured on lavapipe, 3x3 layers of 14x14 to 56x56:
 * 16 channels x 4 pixels is 1.3-1.8x faster than 8 x 8). */
#define RANET_OP_ACCUMULATORS 64u

/* Vec4s of output channels per invocation of the convolution shaders for
 * @out_c output channels: as many as the layer fills, up to 4, or 3 where
 * that pads less (24 channels: two blocks of 12, not 16 + 8 of padding); one
 * for narrow layers (a growth rate of 4 or 6), where more would mostly
 * compute padding. The packing and the shaders both follow this. */
static inline guint
ranet_op_oc_vec4s (guint out_c)
{
  if (out_c > 8) {
    guint padded4 = (out_c + 15) / 16 * 16, padded3 = (out_c + 11) / 12 * 12;
    return padded3 < padded4 ? 3 : 4;
  }
  return out_c > 4 ? 2 : 1;
}

/* Output pixels per invocation that go with ranet_op_oc_vec4s() (@ocv). */
static inline guint
ranet_op_max_pixels (guint ocv)
{
  return MIN (RANET_OP_ACCUMULATORS / (4 * ocv), 8);
}

/* Output pixels per invocation along a run of @n: up to @max, balanced so
 * that the last block of a row is not mostly empty (14 -> 7 + 7, not 8 + 6). */
static inline guint
ranet_op_pixels_per_invocation (guint n, guint max)
{
  guint n_blocks = (n + max - 1) / max;
  return (n + n_blocks - 1) / n_blocks;
}

/* Workgroup size for @n independent invocations: 64, or down to 8 (the SIMD
 * width of lavapipe and the smallest subgroup of common GPUs) while that leaves
 * fewer than 4 workgroups, so that small layers still spread over several
 * cores or compute units instead of filling one mostly empty workgroup. */
static inline guint
ranet_op_local_size (guint64 n)
{
  guint local = RANET_OP_GROUP_SIZE;
  while (local > 8 && (n + local - 1) / local < 4)
    local /= 2;
  return local;
}

/* Whether an op reads its input window @in through a texel buffer (and a
 * convolution its weights too, ranet_op_new_conv()): on CPU implementations,
 * where a storage-buffer load that differs between invocations is a loop over
 * the SIMD lanes while a texel fetch is one vector gather (measured on
 * lavapipe: 3x3 layers 1.3-1.6x faster), as long as the tensor lies within
 * the device's texel-buffer limit. Unmeasured on GPUs, so they keep storage
 * buffers. RANET_TEXEL_BUFFERS=0 in the environment turns texel reads off
 * (for comparisons and tests). */
static inline gboolean
ranet_op_texel_input (RanetVkDevice *dev, const RanetOpWindow *in)
{
  if (!ranet_vk_device_get_options (dev)->texel_buffers)
    return FALSE;
  return ranet_vk_device_is_cpu (dev)
      && in->size / sizeof (float) <= ranet_vk_device_get_max_texel_buffer_elements (dev);
}

/* Lanes of a subgroup that share weight loads through subgroup shuffles (the
 * _sg shader variants), or 1 where the device cannot shuffle. At most 8: the
 * smallest workgroup ranet_op_local_size() makes, so the lanes are always
 * active and in the same workgroup. RANET_SUBGROUP_SHUFFLE=0 in the
 * environment makes every op take the shaders without shuffles (tests use it
 * to check those on devices that have shuffles). */
static inline guint
ranet_op_weight_sharing (RanetVkDevice *dev)
{
  if (!ranet_vk_device_has_subgroup_shuffle (dev)
      || !ranet_vk_device_get_options (dev)->subgroup_shuffle)
    return 1;
  return MIN (ranet_vk_device_get_subgroup_size (dev), 8);
}

/* Blocks of output channels per workgroup, side by side in the lanes of a
 * subgroup (GROUPS in shaders/conv2d.comp and conv1x1.comp): 1, unless a layer
 * has fewer output pixel blocks (@n_pix) than a subgroup of @sg lanes: a
 * classifier's 4x4 and 2x2 outputs would leave half to three quarters of the
 * lanes idle, a fully connected layer seven eighths. Needs the weight-sharing
 * shaders, whose shuffles hand each lane its own block's weights within every
 * run of @sg lanes. */
static inline guint
ranet_op_oc_groups (RanetVkDevice *dev, guint sg, guint64 n_pix, guint n_oc_blocks)
{
  guint groups = 1;

  if (sg <= 1 || ranet_vk_device_get_subgroup_size (dev) % sg != 0)
    return 1;
  while (groups < sg && n_pix * groups < sg && groups < n_oc_blocks)
    groups *= 2;
  return groups;
}

G_END_DECLS
