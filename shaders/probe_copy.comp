#version 450
/* Storage-buffer bandwidth probe: each invocation copies one vec4 (16 bytes
 * read, 16 written), the widest access the op shaders use. */

layout(local_size_x = 64) in;

layout(constant_id = 0) const uint N = 1u;   /* vec4s */

layout(std430, set = 0, binding = 0) readonly buffer In { vec4 x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Out { vec4 y[]; };

void main ()
{
  uint idx = (gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x) * 64u
      + gl_LocalInvocationID.x;
  if (idx < N)
    y[idx] = x[idx];
}
