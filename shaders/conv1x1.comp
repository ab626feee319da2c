#version 450
/* 1x1 convolution (stride 1, no padding) as a matrix product over the flattened
 * pixels, out[oc][p] = b[oc] + sum_ic W[oc][ic] * act(x[ic][p]), with the optional
 * pre-activation act(v) = relu(scale[ic] * v + shift[ic]). Each invocation computes
 * 4 * OCV output channels at PX consecutive pixels, so every input value is loaded
 * once per 4 * OCV multiply-adds and every weight vec4 once per PX of them. Also
 * serves fully connected layers (one "pixel", in_c = flattened input size).
 *
 * Packed weights (vec4 units from W_OFFSET): with PRE_ACT, IN_C vec4s
 * (scale, shift, 0, 0); then per block of 4 * OCV output channels: OCV bias vec4s,
 * then [in_c][OCV] vec4s. Channels past OUT_C are zero. */

layout(local_size_x = 64) in;

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

const uint NPB = (HW + PX - 1u) / PX;
const uint NOCB = (OUT_C + 4u * OCV - 1u) / (4u * OCV);
const uint PRE_VEC4S = PRE_ACT != 0u ? IN_C : 0u;
const uint BLOCK_VEC4S = OCV * (1u + IN_C);

layout(std430, set = 0, binding = 0) readonly buffer In { float x[]; };
layout(std430, set = 0, binding = 1) readonly buffer Weights { vec4 w[]; };
layout(std430, set = 0, binding = 2) writeonly buffer Out { float y[]; };

void main ()
{
  uint idx = (gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x) * 64u
      + gl_LocalInvocationID.x;
  if (idx >= NOCB * NPB)
    return;
  uint pb = idx % NPB;
  uint ocb = idx / NPB;
  uint p0 = pb * PX;

  uint wi = W_OFFSET + PRE_VEC4S + ocb * BLOCK_VEC4S;
  vec4 acc[OCV][PX];
  for (uint o = 0u; o < OCV; o++) {
    vec4 b = w[wi + o];
    for (uint p = 0u; p < PX; p++)
      acc[o][p] = b;
  }
  wi += OCV;

  for (uint ic = 0u; ic < IN_C; ic++) {
    uint xbase = IN_ORIGIN + ic * HW + p0;
    float v[PX];
    for (uint p = 0u; p < PX; p++)
      v[p] = (p0 + p < HW) ? x[xbase + p] : 0.0;
    if (PRE_ACT != 0u) {
      vec2 st = w[W_OFFSET + ic].xy;
      for (uint p = 0u; p < PX; p++)
        v[p] = max (st.x * v[p] + st.y, 0.0);
    }
    for (uint o = 0u; o < OCV; o++) {
      vec4 wv = w[wi + o];
      for (uint p = 0u; p < PX; p++)
        acc[o][p] += wv * v[p];
    }
    wi += OCV;
  }

  for (uint o = 0u; o < OCV; o++)
    for (uint j = 0u; j < 4u; j++) {
      uint oc = (ocb * OCV + o) * 4u + j;
      if (oc >= OUT_C)
        continue;
      uint obase = OUT_ORIGIN + oc * HW + p0;
      for (uint p = 0u; p < PX; p++) {
        if (p0 + p >= HW)
          continue;
        float r = acc[o][p][j];
        y[obase + p] = RELU != 0u ? max (r, 0.0) : r;
      }
    }
}
