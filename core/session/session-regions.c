/* session-regions.c: the regions of one frame, as batches under one budget.
 *
 * The frame's plan is fixed as for a whole frame (session-plan.c). In
 * adaptive mode the policy then sees the batch: it picks the operating point
 * whose predicted cost for this many regions fits the frame's budget, and how
 * many regions fit at all, starting from a position that moves on every
 * frame so that none is always the one left out. The regions run in batches
 * of at most the max batch, stage by stage: each stage runs the regions
 * still in the batch (those whose confidence reached no threshold), if the
 * deadline leaves time for that many, and the policy learns what a stage
 * costs for that many. */
#include "session/session-private.h"

#include <string.h>

/* The net's capacity for a max-batch setting (0: the default): a batch net
 * holds at least 2 items, and a setting of 1 runs batches of 1 on it. */
static guint
capacity_for (RanetSession *s, guint setting)
{
  if (setting == 0)
    return ranet_net_default_max_batch (s->device, ranet_net_get_graph (s->net));
  return CLAMP (setting, 2, RANET_NET_MAX_BATCH);
}

/* Runs batches of 1 and @n items of zeros through every stage and gives the
 * policy each stage's time: two sizes are what it needs to tell a stage's
 * fixed cost from its cost per item, so that the first frames of regions are
 * planned on measured costs, not on n times a single frame's. */
static gboolean
warm_up_batches (RanetSession *s, RanetNet *net, guint n, GError **error)
{
  RanetTensorView v = ranet_graph_get_input_view (ranet_net_get_graph (net));
  g_autofree float *zeros = g_new0 (float, (gsize) n * v.c * v.h * v.w);
  g_autofree guint *items = g_new (guint, n);
  g_autofree RanetExitResult *results = g_new0 (RanetExitResult, n);
  guint sizes[] = { 1, n };

  for (guint j = 0; j < n; j++)
    items[j] = j;
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++) {
    if (!ranet_net_set_batch_tensors (net, zeros, sizes[i], error))
      return FALSE;
    for (guint k = 0; k < s->n_exits; k++) {
      gint64 t0 = g_get_monotonic_time ();

      if (!ranet_net_run_batch_stage (net, k, items, sizes[i], results, error))
        return FALSE;
      g_mutex_lock (&s->lock);
      ranet_policy_batch_stage_done (s->policy, k, sizes[i],
          (guint64) (g_get_monotonic_time () - t0) * 1000);
      g_mutex_unlock (&s->lock);
    }
  }
  return TRUE;
}

/* The net of batches for the current setting, made on first use or when the
 * setting changed. Called with the network taken (the plan begun). */
static RanetNet *
get_batch_net (RanetSession *s, guint *per_batch, GError **error)
{
  guint setting, capacity;

  if (s->net == NULL) {
    g_set_error_literal (error, RANET_SESSION_ERROR, RANET_SESSION_ERROR_INVALID_ARGUMENT,
        "this network cannot classify regions");
    return NULL;
  }
  g_mutex_lock (&s->lock);
  setting = s->max_batch;
  g_mutex_unlock (&s->lock);
  capacity = capacity_for (s, setting);
  if (s->batch_net == NULL || ranet_net_get_max_batch (s->batch_net) != capacity) {
    g_clear_pointer (&s->batch_net, ranet_net_free);
    s->batch_net = ranet_net_new_batched (s->device, ranet_net_get_model (s->net),
        capacity, error);
    if (s->batch_net == NULL || !warm_up_batches (s, s->batch_net, capacity, error)) {
      g_clear_pointer (&s->batch_net, ranet_net_free);
      return NULL;
    }
  }
  *per_batch = setting == 0 ? capacity : MIN (setting, capacity);
  return s->batch_net;
}

/* One batch of @n regions (set on the net) through its stages: @exits[i] is
 * item i's result at the exit it took. @t (updated) is when the last stage
 * ended. */
static gboolean
run_batch (RanetSession *s, const RanetSessionPlan *plan, const RanetPolicyBatch *batch,
    RanetNet *net, guint n, RanetExitResult *exits, guint64 *t, GError **error)
{
  g_autofree float *thresholds = ranet_session_plan_float_thresholds (s, plan);
  g_autofree guint *active = g_new (guint, n);
  g_autofree RanetExitResult *stage = g_new0 (RanetExitResult, n);
  gboolean adaptive = plan->mode == RANET_THRESHOLD_ADAPTIVE;
  guint n_active = n;

  for (guint j = 0; j < n; j++)
    active[j] = j;
  for (guint k = 0; k <= plan->last && n_active > 0; k++) {
    guint still = 0;
    guint64 now;

    if (k > 0 && adaptive) {
      gboolean out_of_time;

      g_mutex_lock (&s->lock);
      out_of_time = !ranet_policy_can_run_batch_stage (s->policy, batch, k, n_active, *t);
      g_mutex_unlock (&s->lock);
      if (out_of_time)
        break;
    }
    if (!ranet_net_run_batch_stage (net, k, active, n_active, stage, error))
      return FALSE;
    now = ranet_session_plan_now (plan);
    if (adaptive) {
      /* stage 0's cost includes getting the frame's rows to the device */
      g_mutex_lock (&s->lock);
      ranet_policy_batch_stage_done (s->policy, k, n_active, now - *t);
      g_mutex_unlock (&s->lock);
    }
    *t = now;
    for (guint j = 0; j < n_active; j++) {
      guint item = active[j];
      guint64 gpu_ns = k > 0 ? exits[item].gpu_ns : 0;

      exits[item] = stage[j];
      exits[item].gpu_ns = gpu_ns + stage[j].gpu_ns;
      if (stage[j].confidence < thresholds[k])
        active[still++] = item;
    }
    n_active = still;
  }
  return TRUE;
}

/* A region the budget left out: no class, no exit. */
static void
mark_skipped (RanetSession *s, const RanetSessionPlan *plan, RanetSessionResult *r)
{
  memset (r, 0, sizeof *r);
  r->skipped = TRUE;
  r->n_exits = s->n_exits;
  r->operating_point = plan->point;
  r->thresholds = g_memdup2 (plan->thresholds, s->n_exits * sizeof (double));
}

static gboolean
run_regions (RanetSession *s, RanetSessionPlan *plan, const RanetFrameLayout *layout,
    const guint8 *const *planes, const RanetRegion *regions, guint n,
    RanetSessionResult *results, RanetSessionBatchSummary *summary, GError **error)
{
  guint64 t0 = ranet_session_plan_now (plan), t = t0;
  RanetPolicyBatch batch = { .n_items = n, .n_run = n };
  g_autofree guint *exit_counts = g_new0 (guint, s->n_exits);
  g_autofree gboolean *classified = g_new0 (gboolean, MAX (n, 1));
  guint per_batch, n_forced = 0;
  RanetNet *net = get_batch_net (s, &per_batch, error);

  if (net == NULL)
    return FALSE;
  if (plan->mode == RANET_THRESHOLD_ADAPTIVE && n > 0) {
    g_mutex_lock (&s->lock);
    ranet_policy_begin_batch (s->policy, t0, n, &batch);
    plan->point = (gint) batch.point;
    ranet_session_plan_thresholds_locked (s, plan, batch.thresholds);
    g_mutex_unlock (&s->lock);
  }

  for (guint start = 0; start < batch.n_run; start += per_batch) {
    guint m = MIN (per_batch, batch.n_run - start);
    g_autofree RanetRegion *chunk = g_new (RanetRegion, m);
    g_autofree guint *index = g_new (guint, m);
    g_autofree RanetExitResult *exits = g_new0 (RanetExitResult, m);

    for (guint j = 0; j < m; j++) {
      index[j] = (batch.first + start + j) % n;
      chunk[j] = regions[index[j]];
    }
    if (!ranet_net_set_batch_regions (net, layout, plan->resize_mode, chunk, m, error))
      return FALSE;
    /* a new layout compiles its preprocess pipeline here, once: not a cost
     * of stage 0 the policy should plan every frame on (copying the rows
     * below is) */
    t = ranet_session_plan_now (plan);
    for (guint i = 0; i < RANET_MAX_PLANES && ranet_frame_layout_plane_rows (layout, i) > 0; i++)
      ranet_net_write_frame_plane (net, i, planes[i], layout->stride[i]);
    if (!run_batch (s, plan, &batch, net, m, exits, &t, error))
      return FALSE;
    for (guint j = 0; j < m; j++) {
      RanetSessionResult *r = &results[index[j]];

      ranet_session_fill_result (s, plan, &exits[j], t - t0, r);
      classified[index[j]] = TRUE;
      exit_counts[r->exit_index]++;
      n_forced += r->forced ? 1 : 0;
    }
    if (summary != NULL)
      summary->n_batches++;
  }
  for (guint i = 0; i < n; i++)
    if (!classified[i])
      mark_skipped (s, plan, &results[i]);

  g_mutex_lock (&s->lock);
  if (plan->mode == RANET_THRESHOLD_ADAPTIVE && n > 0)
    ranet_policy_end_batch (s->policy, &batch, exit_counts, n_forced, t);
  memcpy (s->current_thresholds, plan->thresholds, s->n_exits * sizeof (double));
  ranet_session_count_regions_locked (s, results, n, t - t0);
  s->running = FALSE;
  g_mutex_unlock (&s->lock);

  if (summary != NULL) {
    summary->n_regions = n;
    summary->n_classified = batch.n_run;
    summary->n_skipped = n - batch.n_run;
    for (guint i = 0; i < n; i++)
      summary->macs += results[i].macs;
    summary->latency_ns = t - t0;
    summary->operating_point = plan->point;
  }
  return TRUE;
}

gboolean
ranet_session_classify_regions (RanetSession *session, const RanetFrameLayout *layout,
    const guint8 *const *planes, const RanetRegion *regions, guint n_regions,
    RanetSessionResult *results, RanetSessionBatchSummary *summary, GError **error)
{
  RanetSessionPlan plan = { 0 };

  g_return_val_if_fail (session != NULL && layout != NULL && planes != NULL, FALSE);
  g_return_val_if_fail (n_regions == 0 || (regions != NULL && results != NULL), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (results != NULL)
    memset (results, 0, n_regions * sizeof *results);
  if (summary != NULL)
    *summary = (RanetSessionBatchSummary) { .operating_point = -1 };
  g_mutex_lock (&session->lock);
  session->counts.frames++;
  g_mutex_unlock (&session->lock);
  if (!ranet_session_plan_begin (session, &plan))
    return FALSE;
  if (!run_regions (session, &plan, layout, planes, regions, n_regions, results, summary,
          error)) {
    for (guint i = 0; i < n_regions; i++)
      ranet_session_result_clear (&results[i]);
    ranet_session_plan_release (session, &plan);
    return FALSE;
  }
  g_free (plan.thresholds);
  return TRUE;
}

gboolean
ranet_session_prepare_regions (RanetSession *session, GError **error)
{
  RanetSessionPlan plan = { 0 };
  guint per_batch;
  gboolean ok;

  g_return_val_if_fail (session != NULL, FALSE);
  if (!ranet_session_plan_begin (session, &plan))
    return FALSE;
  ok = get_batch_net (session, &per_batch, error) != NULL;
  ranet_session_plan_release (session, &plan);
  return ok;
}

void
ranet_session_set_max_batch (RanetSession *session, guint max_batch)
{
  g_return_if_fail (session != NULL);
  g_mutex_lock (&session->lock);
  session->max_batch = MIN (max_batch, RANET_NET_MAX_BATCH);
  g_mutex_unlock (&session->lock);
}

guint
ranet_session_get_max_batch (RanetSession *session)
{
  guint setting;

  g_return_val_if_fail (session != NULL, 1);
  if (session->net == NULL)
    return 1;
  g_mutex_lock (&session->lock);
  setting = session->max_batch;
  g_mutex_unlock (&session->lock);
  return setting != 0 ? setting : capacity_for (session, 0);
}
