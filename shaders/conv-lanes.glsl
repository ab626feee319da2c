/* What the convolution shaders (conv2d.glsl, conv1x1.glsl) share: their three
 * bindings, and the slot of an invocation among the lanes of its workgroup. */

#include "input-binding.glsl"
layout(std430, set = 0, binding = 1) readonly buffer Weights { vec4 w[]; };
layout(std430, set = 0, binding = 2) writeonly buffer Out { float y[]; };

/* The invocation's place in its workgroup, numbered so that the lanes of a
 * subgroup are consecutive: GROUPS neighbouring slots share a pixel block and
 * take consecutive blocks of output channels, and the weight shuffles rely
 * on the group being the lane number modulo GROUPS. */
uint
conv_slot ()
{
#if SHARE_WEIGHTS
  return gl_SubgroupID * gl_SubgroupSize + gl_SubgroupInvocationID;
#else
  return gl_LocalInvocationID.x;
#endif
}
