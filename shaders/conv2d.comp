#version 450
/* Direct convolution, every invocation loading its own weights: see conv2d.glsl. */
#extension GL_GOOGLE_include_directive : require
#define SHARE_WEIGHTS 0
#include "conv2d.glsl"
