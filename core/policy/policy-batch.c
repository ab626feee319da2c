/* policy-batch.c: frames of several items (regions) classified as one batch.
 *
 * A stage's cost for n items is modelled as a line, F + P n: F, the fixed
 * part, is dispatch and submission overhead and weight loads, paid once per
 * batch; P, the part per item, is the arithmetic. Both are kept in
 * multiply-adds x the load rate (policy.c), so that a change of load moves
 * the whole line at the speed the rate follows it, learned from any run.
 *
 * The line is a least-squares fit through every run of the stage, single
 * frames being runs of one, each cost divided by its multiply-adds and by
 * the load rate before it (a run of a new size then corrects the line, not
 * the load, which every stage shares). Its sums do not fade: the line is the
 * device's and the network's, not the load's, and a fading fit, tried first,
 * lost the runs of other sizes within a few hundred frames of one size
 * (stage 0 with a constant count of regions), whereupon its slope slid and
 * the load rate learned through it slid too, swinging every stage's
 * estimate. The line has a weak prior point, no cost for no items: where the
 * runs so far have one size (single frames only; a constant count of
 * regions) it is the line through the origin, a batch costing as many single
 * items. That is the seed from single frames: too high for a batch larger
 * than what ran, so that the first batches pick a cheaper point or fewer
 * items rather than miss, and the first run of another size gives the line
 * its slope. F and P stay at 0 or above (the fit constrained, not clipped).
 *
 * The load rate learns from batches as from single frames; the single
 * frames' per-stage efficiency learns from single frames only, so their
 * estimates and decisions are what they were without batches. */
#include "policy/policy-private.h"

#include <math.h>

/* The prior point's weight, against 1 for each run: enough to decide a line
 * that runs of one size leave open, too little to move one they decide. */
#define PRIOR_WEIGHT 0.01

void
ranet_policy_add_to_line (RanetPolicy *policy, guint stage, guint n_items, guint64 cost_ns)
{
  RanetPolicyStage *s = &policy->stages[stage];
  double n = n_items, c;

  /* nothing to divide by before the first run */
  if (policy->rate == 0.0)
    return;
  c = (double) cost_ns / (policy->stage_macs[stage] * policy->rate);
  s->fit_w += 1.0;
  s->fit_n += n;
  s->fit_nn += n * n;
  s->fit_c += c;
  s->fit_nc += n * c;
}

/* @stage's fixed part and part per item in ns at the load rate now. */
static void
stage_line (RanetPolicy *policy, guint stage, double *fixed, double *per_item)
{
  const RanetPolicyStage *s = &policy->stages[stage];
  double scale = policy->stage_macs[stage] * policy->rate;
  double w, det, slope, intercept;

  if (s->fit_w == 0.0) {
    /* never run (since there was a rate): as many single items */
    *fixed = 0.0;
    *per_item = ranet_policy_get_stage_latency (policy, stage);
    return;
  }
  /* the prior point (0 items, 0 cost) adds only to the weight */
  w = s->fit_w + PRIOR_WEIGHT;
  det = w * s->fit_nn - s->fit_n * s->fit_n;
  slope = det > 0.0 ? (w * s->fit_nc - s->fit_n * s->fit_c) / det : 0.0;
  intercept = (s->fit_c - slope * s->fit_n) / w;
  if (!(slope > 0.0)) {
    /* no cost per item: the mean */
    intercept = s->fit_c / w;
    slope = 0.0;
  } else if (!(intercept > 0.0)) {
    /* no fixed cost: the line through the origin */
    slope = s->fit_nc / s->fit_nn;
    intercept = 0.0;
  }
  *fixed = intercept * scale;
  *per_item = slope * scale;
}

double
ranet_policy_get_batch_stage_cost (RanetPolicy *policy, guint stage, guint n_items)
{
  double fixed, per_item;

  g_return_val_if_fail (stage < policy->n_exits, 0.0);
  if (n_items == 0)
    return 0.0;
  stage_line (policy, stage, &fixed, &per_item);
  return fixed + per_item * n_items;
}

/* The mean cost plus the margin for its variation: what a deadline check trusts. */
static double
stage_cost_bound (RanetPolicy *policy, guint stage, guint n_items)
{
  return ranet_policy_get_batch_stage_cost (policy, stage, n_items)
      * (1.0 + RANET_POLICY_DEVIATIONS * policy->stages[stage].deviation);
}

double
ranet_policy_batch_cost_from (RanetPolicy *policy, guint point, guint first_stage,
    guint n_items)
{
  const double *q = policy->points[point].fractions;
  double passed = 0.0, cost = 0.0, reaching;

  if (first_stage >= policy->n_exits || n_items == 0)
    return 0.0;
  for (guint k = first_stage; k < policy->n_exits; k++)
    passed += q[k];
  /* calibration saw no item go further: assume the next stage for all */
  if (!(passed > 0.0))
    return ranet_policy_get_batch_stage_cost (policy, first_stage, n_items);
  reaching = passed;
  for (guint k = first_stage; k < policy->n_exits; k++) {
    /* each item reaches stage k with this probability, independently: the
     * fixed part is paid when at least one does, the part per item for
     * each that does */
    double reach = CLAMP (reaching / passed, 0.0, 1.0);
    double fixed, per_item;

    stage_line (policy, k, &fixed, &per_item);
    cost += fixed * (1.0 - pow (1.0 - reach, n_items)) + per_item * n_items * reach;
    reaching -= q[k];
  }
  return cost;
}

double
ranet_policy_predict_batch_cost (RanetPolicy *policy, guint point, guint n_items)
{
  g_return_val_if_fail (point < policy->n_points, 0.0);
  if (n_items == 0)
    return 0.0;
  return ranet_policy_predict_uncorrected (policy, point, n_items) * policy->feedback;
}

/* The most items, at least 1 and at most @n_items, whose exit 0 fits within
 * @budget by the deadline check's bound. */
static guint
items_that_fit (RanetPolicy *policy, guint n_items, guint64 budget)
{
  double fixed, per_item, margin, room;

  if (budget == G_MAXUINT64 || policy->rate == 0.0
      || stage_cost_bound (policy, 0, n_items) <= (double) budget)
    return n_items;
  stage_line (policy, 0, &fixed, &per_item);
  margin = 1.0 + RANET_POLICY_DEVIATIONS * policy->stages[0].deviation;
  room = (double) budget / margin - fixed;
  /* Never none: a frame always gets a result (as a single frame over budget
   * still leaves at exit 0), the rotation then reaches every item within
   * n_items frames, and the estimate that said nothing fits is corrected only
   * by running. */
  if (!(room > 0.0) || !(per_item > 0.0))
    return 1;
  return (guint) CLAMP (floor (room / per_item), 1.0, (double) n_items);
}

void
ranet_policy_begin_batch (RanetPolicy *policy, guint64 now_ns, guint n_items,
    RanetPolicyBatch *batch)
{
  guint64 budget;
  guint n_run;

  g_return_if_fail (batch != NULL);
  ranet_policy_start_frame (policy);
  budget = ranet_policy_get_budget (policy);
  n_run = items_that_fit (policy, n_items, budget);
  ranet_policy_choose_point (policy, n_run);
  batch->point = policy->current;
  batch->thresholds = policy->points[policy->current].thresholds;
  batch->start_ns = now_ns;
  batch->deadline_ns = ranet_policy_add_ns (now_ns, budget);
  batch->n_items = n_items;
  batch->n_run = n_run;
  batch->first = 0;
  if (n_run < n_items) {
    /* the next frame starts where this one stops */
    batch->first = policy->next_first % n_items;
    policy->next_first = (batch->first + n_run) % n_items;
  }
}

gboolean
ranet_policy_can_run_batch_stage (RanetPolicy *policy, const RanetPolicyBatch *batch,
    guint stage, guint n_items, guint64 now_ns)
{
  g_return_val_if_fail (stage < policy->n_exits, FALSE);
  if (n_items == 0)
    return FALSE;
  if (stage == 0 || batch->deadline_ns == G_MAXUINT64)
    return TRUE;
  return (double) now_ns + stage_cost_bound (policy, stage, n_items)
      <= (double) batch->deadline_ns;
}

void
ranet_policy_batch_stage_done (RanetPolicy *policy, guint stage, guint n_items,
    guint64 cost_ns)
{
  RanetPolicyStage *s;
  double a = policy->params.latency_smoothing;
  double predicted;

  g_return_if_fail (stage < policy->n_exits);
  if (n_items <= 1) {
    if (n_items == 1)
      ranet_policy_stage_done (policy, stage, cost_ns);
    return;
  }
  s = &policy->stages[stage];
  s->idle_frames = 0;
  if (policy->rate == 0.0) {
    /* the first run of all: the load rate as if it cost as many single items */
    policy->rate = (double) cost_ns / (s->efficiency * policy->stage_macs[stage] * n_items);
    return;
  }
  predicted = ranet_policy_get_batch_stage_cost (policy, stage, n_items);
  if (predicted > 0.0)
    s->deviation = (1.0 - a) * s->deviation + a * fabs ((double) cost_ns / predicted - 1.0);
  ranet_policy_add_to_line (policy, stage, n_items, cost_ns);
  /* the load: what the line, as it now stands, leaves unexplained (a line of
   * nothing, from runs that cost nothing, explains nothing) */
  predicted = ranet_policy_get_batch_stage_cost (policy, stage, n_items);
  if (predicted > 0.0 && cost_ns > 0)
    policy->rate *= (1.0 - a) + a * (double) cost_ns / predicted;
}

void
ranet_policy_end_batch (RanetPolicy *policy, const RanetPolicyBatch *batch,
    const guint *exit_counts, guint n_forced, guint64 now_ns)
{
  double predicted = 0.0, extra = 0.0;

  g_return_if_fail (batch != NULL && batch->n_run <= batch->n_items);
  g_return_if_fail (exit_counts != NULL || batch->n_run == 0);
  n_forced = MIN (n_forced, batch->n_run);
  if (batch->n_run > 0) {
    guint last = 0;

    for (guint k = 0; k < policy->n_exits; k++)
      if (exit_counts[k] > 0)
        last = k;
    predicted = ranet_policy_predict_uncorrected (policy, batch->point, batch->n_run);
    /* As for a single frame: forced items wanted more stages, and what they
     * would have cost counts, or a point too costly would look affordable.
     * They left at the last stage the batch ran. */
    if (n_forced > 0)
      extra = ranet_policy_batch_cost_from (policy, batch->point, last + 1, n_forced);
  }
  policy->stats.batches++;
  policy->stats.batch_items += batch->n_items;
  policy->stats.batch_items_skipped += batch->n_items - batch->n_run;
  policy->stats.batch_items_forced += n_forced;
  ranet_policy_finish_frame (policy, batch->point, batch->start_ns, batch->deadline_ns,
      now_ns, n_forced > 0, predicted, extra);
}
