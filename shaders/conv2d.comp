#version 450
/* Direct convolution, register-blocked: each invocation computes 4 * OCV output
 * channels at PX neighbouring pixels of one output row. Every input value of a
 * kernel row is loaded once into registers and reused for all kernel columns,
 * pixels and channels; each weight load is a vec4 of four output channels.
 *
 * The block of output channels is the workgroup's y coordinate (times GROUPS,
 * below), so every weight address is the same for all invocations of a
 * workgroup. Implementations that
 * run a workgroup as SIMD lanes (lavapipe) then load each weight once and
 * broadcast it instead of gathering it lane by lane, and it costs nothing
 * elsewhere. For the same reason nothing branches on the pixel: out-of-range
 * taps load from a clamped address and are zeroed with a select, and surplus
 * invocations compute a duplicate pixel and skip only the store.
 *
 * The variants are rows of meson.build's table: this file with SHARE_WEIGHTS
 * and INPUT_TEXEL defined or not.
 *
 * With SHARE_WEIGHTS (conv2d_sg), the SG lanes of a subgroup load SG
 * different weight vec4s at once and hand them round with subgroupShuffle:
 * lavapipe gathers any per-lane load element by element (a loop over its 8
 * lanes), so this turns SG such loops into one. Measured on lavapipe: 1.6-2x
 * on 3x3 layers. Without subgroup shuffles (conv2d) every invocation
 * loads each weight itself.
 *
 * With INPUT_TEXEL (conv2d_sg_texel) the input is a texel buffer (see
 * input-binding.glsl), and so are the weights (conv-lanes.glsl).
 *
 * Packed weights (vec4 units from W_OFFSET), per block of 4 * OCV output channels:
 * OCV bias vec4s, then [in_c][kh][kw][OCV] vec4s. Channels past OUT_C are zero. */
#extension GL_GOOGLE_include_directive : require
#if SHARE_WEIGHTS
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_shuffle : require
#endif

layout(local_size_x_id = 17) in;

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
layout(constant_id = 17) const uint LOCAL = 64;    /* invocations per workgroup */
layout(constant_id = 18) const uint SG = 1;        /* lanes that share weight loads */
layout(constant_id = 19) const uint GROUPS = 1;    /* blocks of output channels per workgroup */

#if BATCH
/* The batched variant (the _batch rows of meson.build's table): workgroup z
 * runs item slot item[z], whose input and output lie slot * IN_ITEM_STRIDE
 * and slot * OUT_ITEM_STRIDE floats further; the weights are the same for
 * every item. A slot past the views' MAX_ITEMS is clamped to the last one,
 * so a wrong items list cannot reach outside the bound windows. */
layout(constant_id = 20) const uint IN_ITEM_STRIDE = 0;
layout(constant_id = 21) const uint OUT_ITEM_STRIDE = 0;
layout(constant_id = 22) const uint MAX_ITEMS = 1;
layout(std430, set = 0, binding = 3) readonly buffer Items { uint item[]; };
uint in_start, out_start;   /* set first thing in main() */
#define IN_START in_start
#define OUT_START out_start
#else
#define IN_START IN_ORIGIN
#define OUT_START OUT_ORIGIN
#endif

const uint ROW = (PX - 1u) * STRIDE + KW;
const uint NXB = (OUT_W + PX - 1u) / PX;
const uint BLOCK_VEC4S = OCV * (1u + IN_C * KH * KW);
const uint TAPS = KH * KW * OCV;                   /* weight vec4s per input channel */
const uint NOCB = (OUT_C + 4u * OCV - 1u) / (4u * OCV);
const uint PIX_PER_GROUP = LOCAL / GROUPS;
const uint NCH = (GROUPS * TAPS + SG - 1u) / SG;

#include "conv-lanes.glsl"

void main ()
{
#if BATCH
  uint item_slot = min (item[gl_WorkGroupID.z], MAX_ITEMS - 1u);
  in_start = IN_ORIGIN + item_slot * IN_ITEM_STRIDE;
  out_start = OUT_ORIGIN + item_slot * OUT_ITEM_STRIDE;
#endif
  /* GROUPS neighbouring lanes share a pixel block and take consecutive blocks
   * of output channels, so that layers with few output pixels (a classifier's
   * 4x4 and 2x2) still fill the SIMD lanes. */
  uint slot = conv_slot ();
  uint g = slot % GROUPS;
  uint ocb = gl_WorkGroupID.y * GROUPS + g;
  uint pix = gl_WorkGroupID.x * PIX_PER_GROUP + slot / GROUPS;
  bool valid = pix < OUT_H * NXB && ocb < NOCB;
  ocb = min (ocb, NOCB - 1u);
  pix = min (pix, OUT_H * NXB - 1u);
  uint xb = pix % NXB;
  uint oy = pix / NXB;
  uint ox0 = xb * PX;
  int ix0 = int(ox0 * STRIDE) - int(PAD_W);

  uint wi = W_OFFSET + ocb * BLOCK_VEC4S;
  vec4 acc[OCV][PX];
  for (uint o = 0u; o < OCV; o++) {
    vec4 b = LOAD_W (wi + o);
    for (uint p = 0u; p < PX; p++)
      acc[o][p] = b;
  }
  wi += OCV;

  /* per kernel row and column: where to load and whether the tap is inside */
  uint roff[KH];
  bool rok[KH];
  for (uint ky = 0u; ky < KH; ky++) {
    int iy = int(oy * STRIDE + ky) - int(PAD_H);
    rok[ky] = iy >= 0 && iy < int(IN_H);
    roff[ky] = uint(clamp (iy, 0, int(IN_H) - 1)) * IN_W;
  }
  uint coff[ROW];
  bool cok[ROW];
  for (uint r = 0u; r < ROW; r++) {
    int ix = ix0 + int(r);
    cok[r] = ix >= 0 && ix < int(IN_W);
    coff[r] = uint(clamp (ix, 0, int(IN_W) - 1));
  }

#if SHARE_WEIGHTS
  uint item_off[NCH];
  for (uint ch = 0u; ch < NCH; ch++)
    item_off[ch] = shared_weight_offset (ch, TAPS, W_OFFSET);
#endif
  for (uint ic = 0u; ic < IN_C; ic++) {
    uint cbase = IN_START + ic * IN_H * IN_W;
#if SHARE_WEIGHTS
    vec4 wl[NCH];
    for (uint ch = 0u; ch < NCH; ch++)
      wl[ch] = LOAD_W (item_off[ch] + ic * TAPS);
#endif
    uint t = 0u;
    for (uint ky = 0u; ky < KH; ky++) {
      float row[ROW];
      for (uint r = 0u; r < ROW; r++) {
        float v = LOAD_X (cbase + roff[ky] + coff[r]);
        row[r] = (rok[ky] && cok[r]) ? v : 0.0;
      }
      for (uint kx = 0u; kx < KW; kx++) {
        for (uint o = 0u; o < OCV; o++) {
#if SHARE_WEIGHTS
          vec4 wv = subgroupShuffle (wl[t * GROUPS / SG], shared_weight_lane (t));
#else
          vec4 wv = LOAD_W (wi + t);
#endif
          t++;
          for (uint p = 0u; p < PX; p++)
            acc[o][p] += wv * row[p * STRIDE + kx];
        }
      }
    }
    wi += TAPS;
  }

  if (!valid)
    return;
  for (uint o = 0u; o < OCV; o++)
    for (uint j = 0u; j < 4u; j++) {
      uint oc = (ocb * OCV + o) * 4u + j;
      if (oc >= OUT_C)
        continue;
      uint obase = OUT_START + (oc * OUT_H + oy) * OUT_W;
      for (uint p = 0u; p < PX; p++) {
        if (ox0 + p >= OUT_W)
          continue;
        float v = acc[o][p][j];
        y[obase + ox0 + p] = RELU != 0u ? max (v, 0.0) : v;
      }
    }
}
