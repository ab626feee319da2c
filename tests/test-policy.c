/* test-policy.c: the frame-rate policy against a simulated network and clock.
 *
 * The simulated network has five exits with fixed stage costs. A frame has a
 * hardness u in [0, 1); its confidence at exit k is 1 - u * (1 - 0.15 k), so
 * harder frames need deeper exits. Operating points use one threshold t for
 * every exit; their exit fractions are what the confidence model gives for
 * uniformly distributed hardness (the "validation split"), and their accuracy
 * grows with the stages they spend, as a real calibration table does.
 *
 * Every scenario asserts what the policy promises: after a stated settling
 * time at least 99% of frames finish within the budget, the point in use is the
 * most accurate one that fits, and the point changes only a bounded number of
 * times. Frames run stage by stage, the deadline checked between stages, or
 * (Sim.one_submission) as one submission whose last stage the policy picks
 * before the frame. */
#include "policy/ranet-policy.h"

#include <math.h>

#define N_EXITS 5
#define N_POINTS 14
#define MS 1000000.0

static const double stage_ms[N_EXITS] = { 2.0, 1.0, 0.8, 1.0, 0.5 };
/* host work per frame outside the stages (copying the frame in) */
#define OVERHEAD_MS 0.05
/* stage costs vary by up to +-NOISE from frame to frame */
#define NOISE 0.03

typedef struct {
  double thresholds[N_POINTS][N_EXITS];
  double fractions[N_POINTS][N_EXITS];
  double accuracy[N_POINTS];
  RanetPolicyPoint points[N_POINTS];
  double stage_macs[N_EXITS];
} Table;

static double
confidence (double u, guint k)
{
  return 1.0 - u * (1.0 - 0.15 * k);
}

static guint
exit_for (const double *thresholds, double u)
{
  for (guint k = 0; k + 1 < N_EXITS; k++)
    if (confidence (u, k) >= thresholds[k])
      return k;
  return N_EXITS - 1;
}

static void
table_init (Table *t)
{
  for (guint j = 0; j < N_POINTS; j++) {
    double mean_exit = 0.0;
    for (guint k = 0; k < N_EXITS; k++) {
      t->thresholds[j][k] = 0.3 + 0.05 * j;
      t->fractions[j][k] = 0.0;
    }
    for (guint i = 0; i < 10000; i++) {
      guint e = exit_for (t->thresholds[j], (i + 0.5) / 10000.0);
      t->fractions[j][e] += 1e-4;
      mean_exit += e * 1e-4;
    }
    t->accuracy[j] = 80.0 + 3.0 * mean_exit;
    t->points[j] = (RanetPolicyPoint) { t->thresholds[j], t->fractions[j], t->accuracy[j] };
  }
  /* stage MACs proportional to the stage costs, as on a real device */
  for (guint k = 0; k < N_EXITS; k++)
    t->stage_macs[k] = stage_ms[k] * 1e6;
}

/* True expected cost (ms) of point @j for uniform hardness and load @load. */
static double
true_cost_ms (const Table *t, guint j, double load)
{
  double cum = 0.0, cost = OVERHEAD_MS;
  for (guint k = 0; k < N_EXITS; k++) {
    cum += stage_ms[k] * load;
    cost += t->fractions[j][k] * cum;
  }
  return cost;
}

/* The most accurate point whose true cost fits within @limit_ms. */
static gint
oracle (const Table *t, double limit_ms, double load)
{
  gint best = -1;
  for (guint j = 0; j < N_POINTS; j++)
    if (true_cost_ms (t, j, load) <= limit_ms && (best < 0 || t->accuracy[j] > t->accuracy[best]))
      best = (gint) j;
  return best;
}

typedef struct {
  RanetPolicy *policy;
  GRand *rand;
  guint64 now;
  gboolean one_submission;
  /* per-frame outcome of the last run_frames() */
  guint met, frames, forced, changes;
  double exit_sum;
} Sim;

static void
sim_init (Sim *s, const Table *t, guint64 budget_ns)
{
  s->policy = ranet_policy_new (N_EXITS, t->stage_macs, t->points, N_POINTS, NULL);
  ranet_policy_set_latency_budget (s->policy, budget_ns);
  s->rand = g_rand_new_with_seed (42);
  s->now = 1000000000;
  s->one_submission = FALSE;
}

static void
sim_clear (Sim *s)
{
  ranet_policy_free (s->policy);
  g_rand_free (s->rand);
}

/* Runs @n frames with stage costs scaled by @load and hardness drawn as
 * U^@skew (skew < 1: more hard frames than in calibration). */
static void
run_frames (Sim *s, guint n, double load, double skew)
{
  RanetPolicyStats before, after;

  ranet_policy_get_stats (s->policy, &before);
  s->met = s->frames = s->forced = 0;
  s->exit_sum = 0.0;
  for (guint i = 0; i < n; i++) {
    RanetPolicyFrame f;
    double u = pow (g_rand_double (s->rand), skew);
    guint k = 0, last = N_EXITS - 1;
    gboolean forced = FALSE;

    ranet_policy_begin_frame (s->policy, s->now, &f);
    if (s->one_submission)
      last = ranet_policy_get_last_stage (s->policy, &f, N_EXITS - 1, s->now);
    s->now += (guint64) (OVERHEAD_MS * MS);
    for (k = 0;; k++) {
      double noise = 1.0 + NOISE * (2.0 * g_rand_double (s->rand) - 1.0);
      guint64 cost = (guint64) (stage_ms[k] * load * noise * MS);
      s->now += cost;
      ranet_policy_stage_done (s->policy, k, cost);
      if (k == N_EXITS - 1 || confidence (u, k) >= f.thresholds[k])
        break;
      if (k == last
          || (!s->one_submission && !ranet_policy_can_run_stage (s->policy, &f, k + 1, s->now))) {
        forced = TRUE;
        break;
      }
    }
    ranet_policy_end_frame (s->policy, &f, k, s->now, forced);
    s->frames++;
    s->met += s->now - f.start_ns <= ranet_policy_get_budget (s->policy) ? 1 : 0;
    s->forced += forced;
    s->exit_sum += k;
    s->now += 1000000;   /* idle until the next frame */
  }
  ranet_policy_get_stats (s->policy, &after);
  s->changes = (guint) (after.point_changes - before.point_changes);
}

static double
met_share (const Sim *s)
{
  return (double) s->met / s->frames;
}

/* The point in use must fit the budget and be at least as accurate as the
 * best point with the policy's headroom to spare. */
static void
assert_best_feasible (const Table *t, Sim *s, double budget_ms, double load)
{
  guint p = ranet_policy_get_point (s->policy);
  gint best = oracle (t, budget_ms * 0.9, load);

  g_test_message ("point %u (accuracy %.2f, true cost %.2f ms) budget %.2f ms, "
      "best with headroom %d (%.2f)", p, t->accuracy[p], true_cost_ms (t, p, load),
      budget_ms, best, best >= 0 ? t->accuracy[best] : 0.0);
  g_assert_cmpfloat (true_cost_ms (t, p, load), <=, budget_ms);
  g_assert_cmpint (best, >=, 0);
  g_assert_cmpfloat (t->accuracy[p], >=, t->accuracy[best]);
}

static void
test_steady (void)
{
  Table t;
  Sim s;

  table_init (&t);
  sim_init (&s, &t, (guint64) (3.5 * MS));
  run_frames (&s, 100, 1.0, 1.0);          /* settling: 100 frames */
  run_frames (&s, 1000, 1.0, 1.0);
  g_test_message ("steady: %.2f%% met, %u forced, %u changes, mean exit %.2f",
      100 * met_share (&s), s.forced, s.changes, s.exit_sum / s.frames);
  g_assert_cmpfloat (met_share (&s), >=, 0.99);
  /* neighbouring points differ by a few percent in cost: an occasional step
   * between two of them is fine, a cycle every few dozen frames is not */
  g_assert_cmpuint (s.changes, <=, 4);
  assert_best_feasible (&t, &s, 3.5, 1.0);
  sim_clear (&s);
}

/* The steady and the too-small budgets again, every frame one submission:
 * the deadline is met as often, and the last stage picked before a frame is
 * the one the stage-by-stage check would have stopped at. */
static void
test_one_submission (void)
{
  Table t;
  Sim s;
  RanetPolicyFrame f;

  table_init (&t);
  sim_init (&s, &t, (guint64) (3.5 * MS));
  s.one_submission = TRUE;
  /* nothing measured: with a deadline only stage 0, without one every stage */
  ranet_policy_begin_frame (s.policy, s.now, &f);
  g_assert_cmpuint (ranet_policy_get_last_stage (s.policy, &f, N_EXITS - 1, s.now), ==, 0);
  run_frames (&s, 100, 1.0, 1.0);
  run_frames (&s, 1000, 1.0, 1.0);
  g_test_message ("one submission: %.2f%% met, %u forced, %u changes, mean exit %.2f",
      100 * met_share (&s), s.forced, s.changes, s.exit_sum / s.frames);
  g_assert_cmpfloat (met_share (&s), >=, 0.99);
  g_assert_cmpuint (s.changes, <=, 4);
  assert_best_feasible (&t, &s, 3.5, 1.0);

  /* the last stage matches the stage-by-stage check with mean stage costs */
  ranet_policy_begin_frame (s.policy, s.now, &f);
  {
    guint last = ranet_policy_get_last_stage (s.policy, &f, N_EXITS - 1, s.now);
    double t_ns = (double) s.now;
    guint k;

    for (k = 0; k + 1 < N_EXITS; k++) {
      t_ns += ranet_policy_get_stage_latency (s.policy, k);
      if (!ranet_policy_can_run_stage (s.policy, &f, k + 1, (guint64) t_ns))
        break;
    }
    g_assert_cmpuint (last, ==, k);
    g_assert_cmpuint (last, <, N_EXITS - 1);   /* 3.5 ms: not every stage fits */
    g_assert_cmpuint (ranet_policy_get_last_stage (s.policy, &f, 0, s.now), ==, 0);
  }
  sim_clear (&s);

  /* 1 ms: stage 0 only, every frame */
  sim_init (&s, &t, (guint64) (1.0 * MS));
  s.one_submission = TRUE;
  run_frames (&s, 300, 1.0, 1.0);
  g_assert_cmpfloat (s.exit_sum, ==, 0.0);
  sim_clear (&s);

  /* no budget: every stage may run */
  sim_init (&s, &t, 0);
  s.one_submission = TRUE;
  ranet_policy_begin_frame (s.policy, s.now, &f);
  g_assert_cmpuint (ranet_policy_get_last_stage (s.policy, &f, N_EXITS - 1, s.now), ==,
      N_EXITS - 1);
  run_frames (&s, 50, 1.0, 1.0);
  g_assert_cmpuint (s.forced, ==, 0);
  sim_clear (&s);
}

/* A one-submission frame's time shared out among its stages: by their device
 * times where every one is known (stage 0 taking the rest), else in
 * proportion to the multiply-adds (nothing measured yet) or to the estimates.
 * A fresh policy takes each stage's first cost as its latency. */
static void
test_frame_stages_done (void)
{
  Table t;
  /* device times in another proportion than the multiply-adds (2 : 1 : 0.8,
   * table_init()), so that each way of sharing shows */
  const guint64 device_ns[] = { 0, (guint64) (1.5 * MS), (guint64) (0.3 * MS) };
  const guint64 one_unknown[] = { 0, (guint64) (1.5 * MS), 0 };
  const guint64 too_long[] = { 0, (guint64) (3.0 * MS), (guint64) (3.0 * MS) };
  const struct {
    const guint64 *device_ns;
    double expect_ms[3];
  } cases[] = {
    { device_ns, { 2.0, 1.5, 0.3 } },
    /* by the multiply-adds */
    { NULL, { 2.0, 1.0, 0.8 } },
    { one_unknown, { 2.0, 1.0, 0.8 } },
    { too_long, { 2.0, 1.0, 0.8 } },
  };
  RanetPolicy *p;

  table_init (&t);
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++) {
    p = ranet_policy_new (N_EXITS, t.stage_macs, t.points, N_POINTS, NULL);
    ranet_policy_frame_stages_done (p, 2, (guint64) (3.8 * MS), cases[c].device_ns);
    for (guint k = 0; k <= 2; k++)
      g_assert_cmpfloat_with_epsilon (ranet_policy_get_stage_latency (p, k),
          cases[c].expect_ms[k] * MS, 2.0);
    ranet_policy_free (p);
  }

  /* once measured, a frame without device times is shared out by the
   * estimates (2 : 1.5 : 0.3), not by the multiply-adds */
  p = ranet_policy_new (N_EXITS, t.stage_macs, t.points, N_POINTS, NULL);
  ranet_policy_frame_stages_done (p, 2, (guint64) (3.8 * MS), device_ns);
  ranet_policy_frame_stages_done (p, 2, (guint64) (3.8 * MS), NULL);
  g_assert_cmpfloat_with_epsilon (ranet_policy_get_stage_latency (p, 1), 1.5 * MS, 0.01 * MS);
  g_assert_cmpfloat_with_epsilon (ranet_policy_get_stage_latency (p, 2), 0.3 * MS, 0.01 * MS);
  ranet_policy_free (p);
}

static void
test_load_step (void)
{
  Table t;
  Sim s;
  guint best_before;

  table_init (&t);
  sim_init (&s, &t, (guint64) (10.0 * MS));
  run_frames (&s, 100, 1.0, 1.0);
  best_before = ranet_policy_get_point (s.policy);

  /* the machine gets three times slower for 200 frames */
  run_frames (&s, 30, 3.0, 1.0);           /* settling: 30 frames */
  run_frames (&s, 170, 3.0, 1.0);
  g_test_message ("x3 load: %.2f%% met, %u forced, %u changes", 100 * met_share (&s),
      s.forced, s.changes);
  g_assert_cmpfloat (met_share (&s), >=, 0.99);
  g_assert_cmpuint (s.changes, <=, 2);
  assert_best_feasible (&t, &s, 10.0, 3.0);

  /* and recovers: back to the most accurate feasible point */
  run_frames (&s, 100, 1.0, 1.0);          /* settling: 100 frames */
  run_frames (&s, 300, 1.0, 1.0);
  g_test_message ("recovered: %.2f%% met, %u changes", 100 * met_share (&s), s.changes);
  g_assert_cmpfloat (met_share (&s), >=, 0.99);
  g_assert_cmpuint (s.changes, <=, 1);
  assert_best_feasible (&t, &s, 10.0, 1.0);
  g_assert_cmpuint (ranet_policy_get_point (s.policy), ==, best_before);
  sim_clear (&s);
}

static void
test_content_drift (void)
{
  Table t;
  Sim s;
  guint calm;

  table_init (&t);
  sim_init (&s, &t, (guint64) (4.0 * MS));
  run_frames (&s, 200, 1.0, 1.0);
  calm = ranet_policy_get_point (s.policy);

  /* far more hard frames than calibration saw: the same thresholds send most
   * frames deep, so the policy must move to cheaper thresholds */
  run_frames (&s, 100, 1.0, 0.25);         /* settling: 100 frames */
  run_frames (&s, 500, 1.0, 0.25);
  g_test_message ("drift: %.2f%% met, %u forced, %u changes, point %u (was %u)",
      100 * met_share (&s), s.forced, s.changes, ranet_policy_get_point (s.policy), calm);
  g_assert_cmpfloat (met_share (&s), >=, 0.99);
  g_assert_cmpuint (s.changes, <=, 3);
  g_assert_cmpfloat (t.accuracy[ranet_policy_get_point (s.policy)], <, t.accuracy[calm]);
  sim_clear (&s);
}

static void
test_qos_flood (void)
{
  Table t;
  Sim s;
  guint64 nominal = (guint64) (5.0 * MS);
  guint p_calm, p_late;

  table_init (&t);
  sim_init (&s, &t, nominal);
  run_frames (&s, 100, 1.0, 1.0);
  p_calm = ranet_policy_get_point (s.policy);

  /* downstream is twice too slow and says so with every buffer, 1000 times */
  for (guint i = 0; i < 1000; i++)
    ranet_policy_handle_qos (s.policy, 2.0, 5000000);
  g_assert_cmpuint (ranet_policy_get_budget (s.policy), <, nominal / 2);
  g_assert_cmpuint (ranet_policy_get_budget (s.policy), >=, nominal / 20);
  run_frames (&s, 50, 1.0, 1.0);
  run_frames (&s, 200, 1.0, 1.0);
  p_late = ranet_policy_get_point (s.policy);
  g_test_message ("qos flood: budget %.2f ms, point %u -> %u, %u changes",
      ranet_policy_get_budget (s.policy) / MS, p_calm, p_late, s.changes);
  g_assert_cmpuint (s.changes, <=, 1);
  g_assert_cmpfloat (t.accuracy[p_late], <, t.accuracy[p_calm]);
  /* never a dropped frame: every frame gets a result, at least exit 0 */
  g_assert_cmpuint (s.frames, ==, 200);

  /* downstream catches up: the budget and the point come back, gradually */
  for (guint i = 0; i < 1000; i++)
    ranet_policy_handle_qos (s.policy, 0.5, -5000000);
  g_assert_cmpuint (ranet_policy_get_budget (s.policy), ==, nominal);
  run_frames (&s, 100, 1.0, 1.0);
  run_frames (&s, 200, 1.0, 1.0);
  g_assert_cmpuint (ranet_policy_get_point (s.policy), ==, p_calm);
  g_assert_cmpuint (s.changes, <=, 1);

  /* nonsense QoS values are ignored */
  ranet_policy_handle_qos (s.policy, NAN, 0);
  ranet_policy_handle_qos (s.policy, -1.0, 0);
  ranet_policy_handle_qos (s.policy, 0.0, 0);
  g_assert_cmpuint (ranet_policy_get_budget (s.policy), ==, nominal);
  sim_clear (&s);
}

static void
test_budget_below_first_exit (void)
{
  Table t;
  Sim s;
  RanetPolicyStats stats;
  guint cheapest = 0;

  table_init (&t);
  for (guint j = 0; j < N_POINTS; j++)
    if (true_cost_ms (&t, j, 1.0) < true_cost_ms (&t, cheapest, 1.0))
      cheapest = j;

  /* 1 ms cannot even pay for stage 0 (2 ms): every frame leaves at exit 0,
   * forced unless confident there, and the cheapest point is in use */
  sim_init (&s, &t, (guint64) (1.0 * MS));
  run_frames (&s, 20, 1.0, 1.0);
  run_frames (&s, 300, 1.0, 1.0);
  g_assert_cmpfloat (s.exit_sum, ==, 0.0);
  g_assert_cmpuint (s.met, ==, 0);
  g_assert_cmpuint (s.changes, ==, 0);
  g_assert_cmpuint (ranet_policy_get_point (s.policy), ==, cheapest);
  ranet_policy_get_stats (s.policy, &stats);
  g_assert_cmpuint (stats.deadline_misses, ==, stats.frames);
  g_assert_cmpuint (stats.forced_exits, >, 0);
  sim_clear (&s);
}

static void
test_no_budget (void)
{
  Table t;
  Sim s;
  guint best = 0;

  table_init (&t);
  for (guint j = 0; j < N_POINTS; j++)
    if (t.accuracy[j] > t.accuracy[best])
      best = j;
  sim_init (&s, &t, 0);
  g_assert_false (ranet_policy_has_budget (s.policy));
  g_assert_cmpuint (ranet_policy_get_budget (s.policy), ==, G_MAXUINT64);
  run_frames (&s, 50, 1.0, 1.0);
  g_assert_cmpuint (ranet_policy_get_point (s.policy), ==, best);
  g_assert_cmpuint (s.forced, ==, 0);

  /* a frame period gives period x fraction */
  ranet_policy_set_frame_period (s.policy, 40 * 1000000);
  g_assert_cmpuint (ranet_policy_get_budget (s.policy), ==, 20 * 1000000);
  ranet_policy_set_budget_fraction (s.policy, 0.25);
  g_assert_cmpuint (ranet_policy_get_budget (s.policy), ==, 10 * 1000000);
  sim_clear (&s);
}

/* Budgets across all of guint64: they read back exactly, shrink under QoS
 * without wrapping, and give deadlines that saturate instead of wrapping. */
static void
test_budget_bounds (void)
{
  static const guint64 budgets[] = {
    1, 2, G_GUINT64_CONSTANT (9007199254740993) /* 2^53 + 1 */,
    G_MAXINT64, (guint64) G_MAXINT64 + 1, G_MAXUINT64 - 1, G_MAXUINT64,
  };
  Table t;
  Sim s;
  RanetPolicyFrame f;
  RanetPolicyStats stats;
  guint best = 0;

  table_init (&t);
  for (guint j = 0; j < N_POINTS; j++)
    if (t.accuracy[j] > t.accuracy[best])
      best = j;
  for (guint i = 0; i < G_N_ELEMENTS (budgets); i++) {
    sim_init (&s, &t, budgets[i]);
    g_assert_true (ranet_policy_has_budget (s.policy));
    g_assert_cmpuint (ranet_policy_get_nominal_budget (s.policy), ==, budgets[i]);
    g_assert_cmpuint (ranet_policy_get_budget (s.policy), ==, budgets[i]);
    /* a deadline past the end of the clock is none */
    ranet_policy_begin_frame (s.policy, G_MAXUINT64 - 1, &f);
    g_assert_cmpuint (f.deadline_ns, ==, G_MAXUINT64);
    ranet_policy_begin_frame (s.policy, 1000, &f);
    g_assert_cmpuint (f.deadline_ns, ==, budgets[i] > G_MAXUINT64 - 1000
        ? G_MAXUINT64 : 1000 + budgets[i]);
    /* downstream late: less, but never wrapped to nothing */
    ranet_policy_handle_qos (s.policy, 2.0, 1000000);
    g_assert_cmpuint (ranet_policy_get_budget (s.policy), <=, budgets[i]);
    if (budgets[i] > 1000)
      g_assert_cmpuint (ranet_policy_get_budget (s.policy), >, budgets[i] / 2);
    sim_clear (&s);
  }

  /* the largest budget holds every stage of every frame: nothing forced,
   * nothing late, the most accurate point, in both ways of running frames */
  for (guint one_submission = 0; one_submission <= 1; one_submission++) {
    sim_init (&s, &t, G_MAXUINT64);
    s.one_submission = one_submission;
    run_frames (&s, 100, 1.0, 1.0);
    ranet_policy_get_stats (s.policy, &stats);
    g_assert_cmpuint (s.forced, ==, 0);
    g_assert_cmpuint (stats.deadline_misses, ==, 0);
    g_assert_cmpuint (s.met, ==, s.frames);
    g_assert_cmpuint (ranet_policy_get_point (s.policy), ==, best);
    sim_clear (&s);
  }

  /* a frame period of G_MAXUINT64 ns (target-fps near 0) x a fraction */
  sim_init (&s, &t, 0);
  ranet_policy_set_frame_period (s.policy, G_MAXUINT64);
  g_assert_cmpuint (ranet_policy_get_budget (s.policy), ==, G_MAXUINT64 / 2 + 1);
  ranet_policy_set_budget_fraction (s.policy, 1.0);
  g_assert_cmpuint (ranet_policy_get_budget (s.policy), ==, G_MAXUINT64);
  ranet_policy_set_budget_fraction (s.policy, 0.01);
  g_assert_cmpfloat_with_epsilon ((double) ranet_policy_get_budget (s.policy),
      0.01 * 18446744073709551616.0, 1e-12 * 18446744073709551616.0);
  /* and an exact one where a double is exact */
  ranet_policy_set_frame_period (s.policy, 33333333);
  g_assert_cmpuint (ranet_policy_get_budget (s.policy), ==, 333333);
  sim_clear (&s);

  /* a frame's time shared among its stages never gives them more than it took */
  sim_init (&s, &t, 0);
  ranet_policy_frame_stages_done (s.policy, N_EXITS - 1, G_MAXUINT64, NULL);
  {
    double sum = 0.0;

    for (guint k = 0; k < N_EXITS; k++)
      sum += ranet_policy_get_stage_latency (s.policy, k);
    g_assert_cmpfloat_with_epsilon (sum, 18446744073709551616.0, 1e-9 * sum);
    /* stage 0 got the rest, not a wrapped difference */
    g_assert_cmpfloat (ranet_policy_get_stage_latency (s.policy, 0), <,
        0.5 * 18446744073709551616.0);
  }
  sim_clear (&s);
}

static void
test_spoilt_estimate_recovers (void)
{
  Table t;
  Sim s;
  RanetPolicyFrame f;
  guint64 spoilt = (guint64) (40.0 * MS);

  table_init (&t);
  sim_init (&s, &t, (guint64) (10.0 * MS));
  run_frames (&s, 50, 1.0, 1.0);
  /* one run of stage 1 took 40 times its cost (a preempted thread) */
  ranet_policy_begin_frame (s.policy, s.now, &f);
  ranet_policy_stage_done (s.policy, 1, spoilt);
  g_assert_cmpfloat (ranet_policy_get_stage_latency (s.policy, 1), >, 3 * stage_ms[1] * MS);
  ranet_policy_end_frame (s.policy, &f, 1, s.now + spoilt, FALSE);

  /* the estimate comes back within a few hundred frames, and frames go deep again */
  run_frames (&s, 300, 1.0, 1.0);
  run_frames (&s, 200, 1.0, 1.0);
  g_test_message ("stage 1 estimate %.2f ms (true %.2f), mean exit %.2f",
      ranet_policy_get_stage_latency (s.policy, 1) / MS, stage_ms[1], s.exit_sum / s.frames);
  g_assert_cmpfloat (ranet_policy_get_stage_latency (s.policy, 1), <, 1.5 * stage_ms[1] * MS);
  g_assert_cmpfloat (s.exit_sum / s.frames, >, 1.0);
  g_assert_cmpfloat (met_share (&s), >=, 0.99);
  assert_best_feasible (&t, &s, 10.0, 1.0);
  sim_clear (&s);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/policy/steady", test_steady);
  g_test_add_func ("/policy/load-step", test_load_step);
  g_test_add_func ("/policy/one-submission", test_one_submission);
  g_test_add_func ("/policy/frame-stages-done", test_frame_stages_done);
  g_test_add_func ("/policy/content-drift", test_content_drift);
  g_test_add_func ("/policy/qos-flood", test_qos_flood);
  g_test_add_func ("/policy/budget-below-first-exit", test_budget_below_first_exit);
  g_test_add_func ("/policy/no-budget", test_no_budget);
  g_test_add_func ("/policy/budget-bounds", test_budget_bounds);
  g_test_add_func ("/policy/spoilt-estimate-recovers", test_spoilt_estimate_recovers);
  return g_test_run ();
}
