/* region-frame.h: a grey canvas written into a video frame of any 8-bit
 * format ranetregionsrc offers. */
#pragma once

#include <gst/video/video.h>

G_BEGIN_DECLS

/* The formats: 8 bits per component, grey, RGB with or without alpha or
 * padding, and planar or semi-planar YUV. */
#define REGION_FRAME_FORMATS \
  "{ GRAY8, RGB, BGR, RGBx, BGRx, xRGB, xBGR, RGBA, BGRA, ARGB, ABGR, " \
  "I420, YV12, NV12, NV21, Y42B, Y444 }"

/**
 * region_frame_write_grey:
 * @frame: a frame mapped for writing, in one of %REGION_FRAME_FORMATS
 * @canvas: the frame's width * height grey bytes, row-major
 *
 * Grey goes to R = G = B, or to Y with chroma 128 (neutral); alpha and
 * padding bytes are 255. Every byte of the frame is written, and each
 * grey byte arrives unchanged in every R, G, B or Y component.
 */
void region_frame_write_grey (GstVideoFrame *frame, const guint8 *canvas);

G_END_DECLS
