#version 450
/* Softmax over K logits in a single invocation: K is a classifier's class count,
 * small enough that one pass more costs less than a second dispatch would.
 * Writes probs[K], the largest probability, and the index of the largest logit
 * (first on ties) as a float value. */

layout(local_size_x = 1) in;

layout(constant_id = 0) const uint K = 1;
layout(constant_id = 1) const uint IN_ORIGIN = 0;
layout(constant_id = 2) const uint OUT_BASE = 0;

layout(std430, set = 0, binding = 0) readonly buffer In { float x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Out { float y[]; };

void main ()
{
  uint best = 0u;
  float m = x[IN_ORIGIN];
  for (uint i = 1u; i < K; i++) {
    float v = x[IN_ORIGIN + i];
    if (v > m) {
      m = v;
      best = i;
    }
  }
  float sum = 0.0;
  for (uint i = 0u; i < K; i++)
    sum += exp (x[IN_ORIGIN + i] - m);
  float inv = 1.0 / sum;
  for (uint i = 0u; i < K; i++)
    y[OUT_BASE + i] = exp (x[IN_ORIGIN + i] - m) * inv;
  y[OUT_BASE + K] = inv;
  y[OUT_BASE + K + 1u] = float(best);
}
