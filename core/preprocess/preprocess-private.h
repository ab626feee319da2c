/* preprocess-private.h: the frame-to-input geometry the reference and the
 * shader share, so both sample exactly the same source positions. */
#pragma once

#include "preprocess/ranet-preprocess.h"

G_BEGIN_DECLS

/* One axis of the mapping from an output pixel to a source position:
 * src = (dst + 0.5 - dst_lo) * scale + src_origin - 0.5, for output pixels whose
 * centre lies in [dst_lo, dst_hi); outside that (letterbox bars) the output is black. */
typedef struct {
  float scale;
  float src_origin;
  float dst_lo, dst_hi;
} RanetAxisMap;

void ranet_preprocess_axis_maps (const RanetPreprocessParams *p,
    RanetAxisMap *x, RanetAxisMap *y);

/* The same for a box of @fw x @fh pixels taken as the whole frame (a region):
 * the maps then give positions relative to the box's first pixel. */
void ranet_preprocess_box_axis_maps (const RanetPreprocessParams *p, guint fw, guint fh,
    RanetAxisMap *x, RanetAxisMap *y);

/* Whether @region lies wholly inside @layout's frame and is not empty: what
 * ranet_region_clip() gives. */
gboolean ranet_region_is_clipped (const RanetFrameLayout *layout, const RanetRegion *region);

/* A row of ranet-pixel-formats.def: the format's geometry and, for packed
 * RGB, where each colour sits in a pixel. */
typedef struct {
  guint n_planes;
  guint pixel_bytes;   /* plane 0 */
  guint chroma_bytes;  /* per 2x2 pixels in each chroma plane; 0: not YUV */
  guint r, g, b;
} RanetPixelFormatInfo;

/* @format's row; NULL for a value that is no format. */
const RanetPixelFormatInfo *ranet_pixel_format_get_info (RanetPixelFormat format);

/* BT.601 luma weights, for 1-channel models. */
#define RANET_LUMA_R 0.299f
#define RANET_LUMA_G 0.587f
#define RANET_LUMA_B 0.114f

G_END_DECLS
