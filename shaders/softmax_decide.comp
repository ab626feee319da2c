#version 450
/* Softmax of a classifier's logits and whether the frame goes on to the next
 * stage: see softmax.glsl. */
#extension GL_GOOGLE_include_directive : require
#define DECIDE 1
#include "softmax.glsl"
