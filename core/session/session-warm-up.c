/* session-warm-up.c: a frame of zeros through every exit, before the first frame.
 *
 * Before anything is measured the policy lets a one-submission frame run
 * stage 0 only (it cannot stop between stages to look at the clock), so the
 * first frame of every stream would leave at exit 0, forced, whatever the
 * budget. Running the first frame stage by stage instead would teach the
 * policy from a real frame, but only once that frame is under way, at a
 * submission per stage; this run (about one frame's time, after the net's own
 * warm-up has paid for compiling pipelines and faulting in memory) gives
 * every stage an estimate before the first frame, in both ways of running,
 * and the time of a frame through every exit: the latency reported where
 * there is no budget.
 */
#include "session/session-private.h"

/* The frame run whole, its time shared among its stages as a frame's is. */
static gboolean
run_whole (RanetSession *s, RanetSessionClockFunc clock, gpointer clock_data,
    guint64 *t, GError **error)
{
  g_autofree guint64 *device_ns = g_new0 (guint64, s->n_exits);
  RanetExitResult exit;
  guint64 t0 = *t;

  if (!s->backend.run (s->network, NULL, s->n_exits - 1, &exit, error))
    return FALSE;
  *t = clock (clock_data);
  for (guint k = 1; k < s->n_exits; k++)
    device_ns[k] = s->backend.get_stage_device_ns (s->network, k);
  g_mutex_lock (&s->lock);
  ranet_policy_frame_stages_done (s->policy, s->n_exits - 1, *t - t0, device_ns);
  g_mutex_unlock (&s->lock);
  return TRUE;
}

static gboolean
run_by_stage (RanetSession *s, RanetSessionClockFunc clock, gpointer clock_data,
    guint64 *t, GError **error)
{
  for (guint k = 0; k < s->n_exits; k++) {
    RanetExitResult exit;
    guint64 now;

    if (!s->backend.run_stage (s->network, k, &exit, error))
      return FALSE;
    now = clock (clock_data);
    g_mutex_lock (&s->lock);
    ranet_policy_stage_done (s->policy, k, now - *t);
    g_mutex_unlock (&s->lock);
    *t = now;
  }
  return TRUE;
}

gboolean
ranet_session_warm_up (RanetSession *session, GError **error)
{
  RanetSession *s = session;
  g_autofree float *zeros = NULL;
  RanetSessionClockFunc clock;
  gpointer clock_data;
  guint64 t0, t;
  gboolean busy, ok;

  g_return_val_if_fail (session != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  g_mutex_lock (&s->lock);
  busy = s->running;
  s->running = TRUE;
  clock = s->clock;
  clock_data = s->clock_data;
  g_mutex_unlock (&s->lock);
  g_return_val_if_fail (!busy, FALSE);

  zeros = g_new0 (float, s->backend.input_size);
  ok = s->backend.set_input_tensor (s->network, zeros, error);
  t0 = t = clock (clock_data);
  if (ok)
    ok = s->backend.decides_exit_on_device
        ? run_whole (s, clock, clock_data, &t, error)
        : run_by_stage (s, clock, clock_data, &t, error);

  g_mutex_lock (&s->lock);
  if (ok)
    s->full_frame_ns = t - t0;
  s->running = FALSE;
  g_mutex_unlock (&s->lock);
  return ok;
}
