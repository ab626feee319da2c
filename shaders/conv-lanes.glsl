/* What the convolution shaders (conv2d.comp, conv1x1.comp) share: their three
 * bindings, the slot of an invocation among the lanes of its workgroup, and
 * the bookkeeping of weights shared through subgroup shuffles. Included after
 * the including shader's SG, GROUPS, OCV, NOCB and BLOCK_VEC4S.
 *
 * LOAD_W(i) reads weight vec4 i. With INPUT_TEXEL the weights too are a
 * texel buffer, of vec4s: lavapipe fetches a vec4 texel for each lane with
 * eight 16-byte loads, where a storage-buffer load that differs between
 * lanes is a loop over the lanes with a bounds check per float (measured:
 * 3x3 layers 1.2-2.7x faster, 1x1 1.2-1.3x). */

#include "input-binding.glsl"
#if INPUT_TEXEL
layout(set = 0, binding = 1) uniform samplerBuffer w_texels;
#define LOAD_W(i) texelFetch (w_texels, int(i))
#else
layout(std430, set = 0, binding = 1) readonly buffer Weights { vec4 w[]; };
#define LOAD_W(i) w[i]
#endif
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

#if SHARE_WEIGHTS
/* An input channel's PER_IC weight vec4s for each of the workgroup's GROUPS
 * channel blocks are GROUPS * PER_IC items, item k = tap * GROUPS + group,
 * spread over the SG lanes: lane l holds items ch * SG + l in its register
 * ch. A tap's items then sit in one register (tap * GROUPS / SG) of
 * neighbouring lanes, so the register index stays a constant.
 *
 * Where the item lane l holds in register @ch lies, as a vec4 index for input
 * channel 0 (channel ic adds ic * @per_ic); @first is where the blocks begin
 * (their bias vec4s come first). */
uint
shared_weight_offset (uint ch, uint per_ic, uint first)
{
  uint k = min (ch * SG + gl_SubgroupInvocationID % SG, GROUPS * per_ic - 1u);
  uint item_ocb = min (gl_WorkGroupID.y * GROUPS + k % GROUPS, NOCB - 1u);
  return first + item_ocb * BLOCK_VEC4S + OCV + k / GROUPS;
}

/* The lane that holds this lane's weight vec4 @tap (in register
 * tap * GROUPS / SG). */
uint
shared_weight_lane (uint tap)
{
  uint lane = gl_SubgroupInvocationID % SG;
  return gl_SubgroupInvocationID - lane + tap * GROUPS % SG + lane % GROUPS;
}
#endif
