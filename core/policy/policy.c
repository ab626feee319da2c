/* policy.c: budget, latency estimates, operating-point choice and deadlines. */
#include "policy/policy-private.h"

#include <math.h>

/* A frame's real cost over its prediction is believed only within these bounds:
 * one odd frame (a page fault, a preempted thread) must not swing the choice. */
#define FEEDBACK_MIN 0.25
#define FEEDBACK_MAX 4.0
/* QoS can shrink the budget to this share of its nominal value, no further. */
#define QOS_SCALE_MIN 0.05
/* Each QoS event moves the scale by proportion^-QOS_GAIN: a flood of events
 * (one per buffer) then adds up to a smooth change instead of a collapse. */
#define QOS_GAIN 0.1
/* Per frame, the QoS scale relaxes by this factor towards 1, so a budget cut by
 * a downstream that has since stopped reporting comes back (in ~350 frames
 * from half); a downstream still late keeps cutting faster than this. */
#define QOS_RELAX 1.002
/* A stage that has not run for IDLE_FRAMES frames has its shape factor pulled
 * towards 1, and its deviation towards 0, by IDLE_DECAY per frame. An estimate spoilt by one slow run (a
 * preempted thread) would otherwise keep the deadline check from ever running
 * the stage again, and so from ever correcting it; this way the stage gets
 * tried again within a few hundred frames and is measured afresh. */
#define IDLE_FRAMES 30
#define IDLE_DECAY 0.02

void
ranet_policy_params_init (RanetPolicyParams *params)
{
  /* The element runs in its upstream's streaming thread, which also converts,
   * scales and pushes every frame, and the machine runs other work: half the
   * frame period for classification leaves the other half for all of that and
   * for jitter. */
  params->budget_fraction = 0.5;
  /* Half a second at 30 fps: long enough that estimates settle after a move. */
  params->settle_frames = 15;
  /* A 10% margin: stage latencies vary by a few percent from frame to frame. */
  params->headroom = 0.1;
  /* Latencies follow a change of machine load within ~10 frames and ignore
   * single outliers. A frame's cost depends on where it exits, so one frame says
   * little about a point; the cost ratio averages over ~50 frames. */
  params->latency_smoothing = 0.1;
  params->feedback_smoothing = 0.02;
}

RanetPolicy *
ranet_policy_new (guint n_exits, const double *stage_macs,
    const RanetPolicyPoint *points, guint n_points,
    const RanetPolicyParams *params)
{
  RanetPolicy *p;
  guint best = 0;

  g_return_val_if_fail (n_exits > 0 && stage_macs != NULL, NULL);
  g_return_val_if_fail (points != NULL && n_points > 0, NULL);

  p = g_new0 (RanetPolicy, 1);
  if (params != NULL)
    p->params = *params;
  else
    ranet_policy_params_init (&p->params);
  p->n_exits = n_exits;
  p->stage_macs = g_new (double, n_exits);
  for (guint k = 0; k < n_exits; k++)
    /* a stage of no multiply-adds (none in a RANet) still costs a dispatch */
    p->stage_macs[k] = MAX (stage_macs[k], 1.0);
  p->n_points = n_points;
  p->points = g_new0 (RanetPolicyPointData, n_points);
  for (guint i = 0; i < n_points; i++) {
    p->points[i].thresholds = g_memdup2 (points[i].thresholds, n_exits * sizeof (double));
    p->points[i].fractions = g_memdup2 (points[i].exit_fractions, n_exits * sizeof (double));
    p->points[i].accuracy = points[i].accuracy;
    /* the last exit takes whatever reaches it */
    p->points[i].thresholds[n_exits - 1] = -1.0;
    if (points[i].accuracy > points[best].accuracy)
      best = i;
  }
  p->stages = g_new0 (RanetPolicyStage, n_exits);
  for (guint k = 0; k < n_exits; k++)
    p->stages[k].efficiency = 1.0;
  p->qos_scale = 1.0;
  p->feedback = 1.0;
  p->current = best;
  ranet_policy_online_init (p);
  return p;
}

void
ranet_policy_free (RanetPolicy *policy)
{
  if (policy == NULL)
    return;
  for (guint i = 0; i < policy->n_points; i++) {
    g_free (policy->points[i].thresholds);
    g_free (policy->points[i].fractions);
  }
  g_free (policy->points);
  ranet_policy_online_clear (policy);
  g_free (policy->stages);
  g_free (policy->stage_macs);
  g_free (policy);
}

/* ---- budget ---- */

/* Budgets and deadlines span all of guint64 (a latency budget of
 * G_MAXUINT64 ns is as valid as one of 1 ns): arithmetic on them saturates,
 * and stays in integers where it can, so that a budget reads back as set. A
 * double holds 53 bits: 2^63 - 1 through a double comes back as 2^63, and a
 * cast of a double at or past 2^64 to guint64 is undefined (0 on x86-64). */

/* @ns as a guint64: 0 below 0 (or NaN), G_MAXUINT64 at or past 2^64. */
static guint64
ns_from_double (double ns)
{
  if (!(ns > 0.0))
    return 0;
  if (ns >= 18446744073709551616.0)
    return G_MAXUINT64;
  return (guint64) ns;
}

/* @ns x @factor, for a factor in [0, 1]: exactly @ns at 1, never more than
 * @ns (the double nearest a large @ns may be above it). */
static guint64
scale_ns (guint64 ns, double factor)
{
  double scaled;

  if (factor >= 1.0)
    return ns;
  scaled = (double) ns * factor;
  return scaled >= (double) ns ? ns : ns_from_double (scaled);
}

guint64
ranet_policy_add_ns (guint64 a, guint64 b)
{
  return a > G_MAXUINT64 - b ? G_MAXUINT64 : a + b;
}

void
ranet_policy_set_frame_period (RanetPolicy *policy, guint64 period_ns)
{
  policy->period_ns = period_ns;
}

void
ranet_policy_set_latency_budget (RanetPolicy *policy, guint64 budget_ns)
{
  policy->latency_budget_ns = budget_ns;
}

void
ranet_policy_set_budget_fraction (RanetPolicy *policy, double fraction)
{
  policy->params.budget_fraction = CLAMP (fraction, 0.0, 1.0);
}

void
ranet_policy_handle_qos (RanetPolicy *policy, double proportion, gint64 jitter_ns)
{
  if (!(proportion > 0.0) || !isfinite (proportion))
    return;
  /* late buffers count as at least a little too slow, even when the average
   * rate looks right */
  if (jitter_ns > 0 && proportion < 1.05)
    proportion = 1.05;
  policy->qos_scale = CLAMP (policy->qos_scale * pow (proportion, -QOS_GAIN),
      QOS_SCALE_MIN, 1.0);
}

gboolean
ranet_policy_has_budget (RanetPolicy *policy)
{
  return policy->latency_budget_ns > 0 || policy->period_ns > 0;
}

guint64
ranet_policy_get_nominal_budget (RanetPolicy *policy)
{
  if (policy->latency_budget_ns > 0)
    return policy->latency_budget_ns;
  if (policy->period_ns > 0)
    return scale_ns (policy->period_ns, policy->params.budget_fraction);
  return G_MAXUINT64;
}

guint64
ranet_policy_get_budget (RanetPolicy *policy)
{
  if (!ranet_policy_has_budget (policy))
    return G_MAXUINT64;
  return scale_ns (ranet_policy_get_nominal_budget (policy), policy->qos_scale);
}

/* ---- estimates ---- */

double
ranet_policy_get_stage_latency (RanetPolicy *policy, guint stage)
{
  g_return_val_if_fail (stage < policy->n_exits, 0.0);
  return policy->stages[stage].efficiency * policy->stage_macs[stage] * policy->rate;
}

/* Mean latency plus a margin for its variation: what a deadline check trusts. */
static double
stage_latency_bound (RanetPolicy *policy, guint stage)
{
  return ranet_policy_get_stage_latency (policy, stage)
      * (1.0 + RANET_POLICY_DEVIATIONS * policy->stages[stage].deviation);
}

static double
predict_single (RanetPolicy *policy, guint point)
{
  const RanetPolicyPointData *pt = &policy->points[point];
  double cumulative = 0.0, cost = 0.0;

  for (guint k = 0; k < policy->n_exits; k++) {
    cumulative += ranet_policy_get_stage_latency (policy, k);
    cost += pt->fractions[k] * cumulative;
  }
  return cost;
}

double
ranet_policy_predict_uncorrected (RanetPolicy *policy, guint point, guint n_items)
{
  if (n_items == 1)
    return predict_single (policy, point);
  return ranet_policy_batch_cost_from (policy, point, 0, n_items);
}

double
ranet_policy_predict_cost (RanetPolicy *policy, guint point)
{
  g_return_val_if_fail (point < policy->n_points, 0.0);
  return predict_single (policy, point) * policy->feedback;
}

/* Expected extra latency, past exit @e, of a frame of point @point that does
 * not leave at or before @e. */
static double
expected_cost_beyond (RanetPolicy *policy, guint point, guint e)
{
  const RanetPolicyPointData *pt = &policy->points[point];
  double extra = 0.0, weight = 0.0, weighted = 0.0;

  for (guint k = e + 1; k < policy->n_exits; k++) {
    extra += ranet_policy_get_stage_latency (policy, k);
    weighted += pt->fractions[k] * extra;
    weight += pt->fractions[k];
  }
  if (e + 1 >= policy->n_exits)
    return 0.0;
  /* calibration saw no frame go further: assume the next stage */
  return weight > 0.0 ? weighted / weight : ranet_policy_get_stage_latency (policy, e + 1);
}

/* ---- choice ---- */

/* @point's corrected cost for a frame of @n_items items. */
static double
predict (RanetPolicy *policy, guint point, guint n_items)
{
  return ranet_policy_predict_uncorrected (policy, point, n_items) * policy->feedback;
}

/* The most accurate point whose corrected cost for @n_items items is at most
 * @limit; the cheapest point when none is. */
static guint
best_within (RanetPolicy *policy, guint n_items, double limit)
{
  gint best = -1;
  guint cheapest = 0;

  for (guint i = 0; i < policy->n_points; i++) {
    double cost = predict (policy, i, n_items);
    if (cost <= limit && (best < 0 || policy->points[i].accuracy > policy->points[best].accuracy))
      best = (gint) i;
    if (cost < predict (policy, cheapest, n_items))
      cheapest = i;
  }
  return best >= 0 ? (guint) best : cheapest;
}

void
ranet_policy_choose_point (RanetPolicy *policy, guint n_items)
{
  guint64 budget = ranet_policy_get_budget (policy);
  guint next = policy->current;

  if (n_items == 0)
    return;

  if (budget == G_MAXUINT64) {
    next = best_within (policy, n_items, G_MAXDOUBLE);
  } else if (policy->rate == 0.0) {
    /* nothing measured yet: the first frame teaches the latencies */
  } else if (predict (policy, policy->current, n_items) > (double) budget) {
    /* over budget: move down at once */
    next = best_within (policy, n_items, (double) budget);
  } else if (policy->frames_since_change >= policy->params.settle_frames) {
    guint up = best_within (policy, n_items, (double) budget * (1.0 - policy->params.headroom));
    if (policy->points[up].accuracy > policy->points[policy->current].accuracy
        && predict (policy, up, n_items) <= (double) budget * (1.0 - policy->params.headroom))
      next = up;
  }

  if (next != policy->current) {
    policy->current = next;
    policy->frames_since_change = 0;
    policy->stats.point_changes++;
  }
}

/* ---- per frame ---- */

void
ranet_policy_start_frame (RanetPolicy *policy)
{
  policy->qos_scale = MIN (1.0, policy->qos_scale * QOS_RELAX);
  for (guint k = 1; k < policy->n_exits; k++) {
    RanetPolicyStage *st = &policy->stages[k];
    if (st->measured && ++st->idle_frames > IDLE_FRAMES) {
      st->efficiency += IDLE_DECAY * (1.0 - st->efficiency);
      st->deviation *= 1.0 - IDLE_DECAY;
    }
  }
}

void
ranet_policy_begin_frame (RanetPolicy *policy, guint64 now_ns, RanetPolicyFrame *frame)
{
  guint64 budget;

  ranet_policy_start_frame (policy);
  /* before the choice: a recomputation may change every point's cost */
  frame->probe = ranet_policy_online_take_probe (policy);
  ranet_policy_choose_point (policy, 1);
  budget = ranet_policy_get_budget (policy);
  frame->point = policy->current;
  frame->thresholds = policy->points[policy->current].thresholds;
  frame->start_ns = now_ns;
  /* a deadline past the end of the clock is none */
  frame->deadline_ns = ranet_policy_add_ns (now_ns, budget);
}

gboolean
ranet_policy_can_run_stage (RanetPolicy *policy, const RanetPolicyFrame *frame,
    guint stage, guint64 now_ns)
{
  g_return_val_if_fail (stage < policy->n_exits, FALSE);
  if (stage == 0 || frame->deadline_ns == G_MAXUINT64)
    return TRUE;
  return (double) now_ns + stage_latency_bound (policy, stage)
      <= (double) frame->deadline_ns;
}

void
ranet_policy_frame_stages_done (RanetPolicy *policy, guint last_stage, guint64 total_ns,
    const guint64 *device_ns)
{
  g_autofree guint64 *cost = NULL;
  gboolean timed = device_ns != NULL;
  guint64 later = 0;

  g_return_if_fail (last_stage < policy->n_exits);
  cost = g_new0 (guint64, last_stage + 1);
  for (guint k = 1; k <= last_stage && timed; k++) {
    cost[k] = device_ns[k];
    timed = cost[k] > 0;
    later = ranet_policy_add_ns (later, cost[k]);
  }
  if (!timed || later > total_ns) {
    /* nothing measured yet: every estimate is 0, the multiply-adds are not */
    gboolean estimated = ranet_policy_get_stage_latency (policy, 0) > 0.0;
    double weights = 0.0;

    for (guint k = 0; k <= last_stage; k++)
      weights += estimated ? ranet_policy_get_stage_latency (policy, k) : policy->stage_macs[k];
    later = 0;
    for (guint k = 1; k <= last_stage; k++) {
      double w = estimated ? ranet_policy_get_stage_latency (policy, k) : policy->stage_macs[k];
      /* rounding must not give the later stages more than the frame took */
      cost[k] = weights > 0.0
          ? MIN (ns_from_double ((double) total_ns * w / weights), total_ns - later) : 0;
      later += cost[k];
    }
  }
  cost[0] = total_ns - later;
  for (guint k = 0; k <= last_stage; k++)
    ranet_policy_stage_done (policy, k, cost[k]);
}

guint
ranet_policy_get_last_stage (RanetPolicy *policy, const RanetPolicyFrame *frame,
    guint max_stage, guint64 now_ns)
{
  double start = (double) now_ns;
  guint k;

  max_stage = MIN (max_stage, policy->n_exits - 1);
  /* nothing measured yet: stage 0 will tell (a stage-by-stage frame would
   * know its cost before deciding on stage 1) */
  if (policy->rate == 0.0 && frame->deadline_ns != G_MAXUINT64)
    return 0;
  for (k = 0; k < max_stage; k++) {
    start += ranet_policy_get_stage_latency (policy, k);
    if (!ranet_policy_can_run_stage (policy, frame, k + 1, ns_from_double (start)))
      break;
  }
  return k;
}

void
ranet_policy_stage_done (RanetPolicy *policy, guint stage, guint64 cost_ns)
{
  RanetPolicyStage *s;
  double a = policy->params.latency_smoothing;
  double macs, observed, predicted;

  g_return_if_fail (stage < policy->n_exits);
  /* a single frame is a batch of one (policy-batch.c) */
  ranet_policy_add_to_line (policy, stage, 1, cost_ns);
  s = &policy->stages[stage];
  s->idle_frames = 0;
  macs = policy->stage_macs[stage];
  observed = (double) cost_ns;
  if (policy->rate == 0.0) {
    policy->rate = observed / (s->efficiency * macs);
    s->measured = TRUE;
    return;
  }
  predicted = ranet_policy_get_stage_latency (policy, stage);
  s->deviation = (1.0 - a) * s->deviation + a * fabs (observed / predicted - 1.0);
  if (!s->measured) {
    /* first run of this stage: its shape factor at the current rate */
    s->efficiency = observed / (macs * policy->rate);
    s->measured = TRUE;
    return;
  }
  /* the error is shared between the load (all stages) and this stage's shape;
   * the shape learns slower, since it changes only with the device */
  policy->rate = (1.0 - a) * policy->rate + a * observed / (s->efficiency * macs);
  s->efficiency = (1.0 - a / 4) * s->efficiency
      + (a / 4) * observed / (macs * policy->rate);
}

void
ranet_policy_finish_frame (RanetPolicy *policy, guint point, guint64 start_ns,
    guint64 deadline_ns, guint64 now_ns, gboolean forced, double predicted,
    double extra_ns)
{
  double cost = now_ns > start_ns ? (double) (now_ns - start_ns) : 0.0;

  policy->stats.frames++;
  policy->frames_since_change++;
  if (deadline_ns != G_MAXUINT64 && now_ns > deadline_ns)
    policy->stats.deadline_misses++;
  if (forced)
    policy->stats.forced_exits++;

  /* only frames of the current point say how good its prediction is */
  if (point == policy->current && predicted > 0.0 && cost > 0.0) {
    double ratio = CLAMP ((cost + extra_ns) / predicted, FEEDBACK_MIN, FEEDBACK_MAX);
    double a = policy->params.feedback_smoothing;
    policy->feedback = (1.0 - a) * policy->feedback + a * ratio;
  }
}

void
ranet_policy_end_frame (RanetPolicy *policy, const RanetPolicyFrame *frame,
    guint exit_index, guint64 now_ns, gboolean forced)
{
  /* A forced frame wanted more stages: count what it would have cost, or a
   * point too costly for the budget would look affordable because the
   * deadline cut its frames short. Where it would have left is unknown; the
   * calibration says where frames that pass exit_index leave on average. */
  double extra = forced ? expected_cost_beyond (policy, frame->point, exit_index) : 0.0;
  /* a probe ran every stage: what it cost says nothing of its point's
   * prediction, only of the stages' (which they learnt already) */
  double predicted = frame->probe ? ranet_policy_full_cost (policy)
      : predict_single (policy, frame->point);

  g_return_if_fail (exit_index < policy->n_exits);
  if (!forced)
    ranet_policy_online_count_exit (policy, frame->point, exit_index);
  ranet_policy_finish_frame (policy, frame->point, frame->start_ns, frame->deadline_ns,
      now_ns, forced, predicted, extra);
}

/* ---- what it did ---- */

guint
ranet_policy_get_point (RanetPolicy *policy)
{
  return policy->current;
}

guint
ranet_policy_get_n_points (RanetPolicy *policy)
{
  return policy->n_points;
}

const double *
ranet_policy_get_thresholds (RanetPolicy *policy, guint point)
{
  g_return_val_if_fail (point < policy->n_points, NULL);
  return policy->points[point].thresholds;
}

void
ranet_policy_get_stats (RanetPolicy *policy, RanetPolicyStats *stats)
{
  *stats = policy->stats;
}
