/* op-bottleneck.c: a 1x1 convolution into a bottleneck and a KxK convolution
 * of it in one dispatch (shaders/bottleneck.comp), the bottleneck kept in
 * shared memory. */
#include "ops/op-private.h"

/* Shared memory the shader may declare: 16 KiB, the least every Vulkan
 * device offers, so that the same layers fuse on every device. */
#define MAX_SHARED_BYTES 16384u

/* How the shader covers the output, fixed once per layer. */
typedef struct {
  guint tile_h, n_tiles;        /* output rows per workgroup, workgroups */
  guint ocv1, px1, ocv2, px2;   /* register blocks of the two phases */
  guint sg;                     /* lanes that share weight loads */
  guint local;                  /* invocations per workgroup */
} Plan;


/* Footprint rows of a tile of @tile_h output rows. */
static guint64
footprint_rows (const RanetConv2dParams *c, guint tile_h)
{
  return (guint64) (tile_h - 1) * c->stride + c->kh;
}

/* Bytes of the shared bottleneck for tiles of @tile_h output rows: every
 * channel at every footprint row, four channels per vec4. */
static guint64
shared_bytes (const RanetConv2dParams *c, guint tile_h)
{
  return (guint64) (c->in.c + 3) / 4 * 4 * footprint_rows (c, tile_h) * c->in.w
      * sizeof (float);
}

/* Bytes of the KxK output kept in shared memory for the resize. */
static guint64
result_bytes (const RanetBottleneckParams *p)
{
  const RanetTensorView *o = &p->conv.out;

  return p->resize ? (guint64) o->c * o->h * o->w * sizeof (float) : 0;
}

static gboolean
views_equal (const RanetTensorView *a, const RanetTensorView *b)
{
  return a->c == b->c && a->h == b->h && a->w == b->w && a->c_offset == b->c_offset
      && a->c_total == b->c_total && a->base == b->base
      && ranet_tensor_view_n_items (a) == ranet_tensor_view_n_items (b)
      && (ranet_tensor_view_n_items (a) <= 1 || a->item_stride == b->item_stride);
}

/* Items of a phase: blocks of channels times blocks of pixels, these padded
 * to a multiple of @sg so that a run of @sg lanes shares one channel block. */
static guint
phase_items (guint channels, guint ocv, guint n_pix, guint sg)
{
  return (channels + 4 * ocv - 1) / (4 * ocv) * ((n_pix + sg - 1) / sg * sg);
}

/* Invocations per workgroup: a multiple of 8 (lavapipe's SIMD width, and a
 * whole number of weight-sharing runs) up to RANET_OP_GROUP_SIZE, the one
 * that wastes least on surplus invocations: a workgroup's rounds of each
 * phase run one after the other, so what counts is rounds times
 * invocations times the multiply-adds of an item. */
static guint
choose_local (const RanetBottleneckParams *p, const Plan *plan)
{
  const RanetConv2dParams *c = &p->conv;
  const RanetTensorView *rs = &p->resize_p.out;
  guint items3 = p->resize ? rs->c * rs->h * rs->w : 0;
  guint fh = (guint) footprint_rows (c, plan->tile_h);
  guint items1 = phase_items (c->in.c, plan->ocv1, (fh * c->in.w + plan->px1 - 1) / plan->px1,
      plan->sg);
  guint items2 = phase_items (c->out.c, plan->ocv2,
      plan->tile_h * ((c->out.w + plan->px2 - 1) / plan->px2), plan->sg);
  guint64 cost1 = (guint64) c->in.c * 4 * plan->ocv1 * plan->px1;
  guint64 cost2 = (guint64) c->in.c * c->kh * c->kw * 4 * plan->ocv2 * plan->px2;
  guint64 best_cost = G_MAXUINT64;
  guint best = 8;

  for (guint local = 8; local <= RANET_OP_GROUP_SIZE; local += 8) {
    guint64 cost = (guint64) (items1 + local - 1) / local * local * cost1
        + (guint64) (items2 + local - 1) / local * local * cost2
        + (guint64) (items3 + local - 1) / local * local * 4;
    if (cost < best_cost) {
      best_cost = cost;
      best = local;
    }
  }
  return best;
}

/* Whether @p's resize is one the op can end with: of the KxK output, to a
 * view of one item and as many channels, the whole footprint and output
 * fitting @limit bytes of shared memory in one tile. */
static gboolean
resize_check (const RanetBottleneckParams *p, gsize limit, GError **error)
{
  const RanetConv2dParams *c = &p->conv;
  const RanetResizeParams *r = &p->resize_p;
  guint64 need = shared_bytes (c, c->out.h) + result_bytes (p);

  if (!ranet_op_check_view (&r->out, "bottleneck", "resize output", error))
    return FALSE;
  if (!views_equal (&r->in, &c->out)) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "bottleneck: the resize's input view is not the KxK convolution's output view");
    return FALSE;
  }
  if (r->out.c != c->out.c) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "bottleneck: the resize's output has %u channels, the convolution's %u",
        r->out.c, c->out.c);
    return FALSE;
  }
  if (ranet_tensor_view_n_items (&r->out) > 1) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "bottleneck: views of several items are not supported");
    return FALSE;
  }
  if (need > limit) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "bottleneck: resizing needs the whole bottleneck and output in one workgroup, %"
        G_GUINT64_FORMAT " bytes of shared memory, more than the %" G_GSIZE_FORMAT
        " allowed", need, limit);
    return FALSE;
  }
  return TRUE;
}

/* Checks @p and chooses its plan: the tallest tile whose bottleneck fits,
 * then tiles of equal height, so the last is not a sliver that costs a
 * whole halo. Fewer tiles means fewer halo rows computed twice; more tiles
 * did not make lavapipe's two threads faster (72x7x7 -> 32 -> 16: 90-95 us
 * in one tile, 130-140 in two). */
static gboolean
bottleneck_plan (RanetVkDevice *dev, const RanetBottleneckParams *p, Plan *plan,
    GError **error)
{
  const RanetConv2dParams *c = &p->conv;
  gsize limit = MIN (MAX_SHARED_BYTES, ranet_vk_device_get_max_shared_memory (dev));
  guint tile_h;

  if (!ranet_op_conv1x1_check (&p->reduce, error) || !ranet_op_conv2d_check (c, error))
    return FALSE;
  if (!views_equal (&p->reduce.out, &c->in)) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "bottleneck: the 1x1 convolution's output view (channels %u..%u of %u, "
        "%ux%u, at float %" G_GSIZE_FORMAT ") is not the KxK convolution's input view "
        "(channels %u..%u of %u, %ux%u, at float %" G_GSIZE_FORMAT ")",
        p->reduce.out.c_offset, p->reduce.out.c_offset + p->reduce.out.c,
        p->reduce.out.c_total, p->reduce.out.h, p->reduce.out.w, p->reduce.out.base,
        c->in.c_offset, c->in.c_offset + c->in.c, c->in.c_total, c->in.h, c->in.w,
        c->in.base);
    return FALSE;
  }
  if (ranet_tensor_view_n_items (&p->reduce.in) > 1 || ranet_tensor_view_n_items (&c->in) > 1
      || ranet_tensor_view_n_items (&c->out) > 1) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "bottleneck: views of several items are not supported");
    return FALSE;
  }
  if (p->resize && !resize_check (p, limit, error))
    return FALSE;
  for (tile_h = c->out.h; tile_h > 0 && shared_bytes (c, tile_h) > limit; tile_h--)
    ;
  if (tile_h == 0) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "bottleneck: %u bottleneck channels %u wide need %" G_GUINT64_FORMAT
        " bytes of shared memory for one output row, more than the %" G_GSIZE_FORMAT
        " allowed", c->in.c, c->in.w, shared_bytes (c, 1), limit);
    return FALSE;
  }
  plan->n_tiles = (c->out.h + tile_h - 1) / tile_h;
  plan->tile_h = (c->out.h + plan->n_tiles - 1) / plan->n_tiles;

  plan->ocv1 = ranet_op_conv1x1_oc_vec4s (c->in.c);
  plan->px1 = ranet_op_pixels_per_invocation (
      (guint) footprint_rows (c, plan->tile_h) * c->in.w, ranet_op_max_pixels (plan->ocv1));
  plan->ocv2 = ranet_op_oc_vec4s (c->out.c);
  plan->px2 = ranet_op_pixels_per_invocation (c->out.w, ranet_op_max_pixels (plan->ocv2));
  plan->sg = ranet_op_weight_sharing (dev);
  plan->local = choose_local (p, plan);
  return TRUE;
}

gboolean
ranet_op_bottleneck_supported (RanetVkDevice *dev, const RanetBottleneckParams *p)
{
  Plan plan;

  g_return_val_if_fail (dev != NULL && p != NULL, FALSE);
  return bottleneck_plan (dev, p, &plan, NULL);
}

RanetOp *
ranet_op_bottleneck_new (RanetVkDevice *dev, const RanetBottleneckParams *p,
    gsize reduce_weights_offset, gsize conv_weights_offset, GError **error)
{
  const RanetConv1x1Params *r = &p->reduce;
  const RanetConv2dParams *c = &p->conv;
  const RanetTensorView *out = p->resize ? &p->resize_p.out : &c->out;
  RanetOpWindow in_w, out_w;
  RanetOpItems one = { 1, 0, 0 };
  guint64 macs;
  gsize weights_end;
  gboolean texel;
  Plan plan;

  g_return_val_if_fail (dev != NULL && p != NULL, NULL);
  if (!bottleneck_plan (dev, p, &plan, error)
      || !ranet_op_check_weights_offset (reduce_weights_offset,
          ranet_op_conv1x1_packed_weight_size (r), "bottleneck", error)
      || !ranet_op_check_weights_offset (conv_weights_offset,
          ranet_op_conv2d_packed_weight_size (c), "bottleneck", error))
    return NULL;

  /* the layer's work; the halo rows two tiles both compute are not counted */
  macs = (guint64) r->out.c * r->in.h * r->in.w * r->in.c
      + (guint64) c->out.c * c->out.h * c->out.w * c->in.c * c->kh * c->kw
      + (p->resize ? (guint64) out->c * out->h * out->w : 0);
  guint32 spec[] = {
    r->in.c, r->in.h, r->in.w, ranet_op_view_window (dev, &r->in, &in_w),
    c->in.c, c->out.c, c->out.h, c->out.w, ranet_op_view_window (dev, out, &out_w),
    c->kh, c->kw, c->stride, c->pad_h, c->pad_w,
    r->pre_act ? 1 : 0, r->relu ? 1 : 0, c->relu ? 1 : 0,
    (guint32) (reduce_weights_offset / 4), (guint32) (conv_weights_offset / 4),
    plan.ocv1, plan.px1, plan.ocv2, plan.px2, plan.tile_h, plan.local, plan.sg,
    p->resize ? 1 : 0, out->h, out->w,
    ranet_op_resize_scale_bits (c->out.h, out->h),
    ranet_op_resize_scale_bits (c->out.w, out->w),
  };
  /* as the convolutions (ranet_op_new_conv()): weights shared through
   * shuffles where the device can, and then input and weights as texel
   * buffers where the device gathers them faster that way */
  weights_end = MAX (reduce_weights_offset + ranet_op_conv1x1_packed_weight_size (r),
      conv_weights_offset + ranet_op_conv2d_packed_weight_size (c));
  texel = plan.sg > 1 && ranet_op_texel_input (dev, &in_w)
      && weights_end / 4 <= ranet_vk_device_get_max_texel_buffer_elements (dev);
  return ranet_op_set_windows (ranet_op_new_grid (dev, "bottleneck",
          texel ? "bottleneck_sg_texel" : plan.sg > 1 ? "bottleneck_sg" : "bottleneck",
          RANET_OP_IN_WEIGHTS_OUT,
          texel ? 1u : 0u, texel ? 2u : 0u, &one, spec, G_N_ELEMENTS (spec), plan.n_tiles, 1,
          macs, error),
      &in_w, &out_w);
}
