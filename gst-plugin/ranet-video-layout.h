/* ranet-video-layout.h: GStreamer's description of a frame, in libranet's terms. */
#pragma once

#include <gst/video/video.h>

#include "preprocess/ranet-preprocess.h"

G_BEGIN_DECLS

/* The raw formats ranetclassify accepts, for its pad templates. */
#define RANET_VIDEO_FORMATS \
  "{ RGB, BGR, RGBA, BGRA, RGBx, BGRx, xRGB, xBGR, GRAY8, I420, NV12 }"

/**
 * ranet_video_layout_from_frame:
 * @frame: a mapped video frame
 * @layout: (out): the frame's layout, planes at the offsets they will have once
 *   copied one after another into the net's frame memory
 *
 * Returns: %FALSE when the frame's format is not one ranetclassify accepts.
 */
gboolean ranet_video_layout_from_frame (const GstVideoFrame *frame,
    RanetFrameLayout *layout);

/**
 * ranet_video_layout_fits_frame:
 * @frame: a mapped video frame
 * @layout: its layout from ranet_video_layout_from_frame()
 *
 * A GstVideoMeta's strides and offsets are taken on trust when a frame is
 * mapped (only the first byte of each plane is looked up), so a buffer smaller
 * than they say still maps.
 *
 * Returns: %TRUE when every plane's rows, as @layout reads them, lie inside
 *   the memory mapped for the plane.
 */
gboolean ranet_video_layout_fits_frame (const GstVideoFrame *frame,
    const RanetFrameLayout *layout);

G_END_DECLS
