#version 450
/* 1x1 convolution (stride 1, no padding) as a matrix product over the flattened
 * pixels, out[oc][p] = b[oc] + sum_ic W[oc][ic] * act(x[ic][p]), with the optional
 * pre-activation act(v) = relu(scale[ic] * v + shift[ic]). Each invocation computes
 * 4 * OCV output channels at PX consecutive pixels, so every input value is loaded
 * once per 4 * OCV multiply-adds and every weight vec4 once per PX of them. Also
 * serves fully connected layers (one "pixel", in_c = flattened input size).
 *
 * Workgroups: x over pixel blocks, y over GROUPS blocks of output channels,
 * which sit side by side in neighbouring lanes (GROUPS > 1 when there are too
 * few pixel blocks to fill a subgroup: a fully connected layer has one). As in
 * conv2d.comp, with SHARE_WEIGHTS (variant conv1x1_sg) the lanes of a subgroup
 * load different weight vec4s and hand them round with subgroupShuffle, and
 * with INPUT_TEXEL (conv1x1_sg_texel) the input and the weights are read as
 * texel buffers. The variants are rows of meson.build's table.
 *
 * Packed weights (vec4 units from W_OFFSET): with PRE_ACT, IN_C vec4s
 * (scale, shift, 0, 0); then per block of 4 * OCV output channels: OCV bias vec4s,
 * then [in_c][OCV] vec4s. Channels past OUT_C are zero. */
#extension GL_GOOGLE_include_directive : require
#if SHARE_WEIGHTS
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_shuffle : require
#endif

layout(local_size_x_id = 10) in;

layout(constant_id = 0) const uint IN_C = 1;
layout(constant_id = 1) const uint HW = 1;         /* pixels per channel */
layout(constant_id = 2) const uint IN_ORIGIN = 0;
layout(constant_id = 3) const uint OUT_C = 1;
layout(constant_id = 4) const uint OUT_ORIGIN = 0;
layout(constant_id = 5) const uint PRE_ACT = 0;
layout(constant_id = 6) const uint RELU = 0;
layout(constant_id = 7) const uint W_OFFSET = 0;   /* in vec4s */
layout(constant_id = 8) const uint OCV = 1;
layout(constant_id = 9) const uint PX = 1;
layout(constant_id = 10) const uint LOCAL = 64;    /* invocations per workgroup */
layout(constant_id = 11) const uint SG = 1;        /* lanes that share weight loads */
layout(constant_id = 12) const uint GROUPS = 1;    /* blocks of output channels per workgroup */

#if BATCH
/* The batched variant (the _batch rows of meson.build's table): workgroup z
 * runs item slot item[z], whose input and output lie slot * IN_ITEM_STRIDE
 * and slot * OUT_ITEM_STRIDE floats further; the weights are the same for
 * every item. A slot past the views' MAX_ITEMS is clamped to the last one,
 * so a wrong items list cannot reach outside the bound windows. */
layout(constant_id = 13) const uint IN_ITEM_STRIDE = 0;
layout(constant_id = 14) const uint OUT_ITEM_STRIDE = 0;
layout(constant_id = 15) const uint MAX_ITEMS = 1;
layout(std430, set = 0, binding = 3) readonly buffer Items { uint item[]; };
uint in_start, out_start;   /* set first thing in main() */
#define IN_START in_start
#define OUT_START out_start
#else
#define IN_START IN_ORIGIN
#define OUT_START OUT_ORIGIN
#endif

const uint NPB = (HW + PX - 1u) / PX;
const uint NOCB = (OUT_C + 4u * OCV - 1u) / (4u * OCV);
const uint PRE_VEC4S = PRE_ACT != 0u ? IN_C : 0u;
const uint BLOCK_VEC4S = OCV * (1u + IN_C);
const uint PIX_PER_GROUP = LOCAL / GROUPS;
const uint NCH = (GROUPS * OCV + SG - 1u) / SG;

#include "conv-lanes.glsl"

void main ()
{
#if BATCH
  uint item_slot = min (item[gl_WorkGroupID.z], MAX_ITEMS - 1u);
  in_start = IN_ORIGIN + item_slot * IN_ITEM_STRIDE;
  out_start = OUT_ORIGIN + item_slot * OUT_ITEM_STRIDE;
#endif
  uint slot = conv_slot ();
  uint g = slot % GROUPS;
  uint ocb = gl_WorkGroupID.y * GROUPS + g;
  uint pb = gl_WorkGroupID.x * PIX_PER_GROUP + slot / GROUPS;
  bool valid = pb < NPB && ocb < NOCB;
  ocb = min (ocb, NOCB - 1u);
  pb = min (pb, NPB - 1u);
  uint p0 = pb * PX;

  uint wi = W_OFFSET + PRE_VEC4S + ocb * BLOCK_VEC4S;
  vec4 acc[OCV][PX];
  for (uint o = 0u; o < OCV; o++) {
    vec4 b = LOAD_W (wi + o);
    for (uint p = 0u; p < PX; p++)
      acc[o][p] = b;
  }
  wi += OCV;

#if SHARE_WEIGHTS
  uint item_off[NCH];
  for (uint ch = 0u; ch < NCH; ch++)
    item_off[ch] = shared_weight_offset (ch, OCV, W_OFFSET + PRE_VEC4S);
  uint lane = gl_SubgroupInvocationID % SG;
  uint lane0 = gl_SubgroupInvocationID - lane;
  /* the pre-activation of SG input channels at a time, one per lane */
  vec4 pre_lane = vec4 (0.0);
#endif

  for (uint ic = 0u; ic < IN_C; ic++) {
    uint xbase = IN_START + ic * HW + p0;
    float v[PX];
    for (uint p = 0u; p < PX; p++)
      v[p] = LOAD_X (min (xbase + p, IN_START + ic * HW + HW - 1u));
    if (PRE_ACT != 0u) {
#if SHARE_WEIGHTS
      if (ic % SG == 0u)
        pre_lane = LOAD_W (W_OFFSET + min (ic + lane, IN_C - 1u));
      vec2 st = subgroupShuffle (pre_lane, lane0 + ic % SG).xy;
#else
      vec2 st = LOAD_W (W_OFFSET + ic).xy;
#endif
      for (uint p = 0u; p < PX; p++)
        v[p] = max (st.x * v[p] + st.y, 0.0);
    }
#if SHARE_WEIGHTS
    vec4 wl[NCH];
    for (uint ch = 0u; ch < NCH; ch++)
      wl[ch] = LOAD_W (item_off[ch] + ic * OCV);
#endif
    for (uint o = 0u; o < OCV; o++) {
#if SHARE_WEIGHTS
      vec4 wv = subgroupShuffle (wl[o * GROUPS / SG], shared_weight_lane (o));
#else
      vec4 wv = LOAD_W (wi + o);
#endif
      for (uint p = 0u; p < PX; p++)
        acc[o][p] += wv * v[p];
    }
    wi += OCV;
  }

  if (!valid)
    return;
  for (uint o = 0u; o < OCV; o++)
    for (uint j = 0u; j < 4u; j++) {
      uint oc = (ocb * OCV + o) * 4u + j;
      if (oc >= OUT_C)
        continue;
      uint obase = OUT_START + oc * HW + p0;
      for (uint p = 0u; p < PX; p++) {
        if (p0 + p >= HW)
          continue;
        float r = acc[o][p][j];
        y[obase + p] = RELU != 0u ? max (r, 0.0) : r;
      }
    }
}
