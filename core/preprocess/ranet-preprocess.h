/* ranet-preprocess.h: one video frame to the network's input tensor.
 *
 * A single dispatch converts the pixel format, resizes bilinearly to the model's
 * input size (half-pixel centres, as PyTorch's align_corners=False), and
 * normalises as (x - mean) / std with x in [0, 1]. It is the only part of a
 * frame's work that depends on the frame's size, so the net creates it again
 * only when the frame layout changes.
 *
 * Regions of a frame (boxes a detector found) go through the same steps, each
 * as if it were the whole frame, all of a frame's regions in one dispatch of
 * the regions op, each into its own item slot of a batched input: the boxes
 * travel in a buffer, so the op is made once per frame layout however the
 * boxes change.
 *
 * libranet knows nothing of GStreamer: the caller describes the frame's memory
 * (planes, offsets, strides, YUV matrix) with a #RanetFrameLayout.
 */
#pragma once

#include <glib.h>

#include "ops/ranet-ops.h"

G_BEGIN_DECLS

/**
 * RanetPixelFormat:
 *
 * The frame layouts the preprocess shader reads, one per row of
 * ranet-pixel-formats.def (which describes each). Packed RGB formats are
 * named by their byte order in memory, as GStreamer names them; x is an
 * ignored byte. I420 is three planes (Y, U, V; chroma halved in both
 * directions, rounded up), NV12 two (Y, interleaved UV).
 */
typedef enum {
#define RANET_PIXEL_FORMAT(name, id, ...) RANET_PIXEL_##name = id,
#include "preprocess/ranet-pixel-formats.def"
#undef RANET_PIXEL_FORMAT
  RANET_PIXEL_N_FORMATS,
} RanetPixelFormat;

/**
 * RanetResizeMode:
 * @RANET_RESIZE_STRETCH: the whole frame to the whole input, ignoring aspect ratio
 * @RANET_RESIZE_CENTER_CROP: the largest centred region with the input's aspect ratio
 * @RANET_RESIZE_LETTERBOX: the whole frame, aspect kept, centred on black
 */
typedef enum {
  RANET_RESIZE_STRETCH,
  RANET_RESIZE_CENTER_CROP,
  RANET_RESIZE_LETTERBOX,
} RanetResizeMode;

#define RANET_MAX_PLANES 3

/**
 * RanetRegion:
 * @x: first column
 * @y: first row
 * @width: columns
 * @height: rows
 *
 * A box in frame pixels: columns @x to @x + @width - 1, rows @y to
 * @y + @height - 1 (a region of interest a detector found).
 */
typedef struct {
  guint x, y;
  guint width, height;
} RanetRegion;

/**
 * RanetFrameLayout:
 * @format: the pixel format
 * @width: frame width in pixels
 * @height: frame height in pixels
 * @offset: byte offset of each plane from the start of the frame's memory
 * @stride: bytes from one row of a plane to the next
 * @kr: the YUV matrix's red luma coefficient (0.299 for BT.601, 0.2126 for BT.709)
 * @kb: the YUV matrix's blue luma coefficient (0.114 for BT.601, 0.0722 for BT.709)
 * @yuv_full_range: YUV values span 0..255 rather than 16..235 (16..240 for chroma)
 *
 * Where a frame's bytes are. @kr, @kb and @yuv_full_range matter only for I420
 * and NV12.
 */
typedef struct {
  RanetPixelFormat format;
  guint width, height;
  gsize offset[RANET_MAX_PLANES];
  gsize stride[RANET_MAX_PLANES];
  double kr, kb;
  gboolean yuv_full_range;
} RanetFrameLayout;

/**
 * RanetPreprocessParams:
 * @frame: the input frame's layout
 * @mode: how the frame maps onto the network input
 * @out: the network input tensor: 1 channel (BT.601 luma) or 3 (R, G, B)
 * @mean: per-channel mean subtracted from values in [0, 1]
 * @std: per-channel standard deviation divided by
 */
typedef struct {
  RanetFrameLayout frame;
  RanetResizeMode mode;
  RanetTensorView out;
  float mean[3];
  float std[3];
} RanetPreprocessParams;

/**
 * ranet_frame_layout_check:
 * @layout: the layout
 * @error: return location for a #GError
 *
 * Checks that sizes are non-zero, strides hold a row, and that the frame's
 * extent fits in 32-bit byte offsets (what the shader addresses).
 *
 * Returns: %TRUE when the layout is usable.
 */
gboolean ranet_frame_layout_check (const RanetFrameLayout *layout, GError **error);

/**
 * ranet_frame_layout_get_size:
 * @layout: a layout that passed ranet_frame_layout_check()
 *
 * Returns: the number of bytes from the start of the frame's memory to the end
 *   of its last row of its last plane: what must be readable.
 */
gsize ranet_frame_layout_get_size (const RanetFrameLayout *layout);

/**
 * ranet_frame_layout_plane_rows:
 * Returns: the number of rows of @plane (chroma planes of I420 and NV12 have half,
 *   rounded up), 0 for a plane the format does not have.
 */
guint ranet_frame_layout_plane_rows (const RanetFrameLayout *layout, guint plane);

/**
 * ranet_frame_layout_plane_row_bytes:
 * Returns: the bytes of pixel data in one row of @plane (at most its stride).
 */
gsize ranet_frame_layout_plane_row_bytes (const RanetFrameLayout *layout, guint plane);

/**
 * ranet_ref_preprocess:
 * @p: the parameters
 * @frame: the frame's memory, ranet_frame_layout_get_size() bytes
 * @out: buffer holding the output view
 *
 * The scalar reference of the preprocess shader.
 */
void ranet_ref_preprocess (const RanetPreprocessParams *p, const guint8 *frame,
    float *out);

/**
 * ranet_preprocess_get_plane_rows:
 * @p: the parameters
 * @plane: a plane of the frame
 * @rows: (out caller-allocates) (array): room for
 *   ranet_frame_layout_plane_rows() values
 *
 * The rows of @plane the preprocess dispatch reads (with a row of margin on
 * either side), in increasing order. Only these need to reach the device: for
 * a 1080-row frame and a 28-row input that is a twentieth of the frame.
 *
 * Returns: the number of rows written to @rows.
 */
guint ranet_preprocess_get_plane_rows (const RanetPreprocessParams *p,
    guint plane, guint *rows);

/**
 * ranet_region_clip:
 * @layout: the frame
 * @region: a box, possibly reaching beyond the frame
 * @clipped: (out caller-allocates): the part of @region inside the frame;
 *   all zero when nothing is left
 *
 * Coordinates may be as large as a #guint holds: x + width is never
 * computed, so nothing wraps around.
 *
 * Returns: %FALSE when nothing is left: an empty @region, or one wholly
 *   outside the frame.
 */
gboolean ranet_region_clip (const RanetFrameLayout *layout, const RanetRegion *region,
    RanetRegion *clipped);

/**
 * ranet_ref_preprocess_region:
 * @p: the parameters; @p->out is the view of one item
 * @region: a region that ranet_region_clip() left as it is (inside the
 *   frame, not empty)
 * @frame: the frame's memory, ranet_frame_layout_get_size() bytes
 * @out: buffer holding the output view
 *
 * The scalar reference of the regions op for one item: @region preprocessed
 * as if it were the whole frame. @p->mode applies within the region and the
 * bilinear taps clamp at the region's edges, not the frame's, so the result
 * is what ranet_ref_preprocess() gives for a frame holding only the region's
 * pixels. Each pixel keeps its colour in the frame: for I420 and NV12 that
 * includes the chroma sample it shares with its 2x2 block of the frame (a
 * host crop agrees when @region starts at even coordinates).
 *
 * Writes @p->out at its origin; item i of a batch is at @out + i *
 * @p->out.item_stride.
 */
void ranet_ref_preprocess_region (const RanetPreprocessParams *p,
    const RanetRegion *region, const guint8 *frame, float *out);

/**
 * ranet_preprocess_get_regions_plane_rows:
 * @p: the parameters
 * @regions: (array length=n_regions): the regions; each is clipped to the
 *   frame first, and those with nothing left read nothing
 * @n_regions: the number of regions
 * @plane: a plane of the frame
 * @rows: (out caller-allocates) (array): room for
 *   ranet_frame_layout_plane_rows() values
 *
 * As ranet_preprocess_get_plane_rows(), for the regions op: the rows of
 * @plane that preprocessing any of @regions reads, each once, in increasing
 * order.
 *
 * Returns: the number of rows written to @rows.
 */
guint ranet_preprocess_get_regions_plane_rows (const RanetPreprocessParams *p,
    const RanetRegion *regions, guint n_regions, guint plane, guint *rows);

/**
 * RANET_PREPROCESS_GEOMETRY_FLOATS:
 *
 * The floats of one item's entry in the geometry buffer of the regions op
 * (ranet_preprocess_region_geometry()); a multiple of 4.
 */
#define RANET_PREPROCESS_GEOMETRY_FLOATS 12

/**
 * ranet_preprocess_region_geometry:
 * @p: the parameters the op was made with
 * @region: a region that ranet_region_clip() left as it is
 * @geometry: (out caller-allocates) (array fixed-size=12):
 *   %RANET_PREPROCESS_GEOMETRY_FLOATS floats
 *
 * Writes the entry of the regions op's geometry buffer that makes a
 * dispatched item preprocess @region: the item at z reads the floats from
 * z * %RANET_PREPROCESS_GEOMETRY_FLOATS (the region's box, then its
 * mapping onto the input).
 */
void ranet_preprocess_region_geometry (const RanetPreprocessParams *p,
    const RanetRegion *region, float *geometry);

/**
 * ranet_op_preprocess_regions_new:
 * @dev: the device
 * @p: the parameters; copied. @p->out holds @p->out.n_items item slots
 *   (0 counts as 1), item i at @p->out.item_stride floats from item 0
 * @error: return location for a #GError
 *
 * The op that preprocesses several regions of one frame in one dispatch,
 * each as ranet_ref_preprocess_region() does, into an item slot of @p->out.
 * It binds, in order: the frame buffer (as ranet_op_preprocess_new()'s),
 * the output buffer, the geometry buffer (ranet_preprocess_region_geometry()
 * for each dispatched item) and the items list (the uint32 slot each
 * dispatched item writes; slots beyond @p->out.n_items are skipped).
 * Record it with ranet_op_record_items(), the first three buffers in that
 * order and the items list, z = the number of regions (at most
 * @p->out.n_items); slots no item names are left as they are. Frames more
 * than 2^24 pixels wide or tall are refused (the geometry holds frame
 * coordinates as floats).
 *
 * Returns: (transfer full): the op, or %NULL with @error set.
 */
RanetOp *ranet_op_preprocess_regions_new (RanetVkDevice *dev,
    const RanetPreprocessParams *p, GError **error);

/**
 * ranet_op_preprocess_new:
 * @dev: the device
 * @p: the parameters; copied
 * @error: return location for a #GError
 *
 * The op binds (frame buffer, output buffer): record it with
 * ranet_op_record (op, cmds, frame_buffer, NULL, activations). The frame
 * buffer holds the frame's memory from byte 0, padded to a multiple of 4 bytes.
 *
 * Returns: (transfer full): the op, or %NULL with @error set.
 */
RanetOp *ranet_op_preprocess_new (RanetVkDevice *dev,
    const RanetPreprocessParams *p, GError **error);

G_END_DECLS
