/* policy-private.h: the parts of a RanetPolicy its files share (policy.c: the
 * budget, the estimates, the choice and single frames; policy-batch.c:
 * frames of several items). */
#pragma once

#include "policy/ranet-policy.h"

G_BEGIN_DECLS

/* Deadline checks use the mean latency plus this many mean deviations. */
#define RANET_POLICY_DEVIATIONS 2.0

typedef struct {
  double *thresholds;
  double *fractions;
  double accuracy;
} RanetPolicyPointData;

/* A stage's latency for one item is modelled as efficiency x multiply-adds x
 * rate: the rate (ns per multiply-add) follows the machine's load and is
 * learned from every stage that runs, stage 0 on every frame; the efficiency
 * is the stage's own shape factor (small layers use a device less well),
 * learned when it runs. So the estimate of a stage that the deadline has kept
 * from running for a while still follows a change of load.
 *
 * For n items it is a line, fixed part + part per item, in multiply-adds x
 * rate too (policy-batch.c). */
typedef struct {
  double efficiency;  /* 1 until measured */
  double deviation;   /* mean relative deviation of measurements from estimates */
  gboolean measured;
  guint idle_frames;  /* frames since the stage last ran */
  /* the sums of the least-squares line through the stage's costs by items:
   * runs, items, items^2, cost, items x cost (each cost divided by the
   * multiply-adds and by the load rate of its time) */
  double fit_w, fit_n, fit_nn, fit_c, fit_nc;
} RanetPolicyStage;

/* Online calibration's state (policy-online.c). */
typedef struct {
  gboolean enabled;
  gboolean placeholder;     /* the points are the file's placeholder: one, to the last exit */
  guint interval;
  guint size;               /* the window's capacity, in probes */
  float *window;            /* size x n_exits, a ring of probes' confidences */
  guint filled;             /* probes in it */
  guint next;               /* the slot the next probe goes to */
  guint since_probe;        /* frames since the last probe */
  guint since_recompute;    /* probes since the thresholds were last recomputed */
  /* frames since the thresholds last changed: per exit, frames that left
   * there and the sum of their points' planned fractions */
  guint64 share_frames;
  guint64 *realised;
  double *planned;
} RanetPolicyOnline;

struct _RanetPolicy {
  RanetPolicyParams params;
  guint n_exits;
  double *stage_macs;
  RanetPolicyPointData *points;
  guint n_points;

  guint64 period_ns;
  guint64 latency_budget_ns;
  double qos_scale;

  RanetPolicyStage *stages;
  double rate;              /* ns per multiply-add now; 0 until a stage ran */
  double feedback;          /* moving average of actual / predicted frame cost */
  guint current;
  guint frames_since_change;
  guint next_first;         /* where the next batch that cannot run every item starts */
  RanetPolicyStats stats;
  RanetPolicyOnline online;
};

/* @a + @b, G_MAXUINT64 where that overflows. */
guint64 ranet_policy_add_ns (guint64 a, guint64 b);

/* A frame's passage of time for the QoS scale and the estimates of stages
 * that did not run. */
void ranet_policy_start_frame (RanetPolicy *policy);

/* Picks the point for a frame of @n_items items (1: a single frame; 0: keeps
 * the current one, every cost being 0). */
void ranet_policy_choose_point (RanetPolicy *policy, guint n_items);

/* The expected cost of @point for @n_items items (at least 1), without the
 * feedback correction; a single frame's cost for 1. */
double ranet_policy_predict_uncorrected (RanetPolicy *policy, guint point, guint n_items);

/* Counts a frame of @point that started at @start_ns, due at @deadline_ns,
 * ended at @now_ns (@forced: it had an exit forced below its threshold), and
 * learns how far its cost was from @predicted (what
 * ranet_policy_predict_uncorrected() said), counting @extra_ns more for what
 * the forced exits cut short. */
void ranet_policy_finish_frame (RanetPolicy *policy, guint point, guint64 start_ns,
    guint64 deadline_ns, guint64 now_ns, gboolean forced, double predicted,
    double extra_ns);

/* policy-batch.c: the expected cost of stages @first_stage onwards at @point
 * for @n_items items that reached @first_stage (at least 1), uncorrected. */
double ranet_policy_batch_cost_from (RanetPolicy *policy, guint point, guint first_stage,
    guint n_items);

/* policy-batch.c: adds a run of @stage on @n_items items that took @cost_ns
 * to the line of its cost by items. */
void ranet_policy_add_to_line (RanetPolicy *policy, guint stage, guint n_items,
    guint64 cost_ns);

/* policy-online.c: sets up online calibration's state for a new policy. */
void ranet_policy_online_init (RanetPolicy *policy);
void ranet_policy_online_clear (RanetPolicy *policy);

/* policy-online.c: whether the frame about to begin is a probe; counts the
 * frame. */
gboolean ranet_policy_online_take_probe (RanetPolicy *policy);

/* policy-online.c: counts a single frame that left at @exit_index, at
 * @point, for the realised against planned shares. */
void ranet_policy_online_count_exit (RanetPolicy *policy, guint point, guint exit_index);

/* The frame cost through every stage, uncorrected. */
double ranet_policy_full_cost (RanetPolicy *policy);

G_END_DECLS
