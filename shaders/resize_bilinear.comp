#version 450
/* Bilinear resize, input read from a storage buffer: see resize_bilinear.glsl. */
#extension GL_GOOGLE_include_directive : require
#include "resize_bilinear.glsl"
