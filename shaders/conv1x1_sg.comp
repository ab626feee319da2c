#version 450
/* 1x1 convolution and fully connected layer: see conv1x1.glsl. */
#extension GL_GOOGLE_include_directive : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_shuffle : require
#define SHARE_WEIGHTS 1
#include "conv1x1.glsl"
