/* test-preprocess-regions.c: regions of a frame preprocessed in one dispatch,
 * each into its item slot. The C reference of a region against a host crop
 * of it (exactly), the regions op against that reference over every pixel
 * format, odd sizes and strides, every resize mode and 1, 3 and 17 regions,
 * the whole frame as a region against the whole-frame preprocess, the item
 * slots, the rows a set of regions reads, and region clipping. */
#include "preprocess/ranet-preprocess.h"
#include "preprocess-frames.h"

#include <math.h>
#include <string.h>

static RanetVkDevice *device;

/* as in test-preprocess.c: the shader may contract multiply-adds */
#define TOLERANCE 1e-5f

/* What an output float holds until something writes it. */
#define SENTINEL -7.0f

static RanetVkBuffer *
host_buffer (RanetVkDevice *dev, gsize size)
{
  GError *error = NULL;
  RanetVkBuffer *buf = ranet_vk_buffer_new (dev, size, RANET_VK_BUFFER_HOST, &error);

  g_assert_no_error (error);
  return buf;
}

/* Floats of a buffer holding every item slot of @p->out. */
static gsize
out_floats (const RanetPreprocessParams *p)
{
  gsize item = (gsize) p->out.c_total * p->out.h * p->out.w;
  guint n_items = MAX (p->out.n_items, 1);

  return p->out.base + (n_items > 1 ? (n_items - 1) * p->out.item_stride : 0) + item;
}

/* Runs @op on @fbuf over @regions, region z into slot @slots[z] of @obuf. */
static void
run_op (RanetVkDevice *dev, RanetOp *op, const RanetPreprocessParams *p,
    RanetVkBuffer *fbuf, RanetVkBuffer *obuf, const RanetRegion *regions,
    const guint32 *slots, guint n)
{
  GError *error = NULL;
  g_autoptr (RanetVkBuffer) gbuf = host_buffer (dev, n * RANET_PREPROCESS_GEOMETRY_FLOATS
      * sizeof (float));
  g_autoptr (RanetVkBuffer) ibuf = host_buffer (dev, n * sizeof (guint32));
  float *geometry = ranet_vk_buffer_get_mapped (gbuf);
  RanetVkBuffer *buffers[] = { fbuf, obuf, gbuf };

  for (guint z = 0; z < n; z++)
    ranet_preprocess_region_geometry (p, &regions[z],
        geometry + z * RANET_PREPROCESS_GEOMETRY_FLOATS);
  memcpy (ranet_vk_buffer_get_mapped (ibuf), slots, n * sizeof (guint32));

  g_autoptr (RanetVkCommands) cmds = ranet_vk_commands_new (dev, 0, &error);
  g_assert_no_error (error);
  g_assert_true (ranet_vk_commands_begin (cmds, &error));
  ranet_op_record_items (op, cmds, buffers, G_N_ELEMENTS (buffers), ibuf, n);
  g_assert_true (ranet_vk_commands_end (cmds, &error));
  g_assert_true (ranet_vk_commands_submit (cmds, &error));
  g_assert_no_error (error);
}

static void
fill (float *out, gsize n, float value)
{
  for (gsize i = 0; i < n; i++)
    out[i] = value;
}

static float
max_error (const float *a, const float *b, gsize n)
{
  float err = 0.0f;

  for (gsize i = 0; i < n; i++)
    err = MAX (err, fabsf (a[i] - b[i]));
  return err;
}

/* A region clipped to @l; a 1x1 one at the origin where nothing is left
 * (frames smaller than the region set assumes). */
static RanetRegion
clipped (const RanetFrameLayout *l, guint x, guint y, guint w, guint h)
{
  RanetRegion r = { x, y, w, h }, c;

  if (!ranet_region_clip (l, &r, &c))
    c = (RanetRegion) { 0, 0, 1, 1 };
  return c;
}

#define N_REGIONS 17

/* Regions of every kind the op must handle: the whole frame, 1x1 and 2x1
 * ones, regions touching each edge, smaller than the input (upscaled) and
 * nearly the whole frame (downscaled where the frame is larger than the
 * input), then random ones. */
static void
make_regions (const RanetFrameLayout *l, guint32 seed, RanetRegion regions[N_REGIONS])
{
  guint fw = l->width, fh = l->height;
  GRand *rand = g_rand_new_with_seed (seed);
  guint n = 0;

  regions[n++] = clipped (l, 0, 0, fw, fh);
  regions[n++] = clipped (l, fw - 1, fh - 1, 1, 1);               /* bottom-right corner */
  regions[n++] = clipped (l, fw / 2, fh / 3, 2, 1);
  regions[n++] = clipped (l, 0, fh / 2, MAX (fw / 4, 1), MAX (fh / 2, 1));  /* left edge */
  regions[n++] = clipped (l, fw - MAX (fw / 3, 1), 1, fw, MAX (fh / 3, 1)); /* right edge */
  regions[n++] = clipped (l, fw / 5, 0, MAX (fw / 2, 1), 2);      /* top edge */
  regions[n++] = clipped (l, 1, fh - 3, MAX (fw / 2, 1), 3);      /* bottom edge */
  regions[n++] = clipped (l, 0, 0, 1, 1);
  regions[n++] = clipped (l, fw - 2, 0, 2, 1);                    /* 2x1, top-right */
  regions[n++] = clipped (l, fw / 3, fh / 3, 3, 2);
  regions[n++] = clipped (l, 1, 1, fw - 1, fh - 1);
  while (n < N_REGIONS) {
    guint x = g_rand_int_range (rand, 0, fw), y = g_rand_int_range (rand, 0, fh);
    regions[n++] = clipped (l, x, y, g_rand_int_range (rand, 1, fw + 1),
        g_rand_int_range (rand, 1, fh + 1));
  }
  g_rand_free (rand);
}

/* @region cut out of @frame into a frame of its own (other strides and plane
 * offsets), the layout in @cl. For I420 and NV12 @region starts at even
 * coordinates, so its chroma samples are whole ones of the frame. */
static guint8 *
crop_frame (const RanetFrameLayout *l, const guint8 *frame, const RanetRegion *region,
    RanetFrameLayout *cl)
{
  RanetFrameLayout left = *l;
  guint8 *crop;

  *cl = preprocess_test_layout (l->format, region->width, region->height, 3, 5);
  cl->kr = l->kr;
  cl->kb = l->kb;
  cl->yuv_full_range = l->yuv_full_range;
  crop = g_malloc0 (ranet_frame_layout_get_size (cl));
  /* bytes of a plane's row before the region's first column */
  left.width = region->x;
  for (guint i = 0; i < RANET_MAX_PLANES; i++) {
    guint rows = ranet_frame_layout_plane_rows (cl, i);
    guint first = i > 0 ? region->y / 2 : region->y;
    gsize skip = ranet_frame_layout_plane_row_bytes (&left, i);

    for (guint j = 0; j < rows; j++)
      memcpy (crop + cl->offset[i] + j * cl->stride[i],
          frame + l->offset[i] + (first + j) * l->stride[i] + skip,
          ranet_frame_layout_plane_row_bytes (cl, i));
  }
  return crop;
}

static RanetPreprocessParams
make_params (RanetPixelFormat format, guint fw, guint fh, guint s, RanetResizeMode mode,
    guint channels, guint n_items)
{
  RanetPreprocessParams p = {
    .frame = preprocess_test_layout (format, fw, fh, s % 3 * 5 + 1, s % 2 * 12),
    .mode = mode,
    /* the input slice sits at channel 1 of a 5-channel tensor at float 10;
     * items 5 floats apart beyond their tensors */
    .out = { .c = channels, .h = 28, .w = 24, .c_offset = 1, .c_total = 5, .base = 10,
      .n_items = n_items, .item_stride = 5 * 28 * 24 + 5 },
    .mean = { 0.1f, 0.5f, 0.9f },
    .std = { 0.25f, 0.2f, 0.3f },
  };
  p.frame.yuv_full_range = s % 2;
  return p;
}

static const guint sizes[][2] = {
  {7, 3}, {33, 17}, {321, 241}, {1, 1}, {2, 5},
};

/* The reference on a region is the reference on a host crop of it, bit for
 * bit: taps clamp at the region's edges and the mode applies to the region. */
static void
test_ref_is_crop (void)
{
  for (guint f = 0; f < RANET_PIXEL_N_FORMATS; f++) {
    gboolean yuv = f == RANET_PIXEL_I420 || f == RANET_PIXEL_NV12;

    for (guint s = 0; s < G_N_ELEMENTS (sizes); s++) {
      for (guint mode = 0; mode < 3; mode++) {
        RanetPreprocessParams p = make_params (f, sizes[s][0], sizes[s][1], s, mode,
            (f + mode) % 2 ? 3 : 1, 1);
        gsize padded, n_out = out_floats (&p);
        g_autofree guint8 *frame = preprocess_test_frame (&p.frame, f * 100 + s, &padded);
        g_autofree float *got = g_new (float, n_out);
        g_autofree float *expect = g_new (float, n_out);
        RanetRegion regions[N_REGIONS];

        make_regions (&p.frame, s * 7 + mode, regions);
        for (guint i = 0; i < N_REGIONS; i++) {
          RanetRegion r = regions[i];
          RanetPreprocessParams cp = p;

          if (yuv) {
            /* chroma is shared by 2x2 blocks: only an even start crops it whole */
            r.width += r.x % 2;
            r.height += r.y % 2;
            r.x -= r.x % 2;
            r.y -= r.y % 2;
          }
          g_autofree guint8 *crop = crop_frame (&p.frame, frame, &r, &cp.frame);
          fill (got, n_out, SENTINEL);
          fill (expect, n_out, SENTINEL);
          ranet_ref_preprocess_region (&p, &r, frame, got);
          ranet_ref_preprocess (&cp, crop, expect);
          if (memcmp (got, expect, n_out * sizeof (float)) != 0)
            g_error ("%s %ux%u mode %u, region %u,%u %ux%u: not the crop's result",
                preprocess_test_format_name (f), sizes[s][0], sizes[s][1], mode,
                r.x, r.y, r.width, r.height);
        }
      }
    }
  }
}

#define MAX_ITEMS 20

/* The op against the reference: one op per frame layout and mode, run over
 * 1, 3 and 17 regions into scattered slots of 20, the device seeing only the
 * rows ranet_preprocess_get_regions_plane_rows() lists (the others
 * overwritten), the reference the whole frame. On @data, a device. */
static void
test_op_matches_ref (gconstpointer data)
{
  RanetVkDevice *dev = (RanetVkDevice *) data;
  static const guint counts[] = { 1, 3, N_REGIONS };

  for (guint f = 0; f < RANET_PIXEL_N_FORMATS; f++) {
    for (guint s = 0; s < G_N_ELEMENTS (sizes); s++) {
      for (guint mode = 0; mode < 3; mode++) {
        GError *error = NULL;
        RanetPreprocessParams p = make_params (f, sizes[s][0], sizes[s][1], s, mode,
            (f + s + mode) % 2 ? 3 : 1, MAX_ITEMS);
        gsize padded, n_out = out_floats (&p);
        g_autofree guint8 *frame = preprocess_test_frame (&p.frame, f * 100 + s, &padded);
        g_autofree float *expect = g_new (float, n_out);
        g_autoptr (RanetVkBuffer) fbuf = host_buffer (dev, padded);
        g_autoptr (RanetVkBuffer) obuf = host_buffer (dev, n_out * sizeof (float));
        RanetRegion regions[N_REGIONS];
        guint32 slots[N_REGIONS];

        g_autoptr (RanetOp) op = ranet_op_preprocess_regions_new (dev, &p, &error);
        g_assert_no_error (error);
        make_regions (&p.frame, f + s * 11 + mode, regions);
        for (guint c = 0; c < G_N_ELEMENTS (counts); c++) {
          guint n = counts[c];
          /* the first n regions of a rotation of the list, so that each
           * count meets other kinds */
          RanetRegion some[N_REGIONS];
          guint8 *dev_frame = ranet_vk_buffer_get_mapped (fbuf);

          for (guint z = 0; z < n; z++) {
            some[z] = regions[(z + c * 5 + mode) % N_REGIONS];
            /* 7 is prime to 20: distinct slots, in no order, some left out */
            slots[z] = (z * 7 + 3 + c) % MAX_ITEMS;
          }
          memcpy (dev_frame, frame, padded);
          for (guint i = 0; i < RANET_MAX_PLANES; i++) {
            guint n_rows = ranet_frame_layout_plane_rows (&p.frame, i);
            g_autofree guint *rows = g_new (guint, MAX (n_rows, 1));
            g_autofree gboolean *needed = g_new0 (gboolean, MAX (n_rows, 1));
            guint n_needed = ranet_preprocess_get_regions_plane_rows (&p, some, n, i, rows);

            for (guint j = 0; j < n_needed; j++) {
              g_assert_true (j == 0 || rows[j] > rows[j - 1]);
              g_assert_cmpuint (rows[j], <, n_rows);
              needed[rows[j]] = TRUE;
            }
            for (guint y = 0; y < n_rows; y++)
              if (!needed[y])
                memset (dev_frame + p.frame.offset[i] + y * p.frame.stride[i], 0x5a,
                    ranet_frame_layout_plane_row_bytes (&p.frame, i));
          }

          fill (expect, n_out, SENTINEL);
          memcpy (ranet_vk_buffer_get_mapped (obuf), expect, n_out * sizeof (float));
          for (guint z = 0; z < n; z++)
            ranet_ref_preprocess_region (&p, &some[z], frame,
                expect + slots[z] * p.out.item_stride);
          run_op (dev, op, &p, fbuf, obuf, some, slots, n);
          float err = max_error (ranet_vk_buffer_get_mapped (obuf), expect, n_out);
          if (err > TOLERANCE)
            g_error ("%s %ux%u mode %u, %u channels, %u regions: max error %g",
                preprocess_test_format_name (f), sizes[s][0], sizes[s][1], mode,
                p.out.c, n, err);
        }
      }
    }
  }
  g_assert_cmpuint (ranet_vk_device_get_validation_error_count (dev), ==, 0);
}

/* The whole frame as a region is the whole-frame preprocess: the reference
 * bit for bit, and the regions op gives the whole-frame op's result. */
static void
test_whole_frame (void)
{
  for (guint f = 0; f < RANET_PIXEL_N_FORMATS; f++) {
    for (guint s = 1; s < 3; s++) {
      for (guint mode = 0; mode < 3; mode++) {
        GError *error = NULL;
        RanetPreprocessParams p = make_params (f, sizes[s][0], sizes[s][1], s, mode,
            (f + mode) % 2 ? 3 : 1, 1);
        RanetPreprocessParams pb = p;
        RanetRegion whole = { 0, 0, sizes[s][0], sizes[s][1] };
        guint32 slot = 2;
        gsize padded, n_out = out_floats (&p);
        g_autofree guint8 *frame = preprocess_test_frame (&p.frame, f + s, &padded);
        g_autofree float *ref = g_new (float, n_out);
        g_autofree float *ref_region = g_new (float, n_out);

        fill (ref, n_out, SENTINEL);
        fill (ref_region, n_out, SENTINEL);
        ranet_ref_preprocess (&p, frame, ref);
        ranet_ref_preprocess_region (&p, &whole, frame, ref_region);
        g_assert_true (memcmp (ref, ref_region, n_out * sizeof (float)) == 0);

        /* the whole-frame op, then the regions op writing slot 2 of 3 */
        pb.out.n_items = 3;
        gsize n_out_b = out_floats (&pb);
        g_autoptr (RanetVkBuffer) fbuf = host_buffer (device, padded);
        g_autoptr (RanetVkBuffer) obuf = host_buffer (device, n_out * sizeof (float));
        g_autoptr (RanetVkBuffer) obuf_b = host_buffer (device, n_out_b * sizeof (float));
        memcpy (ranet_vk_buffer_get_mapped (fbuf), frame, padded);
        fill (ranet_vk_buffer_get_mapped (obuf), n_out, SENTINEL);
        fill (ranet_vk_buffer_get_mapped (obuf_b), n_out_b, SENTINEL);

        g_autoptr (RanetOp) op = ranet_op_preprocess_new (device, &p, &error);
        g_assert_no_error (error);
        g_autoptr (RanetVkCommands) cmds = ranet_vk_commands_new (device, 0, &error);
        g_assert_no_error (error);
        g_assert_true (ranet_vk_commands_begin (cmds, &error));
        ranet_op_record (op, cmds, fbuf, NULL, obuf);
        g_assert_true (ranet_vk_commands_end (cmds, &error));
        g_assert_true (ranet_vk_commands_submit (cmds, &error));
        g_assert_no_error (error);

        g_autoptr (RanetOp) op_b = ranet_op_preprocess_regions_new (device, &pb, &error);
        g_assert_no_error (error);
        run_op (device, op_b, &pb, fbuf, obuf_b, &whole, &slot, 1);

        const float *got = ranet_vk_buffer_get_mapped (obuf);
        const float *got_b = ranet_vk_buffer_get_mapped (obuf_b);
        g_assert_cmpfloat (max_error (got, ref, n_out), <=, TOLERANCE);
        /* item 2's tensor is item 0's moved by two strides: the same floats
         * on lavapipe, which compiles both the same way; a GPU compiler may
         * fuse multiply-adds differently where the geometry is constant */
        float err = max_error (got_b + 2 * pb.out.item_stride, got, n_out);
        if (ranet_vk_device_is_cpu (device) ? err != 0.0f : err > TOLERANCE)
          g_error ("%s %ux%u mode %u: the regions op differs from the whole-frame op by %g",
              preprocess_test_format_name (f), sizes[s][0], sizes[s][1], mode, err);
        for (gsize i = 0; i < 2 * pb.out.item_stride; i++)
          g_assert_cmpfloat (got_b[i], ==, SENTINEL);
      }
    }
  }
  g_assert_cmpuint (ranet_vk_device_get_validation_error_count (device), ==, 0);
}

/* Each item goes to the slot the items list names and nowhere else; a slot
 * beyond the op's items is skipped, not written past the batch. */
static void
test_slots (void)
{
  GError *error = NULL;
  RanetPreprocessParams p = make_params (RANET_PIXEL_RGB, 40, 30, 0,
      RANET_RESIZE_STRETCH, 3, 6);
  /* the buffer has room for a seventh item, which must stay untouched */
  RanetPreprocessParams room = p;
  room.out.n_items = 7;
  gsize padded, n_out = out_floats (&room), item = p.out.item_stride;
  g_autofree guint8 *frame = preprocess_test_frame (&p.frame, 5, &padded);
  g_autofree float *expect = g_new (float, n_out);
  g_autoptr (RanetVkBuffer) fbuf = host_buffer (device, padded);
  g_autoptr (RanetVkBuffer) obuf = host_buffer (device, n_out * sizeof (float));
  RanetRegion regions[] = {
    { 0, 0, 10, 10 }, { 30, 20, 10, 10 }, { 5, 5, 1, 1 }, { 0, 0, 40, 30 },
  };
  const guint32 slots[] = { 4, 1, 5, 6 };

  memcpy (ranet_vk_buffer_get_mapped (fbuf), frame, padded);
  fill (expect, n_out, SENTINEL);
  memcpy (ranet_vk_buffer_get_mapped (obuf), expect, n_out * sizeof (float));
  for (guint z = 0; z < 3; z++)
    ranet_ref_preprocess_region (&p, &regions[z], frame, expect + slots[z] * item);

  g_autoptr (RanetOp) op = ranet_op_preprocess_regions_new (device, &p, &error);
  g_assert_no_error (error);
  run_op (device, op, &p, fbuf, obuf, regions, slots, G_N_ELEMENTS (slots));
  const float *got = ranet_vk_buffer_get_mapped (obuf);
  g_assert_cmpfloat (max_error (got, expect, n_out), <=, TOLERANCE);
  /* slots 0, 2, 3 and 6 untouched, 1, 4 and 5 written */
  for (guint s = 0; s < 7; s++) {
    gsize first = ranet_tensor_view_origin (&p.out) + s * item;
    gboolean written = s == 1 || s == 4 || s == 5;
    g_assert_true ((got[first] != SENTINEL) == written);
  }
  g_assert_cmpuint (ranet_vk_device_get_validation_error_count (device), ==, 0);
}

/* A dispatch that reads an item in the same recording comes after the
 * regions op has written it: the recording's barrier rests on the regions
 * shader's bindings (the validation layer reports a missing one). */
static void
test_read_after (void)
{
  GError *error = NULL;
  RanetPreprocessParams p = make_params (RANET_PIXEL_NV12, 64, 36, 1,
      RANET_RESIZE_CENTER_CROP, 3, 3);
  RanetRegion regions[] = { { 2, 4, 30, 20 }, { 40, 10, 24, 26 } };
  const guint32 slots[] = { 2, 0 };
  /* item 2's channels, copied out to a tensor of their own */
  RanetCopyParams copy = { .in = p.out, .out = { .c = 3, .h = 28, .w = 24, .c_total = 3 } };
  gsize padded, n_out = out_floats (&p), n_copy = 3 * 28 * 24;
  g_autofree guint8 *frame = preprocess_test_frame (&p.frame, 9, &padded);
  g_autofree float *expect = g_new (float, n_out);
  g_autoptr (RanetVkBuffer) fbuf = host_buffer (device, padded);
  g_autoptr (RanetVkBuffer) obuf = host_buffer (device, n_out * sizeof (float));
  g_autoptr (RanetVkBuffer) cbuf = host_buffer (device, n_copy * sizeof (float));
  g_autoptr (RanetVkBuffer) gbuf = host_buffer (device, 2 * RANET_PREPROCESS_GEOMETRY_FLOATS
      * sizeof (float));
  g_autoptr (RanetVkBuffer) ibuf = host_buffer (device, sizeof slots);
  RanetVkBuffer *buffers[] = { fbuf, obuf, gbuf };

  copy.in.n_items = 0;
  copy.in.base += 2 * p.out.item_stride;
  memcpy (ranet_vk_buffer_get_mapped (fbuf), frame, padded);
  fill (ranet_vk_buffer_get_mapped (obuf), n_out, SENTINEL);
  fill (ranet_vk_buffer_get_mapped (cbuf), n_copy, SENTINEL);
  for (guint z = 0; z < 2; z++)
    ranet_preprocess_region_geometry (&p, &regions[z],
        (float *) ranet_vk_buffer_get_mapped (gbuf) + z * RANET_PREPROCESS_GEOMETRY_FLOATS);
  memcpy (ranet_vk_buffer_get_mapped (ibuf), slots, sizeof slots);
  RanetPreprocessParams item0 = p;
  item0.out = copy.out;
  ranet_ref_preprocess_region (&item0, &regions[0], frame, expect);

  g_autoptr (RanetOp) op = ranet_op_preprocess_regions_new (device, &p, &error);
  g_assert_no_error (error);
  g_autoptr (RanetOp) copy_op = ranet_op_copy_new (device, &copy, &error);
  g_assert_no_error (error);
  g_autoptr (RanetVkCommands) cmds = ranet_vk_commands_new (device, 0, &error);
  g_assert_no_error (error);
  g_assert_true (ranet_vk_commands_begin (cmds, &error));
  ranet_op_record_items (op, cmds, buffers, G_N_ELEMENTS (buffers), ibuf, 2);
  ranet_op_record (copy_op, cmds, obuf, NULL, cbuf);
  g_assert_true (ranet_vk_commands_end (cmds, &error));
  g_assert_cmpuint (ranet_vk_commands_get_n_barriers (cmds), ==, 2);
  g_assert_true (ranet_vk_commands_submit (cmds, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (max_error (ranet_vk_buffer_get_mapped (cbuf), expect, n_copy), <=,
      TOLERANCE);
  g_assert_cmpuint (ranet_vk_device_get_validation_error_count (device), ==, 0);
}

static void
test_clip (void)
{
  RanetFrameLayout l = preprocess_test_layout (RANET_PIXEL_RGB, 100, 50, 0, 0);
  RanetRegion c;

  /* inside: unchanged */
  g_assert_true (ranet_region_clip (&l, &(RanetRegion) { 10, 20, 30, 5 }, &c));
  g_assert_true (c.x == 10 && c.y == 20 && c.width == 30 && c.height == 5);
  g_assert_true (ranet_region_clip (&l, &(RanetRegion) { 0, 0, 100, 50 }, &c));
  g_assert_true (c.x == 0 && c.y == 0 && c.width == 100 && c.height == 50);
  g_assert_true (ranet_region_clip (&l, &(RanetRegion) { 99, 49, 1, 1 }, &c));
  g_assert_true (c.x == 99 && c.y == 49 && c.width == 1 && c.height == 1);

  /* zero size */
  g_assert_false (ranet_region_clip (&l, &(RanetRegion) { 10, 10, 0, 5 }, &c));
  g_assert_true (c.width == 0 && c.height == 0);
  g_assert_false (ranet_region_clip (&l, &(RanetRegion) { 10, 10, 5, 0 }, &c));

  /* wholly outside, just past each far edge */
  g_assert_false (ranet_region_clip (&l, &(RanetRegion) { 100, 0, 5, 5 }, &c));
  g_assert_false (ranet_region_clip (&l, &(RanetRegion) { 0, 50, 5, 5 }, &c));
  g_assert_false (ranet_region_clip (&l, &(RanetRegion) { 500, 500, 5, 5 }, &c));

  /* partly outside: cut at the frame's edges */
  g_assert_true (ranet_region_clip (&l, &(RanetRegion) { 90, 45, 20, 20 }, &c));
  g_assert_true (c.x == 90 && c.y == 45 && c.width == 10 && c.height == 5);
  g_assert_true (ranet_region_clip (&l, &(RanetRegion) { 0, 0, 1000, 1000 }, &c));
  g_assert_true (c.width == 100 && c.height == 50);

  /* x + width wraps around 32 bits: still cut, not taken as small */
  g_assert_true (ranet_region_clip (&l, &(RanetRegion) { 5, 7, G_MAXUINT, G_MAXUINT - 3 },
          &c));
  g_assert_true (c.x == 5 && c.y == 7 && c.width == 95 && c.height == 43);
  g_assert_false (ranet_region_clip (&l,
          &(RanetRegion) { G_MAXUINT - 2, 3, 10, 10 }, &c));
  g_assert_false (ranet_region_clip (&l,
          &(RanetRegion) { 3, G_MAXUINT, G_MAXUINT, G_MAXUINT }, &c));
}

/* The rows a set of regions reads: sorted, each once, only near the
 * regions; the whole frame as a region lists the whole-frame op's rows. */
static void
test_rows (void)
{
  /* stretched, each region's first and last rows are read */
  RanetPreprocessParams p = make_params (RANET_PIXEL_I420, 1920, 1080, 0,
      RANET_RESIZE_STRETCH, 3, 4);
  RanetRegion whole = { 0, 0, 1920, 1080 };
  RanetRegion regions[] = {
    { 100, 10, 50, 40 }, { 1000, 1000, 300, 80 }, { 110, 20, 20, 20 },
    { 5000, 0, 10, 10 },   /* outside: reads nothing */
  };

  for (guint plane = 0; plane < 3; plane++) {
    guint n_rows = ranet_frame_layout_plane_rows (&p.frame, plane);
    guint shift = plane > 0 ? 1 : 0;
    g_autofree guint *a = g_new (guint, n_rows);
    g_autofree guint *b = g_new (guint, n_rows);
    guint n_a = ranet_preprocess_get_plane_rows (&p, plane, a);
    guint n_b = ranet_preprocess_get_regions_plane_rows (&p, &whole, 1, plane, b);

    g_assert_cmpuint (n_a, ==, n_b);
    g_assert_true (memcmp (a, b, n_a * sizeof (guint)) == 0);
    p.mode = RANET_RESIZE_LETTERBOX;
    n_a = ranet_preprocess_get_plane_rows (&p, plane, a);
    n_b = ranet_preprocess_get_regions_plane_rows (&p, &whole, 1, plane, b);
    g_assert_cmpuint (n_a, ==, n_b);
    g_assert_true (memcmp (a, b, n_a * sizeof (guint)) == 0);
    p.mode = RANET_RESIZE_STRETCH;

    n_b = ranet_preprocess_get_regions_plane_rows (&p, regions, G_N_ELEMENTS (regions),
        plane, b);
    g_assert_cmpuint (n_b, >, 0);
    /* 28 output rows per region at most, two taps each, a row of margin */
    g_assert_cmpuint (n_b, <=, 3 * 28 * 2 + 6);
    for (guint j = 0; j < n_b; j++) {
      g_assert_true (j == 0 || b[j] > b[j - 1]);
      /* within a region's rows, the first or the last included */
      g_assert_true ((b[j] >= 10u >> shift && b[j] <= 49u >> shift)
          || (b[j] >= 1000u >> shift && b[j] <= 1079u >> shift));
    }
    g_assert_cmpuint (b[0], ==, 10u >> shift);
    g_assert_cmpuint (b[n_b - 1], ==, 1079u >> shift);

    /* regions wholly outside read nothing */
    g_assert_cmpuint (ranet_preprocess_get_regions_plane_rows (&p, &regions[3], 1,
            plane, b), ==, 0);
  }
  g_assert_cmpuint (ranet_preprocess_get_regions_plane_rows (&p, regions, 1, 3, NULL),
      ==, 0);
}

static void
test_bad_params (void)
{
  GError *error = NULL;
  RanetPreprocessParams p = make_params (RANET_PIXEL_RGB, 10, 10, 0,
      RANET_RESIZE_STRETCH, 3, 4);

  p.out.item_stride = 5 * 28 * 24 - 1;   /* items overlap */
  g_assert_null (ranet_op_preprocess_regions_new (device, &p, &error));
  g_assert_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID);
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  p.out.item_stride = G_MAXUINT32 / 2;   /* the last item beyond 2^32 floats */
  g_assert_null (ranet_op_preprocess_regions_new (device, &p, &error));
  g_assert_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID);
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  p.out.item_stride = 5 * 28 * 24;
  p.out.n_items = 70000;                 /* more than a dispatch's z */
  g_assert_null (ranet_op_preprocess_regions_new (device, &p, &error));
  g_assert_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID);
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  p.out.n_items = 4;
  p.out.c = 2;
  g_assert_null (ranet_op_preprocess_regions_new (device, &p, &error));
  g_assert_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID);
  g_clear_error (&error);

  /* a frame wider than floats count whole pixels exactly */
  p.out.c = 3;
  p.frame = preprocess_test_layout (RANET_PIXEL_GRAY8, (1u << 24) + 1, 2, 0, 0);
  g_assert_true (ranet_frame_layout_check (&p.frame, NULL));
  g_assert_null (ranet_op_preprocess_regions_new (device, &p, &error));
  g_assert_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID);
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  p.frame = preprocess_test_layout (RANET_PIXEL_RGB, 10, 10, 0, 0);
  p.frame.stride[0] = 29;   /* shorter than a row of 30 bytes */
  g_assert_null (ranet_op_preprocess_regions_new (device, &p, &error));
  g_assert_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID);
  g_clear_error (&error);
}

int
main (int argc, char **argv)
{
  GError *error = NULL;
  RanetVkOptions options;
  RanetVkDevice *storage_device = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  device = ranet_vk_device_new (NULL, &error);
  g_assert_no_error (error);
  options = *ranet_vk_device_get_options (device);
  if (ranet_vk_device_is_cpu (device) && options.texel_buffers) {
    options.texel_buffers = FALSE;
    storage_device = ranet_vk_device_new_full (ranet_vk_device_get_name (device), &options,
        &error);
    g_assert_no_error (error);
  }

  g_test_add_func ("/preprocess-regions/clip", test_clip);
  g_test_add_func ("/preprocess-regions/ref-is-crop", test_ref_is_crop);
  g_test_add_data_func ("/preprocess-regions/op-matches-ref", device, test_op_matches_ref);
  /* the geometry through a storage buffer too, where the device's choice
   * is a texel buffer */
  if (storage_device != NULL)
    g_test_add_data_func ("/preprocess-regions/op-matches-ref/storage-geometry",
        storage_device, test_op_matches_ref);
  g_test_add_func ("/preprocess-regions/whole-frame", test_whole_frame);
  g_test_add_func ("/preprocess-regions/slots", test_slots);
  g_test_add_func ("/preprocess-regions/read-after", test_read_after);
  g_test_add_func ("/preprocess-regions/rows", test_rows);
  g_test_add_func ("/preprocess-regions/bad-params", test_bad_params);
  ret = g_test_run ();
  if (storage_device != NULL)
    ranet_vk_device_unref (storage_device);
  ranet_vk_device_unref (device);
  return ret;
}
