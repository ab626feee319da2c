#version 450
/* A 1x1 convolution into a narrow bottleneck followed by a KH x KW convolution
 * of that bottleneck, in one dispatch: RANet's ConvBN pairs. On lavapipe each
 * dispatch costs 40-130 us of waking the driver's threads, about as much as
 * the work of one such layer, so two dispatches cost far more than one.
 *
 * Each workgroup owns TILE_H full-width rows of the output and computes every
 * output channel of them, in two phases:
 *   1. the bottleneck, MID_C channels, at every input row the tile's kernel
 *      windows touch (its footprint: the tile's rows plus the halo), into
 *      shared memory; rows of the padding above and below the map are stored
 *      as zeros, the columns of the left and right padding are not stored
 *      (phase 2 zeroes them in registers, so that 64 channels of a 7x7 map
 *      fit 16 KiB in one tile);
 *   2. the KH x KW convolution of the shared bottleneck, written to the
 *      output view.
 * The bottleneck never reaches the output buffer. A footprint row shared by
 * two tiles is computed by both (KH - STRIDE rows per tile).
 *
 * With RESIZE, one workgroup computes the whole KH x KW output (TILE_H is
 * OUT_H) into shared memory instead, and a third phase resizes it
 * bilinearly (align_corners=True, the arithmetic of resize_bilinear.comp)
 * to RS_H x RS_W into the output view: RANet upsamples the small result of
 * a ConvBN pair into a channel slice of a larger tensor, and the resize is
 * one more dispatch of little work. OUT_ORIGIN is then the resized view's.
 *
 * Both phases block registers as conv1x1.comp and conv2d.comp do: an
 * invocation computes 4 * OCV channels at PX pixels, each loaded input value
 * feeding 4 * OCV multiply-adds and each vec4 weight load PX of them. The
 * (channel block, pixel block) items of a phase are spread over the
 * invocations in rounds of a fixed count; surplus invocations compute a
 * clamped duplicate and skip only the store, so nothing branches around the
 * barrier.
 *
 * Measured on lavapipe, the default model's pairs (test-ops-bottleneck -m
 * perf): 63-114 us of device time where the two ops take 97-142, and the same
 * as the two ops (120-160) for 64x7x7 -> 64 -> 32 and 32x14x14 -> 24 -> 12.
 *
 * Weights (vec4 units): from W1_OFFSET the 1x1 convolution's blocks exactly
 * as conv1x1.comp packs them (with PRE_ACT, IN_C (scale, shift, 0, 0) vec4s
 * first), from W2_OFFSET the KH x KW convolution's exactly as conv2d.comp
 * does, so a net can record the pair fused or as two ops over one weights
 * buffer. */
#extension GL_GOOGLE_include_directive : require
#if SHARE_WEIGHTS
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_shuffle : require
#endif

layout(local_size_x_id = 24) in;

layout(constant_id = 0) const uint IN_C = 1;
layout(constant_id = 1) const uint IN_H = 1;
layout(constant_id = 2) const uint IN_W = 1;
layout(constant_id = 3) const uint IN_ORIGIN = 0;   /* float index of (0,0,0) of the view */
layout(constant_id = 4) const uint MID_C = 1;       /* bottleneck channels */
layout(constant_id = 5) const uint OUT_C = 1;
layout(constant_id = 6) const uint OUT_H = 1;
layout(constant_id = 7) const uint OUT_W = 1;
layout(constant_id = 8) const uint OUT_ORIGIN = 0;
layout(constant_id = 9) const uint KH = 1;
layout(constant_id = 10) const uint KW = 1;
layout(constant_id = 11) const uint STRIDE = 1;
layout(constant_id = 12) const uint PAD_H = 0;
layout(constant_id = 13) const uint PAD_W = 0;
layout(constant_id = 14) const uint PRE_ACT = 0;    /* relu(scale * x + shift) on the input */
layout(constant_id = 15) const uint MID_RELU = 0;   /* ReLU on the bottleneck */
layout(constant_id = 16) const uint RELU = 0;       /* ReLU on the output */
layout(constant_id = 17) const uint W1_OFFSET = 0;  /* in vec4s */
layout(constant_id = 18) const uint W2_OFFSET = 0;  /* in vec4s */
layout(constant_id = 19) const uint OCV1 = 1;
layout(constant_id = 20) const uint PX1 = 1;
layout(constant_id = 21) const uint OCV2 = 1;
layout(constant_id = 22) const uint PX2 = 1;
layout(constant_id = 23) const uint TILE_H = 1;     /* output rows per workgroup */
layout(constant_id = 24) const uint LOCAL = 64;     /* invocations per workgroup */
layout(constant_id = 25) const uint SG = 1;         /* lanes that share weight loads */
layout(constant_id = 26) const uint RESIZE = 0;     /* resize the result to RS_H x RS_W */
layout(constant_id = 27) const uint RS_H = 1;
layout(constant_id = 28) const uint RS_W = 1;
layout(constant_id = 29) const float SCALE_Y = 0.0; /* (OUT_H - 1) / (RS_H - 1), 0 when RS_H == 1 */
layout(constant_id = 30) const float SCALE_X = 0.0;

/* The variants are rows of meson.build's table. With SHARE_WEIGHTS
 * (bottleneck_sg), as in conv2d.comp, the SG lanes of a subgroup load SG
 * different weight vec4s at once and hand them round with subgroupShuffle:
 * lavapipe gathers any per-lane load element by element, so SG such loads
 * become one (measured, with the workgroup size chosen as op-bottleneck.c
 * does: 1.2-3.4x on the default model's pairs). The items of a phase are then laid out so that every run of
 * SG lanes works on one channel block (pixel blocks padded to a multiple of
 * SG per block), and every lane of it needs the same weights.
 *
 * The bindings are the convolutions', and with INPUT_TEXEL (bottleneck_sg_texel)
 * the input and the weights read as texel buffers: on lavapipe a storage-buffer
 * load inside a loop is a loop over the SIMD lanes with a bounds check per
 * float, even where every lane loads the same weight, and a texel fetch one
 * gather (measured before the shuffles: 1.0-2.1x on the default model's
 * pairs) */
#if SHARE_WEIGHTS
#define SHARE_LANES 1
#undef SHARE_WEIGHTS   /* conv-lanes.glsl's shuffle functions assume one channel block per lane */
#endif
#include "conv-lanes.glsl"

#if SHARE_LANES
/* lanes numbered so that a subgroup's are consecutive */
#define SLOT (gl_SubgroupID * gl_SubgroupSize + gl_SubgroupInvocationID)
#define LANE (gl_SubgroupInvocationID % SG)
/* weight item @i of a run of items held one per lane, in registers @regs */
#define SHARED_ITEM(regs, i) subgroupShuffle (regs[(i) / SG], gl_SubgroupInvocationID - LANE + (i) % SG)
#else
#define SLOT gl_LocalInvocationID.x
#define LANE 0u
#define SHARED_ITEM(regs, i) regs[i]
#endif

/* the footprint: FH input rows, full width */
const uint FH = (TILE_H - 1u) * STRIDE + KH;
const uint FOOT = FH * IN_W;
const uint IN_HW = IN_H * IN_W;
const uint MID_C4 = (MID_C + 3u) / 4u;              /* vec4s of bottleneck channels */

const uint NPB1 = (FOOT + PX1 - 1u) / PX1;
const uint NPB1_SG = (NPB1 + SG - 1u) / SG * SG;     /* items per channel block */
const uint NOCB1 = (MID_C + 4u * OCV1 - 1u) / (4u * OCV1);
const uint ITERS1 = (NOCB1 * NPB1_SG + LOCAL - 1u) / LOCAL;
const uint PRE_VEC4S = PRE_ACT != 0u ? IN_C : 0u;
const uint BLOCK1 = OCV1 * (1u + IN_C);

const uint NXB2 = (OUT_W + PX2 - 1u) / PX2;
const uint NPB2 = TILE_H * NXB2;
const uint NPB2_SG = (NPB2 + SG - 1u) / SG * SG;
const uint NOCB2 = (OUT_C + 4u * OCV2 - 1u) / (4u * OCV2);
const uint ITERS2 = (NOCB2 * NPB2_SG + LOCAL - 1u) / LOCAL;
const uint TAPS = KH * KW * OCV2;                   /* weight vec4s per bottleneck channel */
const uint BLOCK2 = OCV2 * (1u + MID_C * KH * KW);
const uint ROW = (PX2 - 1u) * STRIDE + KW;

/* weight items per input channel of phase 1 (its OCV1 vec4s, then the
 * pre-activation's), and per bottleneck channel and kernel row of phase 2,
 * and the registers that hold them SG to a register */
const uint ITEMS1 = OCV1 + (PRE_ACT != 0u ? 1u : 0u);
const uint NCH1 = (ITEMS1 + SG - 1u) / SG;
const uint ITEMS2 = KW * OCV2;
const uint NCH2 = (ITEMS2 + SG - 1u) / SG;

/* Four bottleneck channels per element: a block of the 1x1's accumulators
 * is stored, and read back in phase 2, with one access instead of four
 * (lavapipe reads and writes shared memory with the same loop over the lanes
 * as a storage buffer). Phase 2 reads only the MID_C channels. */
shared vec4 mid[MID_C4 * FOOT];

/* With RESIZE the KH x KW output, CHW, that phase 3 resizes */
const uint RES_SIZE = RESIZE != 0u ? OUT_C * OUT_H * OUT_W : 1u;
shared float res[RES_SIZE];

const uint RS_ITEMS = OUT_C * RS_H * RS_W;
const uint ITERS3 = RESIZE != 0u ? (RS_ITEMS + LOCAL - 1u) / LOCAL : 0u;

/* Phase 1: the bottleneck at footprint pixel block @pb, channel block @ocb
 * (@valid FALSE: a surplus invocation's clamped duplicate, not stored).
 * Footprint pixel f is input pixel iy0 * IN_W + f: full-width rows are
 * consecutive in CHW. */
void
bottleneck_block (uint ocb, uint pb, bool valid, int iy0)
{
  uint f0 = pb * PX1;
  int first = iy0 * int(IN_W);

  uint xoff[PX1];
  bool inside[PX1];
  for (uint p = 0u; p < PX1; p++) {
    int i = first + int(min (f0 + p, FOOT - 1u));
    inside[p] = i >= 0 && i < int(IN_HW);
    xoff[p] = uint(clamp (i, 0, int(IN_HW) - 1));
  }

  uint wi = W1_OFFSET + PRE_VEC4S + ocb * BLOCK1;
  vec4 acc[OCV1][PX1];
  for (uint o = 0u; o < OCV1; o++) {
    vec4 b = LOAD_W (wi + o);
    for (uint p = 0u; p < PX1; p++)
      acc[o][p] = b;
  }
  wi += OCV1;

  for (uint ic = 0u; ic < IN_C; ic++) {
    vec4 wl[NCH1];
    for (uint ch = 0u; ch < NCH1; ch++) {
      uint i = min (ch * SG + LANE, ITEMS1 - 1u);
      wl[ch] = LOAD_W (i < OCV1 ? wi + i : W1_OFFSET + ic);
    }
    uint cbase = IN_ORIGIN + ic * IN_HW;
    float v[PX1];
    for (uint p = 0u; p < PX1; p++)
      v[p] = LOAD_X (cbase + xoff[p]);
    if (PRE_ACT != 0u) {
      vec2 st = SHARED_ITEM (wl, OCV1).xy;
      for (uint p = 0u; p < PX1; p++)
        v[p] = max (st.x * v[p] + st.y, 0.0);
    }
    for (uint o = 0u; o < OCV1; o++) {
      vec4 wv = SHARED_ITEM (wl, o);
      for (uint p = 0u; p < PX1; p++)
        acc[o][p] += wv * v[p];
    }
    wi += OCV1;
  }

  if (!valid)
    return;
  for (uint p = 0u; p < PX1; p++) {
    uint f = f0 + p;
    if (f >= FOOT)
      continue;
    for (uint o = 0u; o < OCV1; o++) {
      uint mc4 = ocb * OCV1 + o;
      if (mc4 >= MID_C4)
        continue;
      vec4 r = MID_RELU != 0u ? max (acc[o][p], vec4 (0.0)) : acc[o][p];
      /* rows above and below the map are the KH x KW convolution's zero
       * padding, not the 1x1 of a clamped pixel */
      mid[mc4 * FOOT + f] = inside[p] ? r : vec4 (0.0);
    }
  }
}

/* Phase 2's accumulators and the columns its pixels read; globals so that
 * conv_channels() needs no array parameters */
vec4 acc2[OCV2][PX2];
uint coff[ROW];
bool cok[ROW];

/* Adds bottleneck channels 4 * @mc4 .. 4 * @mc4 + @n - 1 of tile row @ty
 * to acc2, with the weights of channel block @ocb. @n is a constant at each
 * call, so its loop unrolls and no padding channel costs a multiply. */
void
conv_channels (uint ocb, uint mc4, uint n, uint ty)
{
  uint wi = W2_OFFSET + ocb * BLOCK2 + OCV2 + mc4 * 4u * TAPS;

  for (uint ky = 0u; ky < KH; ky++) {
    uint sbase = mc4 * FOOT + (ty * STRIDE + ky) * IN_W;
    vec4 row[ROW];
    for (uint r = 0u; r < ROW; r++)
      row[r] = cok[r] ? mid[sbase + coff[r]] : vec4 (0.0);
    for (uint j = 0u; j < n; j++) {
      /* the kernel row's weights of channel j: few registers, and the
       * row of four channels above is loaded once for all four */
      vec4 wl[NCH2];
      for (uint ch = 0u; ch < NCH2; ch++)
        wl[ch] = LOAD_W (wi + j * TAPS + ky * ITEMS2 + min (ch * SG + LANE, ITEMS2 - 1u));
      for (uint kx = 0u; kx < KW; kx++)
        for (uint o = 0u; o < OCV2; o++) {
          vec4 wv = SHARED_ITEM (wl, kx * OCV2 + o);
          for (uint p = 0u; p < PX2; p++)
            acc2[o][p] += wv * row[p * STRIDE + kx][j];
        }
    }
  }
}

/* Phase 2: output channel block @ocb at the tile's pixel block @pix (@valid
 * FALSE, or below the map in the last tile: not stored). */
void
conv_block (uint ocb, uint pix, bool valid, uint oy0)
{
  uint ty = pix / NXB2;
  uint oy = oy0 + ty;
  uint ox0 = (pix % NXB2) * PX2;

  /* the columns the pixels read, and whether each is inside the map (else
   * the padding: zero); surplus pixels of a row's last block read clamped
   * columns */
  int ix0 = int(ox0 * STRIDE) - int(PAD_W);
  for (uint r = 0u; r < ROW; r++) {
    int ix = ix0 + int(r);
    cok[r] = ix >= 0 && ix < int(IN_W);
    coff[r] = uint(clamp (ix, 0, int(IN_W) - 1));
  }

  uint wi = W2_OFFSET + ocb * BLOCK2;
  for (uint o = 0u; o < OCV2; o++) {
    vec4 b = LOAD_W (wi + o);
    for (uint p = 0u; p < PX2; p++)
      acc2[o][p] = b;
  }
  for (uint mc4 = 0u; mc4 < MID_C / 4u; mc4++)
    conv_channels (ocb, mc4, 4u, ty);
  if (MID_C % 4u != 0u)
    conv_channels (ocb, MID_C / 4u, MID_C % 4u, ty);

  if (!valid || oy >= OUT_H)
    return;
  for (uint o = 0u; o < OCV2; o++)
    for (uint j = 0u; j < 4u; j++) {
      uint oc = (ocb * OCV2 + o) * 4u + j;
      if (oc >= OUT_C)
        continue;
      uint obase = OUT_ORIGIN + (oc * OUT_H + oy) * OUT_W;
      for (uint p = 0u; p < PX2; p++) {
        if (ox0 + p >= OUT_W)
          continue;
        float v = acc2[o][p][j];
        v = RELU != 0u ? max (v, 0.0) : v;
        if (RESIZE != 0u)
          res[(oc * OUT_H + oy) * OUT_W + ox0 + p] = v;
        else
          y[obase + ox0 + p] = v;
      }
    }
}

/* Phase 3: element @idx of the resized output, CHW, from the shared KH x KW
 * output, with resize_bilinear.comp's float formulas so that the fused op
 * samples exactly where the resize op does. */
void
resize_element (uint idx)
{
  if (idx >= RS_ITEMS)
    return;
  uint ox = idx % RS_W;
  uint oy = (idx / RS_W) % RS_H;
  uint c = idx / (RS_W * RS_H);

  float fy = SCALE_Y * float(oy);
  uint y0 = uint(fy);
  uint y1 = y0 + (y0 < OUT_H - 1u ? 1u : 0u);
  float ly1 = fy - float(y0);
  float ly0 = 1.0 - ly1;
  float fx = SCALE_X * float(ox);
  uint x0 = uint(fx);
  uint x1 = x0 + (x0 < OUT_W - 1u ? 1u : 0u);
  float lx1 = fx - float(x0);
  float lx0 = 1.0 - lx1;

  uint cbase = c * OUT_H * OUT_W;
  float v00 = res[cbase + y0 * OUT_W + x0];
  float v01 = res[cbase + y0 * OUT_W + x1];
  float v10 = res[cbase + y1 * OUT_W + x0];
  float v11 = res[cbase + y1 * OUT_W + x1];
  y[OUT_ORIGIN + idx] = ly0 * (lx0 * v00 + lx1 * v01) + ly1 * (lx0 * v10 + lx1 * v11);
}

void
main ()
{
  uint lid = SLOT;
  uint oy0 = gl_WorkGroupID.x * TILE_H;
  int iy0 = int(oy0 * STRIDE) - int(PAD_H);

  /* each phase's (channel block, pixel block) items spread over the
   * invocations; surplus invocations of the last round compute the last
   * item again and do not store it */
  for (uint it = 0u; it < ITERS1; it++) {
    uint k = min (it * LOCAL + lid, NOCB1 * NPB1_SG - 1u);
    uint pb = k % NPB1_SG;
    bottleneck_block (k / NPB1_SG, min (pb, NPB1 - 1u), pb < NPB1 && k == it * LOCAL + lid,
        iy0);
  }

  /* every invocation's bottleneck values are visible to all (barrier() in a
   * compute shader also orders shared-memory accesses) */
  barrier ();

  for (uint it = 0u; it < ITERS2; it++) {
    uint k = min (it * LOCAL + lid, NOCB2 * NPB2_SG - 1u);
    uint pb = k % NPB2_SG;
    conv_block (k / NPB2_SG, min (pb, NPB2 - 1u), pb < NPB2 && k == it * LOCAL + lid, oy0);
  }
  if (RESIZE == 0u)
    return;

  barrier ();
  for (uint it = 0u; it < ITERS3; it++)
    resize_element (it * LOCAL + lid);
}
