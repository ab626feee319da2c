#version 450
/* Max or average pooling over a square window, one output element per invocation.
 * Max pooling treats padding as -infinity; average pooling has no padding and
 * divides by the full window. */

layout(local_size_x = 64) in;

layout(constant_id = 0) const uint C = 1;
layout(constant_id = 1) const uint IN_H = 1;
layout(constant_id = 2) const uint IN_W = 1;
layout(constant_id = 3) const uint IN_ORIGIN = 0;
layout(constant_id = 4) const uint OUT_H = 1;
layout(constant_id = 5) const uint OUT_W = 1;
layout(constant_id = 6) const uint OUT_ORIGIN = 0;
layout(constant_id = 7) const uint K = 1;
layout(constant_id = 8) const uint STRIDE = 1;
layout(constant_id = 9) const uint PAD = 0;
layout(constant_id = 10) const uint IS_MAX = 1;

layout(std430, set = 0, binding = 0) readonly buffer In { float x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Out { float y[]; };

#if BATCH
/* The batched variant (the _batch rows of meson.build's table): workgroup z
 * runs item slot item[z], whose input and output lie slot * IN_ITEM_STRIDE
 * and slot * OUT_ITEM_STRIDE floats further; the weights are the same for
 * every item. A slot past the views' MAX_ITEMS is clamped to the last one,
 * so a wrong items list cannot reach outside the bound windows. */
layout(constant_id = 11) const uint IN_ITEM_STRIDE = 0;
layout(constant_id = 12) const uint OUT_ITEM_STRIDE = 0;
layout(constant_id = 13) const uint MAX_ITEMS = 1;
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
  uint cbase = IN_START + c * IN_H * IN_W;

  float m = uintBitsToFloat (0xff800000u);   /* -infinity */
  float sum = 0.0;
  for (uint ky = 0u; ky < K; ky++) {
    int iy = int(oy * STRIDE + ky) - int(PAD);
    if (iy < 0 || iy >= int(IN_H))
      continue;
    for (uint kx = 0u; kx < K; kx++) {
      int ix = int(ox * STRIDE + kx) - int(PAD);
      if (ix < 0 || ix >= int(IN_W))
        continue;
      float v = x[cbase + uint(iy) * IN_W + uint(ix)];
      m = max (m, v);
      sum += v;
    }
  }
  y[OUT_START + idx] = IS_MAX != 0u ? m : sum / float(K * K);
}
