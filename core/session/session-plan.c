/* session-plan.c: what a frame (or a frame's regions) will be classified
 * with, fixed from the settings before it starts, and the network taken for
 * it. */
#include "session/session-private.h"

#include <math.h>

guint64
ranet_session_plan_now (const RanetSessionPlan *plan)
{
  return plan->clock (plan->clock_data);
}

void
ranet_session_plan_thresholds_locked (RanetSession *s, RanetSessionPlan *plan,
    const double *point)
{
  for (guint k = 0; k < s->n_exits; k++)
    plan->thresholds[k] = k + 1 == s->n_exits ? 0.0
        : point != NULL ? point[k] : s->threshold;
}

gboolean
ranet_session_plan_begin (RanetSession *s, RanetSessionPlan *plan)
{
  gboolean busy;

  g_mutex_lock (&s->lock);
  busy = s->running;
  if (!busy) {
    s->running = TRUE;
    plan->mode = s->mode;
    plan->last = s->max_exit < 0 ? s->n_exits - 1
        : MIN ((guint) s->max_exit, s->n_exits - 1);
    plan->point = s->mode == RANET_THRESHOLD_OPERATING_POINT ? (gint) s->point : -1;
    plan->resize_mode = s->resize_mode;
    plan->clock = s->clock;
    plan->clock_data = s->clock_data;
    plan->thresholds = g_new (double, s->n_exits);
    ranet_session_plan_thresholds_locked (s, plan, plan->point >= 0
        ? ranet_policy_get_thresholds (s->policy, (guint) plan->point) : NULL);
  }
  g_mutex_unlock (&s->lock);
  g_return_val_if_fail (!busy, FALSE);
  return TRUE;
}

void
ranet_session_plan_release (RanetSession *s, RanetSessionPlan *plan)
{
  g_mutex_lock (&s->lock);
  s->running = FALSE;
  g_mutex_unlock (&s->lock);
  g_clear_pointer (&plan->thresholds, g_free);
}

/* The float threshold that takes exactly the confidences (floats) that
 * reach @threshold: rounded up, never down. */
static float
float_threshold (double threshold)
{
  float f = (float) threshold;

  return (double) f < threshold ? nextafterf (f, INFINITY) : f;
}

float *
ranet_session_plan_float_thresholds (RanetSession *s, const RanetSessionPlan *plan)
{
  float *thresholds = g_new (float, s->n_exits);

  for (guint k = 0; k < s->n_exits; k++)
    thresholds[k] = float_threshold (plan->thresholds[k]);
  return thresholds;
}
