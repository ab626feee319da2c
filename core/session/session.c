/* session.c: a session's life, its settings and what they give. */
#include "session/session-private.h"

#include <math.h>
#include <string.h>

G_DEFINE_QUARK (ranet-session-error-quark, ranet_session_error)

static guint64
monotonic_clock (gpointer user_data)
{
  return (guint64) g_get_monotonic_time () * 1000;
}

RanetSession *
ranet_session_new_for_backend (const RanetSessionBackend *backend, gpointer network,
    RanetPolicy *policy)
{
  RanetSession *s;

  g_return_val_if_fail (backend != NULL && backend->n_exits > 0, NULL);
  g_return_val_if_fail (backend->set_input_tensor != NULL && backend->run != NULL
      && backend->run_stage != NULL && backend->get_stage_device_ns != NULL, NULL);
  g_return_val_if_fail (policy != NULL, NULL);

  s = g_new0 (RanetSession, 1);
  s->backend = *backend;
  s->network = network;
  s->n_exits = backend->n_exits;
  g_mutex_init (&s->lock);
  s->clock = monotonic_clock;
  s->mode = RANET_THRESHOLD_ADAPTIVE;
  s->threshold = 0.9;
  s->max_exit = -1;
  s->inference_interval = 1;
  s->resize_mode = RANET_RESIZE_STRETCH;
  s->policy = policy;
  s->current_thresholds = g_new0 (double, s->n_exits);
  s->counts.exit_counts = g_new0 (guint64, s->n_exits);
  return s;
}

void
ranet_session_free (RanetSession *session)
{
  if (session == NULL)
    return;
  g_clear_pointer (&session->batch_net, ranet_net_free);
  if (session->backend.free != NULL)
    session->backend.free (session->network);
  g_clear_pointer (&session->device, ranet_vk_device_unref);
  ranet_policy_free (session->policy);
  ranet_session_result_clear (&session->last);
  g_free (session->current_thresholds);
  g_free (session->counts.exit_counts);
  g_mutex_clear (&session->lock);
  g_free (session);
}

void
ranet_session_set_clock (RanetSession *session, RanetSessionClockFunc clock,
    gpointer user_data)
{
  g_return_if_fail (session != NULL);
  g_mutex_lock (&session->lock);
  session->clock = clock != NULL ? clock : monotonic_clock;
  session->clock_data = clock != NULL ? user_data : NULL;
  g_mutex_unlock (&session->lock);
}

/* ---- settings ---- */

void
ranet_session_set_threshold_mode (RanetSession *session, RanetThresholdMode mode)
{
  g_return_if_fail (session != NULL);
  g_return_if_fail (mode <= RANET_THRESHOLD_OPERATING_POINT);
  g_mutex_lock (&session->lock);
  session->mode = mode;
  g_mutex_unlock (&session->lock);
}

void
ranet_session_set_threshold (RanetSession *session, double threshold)
{
  g_return_if_fail (session != NULL);
  g_return_if_fail (!isnan (threshold));
  g_mutex_lock (&session->lock);
  session->threshold = threshold;
  g_mutex_unlock (&session->lock);
}

gboolean
ranet_session_set_operating_point (RanetSession *session, guint point, GError **error)
{
  guint n_points;

  g_return_val_if_fail (session != NULL, FALSE);
  g_mutex_lock (&session->lock);
  n_points = ranet_policy_get_n_points (session->policy);
  if (point < n_points)
    session->point = point;
  g_mutex_unlock (&session->lock);
  if (point >= n_points) {
    g_set_error (error, RANET_SESSION_ERROR, RANET_SESSION_ERROR_INVALID_ARGUMENT,
        "operating point %u: the model's operating points are 0..%u", point, n_points - 1);
    return FALSE;
  }
  return TRUE;
}

void
ranet_session_set_max_exit (RanetSession *session, gint max_exit)
{
  g_return_if_fail (session != NULL);
  g_return_if_fail (max_exit >= -1);
  g_mutex_lock (&session->lock);
  session->max_exit = max_exit;
  g_mutex_unlock (&session->lock);
}

void
ranet_session_set_inference_interval (RanetSession *session, guint interval)
{
  g_return_if_fail (session != NULL);
  g_return_if_fail (interval >= 1);
  g_mutex_lock (&session->lock);
  session->inference_interval = interval;
  g_mutex_unlock (&session->lock);
}

void
ranet_session_set_resize_mode (RanetSession *session, RanetResizeMode mode)
{
  g_return_if_fail (session != NULL);
  g_return_if_fail (mode <= RANET_RESIZE_LETTERBOX);
  g_mutex_lock (&session->lock);
  session->resize_mode = mode;
  g_mutex_unlock (&session->lock);
}

void
ranet_session_set_frame_period (RanetSession *session, guint64 period_ns)
{
  g_return_if_fail (session != NULL);
  g_mutex_lock (&session->lock);
  ranet_policy_set_frame_period (session->policy, period_ns);
  g_mutex_unlock (&session->lock);
}

void
ranet_session_set_budget_fraction (RanetSession *session, double fraction)
{
  g_return_if_fail (session != NULL);
  g_mutex_lock (&session->lock);
  ranet_policy_set_budget_fraction (session->policy, fraction);
  g_mutex_unlock (&session->lock);
}

void
ranet_session_set_latency_budget (RanetSession *session, guint64 budget_ns)
{
  g_return_if_fail (session != NULL);
  g_mutex_lock (&session->lock);
  ranet_policy_set_latency_budget (session->policy, budget_ns);
  g_mutex_unlock (&session->lock);
}

void
ranet_session_set_online_calibration (RanetSession *session, gboolean enabled, guint interval,
    guint window)
{
  g_return_if_fail (session != NULL);
  g_mutex_lock (&session->lock);
  ranet_policy_set_online_calibration (session->policy, enabled, interval, window);
  g_mutex_unlock (&session->lock);
}

void
ranet_session_handle_qos (RanetSession *session, double proportion, gint64 jitter_ns)
{
  g_return_if_fail (session != NULL);
  g_mutex_lock (&session->lock);
  ranet_policy_handle_qos (session->policy, proportion, jitter_ns);
  g_mutex_unlock (&session->lock);
}

/* ---- what it is ---- */

RanetNet *
ranet_session_get_net (RanetSession *session)
{
  g_return_val_if_fail (session != NULL, NULL);
  return session->net;
}

RanetModel *
ranet_session_get_model (RanetSession *session)
{
  g_return_val_if_fail (session != NULL, NULL);
  return session->net != NULL ? ranet_net_get_model (session->net) : NULL;
}

RanetVkDevice *
ranet_session_get_device (RanetSession *session)
{
  g_return_val_if_fail (session != NULL, NULL);
  return session->device;
}

guint
ranet_session_get_n_exits (RanetSession *session)
{
  g_return_val_if_fail (session != NULL, 0);
  return session->n_exits;
}

RanetPolicy *
ranet_session_get_policy (RanetSession *session)
{
  g_return_val_if_fail (session != NULL, NULL);
  return session->policy;
}

/* ---- what the settings give ---- */

gboolean
ranet_session_has_budget_locked (RanetSession *session)
{
  return session->mode == RANET_THRESHOLD_ADAPTIVE
      && ranet_policy_has_budget (session->policy);
}

gint
ranet_session_get_operating_point (RanetSession *session)
{
  gint point = -1;

  g_return_val_if_fail (session != NULL, -1);
  g_mutex_lock (&session->lock);
  if (session->mode == RANET_THRESHOLD_ADAPTIVE)
    point = (gint) ranet_policy_get_point (session->policy);
  else if (session->mode == RANET_THRESHOLD_OPERATING_POINT)
    point = (gint) session->point;
  g_mutex_unlock (&session->lock);
  return point;
}

void
ranet_session_get_thresholds (RanetSession *session, double *thresholds)
{
  g_return_if_fail (session != NULL && thresholds != NULL);
  g_mutex_lock (&session->lock);
  memcpy (thresholds, session->current_thresholds, session->n_exits * sizeof (double));
  g_mutex_unlock (&session->lock);
}

guint64
ranet_session_get_budget_locked (RanetSession *session)
{
  /* a latency budget of G_MAXUINT64 ns is a budget, reported as such */
  return ranet_session_has_budget_locked (session)
      ? ranet_policy_get_budget (session->policy) : 0;
}

guint64
ranet_session_get_budget (RanetSession *session)
{
  guint64 budget;

  g_return_val_if_fail (session != NULL, 0);
  g_mutex_lock (&session->lock);
  budget = ranet_session_get_budget_locked (session);
  g_mutex_unlock (&session->lock);
  return budget;
}

guint64
ranet_session_get_latency (RanetSession *session)
{
  guint64 latency;

  g_return_val_if_fail (session != NULL, 0);
  g_mutex_lock (&session->lock);
  latency = ranet_session_has_budget_locked (session)
      ? ranet_policy_get_nominal_budget (session->policy) : session->full_frame_ns;
  g_mutex_unlock (&session->lock);
  return latency;
}
