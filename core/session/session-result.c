/* session-result.c: a frame's result, owned arrays and all. */
#include "session/session-private.h"

#include <string.h>

void
ranet_session_result_clear (RanetSessionResult *result)
{
  g_return_if_fail (result != NULL);
  g_free (result->thresholds);
  g_free (result->probs);
  memset (result, 0, sizeof *result);
}

void
ranet_session_result_copy (RanetSessionResult *dest, const RanetSessionResult *src)
{
  double *thresholds;
  float *probs;

  g_return_if_fail (dest != NULL && src != NULL);
  thresholds = g_memdup2 (src->thresholds, src->n_exits * sizeof (double));
  probs = g_memdup2 (src->probs, src->n_classes * sizeof (float));
  ranet_session_result_clear (dest);
  *dest = *src;
  dest->thresholds = thresholds;
  dest->probs = probs;
}

void
ranet_session_fill_result (RanetSession *s, const RanetSessionPlan *plan, const RanetExitResult *exit,
    guint64 wall_ns, RanetSessionResult *r)
{
  r->class_id = exit->class_id;
  r->label = s->labels != NULL ? s->labels[exit->class_id] : NULL;
  r->confidence = exit->confidence;
  r->exit_index = exit->exit_index;
  r->n_exits = s->n_exits;
  r->threshold = plan->thresholds[exit->exit_index];
  r->forced = exit->confidence < r->threshold;
  r->reused = FALSE;
  r->macs = exit->macs;
  r->gpu_ns = exit->gpu_ns;
  r->wall_ns = wall_ns;
  r->operating_point = plan->point;
  r->thresholds = g_memdup2 (plan->thresholds, s->n_exits * sizeof (double));
  r->n_classes = exit->n_classes;
  r->probs = g_memdup2 (exit->probs, exit->n_classes * sizeof (float));
}
