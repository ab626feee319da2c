/* preprocess-frames.h: frames for the preprocess tests, with strides and
 * plane offsets that are never the tight ones, and the format table's
 * names. */
#pragma once

#include "preprocess/ranet-preprocess.h"

/* A layout with @pad bytes after every row and @gap bytes before every plane. */
RanetFrameLayout preprocess_test_layout (RanetPixelFormat format, guint w, guint h,
    guint pad, guint gap);

/* The format's name in ranet-pixel-formats.def ("RGB", "I420"...). */
const char *preprocess_test_format_name (RanetPixelFormat format);

/* A frame's memory for @layout, random bytes from @seed, padded to a
 * multiple of 4 bytes (the frame buffer's size); its size in @padded. */
guint8 *preprocess_test_frame (const RanetFrameLayout *layout, guint32 seed, gsize *padded);
