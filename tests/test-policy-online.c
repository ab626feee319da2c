/* test-policy-online.c: online calibration on a simulated stream whose
 * content shifts.
 *
 * The simulated network has four exits. A frame has a hardness u; its
 * confidence at exit k is 1 - u (1 - 0.2 k), so harder frames need deeper
 * exits. The operating points were "calibrated" on uniform hardness: one
 * threshold at every exit, the exit fractions what uniform hardness gives.
 * Mid-stream the content gets harder (u uniform in [0.3, 1), as a camera
 * that lost contrast would give): the stored thresholds then send frames
 * deeper than planned. With online calibration, once the window has refilled
 * with probes of the new content, every exit's realised share is back within
 * 5 points of its plan.
 *
 * Frames run against the policy alone on a simulated clock, stage by stage,
 * each stage started only when the deadline leaves time for it. */
#include "policy/policy-private.h"
#include "sim-points.h"

#include <math.h>

#define N_EXITS 4
#define N_POINTS 11
#define MS 1000000.0

static const double stage_ms[N_EXITS] = { 2.0, 1.0, 1.0, 1.0 };

typedef SimPoints Table;

static void
table_init (Table *t)
{
  sim_points_init (t, N_EXITS, N_POINTS, 0.2, 0.4, stage_ms);
}

typedef struct {
  RanetPolicy *policy;
  const Table *table;      /* the frames' confidences */
  GRand *rand;
  guint64 now;
  double hard_from;        /* hardness is uniform in [hard_from, 1) */
  /* what the last run() saw: frames per exit, the planned fractions summed,
   * and frames past their deadline */
  guint64 frames;
  guint64 exits[N_EXITS];
  double planned[N_EXITS];
  guint64 late;
} Sim;

static void
sim_init (Sim *s, const Table *t, RanetPolicy *policy)
{
  *s = (Sim) { policy, t, g_rand_new_with_seed (16), 1000, 0.0 };
}

/* Runs @n frames; a probe runs every stage (while the deadline allows) and
 * gives the policy its confidences. */
static void
run (Sim *s, guint n)
{
  s->frames = 0;
  s->late = 0;
  for (guint k = 0; k < N_EXITS; k++) {
    s->exits[k] = 0;
    s->planned[k] = 0.0;
  }
  for (guint i = 0; i < n; i++) {
    RanetPolicyFrame f;
    double u = s->hard_from + (1.0 - s->hard_from) * g_rand_double (s->rand);
    float conf[N_EXITS];
    guint natural, last = 0;
    gboolean forced;

    ranet_policy_begin_frame (s->policy, s->now, &f);
    natural = sim_points_exit (s->table, f.thresholds, u);
    for (guint k = 0; k < N_EXITS; k++) {
      if (k > (f.probe ? N_EXITS - 1 : natural))
        break;
      if (k > 0 && !ranet_policy_can_run_stage (s->policy, &f, k, s->now))
        break;
      s->now += (guint64) (stage_ms[k] * MS);
      ranet_policy_stage_done (s->policy, k, (guint64) (stage_ms[k] * MS));
      conf[k] = sim_points_confidence (s->table, u, k);
      last = k;
    }
    if (f.probe && last == N_EXITS - 1)
      ranet_policy_add_probe (s->policy, conf);
    forced = last < natural;
    ranet_policy_end_frame (s->policy, &f, MIN (natural, last), s->now, forced);
    s->late += s->now > f.deadline_ns;
    if (!forced) {
      s->frames++;
      s->exits[natural]++;
      for (guint k = 0; k < N_EXITS; k++)
        s->planned[k] += f.thresholds == NULL ? 0.0
            : s->policy->points[f.point].fractions[k];
    }
    s->now += 1000;
  }
}

/* The largest distance, in points, between an exit's realised and planned
 * share in the last run(). */
static double
worst_share_error (const Sim *s)
{
  double worst = 0.0;

  for (guint k = 0; k < N_EXITS; k++) {
    double realised = 100.0 * s->exits[k] / s->frames, planned = 100.0 * s->planned[k] / s->frames;
    g_test_message ("exit %u: realised %.1f%%, planned %.1f%%", k, realised, planned);
    worst = MAX (worst, fabs (realised - planned));
  }
  return worst;
}

static void
test_shift (void)
{
  Table t;
  Sim s;
  RanetPolicyStats stats;
  double realised[N_EXITS], planned[N_EXITS];
  guint64 counted;

  table_init (&t);
  /* the most accurate point a middle one (threshold 0.6), as in real
   * calibrations where the deepest points lose a little to overthinking: its
   * plan spreads the frames over every exit */
  for (guint j = 0; j < N_POINTS; j++)
    t.points[j].accuracy = 90.0 - fabs ((double) j - 4.0);
  sim_init (&s, &t, ranet_policy_new (N_EXITS, t.stage_macs, t.points, N_POINTS, NULL));
  ranet_policy_set_online_calibration (s.policy, TRUE, 5, 200);

  /* the content the calibration saw: the plan holds, and the recomputed
   * thresholds (from frame 1000 on) keep it */
  run (&s, 3000);
  g_assert_cmpfloat (worst_share_error (&s), <, 5.0);
  g_assert_true (ranet_policy_is_calibrated_online (s.policy));

  /* the content shifts: until the window holds the new content the shares
   * are well off the plan */
  s.hard_from = 0.3;
  run (&s, 300);
  g_assert_cmpfloat (worst_share_error (&s), >, 15.0);

  /* the window refills in 200 probes x 5 frames; a recomputation follows
   * within a tenth of the window */
  run (&s, 1200);
  run (&s, 3000);
  g_assert_cmpfloat (worst_share_error (&s), <, 5.0);

  /* switched off, the thresholds stay the last recomputation's, and the
   * policy's own account (since that recomputation, a tenth of a window
   * at most before) agrees with what the frames did */
  ranet_policy_set_online_calibration (s.policy, FALSE, 5, 200);
  run (&s, 3000);
  g_assert_cmpfloat (worst_share_error (&s), <, 5.0);
  counted = ranet_policy_get_exit_shares (s.policy, realised, planned);
  g_assert_cmpuint (counted, >=, 3000);
  g_assert_cmpuint (counted, <=, 3000 + 20 * 5);
  for (guint k = 0; k < N_EXITS; k++) {
    g_assert_cmpfloat (fabs (realised[k] - (double) s.exits[k] / s.frames), <, 0.01);
    g_assert_cmpfloat (fabs (planned[k] - s.planned[k] / s.frames), <, 0.01);
  }
  ranet_policy_get_stats (s.policy, &stats);
  /* no budget: every fifth frame is a probe */
  g_assert_cmpuint (stats.probes, ==, 7500 / 5);
  g_assert_cmpuint (stats.recalibrations, <=, 1 + (7500 / 5 - 200) / 20);
  g_assert_cmpuint (stats.recalibrations, >=, 10);
  ranet_policy_free (s.policy);
  g_rand_free (s.rand);
}

/* Without online calibration the drift stays; the stored thresholds are
 * kept. */
static void
test_off_keeps_thresholds (void)
{
  Table t;
  Sim s;
  RanetPolicyStats stats;

  table_init (&t);
  sim_init (&s, &t, ranet_policy_new (N_EXITS, t.stage_macs, t.points, N_POINTS, NULL));
  s.hard_from = 0.3;
  run (&s, 3000);
  g_assert_cmpfloat (worst_share_error (&s), >, 15.0);
  ranet_policy_get_stats (s.policy, &stats);
  g_assert_cmpuint (stats.probes, ==, 0);
  g_assert_false (ranet_policy_is_calibrated_online (s.policy));
  for (guint j = 0; j < N_POINTS; j++)
    for (guint k = 0; k + 1 < N_EXITS; k++)
      g_assert_cmpfloat (ranet_policy_get_thresholds (s.policy, j)[k], ==, t.thresholds[j][k]);
  ranet_policy_free (s.policy);
  g_rand_free (s.rand);
}

/* A frame becomes a probe only when the whole network fits the budget:
 * probing must not make frames late. */
static void
test_probes_within_budget (void)
{
  Table t;
  Sim s;
  RanetPolicyStats stats;

  table_init (&t);
  sim_init (&s, &t, ranet_policy_new (N_EXITS, t.stage_macs, t.points, N_POINTS, NULL));
  ranet_policy_set_online_calibration (s.policy, TRUE, 4, 100);
  /* the whole network takes 5 ms */
  ranet_policy_set_latency_budget (s.policy, (guint64) (4.0 * MS));
  run (&s, 2000);
  ranet_policy_get_stats (s.policy, &stats);
  g_assert_cmpuint (stats.probes, ==, 0);
  g_assert_cmpuint (s.late, ==, 0);

  ranet_policy_set_latency_budget (s.policy, (guint64) (6.0 * MS));
  run (&s, 2000);
  ranet_policy_get_stats (s.policy, &stats);
  g_assert_cmpuint (stats.probes, ==, 2000 / 4);
  g_assert_cmpuint (s.late, ==, 0);
  ranet_policy_free (s.policy);
  g_rand_free (s.rand);
}

/* A placeholder calibration (one point, every frame to the last exit)
 * becomes a set of points from the stream, whose plans hold and among which
 * the policy then chooses by the budget. */
static void
test_placeholder (void)
{
  const double thresholds[N_EXITS] = { 1.0, 1.0, 1.0, -1.0 };
  const double fractions[N_EXITS] = { 0.0, 0.0, 0.0, 1.0 };
  RanetPolicyPoint point = { thresholds, fractions, 0.0 };
  RanetPolicyStats stats;
  Table t;
  Sim s;
  guint first;

  table_init (&t);
  sim_init (&s, &t, ranet_policy_new (N_EXITS, t.stage_macs, &point, 1, NULL));
  ranet_policy_set_online_calibration (s.policy, TRUE, 30, 300);
  ranet_policy_set_latency_budget (s.policy, (guint64) (6.0 * MS));
  s.hard_from = 0.2;
  /* every frame runs every exit anyway: each is a probe, the interval aside */
  run (&s, 290);
  g_assert_cmpuint (ranet_policy_get_n_points (s.policy), ==, 1);
  /* the first frames have no measured latency to trust a probe to; the
   * recomputation comes at the start of the frame after the window fills */
  run (&s, 20);
  ranet_policy_get_stats (s.policy, &stats);
  g_assert_cmpuint (stats.probes, >=, 300);
  g_assert_cmpuint (ranet_policy_get_n_points (s.policy), >, 10);
  g_assert_true (ranet_policy_is_calibrated_online (s.policy));

  run (&s, 3000);
  g_assert_cmpfloat (worst_share_error (&s), <, 5.0);
  /* everything fits: the deepest point */
  first = ranet_policy_get_point (s.policy);
  g_assert_cmpfloat (ranet_policy_predict_cost (s.policy, first), >, 3.0 * MS);

  /* a budget the full network does not fit: a cheaper point, no probes */
  ranet_policy_get_stats (s.policy, &stats);
  ranet_policy_set_latency_budget (s.policy, (guint64) (3.0 * MS));
  run (&s, 1000);
  run (&s, 2000);
  g_assert_cmpuint (ranet_policy_get_point (s.policy), !=, first);
  g_assert_cmpfloat (ranet_policy_predict_cost (s.policy, ranet_policy_get_point (s.policy)),
      <=, 3.0 * MS);
  g_assert_cmpuint (s.late, <=, 20);
  g_assert_cmpuint (s.policy->stats.probes, ==, stats.probes);
  ranet_policy_free (s.policy);
  g_rand_free (s.rand);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/policy-online/shift", test_shift);
  g_test_add_func ("/policy-online/off-keeps-thresholds", test_off_keeps_thresholds);
  g_test_add_func ("/policy-online/probes-within-budget", test_probes_within_budget);
  g_test_add_func ("/policy-online/placeholder", test_placeholder);
  return g_test_run ();
}
