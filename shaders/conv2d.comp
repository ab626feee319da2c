#version 450
/* Direct convolution, register-blocked: each invocation computes 4 * OCV output
 * channels at PX neighbouring pixels of one output row. Every input value of a
 * kernel row is loaded once into registers and reused for all kernel columns,
 * pixels and channels; each weight load is a vec4 of four output channels. On
 * implementations where buffer accesses dominate (lavapipe) this turns one load per
 * multiply-add into one load per 8..32 of them.
 *
 * Packed weights (vec4 units from W_OFFSET), per block of 4 * OCV output channels:
 * OCV bias vec4s, then [in_c][kh][kw][OCV] vec4s. Channels past OUT_C are zero. */

layout(local_size_x = 64) in;

layout(constant_id = 0) const uint IN_C = 1;
layout(constant_id = 1) const uint IN_H = 1;
layout(constant_id = 2) const uint IN_W = 1;
layout(constant_id = 3) const uint IN_ORIGIN = 0;   /* float index of (0,0,0) of the view */
layout(constant_id = 4) const uint OUT_C = 1;
layout(constant_id = 5) const uint OUT_H = 1;
layout(constant_id = 6) const uint OUT_W = 1;
layout(constant_id = 7) const uint OUT_ORIGIN = 0;
layout(constant_id = 8) const uint KH = 1;
layout(constant_id = 9) const uint KW = 1;
layout(constant_id = 10) const uint STRIDE = 1;
layout(constant_id = 11) const uint PAD_H = 0;
layout(constant_id = 12) const uint PAD_W = 0;
layout(constant_id = 13) const uint RELU = 0;
layout(constant_id = 14) const uint W_OFFSET = 0;  /* in vec4s */
layout(constant_id = 15) const uint OCV = 1;
layout(constant_id = 16) const uint PX = 1;

const uint ROW = (PX - 1u) * STRIDE + KW;
const uint NXB = (OUT_W + PX - 1u) / PX;
const uint NOCB = (OUT_C + 4u * OCV - 1u) / (4u * OCV);
const uint BLOCK_VEC4S = OCV * (1u + IN_C * KH * KW);

layout(std430, set = 0, binding = 0) readonly buffer In { float x[]; };
layout(std430, set = 0, binding = 1) readonly buffer Weights { vec4 w[]; };
layout(std430, set = 0, binding = 2) writeonly buffer Out { float y[]; };

void main ()
{
  uint idx = (gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x) * 64u
      + gl_LocalInvocationID.x;
  if (idx >= NOCB * OUT_H * NXB)
    return;
  uint xb = idx % NXB;
  uint oy = (idx / NXB) % OUT_H;
  uint ocb = idx / (NXB * OUT_H);
  uint ox0 = xb * PX;
  int ix0 = int(ox0 * STRIDE) - int(PAD_W);

  uint wi = W_OFFSET + ocb * BLOCK_VEC4S;
  vec4 acc[OCV][PX];
  for (uint o = 0u; o < OCV; o++) {
    vec4 b = w[wi + o];
    for (uint p = 0u; p < PX; p++)
      acc[o][p] = b;
  }
  wi += OCV;

  for (uint ic = 0u; ic < IN_C; ic++) {
    for (uint ky = 0u; ky < KH; ky++) {
      int iy = int(oy * STRIDE + ky) - int(PAD_H);
      if (iy < 0 || iy >= int(IN_H)) {
        wi += KW * OCV;
        continue;
      }
      uint rbase = IN_ORIGIN + (ic * IN_H + uint(iy)) * IN_W;
      float row[ROW];
      for (uint r = 0u; r < ROW; r++) {
        int ix = ix0 + int(r);
        row[r] = (ix >= 0 && ix < int(IN_W)) ? x[rbase + uint(ix)] : 0.0;
      }
      for (uint kx = 0u; kx < KW; kx++) {
        for (uint o = 0u; o < OCV; o++) {
          vec4 wv = w[wi + o];
          for (uint p = 0u; p < PX; p++)
            acc[o][p] += wv * row[p * STRIDE + kx];
        }
        wi += OCV;
      }
    }
  }

  for (uint o = 0u; o < OCV; o++)
    for (uint j = 0u; j < 4u; j++) {
      uint oc = (ocb * OCV + o) * 4u + j;
      if (oc >= OUT_C)
        continue;
      uint obase = OUT_ORIGIN + (oc * OUT_H + oy) * OUT_W;
      for (uint p = 0u; p < PX; p++) {
        if (ox0 + p >= OUT_W)
          continue;
        float v = acc[o][p][j];
        y[obase + ox0 + p] = RELU != 0u ? max (v, 0.0) : v;
      }
    }
}
