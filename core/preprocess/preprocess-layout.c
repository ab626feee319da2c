/* preprocess-layout.c: frame layouts and the output-to-source mapping. */
#include "preprocess/preprocess-private.h"

static const RanetPixelFormatInfo pixel_formats[] = {
#define RANET_PIXEL_FORMAT(name, id, gst_name, planes, pixel_bytes, chroma_bytes, r, g, b) \
  [RANET_PIXEL_##name] = { planes, pixel_bytes, chroma_bytes, r, g, b },
#include "preprocess/ranet-pixel-formats.def"
#undef RANET_PIXEL_FORMAT
};
G_STATIC_ASSERT (G_N_ELEMENTS (pixel_formats) == RANET_PIXEL_N_FORMATS);

const RanetPixelFormatInfo *
ranet_pixel_format_get_info (RanetPixelFormat format)
{
  if ((guint) format >= RANET_PIXEL_N_FORMATS)
    return NULL;
  return &pixel_formats[format];
}

/* 0 for a value that is no format: it has no rows (and fails the check) */
static guint
n_planes (RanetPixelFormat format)
{
  const RanetPixelFormatInfo *f = ranet_pixel_format_get_info (format);

  return f != NULL ? f->n_planes : 0;
}

guint
ranet_frame_layout_plane_rows (const RanetFrameLayout *layout, guint plane)
{
  if (plane >= n_planes (layout->format))
    return 0;
  return plane == 0 ? layout->height : (layout->height + 1) / 2;
}

gsize
ranet_frame_layout_plane_row_bytes (const RanetFrameLayout *layout, guint plane)
{
  const RanetPixelFormatInfo *f = ranet_pixel_format_get_info (layout->format);

  if (plane >= n_planes (layout->format))
    return 0;
  if (plane == 0)
    return (gsize) layout->width * f->pixel_bytes;
  /* a chroma row holds one block per two pixels (NV12's interleaves U and V) */
  return (gsize) (layout->width + 1) / 2 * f->chroma_bytes;
}

gboolean
ranet_frame_layout_check (const RanetFrameLayout *layout, GError **error)
{
  if ((guint) layout->format >= RANET_PIXEL_N_FORMATS) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "preprocess: unknown pixel format %d", (int) layout->format);
    return FALSE;
  }
  if (layout->width == 0 || layout->height == 0) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "preprocess: empty frame %ux%u", layout->width, layout->height);
    return FALSE;
  }
  for (guint i = 0; i < n_planes (layout->format); i++) {
    gsize row = ranet_frame_layout_plane_row_bytes (layout, i);
    guint rows = ranet_frame_layout_plane_rows (layout, i);

    if (layout->stride[i] < row) {
      g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
          "preprocess: plane %u stride %" G_GSIZE_FORMAT " is shorter than "
          "its row of %" G_GSIZE_FORMAT " bytes", i, layout->stride[i], row);
      return FALSE;
    }
    /* the shader addresses bytes with 32-bit offsets */
    if (layout->stride[i] > G_MAXUINT32 / rows
        || layout->offset[i] > G_MAXUINT32 - (gsize) layout->stride[i] * rows) {
      g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
          "preprocess: plane %u of a %ux%u frame ends beyond 4 GiB", i,
          layout->width, layout->height);
      return FALSE;
    }
  }
  return TRUE;
}

gsize
ranet_frame_layout_get_size (const RanetFrameLayout *layout)
{
  gsize end = 0;

  for (guint i = 0; i < n_planes (layout->format); i++) {
    guint rows = ranet_frame_layout_plane_rows (layout, i);
    /* the last row needs only its pixels, not the padding after them */
    gsize plane_end = layout->offset[i] + layout->stride[i] * (rows - 1)
        + ranet_frame_layout_plane_row_bytes (layout, i);
    end = MAX (end, plane_end);
  }
  return end;
}

static RanetAxisMap
stretch_axis (guint src, guint dst)
{
  RanetAxisMap m = { (float) src / (float) dst, 0.0f, 0.0f, (float) dst };
  return m;
}

static RanetAxisMap
crop_axis (float src_extent, guint src, guint dst)
{
  RanetAxisMap m = {
    src_extent / (float) dst, ((float) src - src_extent) / 2.0f, 0.0f, (float) dst
  };
  return m;
}

static RanetAxisMap
letterbox_axis (float dst_extent, guint src, guint dst)
{
  float lo = ((float) dst - dst_extent) / 2.0f;
  RanetAxisMap m = { (float) src / dst_extent, 0.0f, lo, lo + dst_extent };
  return m;
}

void
ranet_preprocess_box_axis_maps (const RanetPreprocessParams *p, guint fw, guint fh,
    RanetAxisMap *x, RanetAxisMap *y)
{
  guint ow = p->out.w, oh = p->out.h;
  /* compare aspect ratios exactly, in integers */
  gboolean frame_wider = (guint64) fw * oh > (guint64) ow * fh;

  switch (p->mode) {
    case RANET_RESIZE_CENTER_CROP:
      if (frame_wider) {
        *x = crop_axis ((float) fh * ow / oh, fw, ow);
        *y = stretch_axis (fh, oh);
      } else {
        *x = stretch_axis (fw, ow);
        *y = crop_axis ((float) fw * oh / ow, fh, oh);
      }
      break;
    case RANET_RESIZE_LETTERBOX:
      if (frame_wider) {
        *x = stretch_axis (fw, ow);
        *y = letterbox_axis ((float) fh * ow / fw, fh, oh);
      } else {
        *x = letterbox_axis ((float) fw * oh / fh, fw, ow);
        *y = stretch_axis (fh, oh);
      }
      break;
    case RANET_RESIZE_STRETCH:
    default:
      *x = stretch_axis (fw, ow);
      *y = stretch_axis (fh, oh);
      break;
  }
}

void
ranet_preprocess_axis_maps (const RanetPreprocessParams *p, RanetAxisMap *x,
    RanetAxisMap *y)
{
  ranet_preprocess_box_axis_maps (p, p->frame.width, p->frame.height, x, y);
}

gboolean
ranet_region_clip (const RanetFrameLayout *layout, const RanetRegion *region,
    RanetRegion *clipped)
{
  g_return_val_if_fail (layout != NULL && region != NULL && clipped != NULL, FALSE);

  /* x + width may wrap around: compare with what is left of the frame instead */
  if (region->width == 0 || region->height == 0
      || region->x >= layout->width || region->y >= layout->height) {
    *clipped = (RanetRegion) { 0, 0, 0, 0 };
    return FALSE;
  }
  clipped->x = region->x;
  clipped->y = region->y;
  clipped->width = MIN (region->width, layout->width - region->x);
  clipped->height = MIN (region->height, layout->height - region->y);
  return TRUE;
}

gboolean
ranet_region_is_clipped (const RanetFrameLayout *layout, const RanetRegion *region)
{
  return region->width > 0 && region->height > 0
      && region->x < layout->width && region->width <= layout->width - region->x
      && region->y < layout->height && region->height <= layout->height - region->y;
}
