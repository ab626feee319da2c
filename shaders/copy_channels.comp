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

void main ()
{
  uint idx = (gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x) * 64u
      + gl_LocalInvocationID.x;
  if (idx < N)
    y[OUT_ORIGIN + idx] = x[IN_ORIGIN + idx];
}
