/* ranet-video-layout.h: GStreamer's description of a frame, in libranet's terms. */
#pragma once

#include <gst/video/video.h>

#include "preprocess/ranet-preprocess.h"

G_BEGIN_DECLS

/**
 * ranet_video_layout_new_caps:
 *
 * Returns: (transfer full): raw video in every format of
 *   ranet-pixel-formats.def, at any size and framerate: ranetclassify's pad
 *   templates.
 */
GstCaps *ranet_video_layout_new_caps (void);

/**
 * ranet_video_layout_to_pixel_format:
 * @format: a GStreamer video format
 * @pixel_format: (out): libranet's name for it
 *
 * Returns: %FALSE when @format is none of ranet-pixel-formats.def.
 */
gboolean ranet_video_layout_to_pixel_format (GstVideoFormat format,
    RanetPixelFormat *pixel_format);

/**
 * ranet_video_layout_to_video_format:
 * @pixel_format: a format of ranet-pixel-formats.def
 *
 * Returns: GStreamer's name for it; GST_VIDEO_FORMAT_UNKNOWN for a value that
 *   is no format.
 */
GstVideoFormat ranet_video_layout_to_video_format (RanetPixelFormat pixel_format);

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
