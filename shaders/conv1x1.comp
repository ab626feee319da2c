#version 450
/* 1x1 convolution and fully connected layer: see conv1x1.glsl. */
#extension GL_GOOGLE_include_directive : require
#include "conv1x1.glsl"
