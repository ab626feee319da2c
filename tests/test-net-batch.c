/* test-net-batch.c: nets of batches against nets of single items.
 *
 * A batch must give every item exactly what a single run of that item gives:
 * the same exit, class and confidence, and logits within the golden
 * tolerance of test-net.c (TOL_REL of the range). On every golden model:
 * batches of 1, 2, 7 and 64 items (the golden inputs, cycled, so that items
 * of a batch differ), every exit and early exit on thresholds set at the
 * median confidences so that a batch's items leave at different exits;
 * stages run on any subset of the items, in any order; a frame's regions
 * cropped and resized on the device against each region cut out on the
 * host and run as a frame of its own; and the errors of batches that do not
 * fit (too many items, items out of order, regions outside the frame).
 */
#include <math.h>
#include <string.h>

#include "net/ranet-net.h"
#include "preprocess/ranet-preprocess.h"

#include "golden-io.h"
#include "test-device.h"

#define TOL_REL 1e-4

static RanetVkDevice *device;

/* A golden model with a net of single items and a net of batches. */
typedef struct {
  RanetModel *model;
  RanetNet *single;
  RanetNet *batch;
  StFile *io;
  const StTensor *input;
  guint n_inputs, n_exits, n_classes;
  gsize input_floats;
} Fixture;

static void
fixture_free (Fixture *f)
{
  g_clear_pointer (&f->batch, ranet_net_free);
  g_clear_pointer (&f->single, ranet_net_free);
  g_clear_pointer (&f->model, ranet_model_unref);
  g_clear_pointer (&f->io, st_file_free);
  g_free (f);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Fixture, fixture_free)

/* The fixture of golden model @name with a batch net of @max_batch, or NULL
 * (the test skipped) where the vector has not been made. */
static Fixture *
fixture_new (const char *name, guint max_batch)
{
  g_autofree char *dir = golden_dir ();
  g_autofree char *model_file = g_strdup_printf ("%s/%s.safetensors", dir, name);
  g_autofree char *io_file = g_strdup_printf ("%s/%s-io.safetensors", dir, name);
  g_autoptr (GError) error = NULL;
  const RanetConfig *cfg;
  Fixture *f;

  if (!g_file_test (model_file, G_FILE_TEST_EXISTS)
      || !g_file_test (io_file, G_FILE_TEST_EXISTS)) {
    g_test_skip ("no golden vector (python/make_golden.py makes it)");
    return NULL;
  }
  f = g_new0 (Fixture, 1);
  f->model = ranet_model_load_file (model_file, &error);
  g_assert_no_error (error);
  f->single = ranet_net_new (device, f->model, &error);
  g_assert_no_error (error);
  f->batch = ranet_net_new_batched (device, f->model, max_batch, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ranet_net_get_max_batch (f->batch), ==, max_batch);
  f->io = st_load (io_file);
  cfg = ranet_model_get_config (f->model);
  f->n_exits = ranet_net_get_n_exits (f->single);
  f->n_classes = cfg->num_classes;
  f->input = g_hash_table_lookup (f->io->tensors, "input");
  g_assert_nonnull (f->input);
  f->n_inputs = f->input->dims[0];
  f->input_floats = (gsize) cfg->in_channels * cfg->input_h * cfg->input_w;
  return f;
}

static void
assert_no_validation_errors (void)
{
  g_assert_cmpuint (ranet_vk_device_get_validation_error_count (device), ==, 0);
}

static double
range_of (const float *v, guint n)
{
  float lo = INFINITY, hi = -INFINITY;

  for (guint c = 0; c < n; c++) {
    lo = MIN (lo, v[c]);
    hi = MAX (hi, v[c]);
  }
  return MAX (hi - lo, 1e-3f);
}

/* @got's logits within the tolerance of @want's. */
static void
assert_logits_close (const char *what, const float *got, const float *want, guint n)
{
  double tol = TOL_REL * range_of (want, n);

  for (guint c = 0; c < n; c++)
    if (fabs ((double) got[c] - want[c]) > tol)
      g_error ("%s: logit %u is %g, a single run gives %g (tolerance %g)", what, c,
          got[c], want[c], tol);
}

/* Item i of a batch is golden input i mod n_inputs, shifted by i / n_inputs
 * so that repeated inputs still differ. */
static float *
batch_inputs (Fixture *f, guint n)
{
  float *inputs = g_new (float, (gsize) n * f->input_floats);

  for (guint i = 0; i < n; i++) {
    const float *src = f->input->data + (i % f->n_inputs) * f->input_floats;
    float shift = 0.05f * (float) (i / f->n_inputs);

    for (gsize j = 0; j < f->input_floats; j++)
      inputs[i * f->input_floats + j] = src[j] + shift;
  }
  return inputs;
}

/* Every exit's result and logits of each input run alone:
 * [n][n_exits] results and [n][n_exits][n_classes] logits. */
static void
run_singles (Fixture *f, const float *inputs, guint n, RanetExitResult *results,
    float *logits)
{
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < n; i++) {
    g_assert_true (ranet_net_set_input_tensor (f->single, inputs + i * f->input_floats,
            &error));
    g_assert_no_error (error);
    for (guint k = 0; k < f->n_exits; k++) {
      RanetExitResult *r = &results[i * f->n_exits + k];

      g_assert_true (ranet_net_run_stage (f->single, k, r, &error));
      g_assert_no_error (error);
      r->probs = NULL;
      g_assert_true (ranet_net_read_logits (f->single, k,
              logits + ((gsize) i * f->n_exits + k) * f->n_classes, &error));
      g_assert_no_error (error);
    }
  }
}

/* Per exit, the median of the singles' confidences: about half the items
 * leave at each exit. */
static float *
median_thresholds (Fixture *f, const RanetExitResult *singles, guint n)
{
  float *t = g_new (float, f->n_exits);
  g_autofree float *c = g_new (float, n);

  for (guint k = 0; k < f->n_exits; k++) {
    for (guint i = 0; i < n; i++)
      c[i] = singles[i * f->n_exits + k].confidence;
    for (guint i = 1; i < n; i++)
      for (guint j = i; j > 0 && c[j - 1] > c[j]; j--) {
        float tmp = c[j];
        c[j] = c[j - 1];
        c[j - 1] = tmp;
      }
    t[k] = c[n / 2];
  }
  return t;
}

/* The exit a single run of item @i takes on @thresholds, or -1 where a
 * confidence lies so close to its threshold that a different summation order
 * may decide otherwise. */
static gint
single_exit (Fixture *f, const RanetExitResult *singles, guint i, const float *thresholds)
{
  for (guint k = 0; k < f->n_exits; k++) {
    float c = singles[i * f->n_exits + k].confidence;

    if (fabsf (c - thresholds[k]) < 1e-5f)
      return -1;
    if (k + 1 == f->n_exits || c >= thresholds[k])
      return (gint) k;
  }
  g_assert_not_reached ();
}

static void
check_batch (const char *name, guint max_batch, guint n)
{
  g_autoptr (Fixture) f = fixture_new (name, max_batch);
  g_autoptr (GError) error = NULL;
  g_autofree float *inputs = NULL, *logits = NULL, *thresholds = NULL, *got = NULL;
  g_autofree RanetExitResult *singles = NULL, *results = NULL;
  guint mixed = 0;

  if (f == NULL)
    return;
  inputs = batch_inputs (f, n);
  singles = g_new0 (RanetExitResult, (gsize) n * f->n_exits);
  logits = g_new (float, (gsize) n * f->n_exits * f->n_classes);
  run_singles (f, inputs, n, singles, logits);
  results = g_new0 (RanetExitResult, n);
  got = g_new (float, f->n_classes);

  /* every exit of every item */
  g_assert_true (ranet_net_set_batch_tensors (f->batch, inputs, n, &error));
  g_assert_no_error (error);
  g_assert_true (ranet_net_run_batch (f->batch, NULL, f->n_exits - 1, results, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < n; i++) {
    g_assert_cmpuint (results[i].exit_index, ==, f->n_exits - 1);
    for (guint k = 0; k < f->n_exits; k++) {
      g_autofree char *what = g_strdup_printf ("%s batch %u item %u exit %u", name, n, i, k);

      g_assert_true (ranet_net_read_batch_logits (f->batch, i, k, got, &error));
      g_assert_no_error (error);
      assert_logits_close (what, got, logits + ((gsize) i * f->n_exits + k) * f->n_classes,
          f->n_classes);
    }
    g_assert_cmpuint (results[i].class_id, ==, singles[(i + 1) * f->n_exits - 1].class_id);
    g_assert_cmpfloat_with_epsilon (results[i].confidence,
        singles[(i + 1) * f->n_exits - 1].confidence, 1e-5);
  }

  /* early exit: the items leave where their single runs do */
  thresholds = median_thresholds (f, singles, n);
  g_assert_true (ranet_net_set_batch_tensors (f->batch, inputs, n, &error));
  g_assert_no_error (error);
  g_assert_true (ranet_net_run_batch (f->batch, thresholds, f->n_exits - 1, results, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < n; i++) {
    gint want = single_exit (f, singles, i, thresholds);
    const RanetExitResult *s;

    if (want < 0)
      continue;
    s = &singles[i * f->n_exits + want];
    g_assert_cmpuint (results[i].exit_index, ==, want);
    g_assert_cmpuint (results[i].class_id, ==, s->class_id);
    g_assert_cmpfloat_with_epsilon (results[i].confidence, s->confidence, 1e-5);
    g_assert_cmpuint (results[i].macs, ==, s->macs);
    g_assert_cmpfloat_with_epsilon (results[i].probs[s->class_id], s->confidence, 1e-5);
    mixed |= 1u << MIN (want, 31);
    /* later exits were not computed for an item that left */
    if ((guint) want + 1 < f->n_exits) {
      g_assert_false (ranet_net_read_batch_logits (f->batch, i, want + 1, got, &error));
      g_assert_error (error, RANET_NET_ERROR, RANET_NET_ERROR_NOT_COMPUTED);
      g_clear_error (&error);
    }
  }
  /* a batch of several items leaves at more than one exit */
  if (n >= 7 && f->n_exits > 1)
    g_assert_cmpuint (mixed & (mixed - 1), !=, 0);
  assert_no_validation_errors ();
}

static void
test_batch (gconstpointer data)
{
  const guint sizes[] = { 1, 2, 7, 64 };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    check_batch (data, MAX (sizes[i], 2), sizes[i]);
}

/* A batch smaller than the net's capacity, and one net reused for batches of
 * other sizes. */
static void
test_reuse (gconstpointer data)
{
  check_batch (data, 16, 5);
}

/* Stages on subsets in any order: each item's exit k equals its single run's. */
static void
test_subsets (void)
{
  g_autoptr (Fixture) f = fixture_new ("default", 8);
  g_autoptr (GError) error = NULL;
  g_autofree float *inputs = NULL, *logits = NULL, *got = NULL;
  g_autofree RanetExitResult *singles = NULL;
  RanetExitResult r[8];
  const guint later[] = { 5, 0, 3 };
  guint twice[] = { 2, 2 };
  guint left = 1;

  if (f == NULL)
    return;
  inputs = batch_inputs (f, 8);
  singles = g_new0 (RanetExitResult, 8 * f->n_exits);
  logits = g_new (float, (gsize) 8 * f->n_exits * f->n_classes);
  run_singles (f, inputs, 8, singles, logits);
  got = g_new (float, f->n_classes);

  g_assert_true (ranet_net_set_batch_tensors (f->batch, inputs, 8, &error));
  g_assert_no_error (error);
  g_assert_true (ranet_net_run_batch_stage (f->batch, 0, NULL, 0, r, &error));
  g_assert_no_error (error);
  g_assert_true (ranet_net_run_batch_stage (f->batch, 1, later, G_N_ELEMENTS (later), r,
          &error));
  g_assert_no_error (error);
  for (guint j = 0; j < G_N_ELEMENTS (later); j++) {
    g_autofree char *what = g_strdup_printf ("item %u exit 1", later[j]);
    const RanetExitResult *s = &singles[later[j] * f->n_exits + 1];

    g_assert_cmpuint (r[j].exit_index, ==, 1);
    g_assert_cmpuint (r[j].class_id, ==, s->class_id);
    g_assert_cmpfloat_with_epsilon (r[j].confidence, s->confidence, 1e-5);
    g_assert_true (ranet_net_read_batch_logits (f->batch, later[j], 1, got, &error));
    g_assert_no_error (error);
    assert_logits_close (what, got, logits + ((gsize) later[j] * f->n_exits + 1) * f->n_classes,
        f->n_classes);
  }
  /* item 1 did not run stage 1: it cannot run stage 2, nor be read there */
  g_assert_false (ranet_net_run_batch_stage (f->batch, 2, &left, 1, r, &error));
  g_assert_error (error, RANET_NET_ERROR, RANET_NET_ERROR_STAGE_ORDER);
  g_clear_error (&error);
  g_assert_false (ranet_net_read_batch_logits (f->batch, 1, 1, got, &error));
  g_assert_error (error, RANET_NET_ERROR, RANET_NET_ERROR_NOT_COMPUTED);
  g_clear_error (&error);
  /* an item named twice in one stage */
  g_assert_false (ranet_net_run_batch_stage (f->batch, 1, twice, 2, r, &error));
  g_assert_error (error, RANET_NET_ERROR, RANET_NET_ERROR_STAGE_ORDER);
  g_clear_error (&error);
  /* the refused calls left the items where they were */
  g_assert_true (ranet_net_run_batch_stage (f->batch, 1, twice, 1, r, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (r[0].class_id, ==, singles[2 * f->n_exits + 1].class_id);
  assert_no_validation_errors ();
}

static void
test_too_large (void)
{
  g_autoptr (Fixture) f = fixture_new ("default", 4);
  g_autoptr (GError) error = NULL;
  g_autofree float *inputs = NULL;
  RanetFrameLayout layout = { .format = RANET_PIXEL_GRAY8, .width = 40, .height = 30,
    .stride = { 40 } };
  RanetRegion regions[5] = { { 0, 0, 28, 28 }, { 1, 1, 10, 10 }, { 2, 2, 5, 5 },
    { 3, 3, 5, 5 }, { 4, 4, 5, 5 } };
  RanetRegion outside = { 30, 20, 11, 5 }, empty = { 3, 3, 0, 5 };
  g_autoptr (RanetNet) none = NULL;

  if (f == NULL)
    return;
  inputs = batch_inputs (f, 5);
  g_assert_false (ranet_net_set_batch_tensors (f->batch, inputs, 5, &error));
  g_assert_error (error, RANET_NET_ERROR, RANET_NET_ERROR_BATCH);
  g_clear_error (&error);
  g_assert_false (ranet_net_set_batch_tensors (f->batch, inputs, 0, &error));
  g_assert_error (error, RANET_NET_ERROR, RANET_NET_ERROR_BATCH);
  g_clear_error (&error);
  g_assert_false (ranet_net_set_batch_regions (f->batch, &layout, RANET_RESIZE_STRETCH,
          regions, 5, &error));
  g_assert_error (error, RANET_NET_ERROR, RANET_NET_ERROR_BATCH);
  g_clear_error (&error);
  g_assert_false (ranet_net_set_batch_regions (f->batch, &layout, RANET_RESIZE_STRETCH,
          &outside, 1, &error));
  g_assert_error (error, RANET_NET_ERROR, RANET_NET_ERROR_BATCH);
  g_clear_error (&error);
  g_assert_false (ranet_net_set_batch_regions (f->batch, &layout, RANET_RESIZE_STRETCH,
          &empty, 1, &error));
  g_assert_error (error, RANET_NET_ERROR, RANET_NET_ERROR_BATCH);
  g_clear_error (&error);
  none = ranet_net_new_batched (device, f->model, 1, &error);
  g_assert_null (none);
  g_assert_error (error, RANET_NET_ERROR, RANET_NET_ERROR_BATCH);
  g_clear_error (&error);
  /* the default size fits the device and the memory budget */
  g_assert_cmpuint (ranet_net_default_max_batch (device, ranet_net_get_graph (f->single)),
      >=, 2);
  assert_no_validation_errors ();
}

/* A frame of @format and its planes filled with a pattern that no two
 * regions see alike. */
static guint8 *
pattern_frame (const RanetFrameLayout *layout)
{
  gsize size = ranet_frame_layout_get_size (layout);
  guint8 *frame = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    frame[i] = (guint8) ((i * 2654435761u) >> 13);
  return frame;
}

/* @region of @frame copied out into a frame of its own (packed formats). */
static guint8 *
crop (const RanetFrameLayout *layout, const guint8 *frame, const RanetRegion *r,
    guint pixel_bytes, RanetFrameLayout *out)
{
  guint8 *dest;

  *out = *layout;
  out->width = r->width;
  out->height = r->height;
  out->offset[0] = 0;
  out->stride[0] = (gsize) r->width * pixel_bytes;
  dest = g_malloc (ranet_frame_layout_get_size (out));
  for (guint y = 0; y < r->height; y++)
    memcpy (dest + y * out->stride[0],
        frame + layout->offset[0] + (r->y + y) * layout->stride[0] + r->x * pixel_bytes,
        out->stride[0]);
  return dest;
}

static void
check_regions (RanetPixelFormat format, guint pixel_bytes, RanetResizeMode mode)
{
  g_autoptr (Fixture) f = fixture_new ("default", 8);
  g_autoptr (GError) error = NULL;
  RanetFrameLayout layout = { .format = format, .width = 101, .height = 77 };
  RanetRegion regions[] = {
    { 0, 0, 28, 28 }, { 73, 49, 28, 28 }, { 10, 5, 60, 31 }, { 100, 76, 1, 1 },
    { 0, 40, 2, 37 }, { 50, 0, 51, 77 }, { 0, 0, 101, 77 },
  };
  guint n = G_N_ELEMENTS (regions);
  RanetExitResult results[G_N_ELEMENTS (regions)];
  g_autofree guint8 *frame = NULL;
  g_autofree float *got = NULL, *want = NULL;

  if (f == NULL)
    return;
  layout.stride[0] = (gsize) layout.width * pixel_bytes + 3;   /* rows padded */
  frame = pattern_frame (&layout);
  got = g_new (float, f->n_classes);
  want = g_new (float, f->n_classes);

  g_assert_true (ranet_net_set_batch_regions (f->batch, &layout, mode, regions, n, &error));
  g_assert_no_error (error);
  ranet_net_write_frame_plane (f->batch, 0, frame + layout.offset[0], layout.stride[0]);
  g_assert_true (ranet_net_run_batch (f->batch, NULL, f->n_exits - 1, results, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < n; i++) {
    RanetFrameLayout cropped;
    g_autofree guint8 *piece = crop (&layout, frame, &regions[i], pixel_bytes, &cropped);
    RanetExitResult single;

    g_assert_true (ranet_net_set_frame_layout (f->single, &cropped, mode, &error));
    g_assert_no_error (error);
    ranet_net_write_frame_plane (f->single, 0, piece, cropped.stride[0]);
    for (guint k = 0; k < f->n_exits; k++) {
      g_autofree char *what = g_strdup_printf ("format %d mode %d region %u exit %u",
          format, mode, i, k);

      g_assert_true (ranet_net_run_stage (f->single, k, &single, &error));
      g_assert_no_error (error);
      g_assert_true (ranet_net_read_logits (f->single, k, want, &error));
      g_assert_no_error (error);
      g_assert_true (ranet_net_read_batch_logits (f->batch, i, k, got, &error));
      g_assert_no_error (error);
      assert_logits_close (what, got, want, f->n_classes);
    }
    g_assert_cmpuint (results[i].class_id, ==, single.class_id);
  }
  assert_no_validation_errors ();
}

static void
test_regions (void)
{
  check_regions (RANET_PIXEL_GRAY8, 1, RANET_RESIZE_STRETCH);
  check_regions (RANET_PIXEL_GRAY8, 1, RANET_RESIZE_LETTERBOX);
  check_regions (RANET_PIXEL_RGB, 3, RANET_RESIZE_CENTER_CROP);
  check_regions (RANET_PIXEL_BGRX, 4, RANET_RESIZE_STRETCH);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int ret;

  device = test_device_new_from_args (&argc, argv, &error);
  g_test_init (&argc, &argv, NULL);
  g_assert_no_error (error);

  for (guint i = 0; golden_names[i]; i++) {
    g_autofree char *path = g_strdup_printf ("/net-batch/%s/sizes", golden_names[i]);
    g_autofree char *reuse = g_strdup_printf ("/net-batch/%s/reuse", golden_names[i]);

    g_test_add_data_func (path, golden_names[i], test_batch);
    g_test_add_data_func (reuse, golden_names[i], test_reuse);
  }
  g_test_add_func ("/net-batch/subsets", test_subsets);
  g_test_add_func ("/net-batch/too-large", test_too_large);
  g_test_add_func ("/net-batch/regions", test_regions);
  ret = g_test_run ();

  assert_no_validation_errors ();
  ranet_vk_device_unref (device);
  return ret;
}
