/* session-stats.c: what a session counts, and its statistics. */
#include "session/session-private.h"

void
ranet_session_count_result_locked (RanetSession *session, const RanetSessionResult *r)
{
  RanetSessionCounts *c = &session->counts;

  c->classified++;
  c->exit_counts[r->exit_index]++;
  c->latency_sum_ns += r->wall_ns;
  c->latency_max_ns = MAX (c->latency_max_ns, r->wall_ns);
  c->forced_exits += r->forced ? 1 : 0;
}

void
ranet_session_count_regions_locked (RanetSession *session, const RanetSessionResult *results,
    guint n, guint64 latency_ns)
{
  RanetSessionCounts *c = &session->counts;

  c->classified++;
  c->latency_sum_ns += latency_ns;
  c->latency_max_ns = MAX (c->latency_max_ns, latency_ns);
  c->regions += n;
  for (guint i = 0; i < n; i++) {
    if (results[i].skipped)
      continue;
    c->regions_classified++;
    c->exit_counts[results[i].exit_index]++;
    c->forced_exits += results[i].forced ? 1 : 0;
  }
}

RanetSessionStats *
ranet_session_get_stats (RanetSession *session)
{
  RanetSessionStats *stats;
  RanetPolicyStats policy_stats;
  const RanetSessionCounts *c;

  g_return_val_if_fail (session != NULL, NULL);
  stats = g_new0 (RanetSessionStats, 1);
  c = &session->counts;
  g_mutex_lock (&session->lock);
  ranet_policy_get_stats (session->policy, &policy_stats);
  stats->frames = c->frames;
  stats->classified = c->classified;
  stats->n_exits = session->n_exits;
  stats->exit_counts = g_memdup2 (c->exit_counts, session->n_exits * sizeof (guint64));
  stats->mean_latency_ns = c->classified > 0 ? c->latency_sum_ns / c->classified : 0;
  stats->max_latency_ns = c->latency_max_ns;
  stats->forced_exits = c->forced_exits;
  stats->deadline_misses = policy_stats.deadline_misses;
  stats->operating_point_changes = policy_stats.point_changes;
  stats->budget_ns = ranet_session_get_budget_locked (session);
  stats->regions = c->regions;
  stats->regions_classified = c->regions_classified;
  stats->regions_skipped = c->regions - c->regions_classified;
  stats->calibrated_online = ranet_policy_is_calibrated_online (session->policy);
  stats->probes = policy_stats.probes;
  stats->recalibrations = policy_stats.recalibrations;
  stats->realised_shares = g_new0 (double, session->n_exits);
  stats->planned_shares = g_new0 (double, session->n_exits);
  stats->share_frames = ranet_policy_get_exit_shares (session->policy, stats->realised_shares,
      stats->planned_shares);
  g_mutex_unlock (&session->lock);
  return stats;
}

void
ranet_session_stats_free (RanetSessionStats *stats)
{
  if (stats == NULL)
    return;
  g_free (stats->exit_counts);
  g_free (stats->realised_shares);
  g_free (stats->planned_shares);
  g_free (stats);
}
