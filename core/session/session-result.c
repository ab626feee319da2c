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
