#version 450
/* Bilinear resize with align_corners=True, one output element per invocation. The
 * scales arrive precomputed in float, and the taps and weights are computed in the
 * same order as PyTorch, so the sample positions match it bit for bit.
 * The variant resize_bilinear_texel (INPUT_TEXEL, a row of meson.build's
 * table) reads the input as a texel buffer (see input-binding.glsl for why). */
#extension GL_GOOGLE_include_directive : require

layout(local_size_x = 64) in;

layout(constant_id = 0) const uint C = 1;
layout(constant_id = 1) const uint IN_H = 1;
layout(constant_id = 2) const uint IN_W = 1;
layout(constant_id = 3) const uint IN_ORIGIN = 0;
layout(constant_id = 4) const uint OUT_H = 1;
layout(constant_id = 5) const uint OUT_W = 1;
layout(constant_id = 6) const uint OUT_ORIGIN = 0;
layout(constant_id = 7) const float SCALE_Y = 0.0;  /* (IN_H - 1) / (OUT_H - 1), 0 when OUT_H == 1 */
layout(constant_id = 8) const float SCALE_X = 0.0;

#include "input-binding.glsl"
layout(std430, set = 0, binding = 1) writeonly buffer Out { float y[]; };

#if BATCH
/* The batched variant (the _batch rows of meson.build's table): workgroup z
 * runs item slot item[z], whose input and output lie slot * IN_ITEM_STRIDE
 * and slot * OUT_ITEM_STRIDE floats further; the weights are the same for
 * every item. A slot past the views' MAX_ITEMS is clamped to the last one,
 * so a wrong items list cannot reach outside the bound windows. */
layout(constant_id = 9) const uint IN_ITEM_STRIDE = 0;
layout(constant_id = 10) const uint OUT_ITEM_STRIDE = 0;
layout(constant_id = 11) const uint MAX_ITEMS = 1;
layout(std430, set = 0, binding = 2) readonly buffer Items { uint item[]; };
uint in_start, out_start;   /* set first thing in main() */
#define IN_START in_start
#define OUT_START out_start
#else
#define IN_START IN_ORIGIN
#define OUT_START OUT_ORIGIN
#endif

void main ()
{
#if BATCH
  uint item_slot = min (item[gl_WorkGroupID.z], MAX_ITEMS - 1u);
  in_start = IN_ORIGIN + item_slot * IN_ITEM_STRIDE;
  out_start = OUT_ORIGIN + item_slot * OUT_ITEM_STRIDE;
#endif
  uint idx = (gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x) * 64u
      + gl_LocalInvocationID.x;
  if (idx >= C * OUT_H * OUT_W)
    return;
  uint ox = idx % OUT_W;
  uint oy = (idx / OUT_W) % OUT_H;
  uint c = idx / (OUT_W * OUT_H);

  float fy = SCALE_Y * float(oy);
  uint y0 = uint(fy);
  uint y1 = y0 + (y0 < IN_H - 1u ? 1u : 0u);
  float ly1 = fy - float(y0);
  float ly0 = 1.0 - ly1;
  float fx = SCALE_X * float(ox);
  uint x0 = uint(fx);
  uint x1 = x0 + (x0 < IN_W - 1u ? 1u : 0u);
  float lx1 = fx - float(x0);
  float lx0 = 1.0 - lx1;

  uint cbase = IN_START + c * IN_H * IN_W;
  float v00 = LOAD_X (cbase + y0 * IN_W + x0);
  float v01 = LOAD_X (cbase + y0 * IN_W + x1);
  float v10 = LOAD_X (cbase + y1 * IN_W + x0);
  float v11 = LOAD_X (cbase + y1 * IN_W + x1);
  y[OUT_START + idx] = ly0 * (lx0 * v00 + lx1 * v01) + ly1 * (lx0 * v10 + lx1 * v11);
}
