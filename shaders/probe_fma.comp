#version 450
/* Arithmetic peak probe: each invocation runs eight independent vec4
 * multiply-add chains (32 lanes of work per step, enough to hide latency)
 * for ITERS steps, with no memory traffic but one store at the end that keeps
 * the compiler from removing the loop. FLOPs per invocation: ITERS * 8 * 4 * 2. */

layout(local_size_x = 64) in;

layout(constant_id = 0) const uint ITERS = 1024u;

layout(std430, set = 0, binding = 0) writeonly buffer Out { vec4 y[]; };

void main ()
{
  uint idx = (gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x) * 64u
      + gl_LocalInvocationID.x;
  vec4 b = vec4(0.999, 0.998, 0.997, 0.996);
  vec4 c = vec4(float(idx) * 1e-7);
  vec4 a[8];
  for (uint i = 0u; i < 8u; i++)
    a[i] = vec4(float(i) * 0.01 + float(idx) * 1e-6);
  for (uint it = 0u; it < ITERS; it++)
    for (uint i = 0u; i < 8u; i++)
      a[i] = a[i] * b + c;
  vec4 s = vec4(0.0);
  for (uint i = 0u; i < 8u; i++)
    s += a[i];
  y[idx] = s;
}
