#version 450
/* The end of a classifier in one dispatch of one workgroup: its last
 * convolution, the linear layer (its average pool folded in, see
 * graph-fold.c) and the softmax, which would otherwise be three dispatches.
 * On lavapipe each dispatch costs a wake-up of the driver's threads (40-130
 * us here) while these layers hold a few microseconds of work each: the
 * convolution's output (a classifier's 2x2 or 4x4 map) and the logits stay
 * in shared memory.
 *
 * Phase 1: the convolution, an invocation per (output pixel, block of 4 * OCV
 * channels), into mid[]. Phase 2: the logits, an invocation each; they are
 * also written to the activations (binding 2), where ranet_net_read_logits()
 * finds them. Phase 3: one invocation writes the softmax results and, in the
 * DECIDE variant (classifier_decide), the exit decision: the same code as
 * softmax.comp (softmax-body.glsl), so the floats are the same.
 *
 * Weights: the convolution's and the linear layer's blocks exactly as the
 * conv2d and linear ops pack them, at vec4 offsets CONV_W and LIN_W of the
 * weights buffer (bound whole). With INPUT_TEXEL (the _texel variants, CPU
 * implementations) the input and the weights are texel buffers, as in the
 * convolution ops (conv-lanes.glsl). */
#extension GL_GOOGLE_include_directive : require

layout(local_size_x_id = 20) in;

layout(constant_id = 0) const uint IN_C = 1;
layout(constant_id = 1) const uint IN_H = 1;
layout(constant_id = 2) const uint IN_W = 1;
layout(constant_id = 3) const uint IN_ORIGIN = 0;
layout(constant_id = 4) const uint MID_C = 1;
layout(constant_id = 5) const uint MID_H = 1;
layout(constant_id = 6) const uint MID_W = 1;
layout(constant_id = 7) const uint KH = 1;
layout(constant_id = 8) const uint KW = 1;
layout(constant_id = 9) const uint STRIDE = 1;
layout(constant_id = 10) const uint PAD_H = 0;
layout(constant_id = 11) const uint PAD_W = 0;
layout(constant_id = 12) const uint CONV_RELU = 0;
layout(constant_id = 13) const uint CONV_W = 0;    /* vec4s */
layout(constant_id = 14) const uint OCV = 1;       /* ranet_op_oc_vec4s (MID_C) */
layout(constant_id = 15) const uint K = 1;         /* classes */
layout(constant_id = 16) const uint LIN_W = 0;     /* vec4s */
layout(constant_id = 17) const uint LIN_OCV = 1;   /* the linear op's block width */
layout(constant_id = 18) const uint LOGITS_ORIGIN = 0;
layout(constant_id = 19) const uint OUT_BASE = 0;
layout(constant_id = 20) const uint LOCAL = 64;

#include "input-binding.glsl"
#if INPUT_TEXEL
layout(set = 0, binding = 1) uniform samplerBuffer w_texels;
#define LOAD_W(i) texelFetch (w_texels, int(i))
#else
layout(std430, set = 0, binding = 1) readonly buffer Weights { vec4 w[]; };
#define LOAD_W(i) w[i]
#endif
layout(std430, set = 0, binding = 2) writeonly buffer Logits { float logits_out[]; };
layout(std430, set = 0, binding = 3) writeonly buffer Out { float y[]; };

#if DECIDE
layout(constant_id = 21) const uint EXIT = 0;
layout(constant_id = 22) const uint N_EXITS = 1;
layout(std430, set = 0, binding = 4) buffer Control { uint control[]; };
#endif

const uint MID_PIX = MID_H * MID_W;
const uint MID_SIZE = MID_C * MID_PIX;
const uint NOCB = (MID_C + 4u * OCV - 1u) / (4u * OCV);
const uint BLOCK_VEC4S = OCV * (1u + IN_C * KH * KW);
const uint LIN_BLOCK_VEC4S = LIN_OCV * (1u + MID_SIZE);

shared float mid[MID_SIZE];
shared float logits[K];

#define LOGIT(i) logits[i]
#define RESULT(i) y[OUT_BASE + (i)]
#include "softmax-body.glsl"

void
convolve (uint item)
{
  uint pix = item % MID_PIX;
  uint ocb = item / MID_PIX;
  uint oy = pix / MID_W, ox = pix % MID_W;
  uint wi = CONV_W + ocb * BLOCK_VEC4S;
  vec4 acc[OCV];

  for (uint o = 0u; o < OCV; o++)
    acc[o] = LOAD_W (wi + o);
  wi += OCV;
  for (uint ic = 0u; ic < IN_C; ic++) {
    uint cbase = IN_ORIGIN + ic * IN_H * IN_W;
    for (uint ky = 0u; ky < KH; ky++) {
      int iy = int(oy * STRIDE + ky) - int(PAD_H);
      bool yok = iy >= 0 && iy < int(IN_H);
      uint roff = cbase + uint(clamp (iy, 0, int(IN_H) - 1)) * IN_W;
      for (uint kx = 0u; kx < KW; kx++) {
        int ix = int(ox * STRIDE + kx) - int(PAD_W);
        float v = LOAD_X (roff + uint(clamp (ix, 0, int(IN_W) - 1)));
        v = (yok && ix >= 0 && ix < int(IN_W)) ? v : 0.0;
        for (uint o = 0u; o < OCV; o++)
          acc[o] += LOAD_W (wi + o) * v;
        wi += OCV;
      }
    }
  }
  for (uint o = 0u; o < OCV; o++)
    for (uint c = 0u; c < 4u; c++) {
      uint oc = (ocb * OCV + o) * 4u + c;
      if (oc < MID_C)
        mid[oc * MID_PIX + pix] = CONV_RELU != 0u ? max (acc[o][c], 0.0) : acc[o][c];
    }
}

/* Logit k: the linear op's block k / (4 * LIN_OCV), lane k % 4 of its vec4s. */
float
logit (uint k)
{
  uint block = LIN_W + k / (4u * LIN_OCV) * LIN_BLOCK_VEC4S;
  uint v = k % (4u * LIN_OCV) / 4u, c = k % 4u;
  float sum = LOAD_W (block + v)[c];
  uint wi = block + LIN_OCV + v;

  for (uint i = 0u; i < MID_SIZE; i++, wi += LIN_OCV)
    sum += LOAD_W (wi)[c] * mid[i];
  return sum;
}

void main ()
{
  uint lid = gl_LocalInvocationID.x;

  for (uint item = lid; item < MID_PIX * NOCB; item += LOCAL)
    convolve (item);
  barrier ();
  for (uint k = lid; k < K; k += LOCAL) {
    float l = logit (k);
    logits[k] = l;
    logits_out[LOGITS_ORIGIN + k] = l;
  }
  barrier ();
  if (lid == 0u)
    softmax_write_results ();
}
