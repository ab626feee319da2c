/* preprocess-op.c: the preprocess dispatches (shaders/preprocess.comp): the
 * whole frame, and the regions variant with one item per region. */
#include "preprocess/preprocess-private.h"

#include <string.h>

#include "ops/op-private.h"

/* The z workgroup count every device allows (maxComputeWorkGroupCount[2]). */
#define MAX_ITEMS 65535u

/* Frame coordinates up to this are whole numbers a float holds exactly. */
#define MAX_EXACT_COORDINATE (1u << 24)

/* Workgroup counts per dimension are guaranteed only up to 65535. */
#define MAX_GROUPS_X 65535u

static guint32
float_bits (float f)
{
  union { float f; guint32 u; } v = { .f = f };
  return v.u;
}

/* What both variants require of @p. */
static gboolean
check_params (const RanetPreprocessParams *p, GError **error)
{
  const RanetFrameLayout *l = &p->frame;

  if (!ranet_frame_layout_check (l, error)
      || !ranet_op_check_view (&p->out, "preprocess", "output", error))
    return FALSE;
  if (p->out.c != 1 && p->out.c != 3) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "preprocess: the network input has %u channels; 1 or 3 are supported",
        p->out.c);
    return FALSE;
  }
  for (guint c = 0; c < p->out.c; c++) {
    if (!(p->std[c] > 0.0f)) {
      g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
          "preprocess: std[%u] is %g; it must be positive", c, p->std[c]);
      return FALSE;
    }
  }
  /* formats with chroma planes are YUV */
  if (ranet_pixel_format_get_info (l->format)->chroma_bytes > 0) {
    if (!(l->kr > 0.0 && l->kb > 0.0 && l->kr + l->kb < 1.0)) {
      g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
          "preprocess: YUV matrix Kr=%g Kb=%g is not a valid matrix", l->kr, l->kb);
      return FALSE;
    }
  }
  return TRUE;
}

#define N_SPEC 30

/* Specialization constants 0..29 of the shader: the frame, the output at
 * float @out_origin of its window, the whole frame's mapping, normalisation
 * and the YUV matrix. */
static void
fill_spec (const RanetPreprocessParams *p, guint32 out_origin, guint32 spec[N_SPEC])
{
  const RanetFrameLayout *l = &p->frame;
  RanetAxisMap mx, my;

  ranet_preprocess_axis_maps (p, &mx, &my);
  guint32 values[N_SPEC] = {
    l->format, l->width, l->height,
    (guint32) l->offset[0], (guint32) l->offset[1], (guint32) l->offset[2],
    (guint32) l->stride[0], (guint32) l->stride[1], (guint32) l->stride[2],
    p->out.c, p->out.h, p->out.w, out_origin,
    float_bits (mx.scale), float_bits (mx.src_origin),
    float_bits (mx.dst_lo), float_bits (mx.dst_hi),
    float_bits (my.scale), float_bits (my.src_origin),
    float_bits (my.dst_lo), float_bits (my.dst_hi),
    float_bits (p->mean[0]), float_bits (p->mean[1]), float_bits (p->mean[2]),
    float_bits (p->std[0]), float_bits (p->std[1]), float_bits (p->std[2]),
    float_bits ((float) l->kr), float_bits ((float) l->kb),
    l->yuv_full_range ? 1u : 0u,
  };
  memcpy (spec, values, sizeof values);
}

RanetOp *
ranet_op_preprocess_new (RanetVkDevice *dev, const RanetPreprocessParams *p,
    GError **error)
{
  /* the frame is the host's, written before each submission: bound whole */
  RanetOpWindow frame_w = { 0, 0 }, out_w;
  guint32 spec[N_SPEC];

  g_return_val_if_fail (dev != NULL && p != NULL, NULL);
  if (!check_params (p, error))
    return NULL;

  fill_spec (p, ranet_op_view_window (dev, &p->out, &out_w), spec);
  return ranet_op_set_windows (ranet_op_new_internal (dev, "preprocess", "preprocess",
          RANET_OP_IN_OUT, 0, spec, N_SPEC, (guint64) p->out.h * p->out.w, 0, error),
      &frame_w, &out_w);
}

void
ranet_preprocess_region_geometry (const RanetPreprocessParams *p,
    const RanetRegion *region, float *geometry)
{
  RanetAxisMap mx, my;

  g_return_if_fail (p != NULL && region != NULL && geometry != NULL);
  g_return_if_fail (ranet_region_is_clipped (&p->frame, region));

  ranet_preprocess_box_axis_maps (p, region->width, region->height, &mx, &my);
  /* whole numbers below 2^24 (the op refuses larger frames): exact floats */
  geometry[0] = (float) region->x;
  geometry[1] = (float) region->y;
  geometry[2] = (float) region->width;
  geometry[3] = (float) region->height;
  geometry[4] = mx.scale;
  geometry[5] = mx.src_origin;
  geometry[6] = mx.dst_lo;
  geometry[7] = mx.dst_hi;
  geometry[8] = my.scale;
  geometry[9] = my.src_origin;
  geometry[10] = my.dst_lo;
  geometry[11] = my.dst_hi;
}

RanetOp *
ranet_op_preprocess_regions_new (RanetVkDevice *dev, const RanetPreprocessParams *p,
    GError **error)
{
  RanetOpWindow out_w, geometry_w = { 0, 0 };
  guint32 spec[N_SPEC + 2];
  gboolean texel;
  guint n_items;
  gsize item_floats, span;
  guint64 groups;
  RanetOp *op;

  g_return_val_if_fail (dev != NULL && p != NULL, NULL);
  if (!check_params (p, error))
    return NULL;
  n_items = MAX (p->out.n_items, 1);
  item_floats = (gsize) p->out.c_total * p->out.h * p->out.w;
  if (n_items > MAX_ITEMS) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "preprocess: %u items is more than the %u a dispatch can hold", n_items,
        MAX_ITEMS);
    return NULL;
  }
  if (n_items > 1 && p->out.item_stride < item_floats) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "preprocess: items %" G_GSIZE_FORMAT " floats apart overlap tensors of %"
        G_GSIZE_FORMAT " floats", p->out.item_stride, item_floats);
    return NULL;
  }
  /* the shader indexes every item's floats with 32 bits; c_total * h * w
   * already fits (ranet_op_check_view()) */
  if (n_items > 1 && (p->out.item_stride > G_MAXUINT32 / (n_items - 1)
          || (guint64) p->out.item_stride * (n_items - 1) > G_MAXUINT32 - p->out.base
          - item_floats)) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "preprocess: %u items %" G_GSIZE_FORMAT " floats apart end beyond float "
        "index 2^32", n_items, p->out.item_stride);
    return NULL;
  }

  /* the geometry holds frame coordinates as floats */
  if (p->frame.width > MAX_EXACT_COORDINATE || p->frame.height > MAX_EXACT_COORDINATE) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "preprocess: regions of a %ux%u frame: at most %u pixels a side are supported",
        p->frame.width, p->frame.height, MAX_EXACT_COORDINATE);
    return NULL;
  }

  span = (n_items - 1) * (n_items > 1 ? p->out.item_stride : 0)
      + (gsize) p->out.c * p->out.h * p->out.w;
  fill_spec (p, ranet_op_float_window (dev, ranet_tensor_view_origin (&p->out), span,
          &out_w), spec);
  spec[N_SPEC] = n_items > 1 ? (guint32) p->out.item_stride : 0;
  spec[N_SPEC + 1] = n_items;

  /* one invocation per output pixel, flattened over workgroups x and y as in
   * the whole-frame op; an output of at most 2^32 pixels needs at most 2^26
   * workgroups, within 65535 x 65535 */
  groups = ((guint64) p->out.h * p->out.w + RANET_OP_GROUP_SIZE - 1) / RANET_OP_GROUP_SIZE;
  op = g_new0 (RanetOp, 1);
  op->name = "preprocess_regions";
  op->groups_x = (guint) MIN (groups, MAX_GROUPS_X);
  op->groups_y = (guint) ((groups + op->groups_x - 1) / op->groups_x);
  /* frame, output, geometry: the buffers the caller passes; the items list
   * is the shader's fourth binding */
  op->n_bindings = 3;
  op->max_items = n_items;
  op->binds_items = TRUE;
  op->window[0] = (RanetOpWindow) { 0, 0 };
  op->window[1] = out_w;
  op->window[2] = (RanetOpWindow) { 0, 0 };
  /* the geometry as vec4 texels where texel fetches are cheaper */
  geometry_w.size = (gsize) n_items * RANET_PREPROCESS_GEOMETRY_FLOATS * sizeof (float);
  texel = ranet_op_texel_input (dev, &geometry_w);
  op->pipe = ranet_vk_pipeline_new_named_full (dev,
      texel ? "preprocess_regions_texel" : "preprocess_regions", 4, 0, texel ? 1u << 2 : 0,
      spec, G_N_ELEMENTS (spec), 0, error);
  if (op->pipe == NULL) {
    g_prefix_error (error, "%s: ", op->name);
    g_free (op);
    return NULL;
  }
  return op;
}
