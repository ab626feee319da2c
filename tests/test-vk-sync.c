/* test-vk-sync.c: how a recording orders its dispatches: which bindings each
 * shader reads and writes (from its SPIR-V), the windows of buffers that
 * dispatches bind, and the barriers put between them. Run under
 * RANET_VK_VALIDATION=sync, every recording here must also be free of
 * hazards in the validation layer's eyes. */
#include "vk/ranet-vk.h"
#include "vk-private.h"   /* the pipeline's read and write masks */
#include "ranet-test-shaders.h"

#include <string.h>

#include "vk-fill.h"

#define COPY_LOCAL_SIZE 64  /* shaders/probe_copy.comp */

static RanetVkDevice *device;

static void
assert_no_validation_errors (void)
{
  g_assert_cmpuint (ranet_vk_device_get_validation_error_count (device), ==, 0);
}

static RanetVkPipeline *
fill_pipeline (guint32 value)
{
  return vk_fill_pipeline (device, value);
}


/* Copies the @n_vec4s vec4s of window @src to window @dst. */
static RanetVkPipeline *
copy_pipeline (guint32 n_vec4s)
{
  GError *error = NULL;
  RanetVkPipeline *pipe = ranet_test_pipeline_new (device, "probe_copy", 2, &n_vec4s, 1,
      0, &error);

  g_assert_no_error (error);
  return pipe;
}

static void
record_copy (RanetVkCommands *cmds, RanetVkPipeline *pipe, const RanetVkBinding *src,
    const RanetVkBinding *dst, guint32 n_vec4s)
{
  RanetVkBinding b[] = { *src, *dst };

  ranet_vk_commands_dispatch_bindings (cmds, pipe, b, 2, NULL, 0,
      (n_vec4s + COPY_LOCAL_SIZE - 1) / COPY_LOCAL_SIZE, 1, 1);
}

/* ---- access from SPIR-V ---- */

static void
check_access (const char *shader, guint n_buffers, guint32 texel_mask, guint32 vec4_mask,
    guint push_size, guint32 read, guint32 write)
{
  GError *error = NULL;
  RanetVkPipeline *pipe = ranet_vk_pipeline_new_named_full (device, shader, n_buffers,
      texel_mask, vec4_mask, NULL, 0, push_size, &error);

  g_assert_no_error (error);
  g_test_message ("%s: read 0x%x, write 0x%x", shader, pipe->read_mask, pipe->write_mask);
  g_assert_cmphex (pipe->read_mask, ==, read);
  g_assert_cmphex (pipe->write_mask, ==, write);
  ranet_vk_pipeline_free (pipe);
}

/* What the barriers rest on: `readonly` and `writeonly` blocks, texel
 * buffers (never written) and a block both read and written. */
static void
test_access_from_spirv (void)
{
  RanetVkPipeline *fill = vk_fill_pipeline (device, 1);
  RanetVkPipeline *copy = copy_pipeline (16);

  g_assert_cmphex (fill->read_mask, ==, 0x0);
  g_assert_cmphex (fill->write_mask, ==, 0x1);
  g_assert_cmphex (copy->read_mask, ==, 0x1);
  g_assert_cmphex (copy->write_mask, ==, 0x2);
  ranet_vk_pipeline_free (copy);
  ranet_vk_pipeline_free (fill);
  check_access ("conv2d", 3, 0, 0, 0, 0x3, 0x4);
  check_access ("conv2d_sg_texel", 3, 0x1, 0x2, 0, 0x3, 0x4);
  check_access ("conv1x1_sg_texel", 3, 0x1, 0x2, 0, 0x3, 0x4);
  check_access ("resize_bilinear_texel", 2, 0x1, 0, 0, 0x1, 0x2);
  check_access ("softmax", 2, 0, 0, 0, 0x1, 0x2);
  /* the control words: read (thresholds, this stage's flag), written (the next's) */
  check_access ("softmax_decide", 3, 0, 0, 0, 0x5, 0x6);
  /* input and weights read; logits and results written; control both */
  check_access ("classifier", 4, 0, 0, 0, 0x3, 0xc);
  check_access ("classifier_texel", 4, 0x1, 0x2, 0, 0x3, 0xc);
  check_access ("classifier_decide", 5, 0, 0, 0, 0x13, 0x1c);
  check_access ("preprocess", 2, 0, 0, 0, 0x1, 0x2);
  /* frame, geometry and items read; the batch of items written */
  check_access ("preprocess_regions", 4, 0, 0, 0, 0xd, 0x2);
  check_access ("preprocess_regions_texel", 4, 0, 0x4, 0, 0xd, 0x2);
  assert_no_validation_errors ();
}

/* A module the reader cannot walk orders as if every binding were read and
 * written. */
static void
test_access_unknown (void)
{
  gsize size = 0;
  const guint32 *spirv = ranet_test_shader_get ("fill", &size);
  guint32 *broken = g_memdup2 (spirv, size);
  guint32 read, write;

  g_assert_true (ranet_vk_spirv_binding_access (spirv, size / 4, &read, &write));
  g_assert_cmphex (write, ==, 0x1);
  /* an instruction that claims to run past the end */
  broken[5] = (0xffffu << 16) | (broken[5] & 0xffffu);
  g_assert_false (ranet_vk_spirv_binding_access (broken, size / 4, &read, &write));
  g_assert_false (ranet_vk_spirv_binding_access (broken, 3, &read, &write));
  g_free (broken);
}

/* ---- barriers ---- */

/* Each step records one dispatch and says whether it must wait for what
 * came before: disjoint windows of one buffer run side by side; a read of
 * written bytes, a write over read bytes and a write over written bytes
 * each get a barrier, whether the two bindings are the same window or
 * merely overlap. The contents prove the order on any device. */
static void
test_barrier_placement (void)
{
  const gsize n = 1024;    /* words per quarter */
  const gsize q = n * 4;   /* bytes per quarter */
  GError *error = NULL;
  RanetVkPipeline *ones = fill_pipeline (1), *twos = fill_pipeline (2);
  RanetVkPipeline *copy = copy_pipeline (n / 4);
  RanetVkBuffer *buf = ranet_vk_buffer_new (device, 4 * q, RANET_VK_BUFFER_HOST, &error);
  RanetVkBuffer *other = ranet_vk_buffer_new (device, q, RANET_VK_BUFFER_HOST, &error);
  RanetVkCommands *cmds = ranet_vk_commands_new (device, 0, &error);
  RanetVkBinding a = { buf, 0, q }, b = { buf, q, q }, c = { buf, 2 * q, q };
  RanetVkBinding ab = { buf, q / 2, q }, d = { buf, 3 * q, q }, o = { other, 0, 0 };
  guint32 *words;

  g_assert_no_error (error);
  g_assert_true (ranet_vk_commands_begin (cmds, &error));
  g_assert_cmpuint (ranet_vk_commands_get_n_barriers (cmds), ==, 1);  /* after earlier submissions */
  vk_record_fill (cmds, ones, &a, 0, n);
  vk_record_fill (cmds, ones, &b, 0, n);
  vk_record_fill (cmds, ones, &o, 0, n);
  g_assert_cmpuint (ranet_vk_commands_get_n_barriers (cmds), ==, 1);  /* disjoint writes */
  record_copy (cmds, copy, &a, &c, n / 4);                            /* reads a: written */
  g_assert_cmpuint (ranet_vk_commands_get_n_barriers (cmds), ==, 2);
  record_copy (cmds, copy, &b, &d, n / 4);                            /* b, d untouched since */
  g_assert_cmpuint (ranet_vk_commands_get_n_barriers (cmds), ==, 2);
  vk_record_fill (cmds, twos, &ab, 0, n);                                /* over a and b: read */
  g_assert_cmpuint (ranet_vk_commands_get_n_barriers (cmds), ==, 3);
  vk_record_fill (cmds, twos, &o, 0, n / 2);                             /* other buffer: free */
  g_assert_cmpuint (ranet_vk_commands_get_n_barriers (cmds), ==, 3);
  vk_record_fill (cmds, ones, &o, n / 4, n / 4);                         /* written over */
  g_assert_cmpuint (ranet_vk_commands_get_n_barriers (cmds), ==, 4);
  g_assert_true (ranet_vk_commands_end (cmds, &error));
  g_assert_true (ranet_vk_commands_submit (cmds, &error));
  g_assert_no_error (error);

  words = ranet_vk_buffer_get_mapped (buf);
  for (gsize i = 0; i < 4 * n; i++) {
    /* a: 1 then 2 from its middle; b: 2 to its middle, then 1; c, d: copies of 1s */
    guint32 want = i >= n / 2 && i < n + n / 2 ? 2 : 1;
    if (words[i] != want)
      g_error ("word %" G_GSIZE_FORMAT ": %u, expected %u", i, words[i], want);
  }
  words = ranet_vk_buffer_get_mapped (other);
  for (gsize i = 0; i < n; i++)
    g_assert_cmpuint (words[i], ==, i < n / 4 ? 2 : 1);

  ranet_vk_commands_free (cmds);
  ranet_vk_buffer_free (other);
  ranet_vk_buffer_free (buf);
  ranet_vk_pipeline_free (copy);
  ranet_vk_pipeline_free (twos);
  ranet_vk_pipeline_free (ones);
  assert_no_validation_errors ();
}

/* A shader indexes from its window's first byte, for storage and texel
 * bindings alike (the texel case goes through the ops in test-ops). */
static void
test_window_offsets (void)
{
  const gsize align = ranet_vk_device_get_binding_alignment (device);
  const gsize n = 256;
  GError *error = NULL;
  RanetVkPipeline *ones = fill_pipeline (7);
  RanetVkBuffer *buf = ranet_vk_buffer_new (device, 4 * align + n * 4, RANET_VK_BUFFER_HOST,
      &error);
  RanetVkCommands *cmds = ranet_vk_commands_new (device, 0, &error);
  RanetVkBinding w = { buf, 3 * align, n * 4 };
  guint32 *words;

  g_assert_no_error (error);
  g_assert_cmpuint (align, >=, 16);
  g_assert_cmpuint (align & (align - 1), ==, 0);
  memset (ranet_vk_buffer_get_mapped (buf), 0, 4 * align + n * 4);
  g_assert_true (ranet_vk_commands_begin (cmds, &error));
  vk_record_fill (cmds, ones, &w, 1, n - 2);
  g_assert_true (ranet_vk_commands_end (cmds, &error));
  g_assert_true (ranet_vk_commands_submit (cmds, &error));
  g_assert_no_error (error);
  words = ranet_vk_buffer_get_mapped (buf);
  for (gsize i = 0; i < 4 * align / 4 + n; i++) {
    gsize first = 3 * align / 4 + 1;
    g_assert_cmpuint (words[i], ==, i >= first && i < first + n - 2 ? 7 : 0);
  }

  ranet_vk_commands_free (cmds);
  ranet_vk_buffer_free (buf);
  ranet_vk_pipeline_free (ones);
  assert_no_validation_errors ();
}

/* Windows the device cannot bind are errors of the recording, not crashes
 * or out-of-bounds descriptors. */
static void
test_window_errors (void)
{
  const gsize align = ranet_vk_device_get_binding_alignment (device);
  GError *error = NULL;
  RanetVkPipeline *ones = fill_pipeline (1);
  RanetVkBuffer *buf = ranet_vk_buffer_new (device, 8 * align, RANET_VK_BUFFER_HOST, &error);
  RanetVkCommands *cmds = ranet_vk_commands_new (device, 0, &error);
  const RanetVkBinding bad[] = {
    { buf, 4, 16 },                     /* offset not aligned */
    { buf, 4 * align, 8 * align },      /* runs past the end */
    { buf, 8 * align, 0 },              /* starts at the end */
    { NULL, 0, 0 },                     /* no buffer */
  };

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_assert_true (ranet_vk_commands_begin (cmds, &error));
    vk_record_fill (cmds, ones, &bad[i], 0, 1);
    g_assert_false (ranet_vk_commands_end (cmds, &error));
    g_assert_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID);
    g_test_message ("window %u: %s", i, error->message);
    g_clear_error (&error);
  }
  ranet_vk_commands_free (cmds);
  ranet_vk_buffer_free (buf);
  ranet_vk_pipeline_free (ones);
  assert_no_validation_errors ();
}

/* The same recording submitted again and again: the barrier at its start
 * orders each submission after the last, which reads what it wrote. */
static void
test_resubmit_order (void)
{
  const gsize n = 4096;
  GError *error = NULL;
  RanetVkPipeline *copy = copy_pipeline (n / 4);
  RanetVkBuffer *buf = ranet_vk_buffer_new (device, 2 * n * 4, RANET_VK_BUFFER_HOST, &error);
  RanetVkCommands *cmds = ranet_vk_commands_new (device, 2, &error);
  RanetVkBinding lo = { buf, 0, n * 4 }, hi = { buf, n * 4, n * 4 };
  guint32 *words;

  g_assert_no_error (error);
  words = ranet_vk_buffer_get_mapped (buf);
  g_assert_true (ranet_vk_commands_begin (cmds, &error));
  ranet_vk_commands_timestamp (cmds, 0);
  record_copy (cmds, copy, &lo, &hi, n / 4);
  record_copy (cmds, copy, &hi, &lo, n / 4);
  ranet_vk_commands_timestamp (cmds, 1);
  g_assert_true (ranet_vk_commands_end (cmds, &error));
  g_assert_cmpuint (ranet_vk_commands_get_n_barriers (cmds), ==, 2);
  for (guint round = 0; round < 5; round++) {
    for (gsize i = 0; i < n; i++)
      words[i] = (guint32) (i + round);
    g_assert_true (ranet_vk_commands_submit (cmds, &error));
    g_assert_no_error (error);
    for (gsize i = 0; i < 2 * n; i++)
      g_assert_cmpuint (words[i], ==, (guint32) (i % n + round));
  }
  ranet_vk_commands_free (cmds);
  ranet_vk_buffer_free (buf);
  ranet_vk_pipeline_free (copy);
  assert_no_validation_errors ();
}

/* An indirect dispatch is ordered as a direct one, by its bound windows, and
 * runs as many workgroups as its arguments say when it is submitted: one
 * recording, two counts. Arguments that do not fit their buffer are a
 * recording error. */
static void
test_indirect (void)
{
  const gsize n = 1024;    /* words per half */
  const gsize args_offset = 8;
  GError *error = NULL;
  RanetVkPipeline *ones = fill_pipeline (1), *twos = fill_pipeline (2);
  RanetVkBuffer *buf = ranet_vk_buffer_new (device, 2 * n * 4, RANET_VK_BUFFER_HOST, &error);
  RanetVkBuffer *args = ranet_vk_buffer_new (device, args_offset + 12, RANET_VK_BUFFER_HOST,
      &error);
  RanetVkCommands *cmds = ranet_vk_commands_new (device, 0, &error);
  RanetVkBinding lo = { buf, 0, n * 4 }, hi = { buf, n * 4, n * 4 };
  FillRegion all = { 0, n };
  guint32 *counts, *words;

  g_assert_no_error (error);
  counts = (guint32 *) ((guint8 *) ranet_vk_buffer_get_mapped (args) + args_offset);
  words = ranet_vk_buffer_get_mapped (buf);
  g_assert_true (ranet_vk_commands_begin (cmds, &error));
  vk_record_fill (cmds, ones, &lo, 0, n);
  ranet_vk_commands_dispatch_bindings_indirect (cmds, twos, &hi, 1, &all, sizeof all, args,
      args_offset);                                                  /* disjoint: free */
  g_assert_cmpuint (ranet_vk_commands_get_n_barriers (cmds), ==, 1);
  ranet_vk_commands_dispatch_bindings_indirect (cmds, ones, &hi, 1, &all, sizeof all, args,
      args_offset);                                                  /* written over */
  g_assert_cmpuint (ranet_vk_commands_get_n_barriers (cmds), ==, 2);
  ranet_vk_commands_dispatch_bindings_indirect (cmds, twos, &hi, 1, &all, sizeof all, args,
      args_offset);
  g_assert_cmpuint (ranet_vk_commands_get_n_barriers (cmds), ==, 3);
  g_assert_true (ranet_vk_commands_end (cmds, &error));

  for (guint groups = 1; groups <= n / FILL_LOCAL_SIZE; groups *= 4) {
    memset (words, 0, 2 * n * 4);
    counts[0] = groups;
    counts[1] = counts[2] = 1;
    g_assert_true (ranet_vk_commands_submit (cmds, &error));
    g_assert_no_error (error);
    for (gsize i = 0; i < n; i++) {
      g_assert_cmpuint (words[i], ==, 1);
      g_assert_cmpuint (words[n + i], ==, i < groups * FILL_LOCAL_SIZE ? 2 : 0);
    }
  }

  for (guint i = 0; i < 2; i++) {
    g_assert_true (ranet_vk_commands_begin (cmds, &error));
    ranet_vk_commands_dispatch_bindings_indirect (cmds, twos, &hi, 1, &all, sizeof all, args,
        i == 0 ? args_offset + 2 : args_offset + 4);    /* unaligned; past the end */
    g_assert_false (ranet_vk_commands_end (cmds, &error));
    g_assert_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID);
    g_test_message ("arguments %u: %s", i, error->message);
    g_clear_error (&error);
  }
  ranet_vk_commands_free (cmds);
  ranet_vk_buffer_free (args);
  ranet_vk_buffer_free (buf);
  ranet_vk_pipeline_free (twos);
  ranet_vk_pipeline_free (ones);
  assert_no_validation_errors ();
}

int
main (int argc, char **argv)
{
  GError *error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  device = ranet_vk_device_new (NULL, &error);
  g_assert_no_error (error);
  g_test_message ("device %s, binding alignment %" G_GSIZE_FORMAT ", validation %s",
      ranet_vk_device_get_name (device), ranet_vk_device_get_binding_alignment (device),
      ranet_vk_device_has_validation (device) ? "on" : "off");

  g_test_add_func ("/vk-sync/access/from-spirv", test_access_from_spirv);
  g_test_add_func ("/vk-sync/access/unknown", test_access_unknown);
  g_test_add_func ("/vk-sync/barriers/placement", test_barrier_placement);
  g_test_add_func ("/vk-sync/barriers/resubmit", test_resubmit_order);
  g_test_add_func ("/vk-sync/barriers/indirect", test_indirect);
  g_test_add_func ("/vk-sync/windows/offsets", test_window_offsets);
  g_test_add_func ("/vk-sync/windows/errors", test_window_errors);
  ret = g_test_run ();
  ranet_vk_device_unref (device);
  return ret;
}
