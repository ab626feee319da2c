/* session-classify.c: one frame, from its plan to its result.
 *
 * A frame's plan is fixed before it starts: its thresholds (the policy's
 * operating point, one calibrated point, or one threshold at every exit; the
 * last exit takes every frame), the last stage max-exit allows, and in
 * adaptive mode its deadline. Then it runs one of three ways: with fixed
 * thresholds the network runs it whole (one submission where it decides the
 * exit on the device); adaptive on such a device, the policy first picks the
 * last stage the deadline leaves time for, and learns each stage's cost from
 * the frame's time shared among them; adaptive elsewhere, stage by stage, a
 * stage started only if the deadline leaves time for it.
 */
#include "session/session-private.h"

#include <math.h>
#include <string.h>

/* A frame's input: a video frame or a tensor. */
typedef struct {
  const RanetFrameLayout *layout;
  const guint8 *const *planes;
  const float *tensor;
} FrameInput;

/* An adaptive frame starting at @t0: the policy's operating point and deadline. */
static void
begin_adaptive (RanetSession *s, RanetSessionPlan *plan, guint64 t0)
{
  g_mutex_lock (&s->lock);
  ranet_policy_begin_frame (s->policy, t0, &plan->frame);
  plan->point = (gint) plan->frame.point;
  /* max-exit short of the last exit leaves no exit's confidence to probe */
  plan->frame.probe = plan->frame.probe && plan->last + 1 == s->n_exits;
  ranet_session_plan_thresholds_locked (s, plan, plan->frame.thresholds);
  g_mutex_unlock (&s->lock);
}

static gboolean
set_input (RanetSession *s, const RanetSessionPlan *plan, const FrameInput *in, GError **error)
{
  if (in->tensor != NULL)
    return s->backend.set_input_tensor (s->network, in->tensor, error);
  if (s->backend.set_input_frame == NULL) {
    g_set_error_literal (error, RANET_SESSION_ERROR, RANET_SESSION_ERROR_INVALID_ARGUMENT,
        "this network takes tensors, not video frames");
    return FALSE;
  }
  return s->backend.set_input_frame (s->network, in->layout, plan->resize_mode,
      in->planes, error);
}

/* Fixed thresholds: the network runs the frame whole. */
static gboolean
run_fixed (RanetSession *s, const RanetSessionPlan *plan, RanetExitResult *exit, GError **error)
{
  g_autofree float *thresholds = ranet_session_plan_float_thresholds (s, plan);

  return s->backend.run (s->network, thresholds, plan->last, exit, error);
}

/* Adaptive thresholds where the network decides the exit: the policy picks
 * the last stage the deadline leaves time for before the frame starts, the
 * frame runs as one submission, and the policy learns each stage's cost from
 * the frame's time since @t (updated) and the stages' device times. */
static gboolean
run_adaptive_whole (RanetSession *s, const RanetSessionPlan *plan, guint64 *t,
    RanetExitResult *exit, GError **error)
{
  g_autofree float *thresholds = ranet_session_plan_float_thresholds (s, plan);
  g_autofree guint64 *device_ns = g_new0 (guint64, s->n_exits);
  guint64 now;
  guint last;

  g_mutex_lock (&s->lock);
  last = ranet_policy_get_last_stage (s->policy, &plan->frame, plan->last, *t);
  g_mutex_unlock (&s->lock);
  if (!s->backend.run (s->network, thresholds, last, exit, error))
    return FALSE;
  now = ranet_session_plan_now (plan);

  for (guint k = 1; k <= exit->exit_index; k++)
    device_ns[k] = s->backend.get_stage_device_ns (s->network, k);
  g_mutex_lock (&s->lock);
  ranet_policy_frame_stages_done (s->policy, exit->exit_index, now - *t, device_ns);
  g_mutex_unlock (&s->lock);
  *t = now;
  return TRUE;
}

/* Stage @k of an adaptive frame, if the deadline leaves time for it (stage 0
 * always runs); its cost from @t (updated) goes to the policy. FALSE with
 * @error set on a device error; *@ran says whether it ran. */
static gboolean
run_stage_in_time (RanetSession *s, const RanetSessionPlan *plan, guint k, guint64 *t,
    RanetExitResult *exit, gboolean *ran, GError **error)
{
  guint64 now;

  *ran = FALSE;
  if (k > 0) {
    gboolean out_of_time;

    g_mutex_lock (&s->lock);
    out_of_time = !ranet_policy_can_run_stage (s->policy, &plan->frame, k, *t);
    g_mutex_unlock (&s->lock);
    if (out_of_time)
      return TRUE;
  }
  if (!s->backend.run_stage (s->network, k, exit, error))
    return FALSE;
  now = ranet_session_plan_now (plan);
  /* stage 0's cost includes getting the frame to the device */
  g_mutex_lock (&s->lock);
  ranet_policy_stage_done (s->policy, k, now - *t);
  g_mutex_unlock (&s->lock);
  *t = now;
  *ran = TRUE;
  return TRUE;
}

/* Adaptive thresholds, stage by stage: each stage only if the deadline
 * leaves time for it; every stage's cost (from @t, updated) goes to the
 * policy. @exit's device time becomes the frame's. */
static gboolean
run_adaptive_by_stage (RanetSession *s, const RanetSessionPlan *plan, guint64 *t,
    RanetExitResult *exit, GError **error)
{
  guint64 device_ns = 0;

  for (guint k = 0; k <= plan->last; k++) {
    gboolean ran;

    if (!run_stage_in_time (s, plan, k, t, exit, &ran, error))
      return FALSE;
    if (!ran)
      break;
    device_ns += exit->gpu_ns;
    if (exit->confidence >= plan->thresholds[k])
      break;
  }
  exit->gpu_ns = device_ns;
  return TRUE;
}

/* A probe frame: every stage, stage by stage, each only if the deadline
 * leaves time for it (the policy made it a probe because it predicted every
 * stage fits). Each exit's confidence is kept; when every stage ran they go to
 * the policy's calibration window. @exit becomes the exit the frame's
 * thresholds pick, the one it would have left at without probing, with the
 * multiply-adds and device time of every stage run; @probs_copy owns its
 * probabilities, which a later stage's run overwrites. */
static gboolean
run_probe (RanetSession *s, const RanetSessionPlan *plan, guint64 *t,
    RanetExitResult *exit, float **probs_copy, GError **error)
{
  g_autofree float *confidences = g_new (float, s->n_exits);
  RanetExitResult taken = { 0 }, stage = { 0 };
  gboolean have_taken = FALSE;
  guint64 device_ns = 0;
  guint k;

  for (k = 0; k < s->n_exits; k++) {
    gboolean ran;

    if (!run_stage_in_time (s, plan, k, t, &stage, &ran, error))
      return FALSE;
    if (!ran)
      break;
    device_ns += stage.gpu_ns;
    confidences[k] = stage.confidence;
    if (!have_taken && stage.confidence >= plan->thresholds[k]) {
      taken = stage;
      *probs_copy = g_memdup2 (stage.probs, stage.n_classes * sizeof (float));
      taken.probs = *probs_copy;
      have_taken = TRUE;
    }
  }
  if (k == s->n_exits) {
    g_mutex_lock (&s->lock);
    ranet_policy_add_probe (s->policy, confidences);
    g_mutex_unlock (&s->lock);
  }
  /* cut short by the deadline before any exit took it: forced, at the last
   * stage run */
  *exit = have_taken ? taken : stage;
  exit->macs = stage.macs;
  exit->gpu_ns = device_ns;
  return TRUE;
}

/* The policy learns from the frame, the counts take it, and it becomes the
 * result later frames may reuse. */
static void
end_frame (RanetSession *s, const RanetSessionPlan *plan, const RanetSessionResult *r, guint64 t)
{
  g_mutex_lock (&s->lock);
  if (plan->mode == RANET_THRESHOLD_ADAPTIVE)
    ranet_policy_end_frame (s->policy, &plan->frame, r->exit_index, t, r->forced);
  memcpy (s->current_thresholds, plan->thresholds, s->n_exits * sizeof (double));
  ranet_session_count_result_locked (s, r);
  ranet_session_result_copy (&s->last, r);
  s->have_last = TRUE;
  s->since_classified = 0;
  s->running = FALSE;
  g_mutex_unlock (&s->lock);
}

static gboolean
run_frame (RanetSession *s, RanetSessionPlan *plan, const FrameInput *in,
    RanetSessionResult *r, GError **error)
{
  RanetExitResult exit = { 0 };
  g_autofree float *probe_probs = NULL;
  guint64 t0 = ranet_session_plan_now (plan), t = t0;
  gboolean ok;

  if (plan->mode == RANET_THRESHOLD_ADAPTIVE)
    begin_adaptive (s, plan, t0);
  if (!set_input (s, plan, in, error))
    return FALSE;
  if (plan->mode != RANET_THRESHOLD_ADAPTIVE) {
    ok = run_fixed (s, plan, &exit, error);
    t = ranet_session_plan_now (plan);
  } else if (plan->frame.probe) {
    ok = run_probe (s, plan, &t, &exit, &probe_probs, error);
  } else if (s->backend.decides_exit_on_device) {
    ok = run_adaptive_whole (s, plan, &t, &exit, error);
  } else {
    ok = run_adaptive_by_stage (s, plan, &t, &exit, error);
  }
  if (!ok)
    return FALSE;
  ranet_session_fill_result (s, plan, &exit, t - t0, r);
  end_frame (s, plan, r, t);
  return TRUE;
}

/* The last classified frame's result again, while the inference interval
 * says so; FALSE when this frame is to be classified. Counts the frame
 * either way. */
static gboolean
reuse_last (RanetSession *s, RanetSessionResult *r)
{
  gboolean reuse;

  g_mutex_lock (&s->lock);
  s->counts.frames++;
  reuse = s->have_last && s->since_classified + 1 < s->inference_interval;
  if (reuse) {
    s->since_classified++;
    ranet_session_result_copy (r, &s->last);
  }
  g_mutex_unlock (&s->lock);
  if (reuse) {
    r->reused = TRUE;
    r->macs = 0;
    r->gpu_ns = 0;
    r->wall_ns = 0;
  }
  return reuse;
}

static gboolean
classify (RanetSession *s, const FrameInput *in, RanetSessionResult *r, GError **error)
{
  RanetSessionPlan plan = { 0 };

  memset (r, 0, sizeof *r);
  if (reuse_last (s, r))
    return TRUE;
  if (!ranet_session_plan_begin (s, &plan))
    return FALSE;
  if (!run_frame (s, &plan, in, r, error)) {
    ranet_session_plan_release (s, &plan);
    return FALSE;
  }
  g_free (plan.thresholds);
  return TRUE;
}

gboolean
ranet_session_classify_frame (RanetSession *session, const RanetFrameLayout *layout,
    const guint8 *const *planes, RanetSessionResult *result, GError **error)
{
  FrameInput in = { layout, planes, NULL };

  g_return_val_if_fail (session != NULL && layout != NULL && planes != NULL, FALSE);
  g_return_val_if_fail (result != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  return classify (session, &in, result, error);
}

gboolean
ranet_session_classify_tensor (RanetSession *session, const float *input,
    RanetSessionResult *result, GError **error)
{
  FrameInput in = { NULL, NULL, input };

  g_return_val_if_fail (session != NULL && input != NULL && result != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  return classify (session, &in, result, error);
}

void
ranet_session_pass_frame (RanetSession *session)
{
  g_return_if_fail (session != NULL);
  g_mutex_lock (&session->lock);
  session->counts.frames++;
  g_mutex_unlock (&session->lock);
}
