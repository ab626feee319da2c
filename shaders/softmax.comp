#version 450
/* Softmax of a classifier's logits: see softmax.glsl. */
#extension GL_GOOGLE_include_directive : require
#include "softmax.glsl"
