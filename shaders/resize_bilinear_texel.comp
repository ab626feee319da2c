#version 450
/* Bilinear resize, input read as a texel buffer: see resize_bilinear.glsl. */
#extension GL_GOOGLE_include_directive : require
#define INPUT_TEXEL 1
#include "resize_bilinear.glsl"
