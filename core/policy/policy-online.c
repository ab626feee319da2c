/* policy-online.c: online calibration, the thresholds recomputed from the
 * confidences of probe frames (ranet-policy.h). */
#include "policy/policy-private.h"
#include "policy/ranet-calibration.h"

#include <math.h>
#include <string.h>

/* The thresholds are recomputed every time this share of the window has been
 * replaced: a tenth of the default 500-probe window is 50 probes, under a
 * minute at one probe a second, while each recomputation sorts only the
 * window (a few hundred values per exit and point). */
#define RECOMPUTE_SHARE 10
/* A placeholder calibration becomes this many points, with the ratios of
 * python/ranet/calibration.py's RATIOS range (0.05 to 5, geometric): fewer
 * than its 40, since without labels nothing tells apart two points a few
 * percent of cost apart. */
#define PLACEHOLDER_POINTS 16
#define RATIO_MIN 0.05
#define RATIO_MAX 5.0

/* One point whose thresholds before the last exit are all 1 or more lets no
 * frame out early (import_checkpoint.py's placeholder): nothing to adapt. */
static gboolean
is_placeholder (RanetPolicy *policy)
{
  if (policy->n_points != 1 || policy->n_exits < 2)
    return FALSE;
  for (guint k = 0; k + 1 < policy->n_exits; k++)
    if (policy->points[0].thresholds[k] < 1.0)
      return FALSE;
  return TRUE;
}

static void
reset_shares (RanetPolicyOnline *o, guint n_exits)
{
  o->share_frames = 0;
  memset (o->realised, 0, n_exits * sizeof (guint64));
  memset (o->planned, 0, n_exits * sizeof (double));
}

void
ranet_policy_online_init (RanetPolicy *policy)
{
  RanetPolicyOnline *o = &policy->online;

  o->placeholder = is_placeholder (policy);
  o->interval = 1;
  o->realised = g_new0 (guint64, policy->n_exits);
  o->planned = g_new0 (double, policy->n_exits);
}

void
ranet_policy_online_clear (RanetPolicy *policy)
{
  g_free (policy->online.window);
  g_free (policy->online.realised);
  g_free (policy->online.planned);
}

void
ranet_policy_set_online_calibration (RanetPolicy *policy, gboolean enabled,
    guint interval, guint window)
{
  RanetPolicyOnline *o;

  g_return_if_fail (policy != NULL);
  o = &policy->online;
  o->enabled = enabled;
  o->interval = MAX (interval, 1);
  window = MAX (window, 1);
  if (window != o->size) {
    g_free (o->window);
    o->window = g_new0 (float, (gsize) window * policy->n_exits);
    o->size = window;
    o->filled = 0;
    o->next = 0;
    o->since_recompute = 0;
  }
}

double
ranet_policy_full_cost (RanetPolicy *policy)
{
  double cost = 0.0;

  for (guint k = 0; k < policy->n_exits; k++)
    cost += ranet_policy_get_stage_latency (policy, k);
  return cost;
}

/* Whether a frame through every stage is expected to fit the budget, with
 * the headroom a move to a costlier point needs: a probe must not be what
 * makes a frame late. */
static gboolean
full_frame_fits (RanetPolicy *policy)
{
  guint64 budget = ranet_policy_get_budget (policy);

  if (budget == G_MAXUINT64)
    return TRUE;
  if (policy->rate == 0.0)
    return FALSE;
  return ranet_policy_full_cost (policy) * policy->feedback
      <= (double) budget * (1.0 - policy->params.headroom);
}

/* The placeholder's one point becomes PLACEHOLDER_POINTS points with the
 * calibration's geometric shares. Their accuracy is unknown: what orders them
 * is how deep their frames go (sum_k q_k k, scaled to 0..100), since later
 * exits are the more accurate ones in a RANet. */
static void
replace_placeholder (RanetPolicy *policy)
{
  guint n = PLACEHOLDER_POINTS, best = 0, K = policy->n_exits;

  for (guint i = 0; i < policy->n_points; i++) {
    g_free (policy->points[i].thresholds);
    g_free (policy->points[i].fractions);
  }
  g_free (policy->points);
  policy->points = g_new0 (RanetPolicyPointData, n);
  policy->n_points = n;
  for (guint i = 0; i < n; i++) {
    RanetPolicyPointData *pt = &policy->points[i];
    double ratio = RATIO_MIN * pow (RATIO_MAX / RATIO_MIN, (double) i / (n - 1));
    double depth = 0.0;

    pt->thresholds = g_new (double, K);
    pt->fractions = g_new (double, K);
    ranet_calibration_geometric_fractions (ratio, K, pt->fractions);
    for (guint k = 0; k < K; k++)
      depth += pt->fractions[k] * k;
    pt->accuracy = 100.0 * depth / (K - 1);
    if (pt->accuracy > policy->points[best].accuracy)
      best = i;
  }
  policy->current = best;
  policy->frames_since_change = 0;
  policy->online.placeholder = FALSE;
}

/* Every point's thresholds from the window, for its own planned fractions. */
static void
recompute (RanetPolicy *policy)
{
  RanetPolicyOnline *o = &policy->online;
  guint K = policy->n_exits, n = o->filled;
  g_autofree float *by_exit = g_new (float, (gsize) n * K);

  if (o->placeholder)
    replace_placeholder (policy);
  /* the window holds probes whole; the rule reads one exit at a time */
  for (guint i = 0; i < n; i++)
    for (guint k = 0; k < K; k++)
      by_exit[(gsize) k * n + i] = o->window[(gsize) i * K + k];
  for (guint p = 0; p < policy->n_points; p++)
    ranet_calibration_find_thresholds (by_exit, K, n, policy->points[p].fractions,
        policy->points[p].thresholds);
  o->since_recompute = 0;
  reset_shares (o, K);
  policy->stats.recalibrations++;
}

gboolean
ranet_policy_online_take_probe (RanetPolicy *policy)
{
  RanetPolicyOnline *o = &policy->online;
  gboolean due;

  if (!o->enabled || o->size == 0)
    return FALSE;
  /* a full window recomputes at the start of a frame, so that no frame ends
   * under thresholds other than those it began with */
  if (o->filled == o->size
      && (policy->stats.recalibrations == 0 || o->since_recompute >= MAX (o->size / RECOMPUTE_SHARE, 1)))
    recompute (policy);
  o->since_probe++;
  /* the placeholder sends every frame through every exit anyway */
  due = o->placeholder || o->since_probe >= o->interval;
  if (!due || !full_frame_fits (policy))
    return FALSE;
  o->since_probe = 0;
  return TRUE;
}

void
ranet_policy_add_probe (RanetPolicy *policy, const float *confidences)
{
  RanetPolicyOnline *o;

  g_return_if_fail (policy != NULL && confidences != NULL);
  o = &policy->online;
  if (o->size == 0)
    return;
  memcpy (o->window + (gsize) o->next * policy->n_exits, confidences,
      policy->n_exits * sizeof (float));
  o->next = (o->next + 1) % o->size;
  o->filled = MIN (o->filled + 1, o->size);
  o->since_recompute++;
  policy->stats.probes++;
}

gboolean
ranet_policy_is_calibrated_online (RanetPolicy *policy)
{
  g_return_val_if_fail (policy != NULL, FALSE);
  return policy->stats.recalibrations > 0;
}

void
ranet_policy_online_count_exit (RanetPolicy *policy, guint point, guint exit_index)
{
  RanetPolicyOnline *o = &policy->online;

  o->share_frames++;
  o->realised[exit_index]++;
  for (guint k = 0; k < policy->n_exits; k++)
    o->planned[k] += policy->points[point].fractions[k];
}

guint64
ranet_policy_get_exit_shares (RanetPolicy *policy, double *realised, double *planned)
{
  const RanetPolicyOnline *o;
  double n;

  g_return_val_if_fail (policy != NULL, 0);
  o = &policy->online;
  n = (double) o->share_frames;
  for (guint k = 0; k < policy->n_exits; k++) {
    if (realised != NULL)
      realised[k] = n > 0 ? o->realised[k] / n : 0.0;
    if (planned != NULL)
      planned[k] = n > 0 ? o->planned[k] / n : 0.0;
  }
  return o->share_frames;
}
