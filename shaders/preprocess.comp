#version 450
#extension GL_GOOGLE_include_directive : require
/* One video frame to the network input: pixel format conversion, bilinear resize
 * (half-pixel centres, clamped like PyTorch's align_corners=False) and
 * normalisation, one output pixel per invocation. The frame's bytes arrive as
 * 32-bit words; only the few rows the taps touch are ever read. The format and
 * geometry are specialization constants, so each layout compiles to straight-line
 * code. core/preprocess/preprocess-ref.c is the same computation in C. The
 * formats are the rows of core/preprocess/ranet-pixel-formats.def, which the C
 * side expands too.
 *
 * REGIONS=1: several regions of the frame in one dispatch, workgroup z one
 * region, each preprocessed as if it were the whole frame into an item slot
 * of a batched output. A region's box and its mapping onto the input differ
 * per item, so they come from the geometry buffer
 * (ranet_preprocess_region_geometry()) instead of specialization constants;
 * the slot comes from the items list. */

layout(local_size_x = 64) in;

/* RanetPixelFormat values: FMT_RGB, FMT_GRAY8, ... */
#define RANET_PIXEL_FORMAT(name, id, gst_name, planes, pixel_bytes, chroma_bytes, r, g, b) \
  const uint FMT_##name = uint(id);
#include "../core/preprocess/ranet-pixel-formats.def"
#undef RANET_PIXEL_FORMAT

layout(constant_id = 0) const uint FORMAT = 0u;
layout(constant_id = 1) const uint W = 1u;
layout(constant_id = 2) const uint H = 1u;
layout(constant_id = 3) const uint OFF0 = 0u;
layout(constant_id = 4) const uint OFF1 = 0u;
layout(constant_id = 5) const uint OFF2 = 0u;
layout(constant_id = 6) const uint STRIDE0 = 0u;
layout(constant_id = 7) const uint STRIDE1 = 0u;
layout(constant_id = 8) const uint STRIDE2 = 0u;
layout(constant_id = 9) const uint OUT_C = 1u;
layout(constant_id = 10) const uint OUT_H = 1u;
layout(constant_id = 11) const uint OUT_W = 1u;
layout(constant_id = 12) const uint OUT_ORIGIN = 0u;
layout(constant_id = 13) const float X_SCALE = 1.0;
layout(constant_id = 14) const float X_SRC0 = 0.0;
layout(constant_id = 15) const float X_LO = 0.0;
layout(constant_id = 16) const float X_HI = 1.0;
layout(constant_id = 17) const float Y_SCALE = 1.0;
layout(constant_id = 18) const float Y_SRC0 = 0.0;
layout(constant_id = 19) const float Y_LO = 0.0;
layout(constant_id = 20) const float Y_HI = 1.0;
layout(constant_id = 21) const float MEAN0 = 0.0;
layout(constant_id = 22) const float MEAN1 = 0.0;
layout(constant_id = 23) const float MEAN2 = 0.0;
layout(constant_id = 24) const float STD0 = 1.0;
layout(constant_id = 25) const float STD1 = 1.0;
layout(constant_id = 26) const float STD2 = 1.0;
layout(constant_id = 27) const float KR = 0.299;
layout(constant_id = 28) const float KB = 0.114;
layout(constant_id = 29) const uint FULL_RANGE = 0u;

layout(std430, set = 0, binding = 0) readonly buffer Frame { uint words[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Out { float y[]; };

#if REGIONS
layout(constant_id = 30) const uint OUT_ITEM_STRIDE = 0u;
layout(constant_id = 31) const uint MAX_ITEMS = 1u;
/* RANET_PREPROCESS_GEOMETRY_FLOATS floats per item, three vec4s: the box
 * (x, y, width, height; whole numbers), then the x and the y map (scale,
 * source origin, first and end output position). On lavapipe a storage load
 * whose address depends on the workgroup is a loop over the lanes with a
 * branch per component, which doubled the loads of an invocation; with
 * GEOMETRY_TEXEL (CPU devices) each vec4 is one texel fetch. */
const uint GEOMETRY_VEC4S = 3u;
#if GEOMETRY_TEXEL
layout(set = 0, binding = 2) uniform samplerBuffer geo_texels;
#define GEOMETRY(i) texelFetch(geo_texels, int(i))
#else
layout(std430, set = 0, binding = 2) readonly buffer Geometry { vec4 geo[]; };
#define GEOMETRY(i) geo[i]
#endif
layout(std430, set = 0, binding = 3) readonly buffer Items { uint item[]; };
/* the box's columns and rows: taps clamp at its edges, not the frame's */
#define SRC_W box.z
#define SRC_H box.w
#define MAP_X_SCALE map_x.x
#define MAP_X_SRC0 map_x.y
#define MAP_X_LO map_x.z
#define MAP_X_HI map_x.w
#define MAP_Y_SCALE map_y.x
#define MAP_Y_SRC0 map_y.y
#define MAP_Y_LO map_y.z
#define MAP_Y_HI map_y.w
#define ITEM_ORIGIN (OUT_ORIGIN + slot * OUT_ITEM_STRIDE)
#else
/* the whole frame, its mapping fixed when the op is made */
#define SRC_W W
#define SRC_H H
#define MAP_X_SCALE X_SCALE
#define MAP_X_SRC0 X_SRC0
#define MAP_X_LO X_LO
#define MAP_X_HI X_HI
#define MAP_Y_SCALE Y_SCALE
#define MAP_Y_SRC0 Y_SRC0
#define MAP_Y_LO Y_LO
#define MAP_Y_HI Y_HI
#define ITEM_ORIGIN OUT_ORIGIN
#endif

float byte_at (uint off)
{
  return float((words[off >> 2] >> ((off & 3u) * 8u)) & 0xffu);
}

vec3 yuv_to_rgb (float Y, float U, float V)
{
  float yf, cb, cr;
  if (FULL_RANGE != 0u) {
    yf = Y / 255.0;
    cb = (U - 128.0) / 255.0;
    cr = (V - 128.0) / 255.0;
  } else {
    yf = (Y - 16.0) / 219.0;
    cb = (U - 128.0) / 224.0;
    cr = (V - 128.0) / 224.0;
  }
  float r = yf + 2.0 * (1.0 - KR) * cr;
  float b = yf + 2.0 * (1.0 - KB) * cb;
  float g = (yf - KR * r - KB * b) / (1.0 - KR - KB);
  return clamp(vec3(r, g, b), 0.0, 1.0);
}

/* byte positions of R, G, B in a packed pixel, and its size */
uvec4 packed_order ()
{
#define RANET_PIXEL_FORMAT(name, id, gst_name, planes, pixel_bytes, chroma_bytes, r, g, b) \
  if (FORMAT == uint(id)) return uvec4(r, g, b, pixel_bytes);
#include "../core/preprocess/ranet-pixel-formats.def"
#undef RANET_PIXEL_FORMAT
  return uvec4(0u);
}

vec3 fetch_rgb (uint x, uint y)
{
  if (FORMAT == FMT_GRAY8) {
    float v = byte_at(OFF0 + y * STRIDE0 + x) / 255.0;
    return vec3(v);
  }
  if (FORMAT == FMT_I420)
    return yuv_to_rgb(byte_at(OFF0 + y * STRIDE0 + x),
        byte_at(OFF1 + (y / 2u) * STRIDE1 + x / 2u),
        byte_at(OFF2 + (y / 2u) * STRIDE2 + x / 2u));
  if (FORMAT == FMT_NV12) {
    uint uv = OFF1 + (y / 2u) * STRIDE1 + (x / 2u) * 2u;
    return yuv_to_rgb(byte_at(OFF0 + y * STRIDE0 + x), byte_at(uv), byte_at(uv + 1u));
  }
  uvec4 o = packed_order();
  uint base = OFF0 + y * STRIDE0 + x * o.w;
  return vec3(byte_at(base + o.x) / 255.0, byte_at(base + o.y) / 255.0,
      byte_at(base + o.z) / 255.0);
}

void source_taps (float dst, float lo, float scale, float src0, uint size,
    out uint i0, out uint i1, out float l1)
{
  float s = (dst + 0.5 - lo) * scale + src0 - 0.5;
  s = max(s, 0.0);
  i0 = min(uint(s), size - 1u);
  i1 = i0 + (i0 < size - 1u ? 1u : 0u);
  l1 = s - float(i0);
}

void main ()
{
  uint idx = (gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x) * 64u
      + gl_LocalInvocationID.x;
  if (idx >= OUT_H * OUT_W)
    return;
#if REGIONS
  uint slot = item[gl_WorkGroupID.z];
  if (slot >= MAX_ITEMS)
    return;
  uint g = gl_WorkGroupID.z * GEOMETRY_VEC4S;
  uvec4 box = uvec4(GEOMETRY(g));
  vec4 map_x = GEOMETRY(g + 1u);
  vec4 map_y = GEOMETRY(g + 2u);
#endif
  uint ox = idx % OUT_W;
  uint oy = idx / OUT_W;
  float cx = float(ox) + 0.5;
  float cy = float(oy) + 0.5;

  vec3 v = vec3(0.0);
  if (cx >= MAP_X_LO && cx < MAP_X_HI && cy >= MAP_Y_LO && cy < MAP_Y_HI) {
    uint x0, x1, y0, y1;
    float lx1, ly1;
    source_taps(float(ox), MAP_X_LO, MAP_X_SCALE, MAP_X_SRC0, SRC_W, x0, x1, lx1);
    source_taps(float(oy), MAP_Y_LO, MAP_Y_SCALE, MAP_Y_SRC0, SRC_H, y0, y1, ly1);
#if REGIONS
    /* within the frame whatever the geometry buffer holds: a box that
     * ranet_preprocess_region_geometry() wrote never needs the clamp */
    x0 = min(x0 + box.x, W - 1u);
    x1 = min(x1 + box.x, W - 1u);
    y0 = min(y0 + box.y, H - 1u);
    y1 = min(y1 + box.y, H - 1u);
#endif
    float lx0 = 1.0 - lx1, ly0 = 1.0 - ly1;
    vec3 a = fetch_rgb(x0, y0), b = fetch_rgb(x1, y0);
    vec3 c = fetch_rgb(x0, y1), d = fetch_rgb(x1, y1);
    v = ly0 * (lx0 * a + lx1 * b) + ly1 * (lx0 * c + lx1 * d);
  }

  uint plane = OUT_H * OUT_W;
  if (OUT_C == 1u) {
    float luma = 0.299 * v.r + 0.587 * v.g + 0.114 * v.b;
    y[ITEM_ORIGIN + idx] = (luma - MEAN0) / STD0;
  } else {
    y[ITEM_ORIGIN + idx] = (v.r - MEAN0) / STD0;
    y[ITEM_ORIGIN + plane + idx] = (v.g - MEAN1) / STD1;
    y[ITEM_ORIGIN + 2u * plane + idx] = (v.b - MEAN2) / STD2;
  }
}
