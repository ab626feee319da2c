/* Binding 0, the input tensor, and LOAD_X(i) to read float i of it.
 *
 * With INPUT_TEXEL the input is a uniform texel buffer: lavapipe turns a texel
 * fetch into one vector gather, where a storage-buffer load whose address
 * differs between lanes is a loop over the lanes with a bounds check each
 * (see ranet_op_texel_input()). */
#if INPUT_TEXEL
layout(set = 0, binding = 0) uniform samplerBuffer x_texels;
#define LOAD_X(i) texelFetch (x_texels, int(i)).r
#else
layout(std430, set = 0, binding = 0) readonly buffer In { float x[]; };
#define LOAD_X(i) x[i]
#endif
