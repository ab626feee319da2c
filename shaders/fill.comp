#version 450
// Fills buffer elements [offset, offset + count) with a constant 32-bit value.
// The value is a specialization constant so one pipeline serves one value;
// the region is in push constants so one pipeline serves any region.

layout (local_size_x_id = 0) in;

layout (constant_id = 1) const uint FILL_VALUE = 0u;

layout (std430, set = 0, binding = 0) writeonly buffer Dst { uint dst[]; };

layout (push_constant) uniform Region {
  uint offset;
  uint count;
} region;

void main ()
{
  uint i = gl_GlobalInvocationID.x;
  if (i < region.count)
    dst[region.offset + i] = FILL_VALUE;
}
