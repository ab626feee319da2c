#version 450
/* Softmax over K logits in a single invocation: K is a classifier's class count,
 * small enough that one pass more costs less than a second dispatch would.
 * Writes probs[K], the largest probability, and the index of the largest logit
 * (first on ties) as a float value.
 *
 * With DECIDE (the variant softmax_decide, frames in one submission, see
 * core/net/net-record.c) it also decides whether the frame goes on to the next
 * stage, which then runs inside a conditional block on the flag written here.
 * Control buffer, 32-bit words: [0, N_EXITS) each exit's threshold (float
 * bits), [N_EXITS, 2 N_EXITS) per stage: 1 when it runs (the host sets stage
 * 0's and clears the others), [2 N_EXITS] the last stage the frame may run.
 * The test is the host's, exactly: go on unless confidence >= threshold, so a
 * NaN confidence goes on in both. The computation is softmax-body.glsl's,
 * shared with classifier.comp. */
#extension GL_GOOGLE_include_directive : require

layout(local_size_x = 1) in;

layout(constant_id = 0) const uint K = 1;
layout(constant_id = 1) const uint IN_ORIGIN = 0;
layout(constant_id = 2) const uint OUT_BASE = 0;

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
#define OUT_START OUT_BASE
#endif

#if DECIDE
layout(constant_id = 3) const uint EXIT = 0;         /* the stage this softmax ends */
layout(constant_id = 4) const uint N_EXITS = 1;
layout(std430, set = 0, binding = 2) buffer Control { uint control[]; };
#endif

#define LOGIT(i) x[IN_START + (i)]
#define RESULT(i) y[OUT_START + (i)]
#include "softmax-body.glsl"

void main ()
{
#if BATCH
  uint item_slot = min (item[gl_WorkGroupID.z], MAX_ITEMS - 1u);
  in_start = IN_ORIGIN + item_slot * IN_ITEM_STRIDE;
  out_start = OUT_BASE + item_slot * OUT_ITEM_STRIDE;
#endif
  softmax_write_results ();
}
