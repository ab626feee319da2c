/* policy-batch.c: frames of several items (regions) classified as one batch.
 *
 * A stage's cost for n items is modelled as L x (1 + s x (n - 1)): L the
 * stage's latency for one item (policy.c: it follows the machine's load and
 * is learned from every run, a batch's included), s its item share, the part
 * of L that each further item adds (per-item part / (fixed + per-item part)).
 * The fixed part L x (1 - s) is dispatch and submission overhead and weight
 * loads, paid once per batch; the per-item part L x s is the arithmetic.
 *
 * Why this form rather than a free fit of fixed and per-item parts:
 * - single frames are the n = 1 observations of the same model and their
 *   estimates (and so every decision on single frames) stay what they were;
 * - a change of load scales both parts alike (on a CPU Vulkan device both are
 *   CPU work) and is followed at the speed of the load rate, from any run;
 * - s is one number per stage, fitted by least squares through the origin of
 *   the relative excess r = cost / L - 1 on x = n - 1 (so s = sum x r / sum
 *   x^2), the sums fading by the shape's learning rate: it needs no spread
 *   in n to be defined, and where every observation has the same n (stage 0
 *   of a stream with a constant count of regions) the prediction at that n is
 *   right whatever the split.
 * Before any batch ran, s = 1 (a batch costs n single items): on the side of
 * too high, so that the first batches pick a cheaper point or fewer items
 * rather than miss the deadline; the first batch's measurement corrects it.
 * s stays in [0, 1]: a batch costs at least one item and at most as many
 * single runs (the deviation margin covers what the line does not). */
#include "policy/policy-private.h"

#include <math.h>

double
ranet_policy_get_batch_stage_cost (RanetPolicy *policy, guint stage, guint n_items)
{
  double single;

  g_return_val_if_fail (stage < policy->n_exits, 0.0);
  single = ranet_policy_get_stage_latency (policy, stage);
  if (n_items <= 1)
    return n_items == 1 ? single : 0.0;
  return single * (1.0 + policy->stages[stage].item_share * (n_items - 1.0));
}

void
ranet_policy_learn_item_share (RanetPolicy *policy, guint stage, guint n_items,
    guint64 cost_ns)
{
  RanetPolicyStage *s = &policy->stages[stage];
  /* the shape's rate (policy.c): the load, not the share, is what changes fast */
  double fade = 1.0 - policy->params.latency_smoothing / 4;
  double single = ranet_policy_get_stage_latency (policy, stage);
  double x = n_items - 1.0;

  if (!(single > 0.0))
    return;
  s->share_xx = fade * s->share_xx + x * x;
  s->share_xr = fade * s->share_xr + x * ((double) cost_ns / single - 1.0);
  s->item_share = CLAMP (s->share_xr / s->share_xx, 0.0, 1.0);
}

/* The expected cost of @stage for @n_items items that each reach it with
 * probability @reach (independently): the fixed part when at least one does,
 * the part per item for each that does. */
static double
expected_stage_cost (RanetPolicy *policy, guint stage, guint n_items, double reach)
{
  double single = ranet_policy_get_stage_latency (policy, stage);
  double share = policy->stages[stage].item_share;
  double any;

  reach = CLAMP (reach, 0.0, 1.0);
  any = 1.0 - pow (1.0 - reach, n_items);
  return single * ((1.0 - share) * any + share * n_items * reach);
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
    cost += expected_stage_cost (policy, k, n_items, reaching / passed);
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
  double single, share, fixed, per_item, margin, room;

  if (budget == G_MAXUINT64 || policy->rate == 0.0
      || ranet_policy_stage_cost_bound (policy, 0, n_items) <= (double) budget)
    return n_items;
  /* bound(n) = margin x L x ((1 - s) + s x n): solve for n */
  single = ranet_policy_get_stage_latency (policy, 0);
  share = policy->stages[0].item_share;
  margin = 1.0 + RANET_POLICY_DEVIATIONS * policy->stages[0].deviation;
  fixed = margin * single * (1.0 - share);
  per_item = margin * single * share;
  room = (double) budget - fixed;
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
  return (double) now_ns + ranet_policy_stage_cost_bound (policy, stage, n_items)
      <= (double) batch->deadline_ns;
}

void
ranet_policy_batch_stage_done (RanetPolicy *policy, guint stage, guint n_items,
    guint64 cost_ns)
{
  g_return_if_fail (stage < policy->n_exits);
  if (n_items == 0)
    return;
  ranet_policy_observe_stage (policy, stage, n_items, cost_ns);
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
