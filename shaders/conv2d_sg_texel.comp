#version 450
/* Direct convolution, weight loads shared across a subgroup, input and weights
 * read as texel buffers: see conv2d.glsl. */
#extension GL_GOOGLE_include_directive : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_shuffle : require
#define SHARE_WEIGHTS 1
#define INPUT_TEXEL 1
#include "conv2d.glsl"
