/* test-session-regions.c: a frame's regions through the session on the
 * built-in model. At a fixed threshold every region's result equals the
 * region cut out and classified as a frame of its own, in batches smaller
 * than the frame's regions as in one; a frame of no regions; in adaptive
 * mode with a budget below even exit 0 for every region, the skipped regions
 * are marked, counted, and every position gets its turn within
 * ceil(n / classified) frames; a region outside the frame is an error that
 * leaves the session usable. */
#include "session/ranet-session-backend.h"
#include "test-device.h"

#include <string.h>

#define MODEL_PATH RANET_SOURCE_ROOT "/models/fashion-mnist-ranet.safetensors"
#define MS G_GUINT64_CONSTANT (1000000)

static RanetVkDevice *device;

static RanetSession *
new_session (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RanetModel) model = ranet_model_load_file (MODEL_PATH, &error);
  RanetSession *s;

  g_assert_no_error (error);
  s = ranet_session_new (device, model, &error);
  g_assert_no_error (error);
  return s;
}

#define FRAME_W 101
#define FRAME_H 77

static const RanetFrameLayout frame_layout = {
  .format = RANET_PIXEL_GRAY8, .width = FRAME_W, .height = FRAME_H, .stride = { FRAME_W + 3 },
  .kr = 0.299, .kb = 0.114,
};

static const RanetRegion regions[] = {
  { 0, 0, 28, 28 }, { 73, 49, 28, 28 }, { 10, 5, 60, 31 }, { 100, 76, 1, 1 },
  { 0, 40, 2, 37 }, { 50, 0, 51, 77 }, { 0, 0, 101, 77 }, { 30, 30, 28, 28 },
  { 5, 60, 40, 17 },
};
#define N_REGIONS G_N_ELEMENTS (regions)

static guint8 frame[(FRAME_W + 3) * FRAME_H];

static void
fill_frame (void)
{
  for (gsize i = 0; i < sizeof frame; i++)
    frame[i] = (guint8) ((i * 2654435761u) >> 13);
}

/* @r's result as a frame of its own. */
static void
classify_crop (RanetSession *s, const RanetRegion *r, RanetSessionResult *result)
{
  RanetFrameLayout layout = frame_layout;
  g_autofree guint8 *piece = g_malloc ((gsize) r->width * r->height);
  const guint8 *planes[] = { piece };
  g_autoptr (GError) error = NULL;

  layout.width = r->width;
  layout.height = r->height;
  layout.stride[0] = r->width;
  for (guint y = 0; y < r->height; y++)
    memcpy (piece + y * r->width, frame + (r->y + y) * frame_layout.stride[0] + r->x, r->width);
  g_assert_true (ranet_session_classify_frame (s, &layout, planes, result, &error));
  g_assert_no_error (error);
}

static void
check_fixed (guint max_batch, guint want_batches)
{
  g_autoptr (RanetSession) s = new_session ();
  g_autoptr (RanetSessionStats) stats = NULL;
  g_autoptr (GError) error = NULL;
  RanetSessionResult results[N_REGIONS];
  RanetSessionBatchSummary summary;
  const guint8 *planes[] = { frame };
  guint64 macs = 0;

  ranet_session_set_threshold_mode (s, RANET_THRESHOLD_FIXED);
  ranet_session_set_threshold (s, 0.9);
  ranet_session_set_max_batch (s, max_batch);
  g_assert_true (ranet_session_classify_regions (s, &frame_layout, planes, regions, N_REGIONS,
          results, &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.n_regions, ==, N_REGIONS);
  g_assert_cmpuint (summary.n_classified, ==, N_REGIONS);
  g_assert_cmpuint (summary.n_skipped, ==, 0);
  g_assert_cmpuint (summary.n_batches, ==, want_batches);
  g_assert_cmpint (summary.operating_point, ==, -1);
  stats = ranet_session_get_stats (s);

  for (guint i = 0; i < N_REGIONS; i++) {
    RanetSessionResult single;

    classify_crop (s, &regions[i], &single);
    g_assert_false (results[i].skipped);
    g_assert_cmpuint (results[i].exit_index, ==, single.exit_index);
    g_assert_cmpuint (results[i].class_id, ==, single.class_id);
    g_assert_cmpfloat_with_epsilon (results[i].confidence, single.confidence, 1e-5);
    g_assert_cmpuint (results[i].macs, ==, single.macs);
    g_assert_cmpuint (results[i].n_classes, ==, single.n_classes);
    g_assert_cmpfloat_with_epsilon (results[i].probs[single.class_id], single.confidence, 1e-5);
    g_assert_cmpfloat (results[i].threshold, ==, single.threshold);
    macs += results[i].macs;
    ranet_session_result_clear (&single);
    ranet_session_result_clear (&results[i]);
  }
  g_assert_cmpuint (summary.macs, ==, macs);
  g_assert_cmpuint (stats->frames, ==, 1);
  g_assert_cmpuint (stats->regions, ==, N_REGIONS);
  g_assert_cmpuint (stats->regions_classified, ==, N_REGIONS);
  g_assert_cmpuint (stats->regions_skipped, ==, 0);
  g_assert_cmpuint (ranet_vk_device_get_validation_error_count (device), ==, 0);
}

static void
test_fixed_one_batch (void)
{
  check_fixed (0, 1);
}

static void
test_fixed_several_batches (void)
{
  /* 9 regions, 4 a batch: 4 + 4 + 1 */
  check_fixed (4, 3);
}

static void
test_fixed_batches_of_one (void)
{
  check_fixed (1, N_REGIONS);
}

static void
test_no_regions (void)
{
  g_autoptr (RanetSession) s = new_session ();
  g_autoptr (RanetSessionStats) stats = NULL;
  g_autoptr (GError) error = NULL;
  RanetSessionBatchSummary summary;
  const guint8 *planes[] = { frame };

  g_assert_true (ranet_session_classify_regions (s, &frame_layout, planes, NULL, 0, NULL,
          &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.n_regions, ==, 0);
  g_assert_cmpuint (summary.n_batches, ==, 0);
  stats = ranet_session_get_stats (s);
  g_assert_cmpuint (stats->frames, ==, 1);
  g_assert_cmpuint (stats->regions, ==, 0);
}

static guint64
step_clock (gpointer user_data)
{
  guint64 *now = user_data;

  *now += 100 * MS;
  return *now;
}

/* Every clock reading advances 100 ms against a 10 ms budget: no stage
 * fits, so each frame classifies the fewest regions the policy allows and
 * skips the rest, from a position that moves on every frame. */
static void
test_skipped_fairly (void)
{
  g_autoptr (RanetSession) s = new_session ();
  g_autoptr (RanetSessionStats) stats = NULL;
  g_autoptr (GError) error = NULL;
  const guint8 *planes[] = { frame };
  gboolean seen[N_REGIONS] = { FALSE };
  guint64 now = 0, skipped = 0, classified = 0;
  guint frames = 0, n_seen = 0;

  g_assert_true (ranet_session_prepare_regions (s, &error));
  g_assert_no_error (error);
  ranet_session_set_clock (s, step_clock, &now);
  ranet_session_set_latency_budget (s, 10 * MS);
  /* the costs measured at start are real ones, far below the clock's: the
   * first frames teach the policy this clock */
  for (guint f = 0; f < 3; f++) {
    RanetSessionResult results[N_REGIONS];

    g_assert_true (ranet_session_classify_regions (s, &frame_layout, planes, regions,
            N_REGIONS, results, NULL, &error));
    g_assert_no_error (error);
    for (guint i = 0; i < N_REGIONS; i++)
      ranet_session_result_clear (&results[i]);
  }
  while (n_seen < N_REGIONS) {
    RanetSessionResult results[N_REGIONS];
    RanetSessionBatchSummary summary;

    g_assert_cmpuint (frames, <, 4 * N_REGIONS);
    g_assert_true (ranet_session_classify_regions (s, &frame_layout, planes, regions,
            N_REGIONS, results, &summary, &error));
    g_assert_no_error (error);
    frames++;
    g_assert_cmpuint (summary.n_classified, >=, 1);
    /* after the first frames, a 10 ms budget never holds 9 regions of 100 ms stages */
    g_assert_cmpuint (summary.n_skipped, >, 0);
    g_assert_cmpuint (summary.n_classified + summary.n_skipped, ==, N_REGIONS);
    skipped += summary.n_skipped;
    classified += summary.n_classified;
    for (guint i = 0; i < N_REGIONS; i++) {
      if (results[i].skipped) {
        /* a skipped region says so and nothing else */
        g_assert_cmpuint (results[i].macs, ==, 0);
        g_assert_null (results[i].probs);
        g_assert_nonnull (results[i].thresholds);
        g_assert_cmpuint (results[i].n_exits, ==, ranet_session_get_n_exits (s));
      } else {
        if (!seen[i])
          n_seen++;
        seen[i] = TRUE;
        g_assert_nonnull (results[i].probs);
      }
      ranet_session_result_clear (&results[i]);
    }
  }
  stats = ranet_session_get_stats (s);
  g_test_message ("every region classified within %u frames; %" G_GUINT64_FORMAT
      " skipped, %" G_GUINT64_FORMAT " classified", frames, skipped, classified);
  g_assert_cmpuint (skipped, >, 0);
  g_assert_cmpuint (stats->regions_skipped, >=, skipped);
  g_assert_cmpuint (stats->regions_classified, >=, classified);
  g_assert_cmpuint (stats->regions, ==, (frames + 3) * N_REGIONS);
  g_assert_cmpuint (stats->regions_skipped + stats->regions_classified, ==, stats->regions);
  g_assert_cmpuint (stats->deadline_misses, >, 0);
}

static void
test_region_outside (void)
{
  g_autoptr (RanetSession) s = new_session ();
  g_autoptr (GError) error = NULL;
  const guint8 *planes[] = { frame };
  RanetRegion bad[] = { { 0, 0, 28, 28 }, { 90, 70, 28, 28 } };
  RanetSessionResult results[2];

  g_assert_false (ranet_session_classify_regions (s, &frame_layout, planes, bad, 2, results,
          NULL, &error));
  g_assert_error (error, RANET_NET_ERROR, RANET_NET_ERROR_BATCH);
  g_clear_error (&error);
  /* the results are cleared, and the session takes the next frame */
  g_assert_null (results[0].probs);
  g_assert_true (ranet_session_classify_regions (s, &frame_layout, planes, bad, 1, results,
          NULL, &error));
  g_assert_no_error (error);
  g_assert_false (results[0].skipped);
  ranet_session_result_clear (&results[0]);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int ret;

  device = test_device_new_from_args (&argc, argv, &error);
  g_test_init (&argc, &argv, NULL);
  g_assert_no_error (error);
  fill_frame ();

  g_test_add_func ("/session-regions/fixed/one-batch", test_fixed_one_batch);
  g_test_add_func ("/session-regions/fixed/several-batches", test_fixed_several_batches);
  g_test_add_func ("/session-regions/fixed/batches-of-one", test_fixed_batches_of_one);
  g_test_add_func ("/session-regions/no-regions", test_no_regions);
  g_test_add_func ("/session-regions/skipped-fairly", test_skipped_fairly);
  g_test_add_func ("/session-regions/region-outside", test_region_outside);
  ret = g_test_run ();

  g_assert_cmpuint (ranet_vk_device_get_validation_error_count (device), ==, 0);
  ranet_vk_device_unref (device);
  return ret;
}
