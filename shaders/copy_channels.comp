#version 450
/* Copies a channel slice of one CHW tensor into a channel slice of another. A
 * slice's channels are consecutive, so both sides are one contiguous run of
 * C * HW floats. */

layout(local_size_x = 64) in;

layout(constant_id = 0) const uint N = 1;          /* C * H * W */
layout(constant_id = 1) const uint IN_ORIGIN = 0;
layout(constant_id = 2) const uint OUT_ORIGIN = 0;

layout(std430, set = 0, binding = 0) readonly buffer In { float x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Out { float y[]; };

#if BATCH
/* The batched variant (the _batch rows of meson.build's table): workgroup z
 * runs item slot item[z], whose input and output lie slot * IN_ITEM_STRIDE
 * and slot * OUT_ITEM_STRIDE floats further; the weights are the same for
 * every item. A slot past the views' MAX_ITEMS is clamped to the last one,
 * so a wrong items list cannot reach outside the bound windows. */
layout(constant_id = 3) const uint IN_ITEM_STRIDE = 0;
layout(constant_id = 4) const uint OUT_ITEM_STRIDE = 0;
layout(constant_id = 5) const uint MAX_ITEMS = 1;
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
  if (idx < N)
    y[OUT_START + idx] = x[IN_START + idx];
}
